// The import's data types: what a probe finds, what a mapping says and what a plan runs (report types re-exported).
// Everything here is plain JSON (no classes, no Dates) so the UI can keep it in state, store it and send it.

/** A file DuckDB can read: `name` is what read_csv/read_parquet see (a registered file name or a path). */
export interface ImportSource {
  /** The name DuckDB reads: the name a browser File was registered under, or a file path in Node. */
  name: string;
  /** What the user calls it (the file's own name), for messages and the report. */
  displayName: string;
  /** Size in bytes (0 means empty). */
  size: number;
  /** The first <= 64 KiB of the file, for BOM, encoding, gzip and binary sniffing. */
  head: Uint8Array;
  /** Set when the file's rows were already loaded into a table (Parquet/JSON where DuckDB lacks the reader). */
  table?: TableRef;
  /**
   * The whole file, when the caller has it (the browser's File; a Blob in Node): probe decompresses a .gz file
   * to its end with it, and runImport compares the ends of two same-sized files, neither of which the head shows.
   */
  blob?: Blob;
}

/** A DuckDB table holding a file's rows; `schema` may also name an attached database (its main schema). */
export interface TableRef {
  schema: string;
  name: string;
}

/** File formats Strata reads; .csv.gz and .tsv are `csv` with a compression or delimiter. */
export type FileFormat = 'csv' | 'parquet' | 'json' | 'ndjson';

/** Text encodings DuckDB 1.4 read_csv decodes without an extension (UTF-16 means little-endian). */
export type TextEncoding = 'utf-8' | 'utf-16' | 'latin-1';

/** Compression DuckDB undoes while reading. */
export type Compression = 'none' | 'gzip';

/** The CSV dialect found by DuckDB's sniffer; empty strings mean "none". */
export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  /** Lines skipped before the header (preambles). */
  skip: number;
  comment: string;
  /**
   * False when the lines end in a mix of CRLF and LF, which DuckDB reads only with strict_mode off (that also
   * stops it setting aside lines with stray quotes, so it is off only for such files). Missing means true.
   */
  strict?: boolean;
  /**
   * True for whitespace-separated text (fields split by runs of spaces or tabs, src/data/import/whitespace.ts):
   * each line is read whole and split; delimiter, quote and escape are then unused.
   */
  whitespace?: boolean;
}

/** How DuckDB reads one file; decided by probe and kept in the plan so the import reads what was previewed. */
export interface ReadOptions {
  format: FileFormat;
  compression: Compression;
  encoding: TextEncoding;
  /** Null unless format is csv. */
  csv: CsvDialect | null;
  /** The file's column names in file order (CSV columns are read by these names, all as text). */
  columns: string[];
  /** Read this table instead of the file (it already holds the file's rows); `format` still says what the file was. */
  table?: TableRef;
}

/** The kinds of value a column can be imported as (a closed list, so no type text from data reaches SQL). */
export type ValueKind = 'text' | 'integer' | 'number' | 'timestamp' | 'date' | 'boolean';

/** One column as the probe saw it. */
export interface ProbeColumn {
  name: string;
  /** DuckDB's detected type (e.g. BIGINT, DOUBLE, TIMESTAMP, VARCHAR), for display. */
  duckType: string;
  /** The closest ValueKind to duckType: the default "type" of a kept column. */
  kind: ValueKind;
  /** Up to 5 distinct non-empty values from the preview rows, as text. */
  samples: string[];
}

/** A preview row: column name -> the value as text (null when empty). */
export type PreviewRow = Record<string, string | null>;

/** What probe() learned about one file. */
export interface FileProbe {
  source: { name: string; displayName: string; size: number };
  read: ReadOptions;
  columns: ProbeColumn[];
  /** Up to 50 rows as text. */
  preview: PreviewRow[];
  /** Things the user should know (e.g. "read as Latin-1"). */
  notes: string[];
}

/**
 * What a file holds. Transactions are order lines; events are a behaviour stream. Orders (one row per order: id,
 * customer key, time, status) and payments (order id, amount) are the relational files of a shop export: order
 * lines without a customer or time take them from the orders file by order id (relate-sql.ts).
 */
export type FileRole = 'events' | 'transactions' | 'users' | 'products' | 'orders' | 'payments';

/** What an order status means: a sale, a refund / return, or not a sale at all (cancelled, unavailable …). */
export type StatusClass = 'purchase' | 'refund' | 'not_sale';

/** The data-model fields a source column can fill. */
export const TARGETS = [
  'user_id', 'ts', 'event_type', 'session_id', 'order_id', 'product_id', 'product_name', 'category', 'brand',
  'price', 'quantity', 'revenue', 'country', 'region', 'city', 'source', 'medium', 'campaign', 'device',
  'signup_ts', 'email', 'name', 'age', 'gender', 'status', 'person_id', 'shipping', 'payment_method',
] as const;

/** One data-model field. */
export type Target = (typeof TARGETS)[number];

/** Where a source column goes: a field, kept as an extra column, or dropped. */
export type ColumnTarget = Target | 'keep' | 'ignore';

/** Which way round numeric dates such as 03/04/2024 are read: day first (3 April) or month first (4 March). */
export type DateOrder = 'dmy' | 'mdy';

/** One source column's fate. `as` names a kept column (sanitised); `kind` is a kept column's type. */
export interface ColumnMapping {
  column: string;
  target: ColumnTarget;
  /** Output name of a kept column; ignored for other targets. */
  as?: string;
  /** Type of a kept column; fields have fixed types (ts is a timestamp, price a number, ...). */
  kind?: ValueKind;
  /**
   * The user's day/month order for a column of times. Unset, the import decides from the whole column when only
   * one order reads every date, and refuses, asking for this, when both do and disagree (1/2/2025).
   */
  dateOrder?: DateOrder;
}

/** How one file maps onto the data model; serialisable, validated by validateFileMapping. */
export interface FileMapping {
  role: FileRole;
  columns: ColumnMapping[];
  /** Source event-type value -> event type; values not listed use the default vocabulary, else stay as they are. */
  eventTypes: Record<string, string>;
  /** Set aside rows identical to an earlier row (all columns equal). Default: on for events, off for order lines. */
  dropDuplicates: boolean;
  /** Orders files: status value -> its meaning; values not listed use DEFAULT_STATUSES, else count as purchases. */
  statuses?: Record<string, StatusClass>;
}

/** One file in a plan: which source, how to read it, how to map it. */
export interface PlannedFile {
  /** ImportSource.name of the file. */
  source: string;
  read: ReadOptions;
  mapping: FileMapping;
}

/** Everything runImport needs besides the sources; serialisable, validated by validateImportPlan. */
export interface ImportPlan {
  files: PlannedFile[];
  /** Minutes of inactivity that end a derived session (files without a session column). */
  sessionGapMinutes: number;
  /** A users file joins events on this field (the only key supported). */
  joinUsersOn: 'user_id';
}

/** The report's types live in report-types.ts; re-exported so one import path serves the UI. */
export type {
  SetAsideReason, SampleLine, SetAsideGroup, DateRange, ColumnReport, FileReport, ImportTotals, ImportReport, ImportOptions, RefundRuleCount, RelationalReport,
} from './report-types.ts';
