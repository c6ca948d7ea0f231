// Between DuckDB and the one-pass funnel (pass.ts): funnelEventsSql's Arrow rows in, the pass's columns out, and
// each unit's best attempt read back as `best` rows (the shape funnelCoreSql's `best` CTE has).
import type { Table, Vector } from 'apache-arrow';
import { keyHasRowid } from './sql.ts';
import type { FunnelSpec } from './spec.ts';
import { sequentialPass, type PassRows } from './pass.ts';

/** One unit's best attempt, as funnelCoreSql's `best` has it (times in epoch µs; ts past the depth are null). */
export interface BestRow {
  u: string;
  uid: string | null;
  depth: number;
  entry: number;
  g: string | null;
  ts: (number | null)[];
}

/** The pass's rows from funnelEventsSql's result, or 'collision' when two units share a key hash. */
export function passRows(table: Table, spec: FunnelSpec): { rows: PassRows; unitRow: Int32Array } | 'collision' {
  const n = table.numRows;
  const u = table.getChild('u')!;
  const hu = table.getChild('hu')!;
  const t = Float64Array.from(table.getChild('t')!.toArray() as ArrayLike<number>);
  const rank = table.getChild('rank')!.toArray() as Int32Array;
  const steps = table.getChild('steps')!.toArray() as Int32Array;
  const excl = spec.exclusions.length ? Uint32Array.from(table.getChild('excl')!.toArray() as Int32Array) : null;
  const ridKey = keyHasRowid(spec);
  const starts: number[] = [];
  const keyEq = new Uint8Array(n);
  // Unit runs by hash; a change of unit id inside a run (compared as UTF-8 bytes, never decoded) is a collision.
  const huv = hu.toArray() as ArrayLike<number | bigint>;
  const ids = utf8Rows(u);
  for (let i = 0; i < n; i++) {
    if (i === 0 || huv[i] !== huv[i - 1]) {
      starts.push(i);
    } else if (!ids.same(i, i - 1)) {
      return 'collision'; // the same hash, another unit: the caller runs the statement on the unit ids instead
    } else if (!ridKey && t[i] === t[i - 1] && rank[i] === rank[i - 1]) {
      keyEq[i - 1] = 1;
    }
  }
  starts.push(n);
  let hold: Int32Array | null = null;
  if (spec.hold) {
    const h = table.getChild('h')!;
    const codes = new Map<unknown, number>();
    hold = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = h.get(i);
      if (v === null) hold[i] = -1;
      else {
        let c = codes.get(v);
        if (c === undefined) codes.set(v, (c = codes.size));
        hold[i] = c;
      }
    }
  }
  return {
    rows: { unitStart: Int32Array.from(starts), t, keyEq, stepMask: Uint32Array.from(steps), excl, hold },
    unitRow: Int32Array.from(starts),
  };
}

/** Row-wise byte access to a text column (any number of record batches): `same(i, j)` compares two rows' bytes. */
function utf8Rows(v: Vector): { same(i: number, j: number): boolean } {
  const offs: Int32Array[] = [];
  const vals: Uint8Array[] = [];
  const chunkOf = new Int32Array(v.length);
  const base: number[] = [];
  let row = 0;
  for (const d of v.data) {
    base.push(row);
    offs.push(d.valueOffsets as Int32Array);
    vals.push(d.values as Uint8Array);
    chunkOf.fill(offs.length - 1, row, row + d.length);
    row += d.length;
  }
  return {
    same(i, j) {
      const ci = chunkOf[i];
      const cj = chunkOf[j];
      const oi = offs[ci], oj = offs[cj];
      const li = i - base[ci] + v.data[ci].offset, lj = j - base[cj] + v.data[cj].offset;
      const a0 = oi[li], a1 = oi[li + 1], b0 = oj[lj], b1 = oj[lj + 1];
      if (a1 - a0 !== b1 - b0) return false;
      const va = vals[ci], vb = vals[cj];
      for (let k = 0; k < a1 - a0; k++) if (va[a0 + k] !== vb[b0 + k]) return false;
      return true; // unit ids are never NULL here (funnelEventsSql keeps only events with a unit)
    },
  };
}

/** Run the sequential pass over funnelEventsSql's rows; null when two units share a key hash. */
export function sequentialBest(table: Table, spec: FunnelSpec, windowUs: number | null): BestRow[] | null {
  const got = passRows(table, spec);
  if (got === 'collision') return null;
  const n = spec.steps.length;
  const res = sequentialPass(
    { steps: n, windowUs, exclusions: spec.exclusions.map((x, j) => ({ bit: j, from: x.from, to: x.to })) },
    got.rows,
  );
  const u = table.getChild('u')!;
  const uid = table.getChild('uid')!;
  const g = table.getChild('g')!;
  const t = got.rows.t;
  const out: BestRow[] = [];
  for (let k = 0; k < res.depth.length; k++) {
    const d = res.depth[k];
    if (d === 0) continue;
    const a = res.anchor[k];
    const ts: (number | null)[] = [];
    for (let s = 0; s < n; s++) {
      const r = res.stepRow[k * n + s];
      ts.push(r < 0 ? null : t[r]);
    }
    out.push({ u: String(u.get(a)), uid: uid.get(a) ?? null, depth: d, entry: t[a], g: g.get(a) ?? null, ts });
  }
  return out;
}
