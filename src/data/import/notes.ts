// The decisions an import made, in plain words, for the report (only those that applied to this import).
import type { FileReport, ImportPlan } from './types.ts';

/** Sentences describing the rules that shaped this import's numbers. */
export function importNotes(plan: ImportPlan, reports: readonly FileReport[], sessionsDerived: boolean): string[] {
  const notes: string[] = [];
  const count = (reason: string) =>
    reports.reduce((n, r) => n + r.setAside.filter((g) => g.reason === reason).reduce((k, g) => k + g.count, 0), 0);
  const roles = new Set(plan.files.map((f) => f.mapping.role));
  if (roles.has('orders')) {
    notes.push(
      roles.has('transactions')
        ? 'Order lines were joined to the orders file by order id: each line takes its order\'s customer and time; ' +
          'lines of orders whose status is not a sale were set aside, and an order whose status is a refund or return ' +
          'made its lines refunds. Revenue is the lines\' (price × quantity); shipping stays its own column.'
        : 'Each order became one purchase (or, by its status, a refund); its revenue is the sum of its payments' +
          (roles.has('payments') ? ', else the order\'s own total.' : ' — here the order\'s own total.'),
    );
  } else if (roles.has('transactions')) {
    notes.push(
      'Each order line became a purchase event; one order is one order id; revenue = quantity × unit price. ' +
        'Lines with a negative quantity (or total), or an order id in the Online Retail cancellation form (C and digits, ' +
        'e.g. C536379) where the file confirms that form with negative quantities, became refund events whose revenue ' +
        'is the positive amount refunded; the report counts each rule. The Overview shows gross purchase ' +
        'revenue with refunds beside it.',
    );
  }
  const guests = count('no_user');
  if (guests > 0) {
    notes.push(
      `${guests.toLocaleString('en')} rows without a user id (e.g. guest orders) were set aside: they cannot be part of ` +
        'user analytics, so they are not in the dataset and not in its revenue.',
    );
  }
  const free = count('non_positive_price');
  if (free > 0) notes.push(`${free.toLocaleString('en')} lines with a zero or negative price were set aside (kept out of revenue).`);
  const dups = count('duplicate');
  if (dups > 0) {
    notes.push(`${dups.toLocaleString('en')} exact duplicate event rows (every column equal to an earlier row) were set aside.`);
  }
  if (count('bad_timestamp') > 0) notes.push('Rows whose time could not be read were set aside; see the samples.');
  const badNumbers = count('bad_number');
  if (badNumbers > 0) {
    notes.push(
      `${badNumbers.toLocaleString('en')} rows with a price, quantity or revenue that is not a real amount (Infinity, ` +
        'NaN, or beyond ±10^15, such as 1e308) were set aside, so revenue and AOV stay finite; see the samples.',
    );
  }
  if (sessionsDerived) {
    notes.push(
      `Sessions were derived where the data has none: per user, in time order, a gap of more than ` +
        `${plan.sessionGapMinutes} minutes without activity starts a new session.`,
    );
  }
  const eventsWithoutOrders = plan.files.some(
    (f) => f.mapping.role === 'events' && !f.mapping.columns.some((c) => c.target === 'order_id'),
  );
  if (eventsWithoutOrders) notes.push('Purchase events without an order id count as one order per session.');
  if (!roles.has('users')) {
    const place = plan.files.some((f) => f.mapping.columns.some((c) => c.target === 'country'));
    notes.push(`No users file: users were derived from events (signup = first seen${place ? '; country = the one on most of their events' : ''}).`);
  }
  return notes;
}
