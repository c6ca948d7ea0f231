// The import report: per file rows read / loaded / set aside (with reasons and sample lines), per column type
// and null share, date ranges; and the installed dataset's headline figures.
import type { Db } from '../../db/types.ts';
import { firstRow, toRows } from '../../lib/rows.ts';
import { ident, literal } from '../../sql/quote.ts';
import { REASON_MESSAGES, SAMPLES_PER_REASON, clip } from './reasons.ts';
import { putKey } from './keys.ts';
import type { Staged } from './stage.ts';
import type {
  ColumnReport, DateRange, FileReport, ImportTotals, PlannedFile, RefundRuleCount, SetAsideGroup, SetAsideReason,
} from './types.ts';

/** Build one file's report from its staging table and its normalised table. */
export async function fileReport(
  db: Db, file: PlannedFile, displayName: string, staged: Staged, norm: string,
): Promise<FileReport> {
  const t = ident(norm);
  const groups: SetAsideGroup[] = [...staged.malformed];
  const counts = toRows(await db.query(
    `SELECT reason, count(*)::DOUBLE AS n FROM ${t} WHERE reason IS NOT NULL GROUP BY reason ORDER BY min(src_row)`,
  ));
  const picks = toRows(await db.query(`SELECT reason, src_row::DOUBLE AS src_row FROM (
  SELECT reason, src_row, row_number() OVER (PARTITION BY reason ORDER BY src_row) AS k FROM ${t} WHERE reason IS NOT NULL
) WHERE k <= ${SAMPLES_PER_REASON} ORDER BY src_row`));
  const texts = await sampleTexts(db, file, staged, picks.map((p) => Number(p.src_row)));
  for (const c of counts) {
    const reason = String(c.reason) as SetAsideReason;
    const samples = picks
      .filter((p) => p.reason === reason)
      .map((p) => ({ line: null, row: Number(p.src_row) + 1, text: texts.get(Number(p.src_row)) ?? '' }));
    groups.push({ reason, message: REASON_MESSAGES[reason], count: Number(c.n), samples });
  }
  const setAside = groups.reduce((n, g) => n + g.count, 0);
  const loaded = staged.rows - (setAside - staged.malformed.reduce((n, g) => n + g.count, 0));
  const columns = await columnReports(db, file, staged, norm, loaded);
  let dateRange: DateRange | null = null;
  if (file.mapping.role === 'events' || file.mapping.role === 'transactions' || file.mapping.role === 'orders') {
    dateRange = range(firstRow(await db.query(
      `SELECT epoch_ms(min(ts))::DOUBLE AS lo, epoch_ms(max(ts))::DOUBLE AS hi FROM ${t} WHERE reason IS NULL`,
    )));
  }
  return {
    source: file.source, displayName, role: file.mapping.role,
    rowsRead: loaded + setAside, rowsLoaded: loaded, rowsSetAside: setAside, setAside: groups, columns, dateRange,
    ...(file.mapping.role === 'transactions' || (file.mapping.role === 'orders' && await hasColumn(db, norm, 'refund_rule')) ? { refunds: await refundCounts(db, norm) } : {}),
  };
}

const REFUND_MESSAGES: Readonly<Record<RefundRuleCount['rule'], string>> = {
  negative_quantity: 'a negative quantity',
  negative_total: 'a negative total (the file has no quantity column)',
  c_order: 'an Online Retail cancellation id (C and digits, e.g. C536379), confirmed by the file: at least 90% of its C-form lines have negative quantities',
  c_order_unconfirmed: 'kept as purchases: their order ids look like Online Retail cancellations (C and digits) but their amounts are not negative, so the file does not use that convention',
  status: 'an order status that means a refund or return',
};

async function hasColumn(db: Db, table: string, column: string): Promise<boolean> {
  return toRows(await db.query(`DESCRIBE ${ident(table)}`)).some((r) => r.column_name === column);
}

/** Refund lines per rule (only rules that fired), and C-form ids the file did not confirm as cancellations. */
async function refundCounts(db: Db, norm: string): Promise<RefundRuleCount[]> {
  const rows = toRows(await db.query(`SELECT coalesce(refund_rule, 'c_order_unconfirmed') AS rule, count(*)::DOUBLE AS n FROM ${ident(norm)}
WHERE reason IS NULL AND (refund_rule IS NOT NULL OR regexp_full_match(order_id, '[Cc][0-9]+'))
GROUP BY ALL ORDER BY rule`));
  return rows.map((r) => {
    const rule = String(r.rule) as RefundRuleCount['rule'];
    return { rule, count: Number(r.n), message: REFUND_MESSAGES[rule] ?? rule };
  });
}

/** Sample rows as text: the staged values joined by the file's delimiter (or ", "), cut to a readable length. */
async function sampleTexts(db: Db, file: PlannedFile, staged: Staged, rows: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (!rows.length) return out;
  const sep = literal(file.read.csv?.delimiter ?? ', ');
  // Only the first 200 columns: the text is cut to a few hundred characters anyway.
  const cols = staged.columns.slice(0, 200).map((c) => `coalesce(CAST(${ident(c.name)} AS VARCHAR), '')`);
  const picked = toRows(await db.query(
    `SELECT rowid::DOUBLE AS r, concat_ws(${sep}, ${cols.join(', ')}) AS text FROM ${ident(staged.table)}
WHERE rowid IN (${rows.map((r) => Math.trunc(r)).join(', ')})`,
  ));
  for (const r of picked) out.set(Number(r.r), clip(String(r.text ?? '')));
  return out;
}

async function columnReports(
  db: Db, file: PlannedFile, staged: Staged, norm: string, loaded: number,
): Promise<ColumnReport[]> {
  const types = new Map(toRows(await db.query(`DESCRIBE ${ident(norm)}`)).map((r) => [String(r.column_name), String(r.column_type)]));
  const staging = new Map(staged.columns.map((c) => [c.name, c.type]));
  const outs = file.mapping.columns.map((m) =>
    m.target === 'ignore' ? null : m.target === 'keep' ? (m.as ?? m.column) : m.target,
  );
  const present = outs.map((o) => (o !== null && types.has(o) ? o : null));
  const aggs = present.map((o, i) => (o === null ? null : `count(${ident(o)})::DOUBLE AS n${i}`)).filter(Boolean);
  const nn = aggs.length && loaded > 0
    ? firstRow(await db.query(`SELECT ${aggs.join(', ')} FROM ${ident(norm)} WHERE reason IS NULL`))
    : {};
  return file.mapping.columns.map((m, i) => {
    const o = present[i];
    const filled = o === null ? null : Number((nn as Record<string, unknown>)[`n${i}`] ?? 0);
    return {
      column: m.column,
      target: m.target,
      as: outs[i],
      type: o === null ? (staging.get(m.column) ?? 'VARCHAR') : (types.get(o) ?? 'VARCHAR'),
      nullPercent: filled === null || loaded === 0 ? 0 : round1(100 * (1 - filled / loaded)),
    };
  });
}

/** Headline figures of the tables about to be installed (same definitions as the Overview KPIs). */
export async function totalsOf(db: Db): Promise<{ totals: ImportTotals; dateRange: DateRange | null }> {
  const r = firstRow(await db.query(`SELECT count(*)::DOUBLE AS events, count(DISTINCT session_id)::DOUBLE AS sessions,
  count(DISTINCT user_id) FILTER (WHERE event_type = 'purchase')::DOUBLE AS buyers,
  count(DISTINCT order_id) FILTER (WHERE event_type = 'purchase')::DOUBLE AS orders,
  coalesce(sum(revenue) FILTER (WHERE event_type = 'purchase'), 0)::DOUBLE AS revenue,
  coalesce(sum(revenue) FILTER (WHERE event_type = 'refund'), 0)::DOUBLE AS refunds,
  epoch_ms(min(ts))::DOUBLE AS lo, epoch_ms(max(ts))::DOUBLE AS hi,
  (SELECT count(*) FROM users_next)::DOUBLE AS users, (SELECT count(*) FROM products_next)::DOUBLE AS products
FROM events_next`));
  const byType = toRows(await db.query(
    'SELECT event_type, count(*)::DOUBLE AS n FROM events_next GROUP BY event_type ORDER BY n DESC, event_type',
  ));
  const eventsByType: Record<string, number> = {};
  for (const t of byType) putKey(eventsByType, String(t.event_type), Number(t.n)); // event types are data
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    totals: {
      events: n('events'), users: n('users'), products: n('products'), sessions: n('sessions'), buyers: n('buyers'),
      orders: n('orders'), revenue: n('revenue'), refunds: n('refunds'), eventsByType,
    },
    dateRange: range(r),
  };
}

function range(r: Record<string, unknown>): DateRange | null {
  return typeof r.lo === 'number' && typeof r.hi === 'number' ? { from: r.lo, to: r.hi } : null;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
