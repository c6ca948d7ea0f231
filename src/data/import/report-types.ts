// The import report's types (what runImport returns): plain JSON, so the UI can keep, show and store it.
import type { ColumnTarget, FileRole, StatusClass } from './types.ts';

/** Why a row was not loaded. */
export type SetAsideReason =
  | 'unterminated_quote' | 'too_many_columns' | 'missing_columns' | 'invalid_text' | 'line_too_long' | 'malformed_line'
  | 'bad_timestamp' | 'date_order' | 'no_user' | 'duplicate' | 'bad_number' | 'zero_quantity' | 'no_amount'
  | 'non_positive_price' | 'no_product' | 'duplicate_user' | 'duplicate_product'
  | 'no_order_id' | 'duplicate_order' | 'no_order' | 'not_a_sale';

/** A set-aside line: its line in the file when DuckDB knows it, else its data row (1 = first after the header). */
export interface SampleLine {
  line: number | null;
  row: number | null;
  text: string;
}

/** Rows set aside for one reason, with up to 5 examples. */
export interface SetAsideGroup {
  reason: SetAsideReason;
  message: string;
  count: number;
  samples: SampleLine[];
}

/** A UTC time range in epoch milliseconds. */
export interface DateRange {
  from: number;
  to: number;
}

/** One source column after loading: where it went, its type there and the share of empty values. */
export interface ColumnReport {
  column: string;
  target: ColumnTarget;
  /** The output column name, null when ignored. */
  as: string | null;
  /** DuckDB type of the loaded column. */
  type: string;
  /** 0-100, over loaded rows. */
  nullPercent: number;
}

/** What happened to one file. rowsRead = rowsLoaded + rowsSetAside. */
export interface FileReport {
  source: string;
  displayName: string;
  role: FileRole;
  rowsRead: number;
  rowsLoaded: number;
  rowsSetAside: number;
  setAside: SetAsideGroup[];
  columns: ColumnReport[];
  dateRange: DateRange | null;
  /** Order-line files: how many loaded lines became refunds by each rule, and what each rule is (in words). */
  refunds?: RefundRuleCount[];
}

/** Loaded lines a refund rule fired on; `rule` 'c_order_unconfirmed' counts C-form ids kept as purchases. */
export interface RefundRuleCount {
  rule: 'negative_quantity' | 'negative_total' | 'c_order' | 'c_order_unconfirmed' | 'status';
  count: number;
  message: string;
}

/** Headline figures of the installed dataset (the same definitions as the Overview). */
export interface ImportTotals {
  events: number;
  users: number;
  products: number;
  sessions: number;
  /** Users with a purchase event. */
  buyers: number;
  /** Distinct order ids on purchase events. */
  orders: number;
  /** Gross purchase revenue. */
  revenue: number;
  /** Revenue of refund events (positive). */
  refunds: number;
  eventsByType: Record<string, number>;
}

/** The import report shown after a successful import. */
export interface ImportReport {
  files: FileReport[];
  totals: ImportTotals;
  dateRange: DateRange | null;
  /** True when sessions were derived from inactivity gaps (some events file had no session column). */
  sessionsDerived: boolean;
  sessionGapMinutes: number;
  /** Decisions the user should know about, in plain words. */
  notes: string[];
  /** Relational exports (an orders file): how the files were joined (relate.ts). */
  relational?: RelationalReport;
  /** The currency the files say their money is in (set after the import, from the previews), null when none. */
  currency?: { code: string; from: string } | null;
  /** A users file mapped customer keys to persons: how many keys became how many persons. */
  persons?: { keys: number; persons: number };
}

/** How a relational export was joined, and where its revenue came from. */
export interface RelationalReport {
  /** Each join: `rows` of `from` with a key, `matched` of them found in `to`. */
  joins: { from: string; to: string; key: string; rows: number; matched: number }[];
  /** Revenue is the lines' (price × quantity or line totals), else the payments', else the orders' own totals. */
  revenueFrom: 'lines' | 'payments' | 'orders';
  /** Totals over sold orders (status a purchase), each null when the export has no such column. */
  linesRevenue: number | null;
  paymentsTotal: number | null;
  ordersTotal: number | null;
  shipping: number | null;
  /** Every status value of the loaded orders, its meaning and its orders. */
  statuses: { status: string; meaning: StatusClass; orders: number }[];
  /** Loaded orders with no line (null without a lines file). */
  ordersWithoutLines: number | null;
}

/** Progress callback: a short label and the overall fraction done (0-1). */
export interface ImportOptions {
  onPhase?(label: string, fraction: number): void;
}
