// What the one-pass analyses (funnels, journeys) share: pausing between slices of work, dense ids for hashed
// keys, and DuckDB's text order.

/** Rows handled between two pauses (a few milliseconds of work): long passes never hold the page's main thread. */
export const SLICE_ROWS = 1 << 18;

/** Give the event loop a turn (the page: a task, not a clamped timer); resolves at once where nothing waits. */
export type Pause = () => Promise<void>;
export const noPause: Pause = () => Promise.resolve();

/**
 * Dense ids for hash-bit keys (whole numbers from 0 to 2^52, uniformly spread): open addressing on their low 32
 * bits (`key >>> 0`: already random, and ~40% faster than `key % size` on a double), instead of a Map keyed by such
 * numbers (which boxes them). Sized for `expected` keys up front when the caller can tell (each growth rehashes).
 */
export class HashBits {
  private keys: Float64Array;
  private ids: Int32Array;
  size = 0;

  constructor(expected = 0) {
    let slots = 1 << 8;
    while (slots < expected * 2) slots *= 2;
    this.keys = new Float64Array(slots).fill(-1);
    this.ids = new Int32Array(slots);
  }

  id(key: number): number {
    let mask = this.keys.length - 1;
    let slot = (key >>> 0) & mask;
    for (;;) {
      const k = this.keys[slot];
      if (k === key) return this.ids[slot];
      if (k === -1) break;
      slot = (slot + 1) & mask;
    }
    if ((this.size + 1) * 2 > this.keys.length) {
      this.grow();
      mask = this.keys.length - 1;
      slot = (key >>> 0) & mask;
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask;
    }
    this.keys[slot] = key;
    this.ids[slot] = this.size;
    return this.size++;
  }

  /** The id of a key already given one, or -1. */
  find(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = (key >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const k = this.keys[slot];
      if (k === key) return this.ids[slot];
      if (k === -1) return -1;
    }
  }

  private grow(): void {
    const { keys, ids } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.ids = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let s = 0; s < keys.length; s++) {
      if (keys[s] === -1) continue;
      let slot = (keys[s] >>> 0) & mask;
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask;
      this.keys[slot] = keys[s];
      this.ids[slot] = ids[s];
    }
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

