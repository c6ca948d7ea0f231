// Import detection: every synonym example of the issue maps with no edit, roles are right, mappings validate,
// and mappingKey recognises "the same columns". Run: TZ=UTC node --import tsx --test tests/import-detect.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../src/db/types.ts';
import { openNodeDb } from '../src/db/node-db.ts';
import {
  detect, mappingKey, mappingProblems, probe, validateFileMapping, validateImportPlan, defaultEventType, columnValues,
  type FileMapping, type FileProbe,
} from '../src/data/import/index.ts';
import { scratchDir, sourceOf, writeFixture } from './fixtures/import/support.ts';

/** column -> target of a detected mapping (kept columns show as keep:<name>). */
function targets(m: FileMapping): Record<string, string> {
  return Object.fromEntries(m.columns.map((c) => [c.column, c.target === 'keep' ? `keep:${c.as}` : c.target]));
}

const FILES: Record<string, string> = {
  // REES46-style event stream: event_time with " UTC", user_session, category_code.
  'rees.csv': 'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n' +
    '2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde\n' +
    '2019-10-01 00:00:05 UTC,cart,3900821,2053013552326770905,appliances.water_heater,aqua,33.20,554748717,9333dfbd\n',
  // RetailRocket-style: epoch milliseconds, visitorid, event (view/addtocart/transaction), itemid, transactionid.
  'retailrocket.csv': 'timestamp,visitorid,event,itemid,transactionid\n' +
    '1433221332117,257597,view,355908,\n1433224214164,992329,addtocart,248676,\n1433221999827,111016,transaction,6543,4000\n',
  // UCI Online Retail order lines.
  'retail.csv': 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' +
    '536365,85123A,"WHITE HANGING HEART T-LIGHT HOLDER",6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n' +
    'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n',
  // A generic shop export: snake case order lines.
  'orders.csv': 'order_id,customer_id,order_date,sku,qty,unit_price,category\n' +
    'A-1,c1,2024-03-01 10:00:00,SKU1,2,9.99,Books\nA-2,c2,2024-03-02 11:00:00,SKU2,1,5.00,Toys\n',
  // A plain event log with epoch seconds and session ids.
  'events.csv': 'user_id,timestamp,event_type,session_id,product_id\n' +
    'u1,1700000000,page_view,s1,p1\nu1,1700000100,purchase,s1,p1\n',
  // A users file and a products file.
  'customers.csv': 'customer_id,signup_date,email,country,region,age,plan\n' +
    'c1,2023-05-01,a@example.com,France,Europe,34,gold\nc2,2023-06-11,b@example.com,Japan,Asia,41,free\n',
  'catalog.csv': 'id,name,category,brand,price\nSKU1,Novel,Books,Acme,9.99\nSKU2,Kite,Toys,Sky,5\n',
};

describe('import detection (zero-edit mapping)', () => {
  let db: Db;
  const tmp = scratchDir();
  const probes = new Map<string, FileProbe>();
  before(async () => {
    db = await openNodeDb();
    for (const [name, text] of Object.entries(FILES)) probes.set(name, await probe(db, sourceOf(writeFixture(tmp.dir, name, text))));
  });
  after(async () => {
    await db.close();
    tmp.cleanup();
  });

  test('REES46 columns: event_time -> ts, user_session -> session_id, category_code -> category', () => {
    const m = detect(probes.get('rees.csv')!);
    assert.equal(m.role, 'events');
    assert.deepEqual(targets(m), {
      event_time: 'ts', event_type: 'event_type', product_id: 'product_id', category_id: 'keep:category_id',
      category_code: 'category', brand: 'brand', price: 'price', user_id: 'user_id', user_session: 'session_id',
    });
    assert.deepEqual(m.eventTypes, { view: 'product_view', cart: 'add_to_cart' });
    assert.equal(m.dropDuplicates, true, 'event streams drop exact duplicates by default');
    assert.deepEqual(mappingProblems(m), []);
  });

  test('RetailRocket columns: visitorid -> user_id, timestamp -> ts, event -> event_type', () => {
    const m = detect(probes.get('retailrocket.csv')!);
    assert.equal(m.role, 'events');
    assert.deepEqual(targets(m), {
      timestamp: 'ts', visitorid: 'user_id', event: 'event_type', itemid: 'product_id', transactionid: 'order_id',
    });
    assert.deepEqual(m.eventTypes, { view: 'product_view', addtocart: 'add_to_cart', transaction: 'purchase' });
  });

  test('Online Retail columns: a transactions file, InvoiceNo -> order_id, CustomerID -> user_id', () => {
    const p = probes.get('retail.csv')!;
    assert.equal(p.columns.find((c) => c.name === 'CustomerID')?.kind, 'number', 'CustomerID is sniffed as 17850.0');
    const m = detect(p);
    assert.equal(m.role, 'transactions');
    assert.deepEqual(targets(m), {
      InvoiceNo: 'order_id', StockCode: 'product_id', Description: 'product_name', Quantity: 'quantity',
      InvoiceDate: 'ts', UnitPrice: 'price', CustomerID: 'user_id', Country: 'country',
    });
    assert.equal(m.dropDuplicates, false, 'order lines may legitimately repeat');
  });

  test('snake-case order export: customer_id, order_date, sku, qty, unit_price', () => {
    const m = detect(probes.get('orders.csv')!);
    assert.equal(m.role, 'transactions');
    assert.deepEqual(targets(m), {
      order_id: 'order_id', customer_id: 'user_id', order_date: 'ts', sku: 'product_id', qty: 'quantity',
      unit_price: 'price', category: 'category',
    });
  });

  test('plain event log: timestamp (epoch seconds) -> ts, session_id, custom event type kept', () => {
    const m = detect(probes.get('events.csv')!);
    assert.equal(m.role, 'events');
    assert.deepEqual(targets(m), {
      user_id: 'user_id', timestamp: 'ts', event_type: 'event_type', session_id: 'session_id', product_id: 'product_id',
    });
    assert.deepEqual(m.eventTypes, { page_view: 'product_view', purchase: 'purchase' });
  });

  test('users and products files are recognised and mapped', () => {
    const u = detect(probes.get('customers.csv')!);
    assert.equal(u.role, 'users');
    assert.deepEqual(targets(u), {
      customer_id: 'user_id', signup_date: 'signup_ts', email: 'email', country: 'country', region: 'region',
      age: 'age', plan: 'keep:plan',
    });
    const p = detect(probes.get('catalog.csv')!);
    assert.equal(p.role, 'products');
    assert.deepEqual(targets(p), { id: 'product_id', name: 'product_name', category: 'category', brand: 'brand', price: 'price' });
  });

  test('default event-type vocabulary; unknown values stay as custom types', () => {
    const cases: [string, string][] = [
      ['view', 'product_view'], ['pageview', 'product_view'], ['product_view', 'product_view'],
      ['cart', 'add_to_cart'], ['addtocart', 'add_to_cart'], ['add_to_cart', 'add_to_cart'],
      ['transaction', 'purchase'], ['Purchase', 'purchase'], ['order', 'purchase'],
      ['checkout', 'checkout'], ['begin_checkout', 'checkout'], ['refund', 'refund'],
      ['session_start', 'session_start'], ['session_end', 'session_end'], [' remove_from_cart ', 'remove_from_cart'],
    ];
    for (const [value, expected] of cases) assert.equal(defaultEventType(value), expected, value);
  });

  test('no usable user or time column: the problem names both roles and the names expected', () => {
    const m = detect({
      ...probes.get('events.csv')!,
      columns: ['colour', 'size', 'weight'].map((name) => ({ name, duckType: 'VARCHAR', kind: 'text' as const, samples: ['x'] })),
    });
    const problems = mappingProblems(m, 'things.csv');
    assert.equal(problems.length, 1);
    assert.match(problems[0], /things\.csv has no usable user id and time column/);
    assert.match(problems[0], /customer_id, CustomerID, visitorid/);
    assert.match(problems[0], /event_time, InvoiceDate/);
  });

  test('mappingKey: same columns in another order or case give the same key; other columns do not', () => {
    const a = mappingKey(['InvoiceNo', 'StockCode', 'Quantity']);
    assert.equal(a, mappingKey(['quantity', 'invoiceno', 'STOCKCODE']));
    assert.notEqual(a, mappingKey(['InvoiceNo', 'StockCode', 'Quantity', 'Country']));
    assert.notEqual(a, mappingKey(['InvoiceNo', 'StockCode', 'Qty']));
    assert.match(a, /^cols-v1-3-[0-9a-f]{16}$/);
  });

  test('validators accept a detected plan (after JSON) and reject unknown keys and bad values', () => {
    const p = probes.get('retail.csv')!;
    const plan = { files: [{ source: p.source.name, read: p.read, mapping: detect(p) }], sessionGapMinutes: 45, joinUsersOn: 'user_id' };
    assert.deepEqual(validateImportPlan(JSON.parse(JSON.stringify(plan))), plan);
    assert.throws(() => validateImportPlan({ ...plan, extra: 1 }), /Unknown key "extra"/);
    assert.throws(() => validateImportPlan({ ...plan, sessionGapMinutes: 0 }), /sessionGapMinutes/);
    const m = detect(p);
    assert.throws(() => validateFileMapping({ ...m, colour: 'red' }), /Unknown key "colour"/);
    assert.throws(() => validateFileMapping({ ...m, role: 'logs' }), /role/);
    const bad = { ...m, columns: [{ column: 'InvoiceNo', target: 'invoice' }] };
    assert.throws(() => validateFileMapping(bad), /target/);
    const badKind = { ...m, columns: [{ column: 'x', target: 'keep', as: 'x', kind: 'VARCHAR; DROP TABLE users' }] };
    assert.throws(() => validateFileMapping(badKind), /kind/);
    const badName = { ...m, columns: [{ column: 'x', target: 'keep', as: 'x"; DROP' }] };
    assert.throws(() => validateFileMapping(badName), /as/);
  });

  test('columnValues: every event-type value of the whole file, most frequent first', async () => {
    const p = probes.get('rees.csv')!;
    assert.deepEqual(await columnValues(db, { source: p.source.name, read: p.read }, 'event_type'), [
      { value: 'cart', count: 1 }, { value: 'view', count: 1 },
    ]);
    const r = probes.get('retail.csv')!;
    assert.deepEqual(await columnValues(db, { source: r.source.name, read: r.read }, 'Country', 1), [{ value: 'United Kingdom', count: 2 }]);
  });
});
