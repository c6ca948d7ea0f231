// Why rows are set aside, in words a user understands; the order is the order rules are checked in.
import type { SetAsideReason } from './types.ts';

/** The message shown beside each set-aside group. */
export const REASON_MESSAGES: Readonly<Record<SetAsideReason, string>> = {
  unterminated_quote: 'a quote (") is opened but never closed, so the line runs into the next ones',
  too_many_columns: 'the line has more fields than the header',
  missing_columns: 'the line has fewer fields than the header',
  invalid_text: 'the line holds bytes that are not valid text in the file\'s encoding',
  line_too_long: 'the line is longer than about 8 MB (8 MiB), the longest line Strata reads',
  malformed_line: 'the line could not be read as CSV',
  bad_timestamp: 'the time is missing or is not a date Strata can read (or is before 1900 / after 2199)',
  date_order: 'the date only reads with day and month the other way round from the order used for its column',
  no_user: 'no user id (e.g. a guest order line): kept out of user analytics',
  duplicate: 'an exact copy of an earlier row (every column equal)',
  bad_number: 'a price, quantity or revenue is not a finite number or is too large to be real (e.g. Infinity, NaN ' +
    'or 1e308; prices and revenue must be within ±10^15, quantities within ±10^9)',
  zero_quantity: 'the quantity is zero',
  no_amount: 'the quantity or price is missing or not a number, so revenue cannot be computed',
  non_positive_price: 'the price is zero or negative: kept out of revenue',
  no_product: 'no product id',
  duplicate_user: 'another row of the users file already has this user id (the first one is kept)',
  duplicate_product: 'another row of the products file already has this product id (the first one is kept)',
  no_order_id: 'no order id, so it cannot be joined to its order',
  duplicate_order: 'another row of the orders file already has this order id (the first one is kept)',
  no_order: 'its order id is not in the orders file, so it has no customer or time',
  not_a_sale: 'its order\'s status means it was not a sale (cancelled, unavailable, failed …): kept out of revenue',
};

/** How many example lines each group keeps. */
export const SAMPLES_PER_REASON = 5;

/** Longest sample text kept (very wide rows are cut). */
export const SAMPLE_CHARS = 300;

/** Cut a sample line to SAMPLE_CHARS. */
export function clip(text: string): string {
  return text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS - 1) + '…' : text;
}
