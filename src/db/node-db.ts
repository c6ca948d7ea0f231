// Db over native DuckDB (@duckdb/node-api): used by Node tests, the benchmark and any command line.
import {
  DuckDBInstance,
  DuckDBTypeId,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  VARCHAR,
  DOUBLE,
  INTEGER,
  BIGINT,
  BOOLEAN,
  TIMESTAMP,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import {
  Bool,
  Field,
  Float64,
  List,
  TimestampMillisecond,
  Type,
  Utf8,
  tableFromIPC,
  vectorFromArray,
  Table,
  type DataType,
  type Vector,
} from 'apache-arrow';
import type { Db, InsertOptions } from './types.ts';
import { ident, scriptSql, type SqlValue } from '../sql/quote.ts';
import { cell } from '../lib/rows.ts';

/** Options for a native database: threads=1 matches the single-threaded WASM engine for fair ratios. */
export interface NodeDbOptions {
  path?: string;
  threads?: number;
  memoryLimit?: string;
}

/** Open a native DuckDB behind the Db interface. */
/** The native Db, with one extra for the benchmark: a query's engine time apart from the Node binding's conversion. */
export type NativeDb = Db & {
  kind: 'native';
  /** Run one statement; `engineMs` is DuckDB's time to produce the rows, without their conversion to JavaScript. */
  queryTimed(sql: string): Promise<{ table: Table; engineMs: number }>;
};

export async function openNodeDb(opts: NodeDbOptions = {}): Promise<NativeDb> {
  const config: Record<string, string> = {};
  if (opts.threads) config.threads = String(opts.threads);
  if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
  const instance = await DuckDBInstance.create(opts.path ?? ':memory:', config);
  const conn = await instance.connect();
  // Same as the browser: no extension is ever fetched, so both engines run the same SQL the same way.
  await conn.run('SET autoinstall_known_extensions = false; SET autoload_known_extensions = false');
  return new NodeDb(instance, conn);
}

class NodeDb implements Db {
  readonly kind = 'native' as const;
  constructor(
    private instance: DuckDBInstance,
    private conn: DuckDBConnection,
  ) {}

  async query(sql: string, params: readonly SqlValue[] = []): Promise<Table> {
    // As the page's engine does (wasm-engine.ts): values written in through the one escaping function, numbers as
    // DOUBLE (a prepared statement that reads a table is planned again when it runs: binding plans twice).
    return (await this.queryTimed(params.length ? scriptSql({ text: sql, params }) : sql)).table;
  }

  async queryTimed(sql: string): Promise<{ table: Table; engineMs: number }> {
    const t0 = performance.now();
    const result = await this.conn.runAndReadAll(sql);
    const engineMs = performance.now() - t0;
    const names = result.columnNames();
    const types = result.columnTypes();
    const columns = await result.getColumnsJS();
    // Column names are data: a null-prototype map, so a column named "__proto__" is a column, not a prototype.
    const vectors = Object.create(null) as Record<string, Vector>;
    names.forEach((name, i) => {
      vectors[name] = toVector(columns[i] ?? [], types[i]);
    });
    return { table: new Table(vectors), engineMs };
  }

  async exec(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  async insertArrow(table: string, ipc: Uint8Array, opts: InsertOptions = {}): Promise<void> {
    const t = tableFromIPC(ipc);
    const fields = t.schema.fields;
    const types = fields.map((f) => duckType(f.type));
    const cols = fields.map((f) => `${ident(f.name)} ${types[fields.indexOf(f)].toString()}`);
    if (!opts.append) await this.conn.run(`CREATE OR REPLACE TABLE ${ident(table)} (${cols.join(', ')})`);
    const schema = (await this.conn.runAndReadAll('SELECT current_schema()')).getRows()[0][0] as string;
    const appender = await this.conn.createAppender(table, schema);
    const CHUNK = 2048;
    const children = fields.map((f) => t.getChild(f.name));
    for (let start = 0; start < t.numRows; start += CHUNK) {
      const n = Math.min(CHUNK, t.numRows - start);
      const chunk = DuckDBDataChunk.create(types, n);
      for (let c = 0; c < fields.length; c++) {
        const values: DuckDBValue[] = new Array(n);
        const vec = children[c];
        const kind = types[c].typeId;
        for (let r = 0; r < n; r++) values[r] = toDuck(vec?.get(start + r), kind);
        chunk.setColumnValues(c, values);
      }
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function duckType(t: DataType): DuckDBType {
  switch (t.typeId) {
    case Type.Int:
      return (t as unknown as { bitWidth: number }).bitWidth > 32 ? BIGINT : INTEGER;
    case Type.Float:
      return DOUBLE;
    case Type.Bool:
      return BOOLEAN;
    case Type.Timestamp:
    case Type.Date:
      return TIMESTAMP;
    default:
      return VARCHAR;
  }
}

function toDuck(v: unknown, kind: DuckDBTypeId): DuckDBValue {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.DOUBLE:
      return Number(v);
    case DuckDBTypeId.BIGINT:
      return BigInt(v as number | bigint);
    case DuckDBTypeId.BOOLEAN:
      return Boolean(v);
    case DuckDBTypeId.TIMESTAMP: {
      const ms = v instanceof Date ? v.getTime() : Number(v);
      return new DuckDBTimestampValue(BigInt(Math.round(ms * 1000)));
    }
    default:
      return String(v);
  }
}

/** Integer types: a list of them arrives as an Arrow list of numbers (the page's engine sends such lists as lists too). */
const INTEGER_IDS: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT,
]);

function toVector(values: unknown[], type: DuckDBType): Vector {
  if (type.typeId === DuckDBTypeId.LIST && INTEGER_IDS.has((type as unknown as { valueType: DuckDBType }).valueType.typeId)) {
    const lists = values.map((v) => (v === null ? null : (v as unknown[]).map((x) => (x === null ? null : Number(x)))));
    return vectorFromArray(lists, new List(new Field('item', new Float64(), true)));
  }
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return vectorFromArray(values.map((v) => (v === null ? null : Boolean(v))), new Bool());
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return vectorFromArray(values.map((v) => (v === null ? null : Number(v))), new Float64());
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.DATE:
      return vectorFromArray(
        values.map((v) => (v === null ? null : (cell(v) as number))),
        new TimestampMillisecond(),
      );
    default:
      return vectorFromArray(
        values.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v, bigintSafe) : String(v))),
        new Utf8(),
      );
  }
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}
