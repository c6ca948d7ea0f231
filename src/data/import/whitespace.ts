// Text laid out in whitespace-separated columns (fields split by runs of spaces or tabs, often right-aligned with
// leading spaces), such as the CDNOW sample and many exports from older systems and statistics tools. DuckDB's CSV
// sniffer needs one delimiter character, so it reads such a file as one column; this module recognises the layout
// from the file's head, and readSql then splits each line on whitespace runs.

/** The layout of a whitespace-separated head, or null when the head is not one. */
export interface WhitespaceLayout {
  /** Column names: the header line's words, or column0, column1, … */
  names: string[];
  header: boolean;
}

const NUMBER_LIKE = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/;

/**
 * Whether the head's lines all split on whitespace runs into the same number (2 or more) of fields, with no quote,
 * comma, semicolon or pipe that would make it a delimited file instead. The first line is a header when one of
 * its words is not a number where every other line has one. The last line of the head may be cut short and is
 * not used. Needs at least 2 data lines.
 */
export function whitespaceLayout(head: string): WhitespaceLayout | null {
  const lines = head.split(/\r?\n/);
  if (lines.length > 1) lines.pop(); // possibly cut short by the head's end
  const rows = lines.map((l) => l.trim()).filter((l) => l !== '').slice(0, 500).map((l) => l.split(/[ \t]+/));
  if (rows.length < 3) return null;
  if (lines.some((l) => /["',;|]/.test(l))) return null;
  const width = rows[0].length;
  if (width < 2 || width > 500 || rows.some((r) => r.length !== width)) return null;
  const numericAt = (r: string[], i: number) => NUMBER_LIKE.test(r[i]);
  const header = rows[0].some((w, i) => !numericAt(rows[0], i) && rows.slice(1).every((r) => numericAt(r, i)));
  const names = header ? uniqueNames(rows[0]) : rows[0].map((_, i) => `column${i}`);
  return { names, header };
}

/** Header words made unique (a repeated word gets _2, _3, …), as DuckDB names repeated CSV columns. */
function uniqueNames(words: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return words.map((w) => {
    const n = (seen.get(w) ?? 0) + 1;
    seen.set(w, n);
    return n === 1 ? w : `${w}_${n}`;
  });
}
