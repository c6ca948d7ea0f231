// Types for columns held as text (JSON converted in the browser): judged from the first rows with TRY_CAST, so the
// mapping screen and detect() see BIGINT / DOUBLE / BOOLEAN / DATE / TIMESTAMP as read_json would have typed them.
import type { Db } from '../../db/types.ts';
import { firstRow } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';

/** Rows looked at per column (DuckDB's CSV sniffer samples about as many). */
const SAMPLE_ROWS = 20_480;
/** Columns judged per query: one query per column would be slow on wide files, one for all too long. */
const BATCH = 100;

/** The DuckDB type each text column of `from` reads as: the narrowest every non-null sampled value casts to. */
export async function textColumnTypes(db: Db, from: string, columns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (let at = 0; at < columns.length; at += BATCH) {
    const batch = columns.slice(at, at + BATCH);
    const aggs = batch.flatMap((c, i) => {
      const v = ident(c);
      return [
        `count(${v})::DOUBLE AS n${i}`,
        // '5.25'::BIGINT rounds instead of failing: only whole-number text counts as an integer.
        `count(CASE WHEN regexp_full_match(${v}, '\\s*[+-]?[0-9]+\\s*') THEN TRY_CAST(${v} AS BIGINT) END)::DOUBLE AS i${i}`,
        `count(TRY_CAST(${v} AS DOUBLE))::DOUBLE AS d${i}`,
        `count(CASE WHEN lower(${v}) IN ('true', 'false') THEN 1 END)::DOUBLE AS b${i}`,
        `count(CASE WHEN length(${v}) = 10 THEN TRY_CAST(${v} AS DATE) END)::DOUBLE AS a${i}`,
        `count(TRY_CAST(${v} AS TIMESTAMP))::DOUBLE AS t${i}`,
      ];
    });
    const list = batch.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');
    const r = firstRow(await db.query(`SELECT ${aggs.join(', ')} FROM (SELECT ${list} FROM ${from} LIMIT ${SAMPLE_ROWS})`));
    batch.forEach((_, i) => out.push(typeOf(Number(r[`n${i}`]), (k) => Number(r[`${k}${i}`]))));
  }
  return out;
}

function typeOf(n: number, count: (k: string) => number): string {
  if (n === 0) return 'VARCHAR';
  if (count('i') === n) return 'BIGINT';
  if (count('d') === n) return 'DOUBLE';
  if (count('b') === n) return 'BOOLEAN';
  if (count('a') === n) return 'DATE';
  if (count('t') === n) return 'TIMESTAMP';
  return 'VARCHAR';
}
