// Decode the pivot query into a cell store: every (row key path, column key path) the grouping sets produced,
// with values and shares, plus the row and column trees in the dimensions' natural order.
import type { Table } from 'apache-arrow';
import { cell } from '../../lib/rows.ts';
import { MAX_RESULT_ROWS, type PivotQuery } from './sql.ts';
import type { Measure, PivotSpec } from './spec.ts';
import type { ValueKind } from './measures.ts';
import { measureTitle } from './measures.ts';

/** A dimension key as it comes back from DuckDB. */
export type Key = string | number | boolean | null;

/** A node of the row or column tree: a key path (one key per level so far) and its children. */
export interface KeyNode {
  keys: Key[];
  labels: string[];
  children: KeyNode[];
}

/** Everything the table, chart and CSV need. */
export interface PivotResult {
  rowDims: number;
  colDims: number;
  measures: { title: string; kind: ValueKind; pct: Measure['pct'] }[];
  rowTree: KeyNode;
  colTree: KeyNode;
  /** True when the query hit MAX_RESULT_ROWS: the pivot is incomplete and must not be shown as if whole. */
  truncated: boolean;
  /** Raw aggregate for (row path, column path, measure); undefined when that combination has no rows. */
  raw(rowKeys: Key[], colKeys: Key[], m: number): number | null | undefined;
  /** The value as shown: the raw aggregate, or its share of the row / column / grand total. */
  value(rowKeys: Key[], colKeys: Key[], m: number): number | null | undefined;
}

/** Stable text key of a key path. */
export const pathKey = (keys: readonly Key[]) => JSON.stringify(keys);

/** Decode the main query's table. */
export function decodePivot(table: Table, q: PivotQuery, spec: PivotSpec): PivotResult {
  const R = spec.rows.length;
  const C = spec.cols.length;
  const n = R + C;
  const cols = Array.from({ length: n }, (_, i) => table.getChild(`d${i}`));
  const gCol = table.getChild('g');
  const mCols = q.measures.map((_, i) => table.getChild(`m${i}`));
  const cells = new Map<string, (number | null)[]>();
  const rowTree: KeyNode = { keys: [], labels: [], children: [] };
  const colTree: KeyNode = { keys: [], labels: [], children: [] };
  const rowIndex = new Map<string, KeyNode>([[pathKey([]), rowTree]]);
  const colIndex = new Map<string, KeyNode>([[pathKey([]), colTree]]);
  const rows = Math.min(table.numRows, MAX_RESULT_ROWS);
  for (let r = 0; r < rows; r++) {
    const g = Number(cell(gCol?.get(r)) ?? 0);
    const grouped = (i: number) => ((g >> (n - 1 - i)) & 1) === 1;
    const keys = cols.map((c) => cell(c?.get(r)));
    const rk: Key[] = [];
    for (let i = 0; i < R && !grouped(i); i++) rk.push(keys[i]);
    const ck: Key[] = [];
    for (let i = R; i < n && !grouped(i); i++) ck.push(keys[i]);
    const values = mCols.map((c) => {
      const v = cell(c?.get(r));
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    cells.set(pathKey(rk) + '|' + pathKey(ck), values);
    if (ck.length === 0) addPath(rowIndex, rk, (i, k) => q.dims[i].label(k));
    if (rk.length === 0) addPath(colIndex, ck, (i, k) => q.dims[R + i].label(k));
  }
  sortTree(rowTree);
  sortTree(colTree);
  const raw = (rk: Key[], ck: Key[], m: number) => cells.get(pathKey(rk) + '|' + pathKey(ck))?.[m];
  const value = (rk: Key[], ck: Key[], m: number) => {
    const v = raw(rk, ck, m);
    const pct = spec.measures[m].pct;
    if (v === undefined || v === null || !pct) return v;
    const d = pct === 'row' ? raw(rk, [], m) : pct === 'col' ? raw([], ck, m) : raw([], [], m);
    return d ? v / d : null;
  };
  return {
    rowDims: R,
    colDims: C,
    measures: spec.measures.map((m, i) => ({ title: measureTitle(m), kind: m.pct ? 'ratio' : q.measures[i].kind, pct: m.pct })),
    rowTree,
    colTree,
    truncated: table.numRows > MAX_RESULT_ROWS,
    raw,
    value,
  };
}

function addPath(index: Map<string, KeyNode>, keys: Key[], label: (level: number, k: Key) => string) {
  for (let l = 1; l <= keys.length; l++) {
    const path = keys.slice(0, l);
    const k = pathKey(path);
    if (index.has(k)) continue;
    const parent = index.get(pathKey(path.slice(0, -1)))!;
    const node: KeyNode = { keys: path, labels: [...parent.labels, label(l - 1, path[l - 1])], children: [] };
    parent.children.push(node);
    index.set(k, node);
  }
}

/** Natural key order: numbers ascending, text alphabetically, missing last. */
export function compareKeys(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function sortTree(node: KeyNode) {
  node.children.sort((x, y) => compareKeys(x.keys[x.keys.length - 1], y.keys[y.keys.length - 1]));
  node.children.forEach(sortTree);
}

/** Every leaf of a tree (full-depth key paths) in order. */
export function leaves(node: KeyNode): KeyNode[] {
  return node.children.length === 0 ? (node.keys.length ? [node] : []) : node.children.flatMap(leaves);
}
