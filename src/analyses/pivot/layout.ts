// Lay a decoded pivot out as a table: ordered rows (grand total, groups with their subtotals, leaves), value
// columns (column leaves, column subtotals, total) x measures, header rows, heat extents and CSV.
import { compareKeys, leaves, pathKey, type Key, type KeyNode, type PivotResult } from './model.ts';
import type { PivotSort } from './spec.ts';

/** A row of the table. */
export interface LayoutRow {
  keys: Key[];
  /** Label of this row's own level ("Total" for the grand total). */
  label: string;
  /** Labels of every level down to this row. */
  path: string[];
  depth: number;
  isTotal: boolean;
  isLeaf: boolean;
  hasChildren: boolean;
}

/** A value column: a column key path (a leaf, a subtotal prefix, or [] for the total) and a measure. */
export interface LayoutCol {
  keys: Key[];
  path: string[];
  measure: number;
  isTotal: boolean;
  isLeaf: boolean;
}

/** One header cell. */
export interface HeaderCell {
  label: string;
  span: number;
}

/** At most this many column leaves are laid out; more means the column dimension needs a bucket. */
export const MAX_COL_LEAVES = 200;

/** Rows in display order: the grand total first, then each group followed by its children, sorted within groups. */
export function layoutRows(res: PivotResult, sort: PivotSort | null, collapsed: ReadonlySet<string> = new Set()): LayoutRow[] {
  const out: LayoutRow[] = [{ keys: [], label: 'Total', path: [], depth: 0, isTotal: true, isLeaf: res.rowDims === 0, hasChildren: res.rowDims > 0 }];
  const cmp = (a: KeyNode, b: KeyNode) => {
    if (sort) {
      const va = res.value(a.keys, sort.col, sort.measure);
      const vb = res.value(b.keys, sort.col, sort.measure);
      const na = va === null || va === undefined;
      const nb = vb === null || vb === undefined;
      if (na !== nb) return na ? 1 : -1; // empty cells last whichever the direction
      if (!na && !nb && va !== vb) return sort.dir === 'asc' ? va - vb : vb - va;
    }
    return compareKeys(a.keys[a.keys.length - 1], b.keys[b.keys.length - 1]);
  };
  const walk = (node: KeyNode) => {
    for (const child of [...node.children].sort(cmp)) {
      const depth = child.keys.length;
      out.push({ keys: child.keys, label: child.labels[depth - 1], path: child.labels, depth, isTotal: false, isLeaf: depth === res.rowDims, hasChildren: child.children.length > 0 });
      if (!collapsed.has(pathKey(child.keys))) walk(child);
    }
  };
  if (!collapsed.has(pathKey([]))) walk(res.rowTree);
  return out;
}

/** Value columns in order: for each column group its leaves then its subtotal, the grand total last. */
export function layoutCols(res: PivotResult): { cols: LayoutCol[]; truncated: boolean } {
  const M = res.measures.length;
  const keyCols: { keys: Key[]; path: string[]; isTotal: boolean; isLeaf: boolean }[] = [];
  let count = 0;
  let truncated = false;
  const walk = (node: KeyNode) => {
    for (const child of node.children) {
      if (child.keys.length === res.colDims) {
        if (count >= MAX_COL_LEAVES) { truncated = true; return; }
        count++;
        keyCols.push({ keys: child.keys, path: child.labels, isTotal: false, isLeaf: true });
      } else {
        walk(child);
        keyCols.push({ keys: child.keys, path: child.labels, isTotal: true, isLeaf: false });
      }
    }
  };
  if (res.colDims > 0) walk(res.colTree);
  keyCols.push({ keys: [], path: [], isTotal: true, isLeaf: res.colDims === 0 });
  const cols = keyCols.flatMap((k) => Array.from({ length: M }, (_, m) => ({ ...k, measure: m })));
  return { cols, truncated };
}

/** Header rows: one per column dimension (labels spanning their measures), then the measure titles. */
export function headerRows(res: PivotResult, cols: LayoutCol[]): HeaderCell[][] {
  const rows: HeaderCell[][] = [];
  const labelAt = (c: LayoutCol, level: number) => {
    if (c.keys.length > level) return c.path[level];
    return c.keys.length === level ? 'Total' : '';
  };
  for (let level = 0; level < res.colDims; level++) {
    const row: HeaderCell[] = [];
    let prev = '';
    cols.forEach((c) => {
      const id = c.keys.length > level ? pathKey(c.keys.slice(0, level + 1)) : 'T' + pathKey(c.keys);
      const label = labelAt(c, level);
      if (row.length && id === prev) row[row.length - 1].span++;
      else row.push({ label, span: 1 });
      prev = id;
    });
    rows.push(row);
  }
  rows.push(cols.map((c) => ({ label: res.measures[c.measure].title, span: 1 })));
  return rows;
}

/** Min and max shown value of each measure over the leaf cells, for heat-map shading. */
export function heatExtents(res: PivotResult, rows: LayoutRow[], cols: LayoutCol[]): { min: number; max: number }[] {
  const ext = res.measures.map(() => ({ min: Infinity, max: -Infinity }));
  const leafRows = rows.filter((r) => r.isLeaf);
  for (const c of cols) {
    if (!c.isLeaf) continue;
    for (const r of leafRows) {
      const v = res.value(r.keys, c.keys, c.measure);
      if (typeof v !== 'number') continue;
      const e = ext[c.measure];
      if (v < e.min) e.min = v;
      if (v > e.max) e.max = v;
    }
  }
  return ext;
}

/** The full row tree's leaves (every full-depth row, ignoring collapse), sorted like the table: for the chart. */
export function leafRows(res: PivotResult, sort: PivotSort | null): LayoutRow[] {
  return layoutRows(res, sort).filter((r) => r.isLeaf && !r.isTotal);
}

export { leaves };
