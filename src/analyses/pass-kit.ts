// What the one-pass analyses (funnels, journeys) share: pausing between slices of work, dense ids for hashed
// keys, texts read as codes, and DuckDB's text order.
import { Type, type Table, type Vector } from 'apache-arrow';

/**
 * Items (rows, units, sessions) handled between two calls of a pause. The page's pause gives the page a turn only
 * once its time slice is used up (`paced`), so slices last a few milliseconds however fast the code runs — a first,
 * not yet optimised run included, which made slices of a fixed 262,144 rows long tasks of 60-90 ms at 1M events.
 */
export const CHECK = 1 << 12;
/**
 * The check interval of loops over a hash table sized up front and left unfilled (Scratch.take): its pages are first
 * touched there, a page fault per lookup at first, and 4,096 rows took 45-55 ms on the 10M shop (measured).
 */
export const CHECK_FINE = CHECK >> 2;

/**
 * Column `name` of a pass's rows. Missing means the rows are not the statement's the pass asked for: a clear error
 * naming what came instead, rather than a TypeError deep in the pass.
 */
export function childOf(table: Table, name: string): Vector {
  const col = table.getChild(name);
  if (col) return col;
  const got = table.schema.fields.map((f) => f.name).join(', ') || 'no columns';
  throw new Error(`A one-pass analysis expected a column "${name}" in its ${table.numRows} rows, which have ${got}.`);
}

/** Give the event loop a turn (the page: a task, not a clamped timer); resolves at once where nothing waits. */
export type Pause = () => Promise<void>;
export const noPause: Pause = () => Promise.resolve();

/** `turn`, taken only when `budgetMs` have passed since the last one. */
export function paced(turn: Pause, budgetMs = 8): Pause {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await turn();
    since = performance.now();
  };
}

/** A typed array the passes use, and how to make one (`new C(n)` or a view of a buffer). */
export type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;
export interface TypedCtor<T extends Typed> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * Large buffers kept between runs of the passes. Every fresh buffer costs page faults the first time it is written
 * (the browser hands a freed one back to the system): measured on this 2-core machine, writing a fresh 20 MB
 * Float64Array took 70-133 ms in the page and 53-59 in Node, the same array written again 1-2 ms; a funnel's pass
 * at 1M events took ~40-45 MB of such arrays per run (F2). Buffers come in power-of-two sizes (a bigger one only
 * reserves what its users never write); `maxBytes` bounds what is kept, and everything is let go `idleMs` after the
 * last run.
 */
export class BufferPool {
  private free = new Map<number, ArrayBuffer[]>();
  private kept = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly maxBytes = 1024 * 2 ** 20,
    readonly idleMs = 30_000,
    /** Below this a buffer is not pooled (small arrays are cheap). */
    readonly minBytes = 2 ** 16,
  ) {}

  /** Bytes held for reuse now. */
  get bytes(): number {
    return this.kept;
  }

  /**
   * A buffer of at least `bytes` bytes: a kept one of its size class (`fresh` false: it holds what its last user
   * wrote), else a new one (`fresh`: all zeros, as every new ArrayBuffer is).
   */
  get(bytes: number): { buf: ArrayBuffer; fresh: boolean } {
    const size = sizeClass(Math.max(bytes, this.minBytes));
    const list = this.free.get(size);
    const buf = list?.pop();
    if (buf) {
      this.kept -= size;
      return { buf, fresh: false };
    }
    return { buf: new ArrayBuffer(size), fresh: true };
  }

  /** Keep `buf` for a later run (when there is room) and restart the idle clock. */
  put(buf: ArrayBuffer): void {
    const size = buf.byteLength;
    if (size === sizeClass(size) && size >= this.minBytes && this.kept + size <= this.maxBytes) {
      let list = this.free.get(size);
      if (!list) this.free.set(size, (list = []));
      list.push(buf);
      this.kept += size;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = this.kept > 0 ? setTimeout(() => this.clear(), this.idleMs) : null;
    // In Node an idle clock must not keep the process alive.
    (this.timer as { unref?: () => void } | null)?.unref?.();
  }

  /** Let every kept buffer go. */
  clear(): void {
    this.free.clear();
    this.kept = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

const sizeClass = (bytes: number) => 2 ** Math.ceil(Math.log2(Math.max(1, bytes)));

/** The pool every pass in this page (or process) shares. */
export const sharedPool = new BufferPool();

/**
 * The arrays of one run of a pass: `take` gives a zeroed array like `new C(n)` — a view of a pooled buffer when it
 * is large enough to be worth it — and `done` hands every one back, so nothing taken may be used after it (or kept
 * in a result: `keep` lets one go to the caller for good).
 */
export class Scratch {
  private taken = new Set<ArrayBuffer>();
  constructor(private readonly pool: BufferPool | null = sharedPool) {}

  take<T extends Typed>(C: TypedCtor<T>, n: number, zeroed = true): T {
    const bytes = n * C.BYTES_PER_ELEMENT;
    if (!this.pool || bytes < this.pool.minBytes) return new C(n);
    const { buf, fresh } = this.pool.get(bytes);
    this.taken.add(buf);
    const a = new C(buf, 0, n);
    // A new buffer is zeros already, and filling it would touch every page of it in this one task: the journeys'
    // hash table on the 10M shop (~130 MB) took 407 ms of a 477 ms task in fill (page faults), measured. Left
    // alone, its pages are touched as the sliced pass writes them.
    if (zeroed && !fresh) a.fill(0);
    return a;
  }

  /** `a` (taken here) is no longer used: its buffer goes back now, before `done`. */
  give(a: Typed): void {
    if (this.pool && this.taken.delete(a.buffer as ArrayBuffer)) this.pool.put(a.buffer as ArrayBuffer);
  }

  /** `a` outlives the run (it is part of a kept result): its buffer never goes back. */
  keep(a: Typed): void {
    this.taken.delete(a.buffer as ArrayBuffer);
  }

  /** The run is over: every array taken (and not kept) goes back to the pool. */
  done(): void {
    if (this.pool) for (const buf of this.taken) this.pool.put(buf);
    this.taken.clear();
  }
}

/** Plain `new` arrays, nothing pooled: the default where a caller keeps what it is given. */
export const FRESH = new Scratch(null);

/**
 * Run `body(lo, hi)` over items 0..n-1, `step` items at a time, with a pause check after each slice. The passes'
 * loops live in such small synchronous bodies rather than in their async functions: V8 optimises a small function
 * after its first slices, while a large async function holding many loops ran its first calls mostly unoptimised
 * (each phase first reached in optimised code had no type feedback yet and threw the code away) — the funnel's pass
 * took 276, 180, 150, 96 ms on its first four runs over the 1M shop's rows in Node before it settled at ~80
 * (measured; README, "Session 30").
 */
export async function inSlices(n: number, pause: Pause, body: (lo: number, hi: number) => void, step = CHECK): Promise<void> {
  for (let lo = 0; lo < n; lo += step) {
    body(lo, Math.min(n, lo + step));
    await pause();
  }
}

/**
 * inSlices over groups whose items lie in runs (`start[g]` .. `start[g + 1]` - 1, the last entry the item count):
 * `body(g0, g1)` gets whole groups, about `rows` items a slice (a unit of 10M events has ~12 rows; slicing by groups
 * alone made slices of ~50,000 rows).
 */
export async function inGroupSlices(start: Int32Array, groups: number, pause: Pause, body: (g0: number, g1: number) => void, rows = CHECK): Promise<void> {
  for (let g0 = 0; g0 < groups; ) {
    let g1 = g0 + 1;
    const limit = start[g0] + rows;
    while (g1 < groups && start[g1] < limit) g1++;
    body(g0, g1);
    g0 = g1;
    await pause();
  }
}

/**
 * Items grouped by their group id (0..groups-1) with a stable counting sort: group g's items, in their original
 * order, are order[start[g]] .. order[start[g + 1] - 1].
 */
export async function groupItems(
  group: Int32Array, groups: number, pause: Pause, mem: Scratch = FRESH,
): Promise<{ start: Int32Array; order: Int32Array }> {
  const n = group.length;
  const start = mem.take(Int32Array, groups + 1);
  await inSlices(n, pause, (lo, hi) => countGroups(group, start, lo, hi));
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const next = mem.take(Int32Array, groups, false);
  next.set(start.subarray(0, groups));
  const order = mem.take(Int32Array, n, false);
  await inSlices(n, pause, (lo, hi) => placeItems(group, next, order, lo, hi));
  mem.give(next);
  return { start, order };
}

function countGroups(group: Int32Array, start: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) start[group[i] + 1]++;
}

function placeItems(group: Int32Array, next: Int32Array, order: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) order[next[group[i]]++] = i;
}

/** Runs of equal ids found so far by findRuns: where each starts, how many, and whether they are 0, 1, 2, … in order. */
interface Runs {
  at: Int32Array;
  count: number;
  kept: boolean;
}

/** The runs of equal ids among items lo..hi-1 (continuing those found before lo), growing `r.at` from `mem`. */
function findRuns(group: Int32Array, r: Runs, lo: number, hi: number, mem: Scratch): void {
  for (let i = lo; i < hi; i++) {
    if (i > 0 && group[i] === group[i - 1]) continue;
    if (group[i] !== r.count) r.kept = false; // a group comes back, or runs do not follow the ids
    if (r.count + 1 >= r.at.length) {
      const grown = mem.take(Int32Array, r.at.length * 2, false);
      grown.set(r.at);
      mem.give(r.at);
      r.at = grown;
    }
    r.at[r.count++] = i;
  }
}

function identity(order: Int32Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) order[i] = i;
}

function countRuns(group: Int32Array, runAt: Int32Array, start: Int32Array, lo: number, hi: number): void {
  for (let r = lo; r < hi; r++) start[group[runAt[r]] + 1] += runAt[r + 1] - runAt[r];
}

function placeRuns(group: Int32Array, runAt: Int32Array, next: Int32Array, order: Int32Array, lo: number, hi: number): void {
  for (let r = lo; r < hi; r++) {
    const a = runAt[r];
    const b = runAt[r + 1];
    let at = next[group[a]];
    for (let i = a; i < b; i++) order[at++] = i;
    next[group[a]] = at;
  }
}

/**
 * groupItems' grouping, computed over runs of equal ids rather than item by item: events stored by month, then
 * user, then time arrive in runs (a session's rows, a user's month), so each run is placed as one block. When each
 * group is one run, in order of first appearance (sessions, split only across a month's end), nothing moves:
 * `kept` is true and `order` is 0..n-1.
 */
export async function groupRuns(
  group: Int32Array, groups: number, pause: Pause, mem: Scratch = FRESH,
): Promise<{ start: Int32Array; order: Int32Array; kept: boolean }> {
  const n = group.length;
  // Runs: where each starts (and, past the last, n) and its group.
  const runs: Runs = { at: mem.take(Int32Array, Math.max(16, groups + 1), false), count: 0, kept: true };
  await inSlices(n, pause, (lo, hi) => findRuns(group, runs, lo, hi, mem));
  const { at: runAt, count, kept } = runs;
  runAt[count] = n;
  const start = mem.take(Int32Array, groups + 1);
  const order = mem.take(Int32Array, n, false);
  if (kept) {
    start.set(runAt.subarray(0, groups + 1));
    // In slices too: at 10M rows this loop alone was a 100 ms task in the page (its first writes to the array's
    // pages), measured.
    await inSlices(n, pause, (lo, hi) => identity(order, lo, hi));
    mem.give(runAt);
    return { start, order, kept };
  }
  await inSlices(count, pause, (lo, hi) => countRuns(group, runAt, start, lo, hi));
  for (let g = 0; g < groups; g++) start[g + 1] += start[g];
  const next = mem.take(Int32Array, groups, false);
  next.set(start.subarray(0, groups));
  await inSlices(count, pause, (lo, hi) => placeRuns(group, runAt, next, order, lo, hi));
  mem.give(next);
  mem.give(runAt);
  return { start, order, kept };
}

/**
 * A numeric column as one typed array (what Vector.toArray gives), copied batch by batch with a pause check every
 * CHECK_BATCHES batches: at 10M events a column of ~4,000 record batches took 35-50 ms to copy in one go in Node and
 * made long tasks of 130-230 ms in the page. One batch is returned as a view, as toArray does.
 */
export async function columnArray<T>(table: Table, name: string, pause: Pause, mem: Scratch = FRESH): Promise<T> {
  await pause();
  const col = childOf(table, name);
  const chunks = col.data;
  const fixed = [Type.Int, Type.Float, Type.Decimal, Type.Time, Type.Timestamp].includes(col.type.typeId);
  if (!fixed || chunks.length <= 1) return col.toArray() as T;
  const stride = col.stride;
  const C = col.ArrayType as unknown;
  const pooled = C === Float64Array || C === Int32Array || C === Uint32Array || C === Uint8Array;
  const out = pooled
    ? mem.take(C as TypedCtor<Typed>, col.length * stride, false) // every element is written below
    : new (C as new (n: number) => { set(a: ArrayLike<number>, at: number): void })(col.length * stride);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    if (i % CHECK_BATCHES === CHECK_BATCHES - 1) await pause();
    const { values, length } = chunks[i];
    out.set((values as unknown as { subarray(a: number, b: number): ArrayLike<number> }).subarray(0, length * stride), at);
    at += length * stride;
  }
  return out as T;
}

/** Record batches copied between two pause checks (DuckDB-WASM sends batches of 2,048 rows: ~128K rows). */
export const CHECK_BATCHES = 64;

/** A turn for the event loop as a task (a MessageChannel message: timers nested this deep are clamped to 4 ms). */
export const taskTurn: Pause = () =>
  new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });

/**
 * Per row of column `name`: 1 when it holds a value, 0 when it is NULL — read from its chunks' validity bitmaps
 * (Vector.isValid row by row finds the chunk each time: ~10x slower).
 */
export async function validArray(table: Table, name: string, pause: Pause, mem: Scratch = FRESH): Promise<Uint8Array> {
  await pause();
  const col = childOf(table, name);
  const out = mem.take(Uint8Array, col.length);
  let at = 0;
  for (const d of col.data) {
    const bits = d.nullBitmap;
    if (d.nullCount === 0 || !bits || bits.length === 0) out.fill(1, at, at + d.length);
    else {
      for (let i = 0, j = d.offset; i < d.length; i++, j++) out[at + i] = (bits[j >> 3] >> (j & 7)) & 1;
    }
    at += d.length;
  }
  return out;
}

/**
 * Dense ids for hash-bit keys (whole numbers from 0 to 2^52, uniformly spread): open addressing on their low 32
 * bits (`key >>> 0`: already random, and ~40% faster than `key % size` on a double), instead of a Map keyed by such
 * numbers (which boxes them). Sized for `expected` keys up front when the caller can tell (each growth rehashes).
 */
export class HashBits {
  /** Each slot's key plus one (0: empty — a fresh array is all zeros, so sizing a large table up front costs no fill). */
  private keys: Float64Array;
  private ids: Int32Array;
  /** The last key asked for and its id: rows of one unit or session often follow each other (~30% in a shop). */
  private lastKey = -1;
  private lastId = -1;
  size = 0;

  constructor(
    expected = 0,
    private readonly mem: Scratch = FRESH,
  ) {
    let slots = 1 << 8;
    while (slots < expected * 2) slots *= 2;
    this.keys = mem.take(Float64Array, slots);
    this.ids = mem.take(Int32Array, slots, false);
  }

  id(key: number): number {
    if (key === this.lastKey) return this.lastId;
    this.lastKey = key;
    return (this.lastId = this.lookup(key));
  }

  private lookup(key: number): number {
    const stored = key + 1;
    let mask = this.keys.length - 1;
    let slot = (key >>> 0) & mask;
    for (;;) {
      const k = this.keys[slot];
      if (k === stored) return this.ids[slot];
      if (k === 0) break;
      slot = (slot + 1) & mask;
    }
    if ((this.size + 1) * 2 > this.keys.length) {
      this.grow();
      mask = this.keys.length - 1;
      slot = (key >>> 0) & mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
    }
    this.keys[slot] = stored;
    this.ids[slot] = this.size;
    return this.size++;
  }

  /** The id of a key already given one, or -1. */
  find(key: number): number {
    const stored = key + 1;
    const mask = this.keys.length - 1;
    for (let slot = (key >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const k = this.keys[slot];
      if (k === stored) return this.ids[slot];
      if (k === 0) return -1;
    }
  }

  private grow(): void {
    const { keys, ids } = this;
    this.keys = this.mem.take(Float64Array, keys.length * 2);
    this.ids = this.mem.take(Int32Array, keys.length * 2, false);
    const mask = this.keys.length - 1;
    for (let s = 0; s < keys.length; s++) {
      if (keys[s] === 0) continue;
      let slot = ((keys[s] - 1) >>> 0) & mask;
      while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = keys[s];
      this.ids[slot] = ids[s];
    }
    this.mem.give(keys);
    this.mem.give(ids);
  }
}

/** Order two strings as DuckDB orders text: by code point (the same as UTF-8 byte order). */
export function byteOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}


/**
 * Every text of a column (null for NULL), in row order. A Utf8 record batch whose bytes are all ASCII is decoded
 * with one TextDecoder call and cut at its offsets (byte offsets are then string offsets); any other batch value by
 * value. The customers scatter's 5,000 ids and bands, a call each: 1.4-19 ms in Node, 0.4-4.5 this way (README,
 * "Session 33").
 */
export function textColumn(col: Vector): (string | null)[] {
  const out: (string | null)[] = new Array(col.length);
  if (col.type.typeId !== Type.Utf8) {
    for (let i = 0; i < col.length; i++) {
      const v = col.get(i);
      out[i] = v === null || v === undefined ? null : String(v);
    }
    return out;
  }
  const decoder = new TextDecoder();
  let at = 0;
  for (const d of col.data) {
    // (A sliced batch's offsets are sliced with it: entry i is row i's, whatever d.offset says.)
    const off = d.valueOffsets;
    const bytes = d.values as Uint8Array;
    const lo = off[0];
    const hi = off[d.length];
    let ascii = true;
    for (let b = lo; b < hi; b++) {
      if (bytes[b] > 0x7f) {
        ascii = false;
        break;
      }
    }
    const whole = ascii ? decoder.decode(bytes.subarray(lo, hi)) : '';
    for (let i = 0; i < d.length; i++) {
      const a = off[i];
      const z = off[i + 1];
      out[at++] = !d.getValid(i) ? null : ascii ? whole.slice(a - lo, z - lo) : decoder.decode(bytes.subarray(a, z));
    }
  }
  return out;
}

/**
 * The texts of a Utf8 column at `rows` as dense codes (-1 for NULL) and the texts by code, each decoded once:
 * equal bytes get one code. Reading the column's buffers instead of `Vector.get` (which finds the row's batch and
 * decodes its UTF-8 on every call) took F2's breakdown values from ~50 ms to a few at 1M events.
 */
export function textCodesAt(col: Vector, rows: ArrayLike<number>): { codes: Int32Array; names: string[] } {
  if (col.type.typeId !== Type.Utf8) return textCodesByGet(col, rows);
  const chunks = col.data;
  const starts = new Float64Array(chunks.length + 1);
  chunks.forEach((d, i) => (starts[i + 1] = starts[i] + d.length));
  const codes = new Int32Array(rows.length);
  const names: string[] = [];
  const reps: Uint8Array[] = [];
  const first = new Map<number, number>(); // a hash of the bytes -> the newest code with it
  const older: number[] = []; // per code: the code before it with the same hash, or -1
  const decoder = new TextDecoder();
  let lo = 0; // the chunk of the last row: rows mostly come in order, so it usually holds the next one too
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j];
    if (row < starts[lo] || row >= starts[lo + 1]) {
      lo = 0;
      let hi = chunks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= row) lo = mid;
        else hi = mid - 1;
      }
    }
    const d = chunks[lo];
    const i = row - starts[lo];
    if (!d.getValid(i)) {
      codes[j] = -1;
      continue;
    }
    const offsets = d.valueOffsets as Int32Array;
    const bytes = d.values as Uint8Array;
    const a = offsets[i];
    const b = offsets[i + 1];
    let h = 0x811c9dc5; // FNV-1a
    for (let k = a; k < b; k++) h = Math.imul(h ^ bytes[k], 16777619);
    let c = first.get(h) ?? -1;
    while (c >= 0 && !sameBytes(reps[c], bytes, a, b)) c = older[c];
    if (c < 0) {
      c = names.length;
      const copy = bytes.slice(a, b);
      reps.push(copy);
      names.push(decoder.decode(copy));
      older.push(first.get(h) ?? -1);
      first.set(h, c);
    }
    codes[j] = c;
  }
  return { codes, names };
}

/** textCodesAt for any column, through `Vector.get`. */
function textCodesByGet(col: Vector, rows: ArrayLike<number>): { codes: Int32Array; names: string[] } {
  const codes = new Int32Array(rows.length);
  const index = new Map<string, number>();
  for (let j = 0; j < rows.length; j++) {
    const v = col.get(rows[j]) as unknown;
    if (v === null || v === undefined) codes[j] = -1;
    else {
      const text = String(v);
      let c = index.get(text);
      if (c === undefined) index.set(text, (c = index.size));
      codes[j] = c;
    }
  }
  return { codes, names: [...index.keys()] };
}

function sameBytes(x: Uint8Array, bytes: Uint8Array, a: number, b: number): boolean {
  if (x.length !== b - a) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== bytes[a + k]) return false;
  return true;
}
