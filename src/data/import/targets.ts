// Names and synonyms for every data-model field, which fields each file role may fill, and the default mapping
// of event-type values onto the standard vocabulary. Names are compared normalised: lower case, letters/digits only.
import type { FileRole, StatusClass, Target } from './types.ts';

/** Lower case, letters and digits only: "Customer ID", "customer_id" and "CustomerID" all become "customerid". */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Synonyms per field, best first. "Strong" ones also decide a file's role; "weak" ones (generic words such as
 * type, count or value) only map a column once the role is known.
 */
export const SYNONYMS: Readonly<Record<Target, { strong: readonly string[]; weak?: readonly string[] }>> = {
  user_id: {
    strong: ['userid', 'customerid', 'visitorid', 'clientid', 'memberid', 'accountid', 'buyerid', 'shopperid',
      'personid', 'contactid', 'custid', 'customerno', 'customernumber', 'distinctid', 'anonymousid', 'uid',
      'user', 'customer', 'visitor', 'client', 'userpseudoid'],
  },
  ts: {
    strong: ['ts', 'timestamp', 'eventtime', 'eventtimestamp', 'datetime', 'invoicedate', 'orderdate',
      'transactiondate', 'purchasedate', 'eventdate', 'occurredat', 'loggedat', 'time', 'date', 'purchasetimestamp',
      'purchasedat', 'placedat', 'orderedat', 'createdutc', 'createddateutc'],
    weak: ['createdat', 'created'],
  },
  event_type: {
    strong: ['eventtype', 'event', 'eventname', 'action', 'activity', 'interaction', 'behavior', 'behaviour'],
    weak: ['type', 'eventaction'],
  },
  session_id: { strong: ['sessionid', 'usersession', 'session', 'visitid', 'sessionkey', 'gasessionid'] },
  order_id: {
    strong: ['orderid', 'invoiceno', 'invoiceid', 'invoicenumber', 'invoice', 'transactionid', 'orderno',
      'ordernumber', 'order', 'receiptid', 'basketid'],
  },
  product_id: {
    strong: ['productid', 'stockcode', 'itemid', 'sku', 'articleid', 'variantid', 'productcode', 'itemcode',
      'asin', 'product', 'item', 'article'],
  },
  product_name: {
    strong: ['productname', 'description', 'itemname', 'productdescription', 'itemdescription', 'producttitle',
      'articlename'],
    weak: ['title'],
  },
  category: {
    strong: ['category', 'categorycode', 'categoryname', 'productcategory', 'categorypath', 'department',
      'productgroup', 'maincategory'],
    weak: ['dept', 'cat'],
  },
  brand: { strong: ['brand', 'brandname', 'manufacturer'], weak: ['make', 'vendor'] },
  price: { strong: ['price', 'unitprice', 'itemprice', 'priceeach', 'priceperunit', 'saleprice', 'unitcost'] },
  quantity: { strong: ['quantity', 'qty', 'quantityordered', 'units', 'itemcount'], weak: ['count'] },
  revenue: {
    strong: ['revenue', 'totalprice', 'linetotal', 'sales', 'totalamount', 'ordertotal', 'amount', 'total',
      'subtotal', 'amountpaid', 'subtotalextax'],
    weak: ['value'],
  },
  country: { strong: ['country', 'countryname', 'countrycode', 'shipcountry', 'billingcountry', 'cardaddresscountry'] },
  region: { strong: ['region', 'state', 'province', 'stateprovince', 'cardaddressstate'], weak: ['county'] },
  city: { strong: ['city', 'town', 'suburb', 'cardaddresscity'] },
  source: { strong: ['source', 'utmsource', 'trafficsource', 'referrer'], weak: ['channel'] },
  medium: { strong: ['medium', 'utmmedium'] },
  campaign: { strong: ['campaign', 'utmcampaign', 'campaignname', 'trafficsourcename'] },
  device: { strong: ['device', 'devicetype', 'devicecategory'], weak: ['platform'] },
  signup_ts: {
    strong: ['signupts', 'signupdate', 'signup', 'signupat', 'registeredat', 'registrationdate', 'registered',
      'joindate', 'joinedat', 'joined'],
    weak: ['createdat', 'created', 'firstseen'],
  },
  email: { strong: ['email', 'emailaddress', 'mail', 'customeremail', 'billingemail'] },
  name: { strong: ['fullname', 'customername', 'displayname'], weak: ['name'] },
  age: { strong: ['age'] },
  gender: { strong: ['gender', 'sex'] },
  status: { strong: ['orderstatus', 'status', 'financialstatus', 'fulfillmentstatus', 'orderstate'] },
  person_id: { strong: ['customeruniqueid', 'uniquecustomerid', 'customeruuid', 'personuniqueid', 'uniqueid', 'globalcustomerid'] },
  shipping: { strong: ['shipping', 'freight', 'freightvalue', 'shippingcost', 'shippingamount', 'shippingprice', 'shippingtotal', 'deliveryfee', 'shippingfee', 'shippingcostextax', 'shippingandhandling'] },
  payment_method: { strong: ['paymenttype', 'paymentmethod', 'paymentgateway', 'paymentmethodtitle', 'paymentmethodtype', 'method'] },
};

/** Extra names that only make sense for one role ("id" in a users file is the user id). */
export const ROLE_SYNONYMS: Readonly<Partial<Record<FileRole, Partial<Record<Target, readonly string[]>>>>> = {
  users: { user_id: ['id'], signup_ts: ['ts', 'timestamp', 'date', 'datetime', 'time'] },
  products: { product_id: ['id'], product_name: ['name', 'title'] },
  transactions: { order_id: ['name', 'ordername', 'number', 'id'], product_name: ['name'] },
  orders: { order_id: ['id', 'name', 'number'], ts: ['createdat', 'created', 'paidat', 'placedat', 'dateplaced', 'datecreated'], revenue: ['value', 'grandtotal'] },
  payments: { revenue: ['value', 'paymentvalue', 'paymentamount', 'amountcaptured', 'net', 'gross'] },
};

/**
 * Order-level totals (Shopify's Subtotal and Total, an order's amount paid): in an order lines file with a price
 * and a quantity they are not a line's revenue (they repeat, or sit on the first line only, and include shipping
 * and taxes), so they are kept as extra columns instead.
 */
export const ORDER_LEVEL_TOTALS: readonly string[] = ['total', 'subtotal', 'ordertotal', 'totalamount', 'grandtotal', 'amountpaid', 'totalpaid'];

/**
 * Entity words an export puts before a field's own name ("order_purchase_timestamp", "customer_state", "Lineitem
 * price", "Billing Country", "product_category_name"): a column that matches no synonym whole is tried again with
 * one of these taken off its start, ranked after every whole match (so "order_item_id" never beats "product_id").
 */
export const ENTITY_PREFIXES = ['lineitem', 'order', 'customer', 'product', 'billing', 'shipping', 'payment', 'item', 'user', 'event', 'transaction', 'client',
  // GA4's BigQuery export flattened (geo.country → geo_country, traffic_source.source, ecommerce.transaction_id).
  'geo', 'trafficsource', 'ecommerce'] as const;

/**
 * Shipping columns that hold the order's shipping (Shopify's "Shipping" on an order's first line, WooCommerce's
 * shipping_total repeated on every line): in an order lines file, counted once per order. Other shipping names
 * (Olist's freight_value) are per line.
 */
export const ORDER_LEVEL_SHIPPING: readonly string[] = ['shipping', 'shippingtotal', 'ordershipping', 'shippingcost', 'shippingamount',
  'shippingandhandling', 'shippingcostextax', 'shippingcostinctax', 'shippingprice', 'shippingfee', 'deliveryfee'];

/** Values of a user id column that mean "no account" (WooCommerce and BigCommerce write 0 for guest checkouts). */
export const GUEST_IDS: readonly string[] = ['0', 'guest'];

const EVENT_FIELDS: readonly Target[] = [
  'user_id', 'ts', 'event_type', 'session_id', 'order_id', 'product_id', 'product_name', 'category', 'brand',
  'price', 'quantity', 'revenue', 'country', 'region', 'city', 'source', 'medium', 'campaign', 'device',
  'signup_ts', 'email', 'name', 'age', 'gender',
];
const PLACES: readonly Target[] = ['country', 'region', 'city'];

/** The fields each role may fill (user-level fields in an events file feed the derived users table). */
export const ROLE_TARGETS: Readonly<Record<FileRole, readonly Target[]>> = {
  events: EVENT_FIELDS,
  transactions: [...EVENT_FIELDS.filter((t) => t !== 'event_type'), 'shipping', 'status'],
  users: ['user_id', 'person_id', 'signup_ts', 'country', 'region', 'city', 'email', 'name', 'age', 'gender', 'source', 'medium',
    'campaign', 'device'],
  products: ['product_id', 'product_name', 'category', 'brand', 'price'],
  orders: ['order_id', 'user_id', 'ts', 'status', 'revenue', 'shipping', 'email', ...PLACES, 'source', 'medium', 'campaign', 'device'],
  payments: ['order_id', 'revenue', 'payment_method'],
};

/** Fields a role cannot do without. */
export const REQUIRED: Readonly<Record<FileRole, readonly Target[]>> = {
  events: ['user_id', 'ts'],
  transactions: ['user_id', 'ts'],
  users: ['user_id'],
  products: ['product_id'],
  orders: ['order_id', 'user_id', 'ts'],
  payments: ['order_id', 'revenue'],
};

/**
 * Order statuses by normalised value (Olist, Shopify financial / fulfilment status, WooCommerce, Magento,
 * BigCommerce, Stripe): values not listed count as purchases, and the report lists every value with its meaning.
 */
export const DEFAULT_STATUSES: Readonly<Record<string, StatusClass>> = {
  canceled: 'not_sale', cancelled: 'not_sale', unavailable: 'not_sale', failed: 'not_sale', voided: 'not_sale',
  void: 'not_sale', declined: 'not_sale', abandoned: 'not_sale', expired: 'not_sale', trash: 'not_sale',
  wcfailed: 'not_sale', wccancelled: 'not_sale', wcpending: 'not_sale', pending: 'not_sale', pendingpayment: 'not_sale',
  incomplete: 'not_sale', requirespaymentmethod: 'not_sale', disputed: 'not_sale', draft: 'not_sale',
  awaitingpayment: 'not_sale', suspectedfraud: 'not_sale',
  // Magento: an order is "Closed" once fully refunded by a credit memo.
  closed: 'refund',
  refunded: 'refund', returned: 'refund', refund: 'refund', return: 'refund', wcrefunded: 'refund', closedrefunded: 'refund',
  partiallyrefunded: 'purchase',
};

/** Fields whose values must be numbers. */
export const NUMERIC_TARGETS: ReadonlySet<Target> = new Set<Target>(['price', 'quantity', 'revenue', 'age', 'shipping']);

/** Example column names quoted in "no usable column" messages. */
export const EXPECTED_NAMES: Readonly<Partial<Record<Target, string>>> = {
  user_id: 'user_id, customer_id, CustomerID, visitorid, client_id or user',
  ts: 'ts, timestamp, event_time, InvoiceDate, order_date, datetime or date',
  product_id: 'product_id, StockCode, sku or item_id',
  order_id: 'order_id, order number, InvoiceNo or transaction_id',
  revenue: 'amount, payment_value, total or revenue',
};

/** Plain-language field names for messages. */
export const TARGET_LABELS: Readonly<Partial<Record<Target, string>>> = {
  user_id: 'user id', ts: 'time', product_id: 'product id', order_id: 'order id', revenue: 'amount',
};

/**
 * Default event-type vocabulary, keyed by normalised value. Values not listed stay as they are (custom types).
 */
export const DEFAULT_EVENT_TYPES: Readonly<Record<string, string>> = {
  view: 'product_view', pageview: 'product_view', productview: 'product_view', viewitem: 'product_view',
  detail: 'product_view', productdetail: 'product_view', viewproduct: 'product_view',
  cart: 'add_to_cart', addtocart: 'add_to_cart', addtobasket: 'add_to_cart', basketadd: 'add_to_cart',
  cartadd: 'add_to_cart',
  transaction: 'purchase', purchase: 'purchase', order: 'purchase', buy: 'purchase', sale: 'purchase',
  orderplaced: 'purchase', orderedcompleted: 'purchase', ordercompleted: 'purchase',
  checkout: 'checkout', begincheckout: 'checkout', initiatecheckout: 'checkout', checkoutstarted: 'checkout',
  refund: 'refund', return: 'refund', refunded: 'refund',
  sessionstart: 'session_start', sessionbegin: 'session_start', sessionend: 'session_end',
};
