// Pure scroll arithmetic for the virtual grid: which rows and columns are on screen, and tall-table scaling.

/** Browsers cap an element's height (Firefox near 17.9M px): taller tables scroll a scaled body instead. */
export const MAX_BODY_PX = 15_000_000;

/** The laid-out body height for `rows` rows (capped at MAX_BODY_PX). */
export function bodyHeight(rows: number, rowHeight: number, max = MAX_BODY_PX): number {
  return Math.min(rows * rowHeight, max);
}

/**
 * Virtual pixels per scrolled pixel: 1 until the table is taller than the cap, then > 1, so that scrolling to the
 * bottom of the capped body reaches the last row exactly.
 */
export function scrollRatio(rows: number, rowHeight: number, viewport: number, max = MAX_BODY_PX): number {
  const virtual = rows * rowHeight - viewport;
  const real = bodyHeight(rows, rowHeight, max) - viewport;
  return real > 0 && virtual > real ? virtual / real : 1;
}

/** The largest virtual offset (the last row's bottom at the viewport's bottom). */
export function maxOffset(rows: number, rowHeight: number, viewport: number): number {
  return Math.max(0, rows * rowHeight - viewport);
}

/** Rows to render for virtual offset `vy`: [start, end) includes `overscan` rows either side of the visible ones. */
export function rowWindow(vy: number, viewport: number, rowHeight: number, rows: number, overscan = 8): { start: number; end: number } {
  if (rows <= 0) return { start: 0, end: 0 };
  const first = Math.floor(vy / rowHeight);
  const last = Math.ceil((vy + viewport) / rowHeight);
  return { start: Math.max(0, first - overscan), end: Math.min(rows, last + overscan) };
}

/** Pages covering rows [start, end), the visible middle first so it loads first. */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const a = Math.floor(start / pageSize);
  const b = Math.floor((end - 1) / pageSize);
  const mid = Math.floor((start + end) / 2 / pageSize);
  const out = [mid];
  for (let d = 1; mid - d >= a || mid + d <= b; d++) {
    if (mid + d <= b) out.push(mid + d);
    if (mid - d >= a) out.push(mid - d);
  }
  return out;
}

/** Prefix sums of column widths: offsets[i] is column i's left edge, offsets[n] the total width. */
export function columnOffsets(widths: readonly number[]): number[] {
  const out = [0];
  for (const w of widths) out.push(out[out.length - 1] + w);
  return out;
}

/** Columns intersecting [left, left + width), plus `overscan` either side: [start, end). */
export function columnWindow(offsets: readonly number[], left: number, width: number, overscan = 2): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const find = (x: number) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return { start: Math.max(0, find(left) - overscan), end: Math.min(n, find(left + width) + 1 + overscan) };
}

/** Where a navigation key moves the virtual offset (null: not a vertical navigation key). */
export function keyOffset(key: string, vy: number, viewport: number, rowHeight: number, rows: number): number | null {
  const max = maxOffset(rows, rowHeight, viewport);
  const page = Math.max(rowHeight, Math.floor(viewport / rowHeight) * rowHeight - rowHeight);
  const clamp = (v: number) => Math.min(max, Math.max(0, v));
  switch (key) {
    case 'ArrowDown': return clamp((Math.floor(vy / rowHeight) + 1) * rowHeight);
    case 'ArrowUp': return clamp((Math.ceil(vy / rowHeight) - 1) * rowHeight);
    case 'PageDown': return clamp(vy + page);
    case 'PageUp': return clamp(vy - page);
    case 'Home': return 0;
    case 'End': return max;
    default: return null;
  }
}
