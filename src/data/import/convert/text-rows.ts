// JSON records into text columns, chunk by chunk: keys are the union over all records in first-seen order, every
// value is text (nested values as JSON text), exactly as the CSV path reads every column as text.
import { textIpc } from './text-arrow.ts';
import type { ConvertChunk } from './types.ts';

type Cell = string | null | undefined;

/** Collects records and hands them out as Arrow chunks of all columns seen so far. */
export class TextRows {
  /** Column names (sanitised keys) in first-seen order. */
  readonly columns: string[] = [];
  /** Records taken so far in earlier chunks plus the current one. */
  total = 0;
  private index = new Map<string, number>();
  private cells: Cell[][] = [];
  private rows = 0;
  private announced = 0;
  private lastKeys: string[] = [];
  private lastSlots: number[] = [];

  constructor(private readonly chunkRows: number) {}

  /** Rows waiting in the current chunk. */
  get pending(): number {
    return this.rows;
  }

  /** Add one record; true when the chunk is full and should be taken. */
  add(record: Record<string, unknown>): boolean {
    const r = this.rows;
    const keys = Object.keys(record);
    const at = this.slotsOf(keys);
    for (let k = 0; k < keys.length; k++) this.cells[at[k]][r] = textOf(record[keys[k]]);
    this.rows++;
    this.total++;
    return this.rows >= this.chunkRows;
  }

  /** The current rows as one chunk (every column seen so far) and start the next. */
  take(): ConvertChunk {
    const ipc = textIpc(this.columns, this.cells, this.rows);
    const chunk = { ipc, rows: this.rows, added: this.columns.slice(this.announced) };
    this.announced = this.columns.length;
    this.cells = this.columns.map(() => new Array<Cell>(this.chunkRows));
    this.rows = 0;
    return chunk;
  }

  /** Column index of each key; records usually repeat the previous record's keys, so that lookup is cached. */
  private slotsOf(keys: string[]): number[] {
    const last = this.lastKeys;
    if (keys.length === last.length && keys.every((k, j) => k === last[j])) return this.lastSlots;
    this.lastKeys = keys;
    this.lastSlots = keys.map((k) => this.index.get(k) ?? this.addColumn(k));
    return this.lastSlots;
  }

  private addColumn(key: string): number {
    // DuckDB names cannot be empty or hold NUL; two keys must not end up with one name.
    const base = key.replaceAll('\0', '') || 'unnamed';
    let name = base;
    for (let k = 2; this.columns.includes(name); k++) name = `${base}_${k}`;
    this.index.set(key, this.columns.length);
    this.columns.push(name);
    this.cells.push(new Array<Cell>(this.chunkRows));
    return this.columns.length - 1;
  }
}

/**
 * How deep a value may nest objects and arrays. JSON.parse is iterative, but JSON.stringify (and a reviver) recurse:
 * a value nested thousands of levels deep would exhaust the stack ("Maximum call stack size exceeded"). Real
 * records nest a handful of levels, so anything past this is refused with a message instead.
 */
export const MAX_DEPTH = 100;

/** Thrown by textOf for a value nested deeper than MAX_DEPTH; the converter names the file and line. */
export class TooDeepError extends Error {
  override readonly name = 'TooDeepError';
}

/** True when `v` nests objects/arrays more than `limit` levels deep (walked with an explicit stack, no recursion). */
export function nestsDeeper(v: unknown, limit = MAX_DEPTH): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(x)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** A JSON value as text: strings as they are, numbers and booleans printed, objects and arrays as JSON. */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (nestsDeeper(v, MAX_DEPTH - 1)) throw new TooDeepError(`nested more than ${MAX_DEPTH} levels deep`);
      return JSON.stringify(v, exactBigInts);
  }
}

const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

/** Nested big integers keep every digit where the platform can write raw JSON, else become numbers. */
function exactBigInts(_key: string, v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  return rawJSON ? rawJSON(v.toString()) : Number(v);
}
