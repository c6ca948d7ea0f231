// runImport(): read every planned file, normalise it, build events_next/users_next/products_next, install them.
// The live tables are only touched by installDataset's transaction, so any failure leaves the previous dataset as it was.
import type { Db } from '../../db/types.ts';
import { firstRow, toRows } from '../../db/rows.ts';
import { ident } from '../../sql/quote.ts';
import { StrataError, messageOf } from '../../errors.ts';
import { installDataset, NEXT } from '../dataset.ts';
import { assertMappingUsable } from './mapping.ts';
import { validateImportPlan } from './validate.ts';
import { dateOrderSql, dropMacrosSql, macrosSql, type DateOrder } from './convert-sql.ts';
import { stageSource, type Staged } from './stage.ts';
import { DERIVED_FIELDS, normalizeSql } from './normalize-sql.ts';
import {
  EVENTS_CHUNK_ROWS, eventsBoundsSql, eventsChunkSql, eventsCountSql, productsNextSql, sessionsSql, usersNextSql,
  type BuildInput, type NormTable,
} from './build-sql.ts';
import { fileReport, totalsOf } from './report.ts';
import { importError } from './import-error.ts';
import { tempName } from './names.ts';
import { importNotes } from './notes.ts';
import type { FileMapping, FileReport, ImportOptions, ImportPlan, ImportReport, ImportSource, Target } from './types.ts';

/** Import the plan's files (matched to `sources` by name) and install them as the current dataset. */
export async function runImport(
  db: Db, planIn: ImportPlan, sources: readonly ImportSource[], opts: ImportOptions = {},
): Promise<ImportReport> {
  const plan = validateImportPlan(planIn);
  const byName = new Map(sources.map((s) => [s.name, s]));
  const files = plan.files.map((f) => {
    const s = byName.get(f.source);
    if (!s) throw new StrataError(`The import plan names a file that was not provided (${f.source}). Drop it again.`);
    assertMappingUsable(f.mapping, s.displayName);
    return { plan: f, who: s.displayName, size: Math.max(1, s.size) };
  });
  if (!files.some((f) => f.plan.mapping.role === 'events' || f.plan.mapping.role === 'transactions')) {
    throw new StrataError(
      'An import needs at least one events or transactions file: a users or products file alone holds no behaviour to ' +
        'analyse. Add the events or orders export, or change a file\'s role.',
    );
  }
  const ctx = { who: 'The import', scratch: [] as string[] };
  const phase = opts.onPhase ?? (() => undefined);
  let failure: unknown = null;
  let report: ImportReport | null = null;
  try {
    await db.exec(macrosSql());
    const total = files.reduce((n, f) => n + f.size, 0);
    let done = 0;
    const reports: FileReport[] = [];
    const norms: { role: FileMapping['role']; norm: NormTable }[] = [];
    for (const [i, f] of files.entries()) {
      ctx.who = f.who;
      phase(`Reading ${f.who}`, 0.6 * (done / total));
      const raw = track(ctx, tempName('raw'));
      const staged = await stageSource(db, f.plan, f.who, raw, { errors: tempName('rej'), scans: tempName('rejscan') });
      phase(`Checking the rows of ${f.who}`, 0.6 * ((done + f.size * 0.7) / total));
      const norm = track(ctx, tempName('norm'));
      const dateOrders = await chooseDateOrders(db, staged, f.plan.mapping);
      await db.exec(normalizeSql({ raw, out: norm, fileIdx: i, columns: staged.columns, mapping: f.plan.mapping, dateOrders }));
      const rep = await fileReport(db, f.plan, f.who, staged, norm);
      if (rep.rowsLoaded === 0) throw nothingLoaded(rep);
      reports.push(rep);
      await db.exec(`DROP TABLE ${ident(raw)}`); // free the raw text early: big files need the memory
      ctx.scratch = ctx.scratch.filter((t) => t !== raw);
      norms.push({ role: f.plan.mapping.role, norm: normTable(norm, f.plan.mapping) });
      done += f.size;
    }
    ctx.who = files.map((f) => f.who).join(' + ');
    const pick = (...roles: FileMapping['role'][]) => norms.filter((n) => roles.includes(n.role)).map((n) => n.norm);
    const input = {
      events: pick('events', 'transactions'), users: pick('users'), products: pick('products'),
      sessionGapMinutes: plan.sessionGapMinutes,
    };
    phase('Building events and sessions', 0.65);
    await buildEvents(db, input, track(ctx, tempName('sess')));
    phase('Building users and products', 0.8);
    await db.exec(usersNextSql(input));
    await db.exec(productsNextSql(input));
    const { totals, dateRange } = await totalsOf(db);
    const derived = await sessionsDerived(db, input.events);
    phase('Saving the dataset', 0.9);
    await installDataset(db);
    report = {
      files: reports, totals, dateRange, sessionsDerived: derived, sessionGapMinutes: plan.sessionGapMinutes,
      notes: importNotes(plan, reports, derived),
    };
  } catch (err) {
    failure = err;
  }
  const cleanupError = await cleanup(db, ctx.scratch, failure !== null);
  if (failure !== null) {
    const e = importError(failure, ctx.who);
    if (!cleanupError) throw e;
    throw new StrataError(e.message, `${e.detail ?? ''}\nCleanup also failed: ${cleanupError}`, { cause: failure });
  }
  if (!report) throw new Error('runImport finished without a report'); // unreachable: no failure means a report
  if (cleanupError) report.notes.push(`Some scratch tables could not be removed (${cleanupError}); they vanish on reload.`);
  phase('Done', 1);
  return report;
}

/**
 * events_next in time-range chunks of about EVENTS_CHUNK_ROWS events: numbering and sorting whole rows is what
 * costs memory, so only one chunk's rows are held at once (sessions are derived first, on keys, user and time only).
 */
async function buildEvents(db: Db, input: BuildInput, sessions: string): Promise<void> {
  await db.exec(sessionsSql(input, sessions));
  const n = Number(firstRow(await db.query(eventsCountSql(input))).n);
  const k = Math.max(1, Math.ceil(n / EVENTS_CHUNK_ROWS));
  const bounds = k > 1 ? toRows(await db.query(eventsBoundsSql(input, k))).map((r) => String(r.b)) : [];
  let offset = 0;
  for (let i = 0; i <= bounds.length; i++) {
    await db.exec(eventsChunkSql(input, sessions, { lo: bounds[i - 1], hi: bounds[i], offset, first: i === 0 }));
    if (i < bounds.length) offset = Number(firstRow(await db.query('SELECT count(*)::DOUBLE AS n FROM events_next')).n);
  }
}

function track(ctx: { scratch: string[] }, name: string): string {
  ctx.scratch.push(name);
  return name;
}

function normTable(table: string, m: FileMapping): NormTable {
  const kept = m.columns.filter((c) => c.target === 'keep').map((c) => c.as ?? c.column);
  const mapped = new Set(m.columns.map((c) => c.target).filter((t): t is Target => t !== 'keep' && t !== 'ignore'));
  if (m.role === 'events' || m.role === 'transactions') for (const t of DERIVED_FIELDS) mapped.add(t);
  return { table, kept, mapped };
}

/** Day-first or month-first for each text column holding times: whichever reading fits more of its values. */
async function chooseDateOrders(db: Db, staged: Staged, m: FileMapping): Promise<Map<string, DateOrder>> {
  const out = new Map<string, DateOrder>();
  const types = new Map(staged.columns.map((c) => [c.name, c.type]));
  for (const c of m.columns) {
    const timeLike = c.target === 'ts' || c.target === 'signup_ts' || (c.target === 'keep' && (c.kind === 'timestamp' || c.kind === 'date'));
    if (!timeLike || types.get(c.column) !== 'VARCHAR') continue;
    const r = firstRow(await db.query(dateOrderSql(staged.table, c.column)));
    out.set(c.column, Number(r.dmy) > Number(r.mdy) ? 'dmy' : 'mdy');
  }
  return out;
}

/** True when some loaded event had no session id of its own (its session was derived from time gaps). */
async function sessionsDerived(db: Db, events: readonly NormTable[]): Promise<boolean> {
  for (const e of events) {
    if (!e.mapped.has('session_id')) return true;
    const r = firstRow(await db.query(`SELECT count(*)::DOUBLE AS n FROM ${ident(e.table)} WHERE reason IS NULL AND session_id IS NULL`));
    if (Number(r.n) > 0) return true;
  }
  return false;
}

function nothingLoaded(rep: FileReport): StrataError {
  const top = [...rep.setAside].sort((a, b) => b.count - a.count)[0];
  const why = top ? ` The most common reason: ${top.message} (${top.count} rows).` : '';
  return new StrataError(
    `None of the ${rep.rowsRead} rows of ${rep.displayName} could be loaded.${why} Check the column mapping ` +
      '(especially the user and time columns) and try again.',
  );
}

/** Drop scratch tables and macros; after a failure also the half-built *_next tables. Returns what went wrong. */
async function cleanup(db: Db, scratch: readonly string[], failed: boolean): Promise<string | null> {
  const stmts = scratch.map((t) => `DROP TABLE IF EXISTS ${ident(t)};`);
  if (failed) stmts.push(...Object.values(NEXT).map((t) => `DROP TABLE IF EXISTS ${ident(t)};`));
  stmts.push(dropMacrosSql());
  try {
    await db.exec(stmts.join('\n'));
    return null;
  } catch (err) {
    return messageOf(err);
  }
}
