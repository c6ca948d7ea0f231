// runImport(): read every planned file, normalise it, build events_next/users_next/products_next, install them.
// The live tables are only touched by installDataset's transaction, so any failure leaves the previous dataset as it was.
import type { Db } from '../../db/types.ts';
import { firstRow, toRows } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import { StrataError, messageOf } from '../../errors.ts';
import { installDataset, NEXT } from '../dataset.ts';
import { assertMappingUsable } from './mapping.ts';
import { validateImportPlan } from './validate.ts';
import { dateOrderSql, dropMacrosSql, macrosSql } from './convert-sql.ts';
import { stageSource, type Staged } from './stage.ts';
import { DERIVED_FIELDS, normalizeSql } from './normalize-sql.ts';
import {
  EVENTS_CHUNK_ROWS, eventsBoundsSql, eventsChunkColumnsSql, eventsChunkSql, eventsCountSql, productsNextSql, sessionsSql, usersNextSql,
  type BuildInput, type NormTable,
} from './build-sql.ts';
import { fileReport, totalsOf } from './report.ts';
import { UNCHANGED, importError } from './import-error.ts';
import { normTable, personsFromCustomers, relate } from './relate.ts';
import type { RelationalReport } from './report-types.ts';
import { tempName } from './names.ts';
import { sameFile, sameFileError } from './same-file.ts';
import { importNotes } from './notes.ts';
import type {
  DateOrder, FileMapping, FileReport, ImportOptions, ImportPlan, ImportReport, ImportSource, Target,
} from './types.ts';

/** Import the plan's files (matched to `sources` by name) and install them as the current dataset. */
export async function runImport(
  db: Db, planIn: ImportPlan, sources: readonly ImportSource[], opts: ImportOptions = {},
): Promise<ImportReport> {
  const plan = validateImportPlan(planIn);
  const byName = new Map(sources.map((s) => [s.name, s]));
  const hasOrders = plan.files.some((f) => f.mapping.role === 'orders');
  if (plan.files.some((f) => f.mapping.role === 'payments') && !hasOrders) {
    throw new StrataError('A payments file needs the orders file it belongs to (payments carry an order id, not a customer or a time): add the orders export, or leave the payments out.');
  }
  const files = plan.files.map((f) => {
    const s = byName.get(f.source);
    if (!s) throw new StrataError(`The import plan names a file that was not provided (${f.source}). Drop it again.`);
    assertMappingUsable(f.mapping, s.displayName, { relational: hasOrders });
    return { plan: f, who: s.displayName, size: Math.max(1, s.size), source: s };
  });
  for (let j = 1; j < files.length; j++) {
    for (let i = 0; i < j; i++) {
      if (await sameFile(files[i].source, files[j].source)) throw sameFileError(files[i].source, files[j].source);
    }
  }
  if (!files.some((f) => ['events', 'transactions', 'orders'].includes(f.plan.mapping.role))) {
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
    const fileNotes: string[] = [];
    const roles = new Set(files.map((f) => f.plan.mapping.role));
    const relational = roles.has('orders');
    // Relational files are reported once they are joined (a line's reason may be its missing order); until then
    // their staged rows are kept for the report's sample lines.
    const pending: { i: number; f: (typeof files)[number]; staged: Staged; norm: string; raw: string }[] = [];
    for (const [i, f] of files.entries()) {
      ctx.who = f.who;
      phase(`Reading ${f.who}`, 0.6 * (done / total));
      const raw = track(ctx, tempName('raw'));
      const staged = await stageSource(db, f.plan, f.who, raw, { errors: tempName('rej'), scans: tempName('rejscan') });
      phase(`Checking the rows of ${f.who}`, 0.6 * ((done + f.size * 0.7) / total));
      const norm = track(ctx, tempName('norm'));
      const dates = await chooseDateOrders(db, staged, f.plan.mapping, f.who);
      fileNotes.push(...staged.notes, ...dates.notes);
      await db.exec(normalizeSql({ raw, out: norm, fileIdx: i, columns: staged.columns, mapping: f.plan.mapping, dateOrders: dates.orders, relational }));
      if (relational) {
        pending.push({ i, f, staged, norm, raw });
      } else {
        const rep = await fileReport(db, f.plan, f.who, staged, norm);
        if (rep.rowsLoaded === 0) throw nothingLoaded(rep);
        reports.push(rep);
        await db.exec(`DROP TABLE ${ident(raw)}`); // free the raw text early: big files need the memory
        ctx.scratch = ctx.scratch.filter((t) => t !== raw);
        norms.push({ role: f.plan.mapping.role, norm: normTable(norm, f.plan.mapping) });
      }
      done += f.size;
    }
    let relationalReport: RelationalReport | null = null;
    if (relational) {
      ctx.who = files.map((f) => f.who).join(' + ');
      phase('Joining orders, lines and payments', 0.62);
      const rel = await relate(db, pending.map((p) => ({ role: p.f.plan.mapping.role, norm: p.norm, mapping: p.f.plan.mapping, who: p.f.who })), (n) => track(ctx, n));
      relationalReport = rel.report;
      for (const p of pending) {
        const table = rel.replaced.get(p.norm) ?? p.norm;
        const rep = await fileReport(db, p.f.plan, p.f.who, p.staged, table);
        if (rep.rowsLoaded === 0) throw nothingLoaded(rep);
        reports.push(rep);
        await db.exec(`DROP TABLE ${ident(p.raw)}`);
        ctx.scratch = ctx.scratch.filter((t) => t !== p.raw);
      }
      norms.push(...rel.norms);
    }
    const persons = await personsFromCustomers(db, norms);
    ctx.who = files.map((f) => f.who).join(' + ');
    const pick = (...which: FileMapping['role'][]) => norms.filter((n) => which.includes(n.role)).map((n) => n.norm);
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
      notes: [...fileNotes, ...importNotes(plan, reports, derived)],
      ...(relationalReport ? { relational: relationalReport } : {}),
      ...(persons ? { persons } : {}),
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
  const firstChunk = { lo: undefined, hi: bounds[0], offset: 0, first: true };
  const columns = toRows(await db.query(eventsChunkColumnsSql(input, sessions, firstChunk))).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  for (let i = 0; i <= bounds.length; i++) {
    await db.exec(eventsChunkSql(input, sessions, { lo: bounds[i - 1], hi: bounds[i], offset, first: i === 0, columns }));
    if (i < bounds.length) offset = Number(firstRow(await db.query('SELECT count(*)::DOUBLE AS n FROM events_next')).n);
  }
}

function track(ctx: { scratch: string[] }, name: string): string {
  ctx.scratch.push(name);
  return name;
}


const ORDER_WORDS: Readonly<Record<DateOrder, string>> = { dmy: 'day first (31/12/2025)', mdy: 'month first (12/31/2025)' };

/**
 * One day/month order per text column of times, for the whole file: the user's choice in the mapping; else the
 * only order that reads every numeric date (13/2/2025 can only be day-first), said in a note; else, when both
 * orders read every date and disagree on some (1/2/2025), or each order alone fits some dates, a StrataError
 * asking the user to choose: the rows would otherwise move by months with no word. Dates that do not read in the
 * column's order are set aside (reason "date_order"), never read the other way round.
 */
async function chooseDateOrders(
  db: Db, staged: Staged, m: FileMapping, who: string,
): Promise<{ orders: Map<string, DateOrder>; notes: string[] }> {
  const orders = new Map<string, DateOrder>();
  const notes: string[] = [];
  const types = new Map(staged.columns.map((c) => [c.name, c.type]));
  for (const c of m.columns) {
    const timeLike = c.target === 'ts' || c.target === 'signup_ts' || (c.target === 'keep' && (c.kind === 'timestamp' || c.kind === 'date'));
    if (!timeLike || types.get(c.column) !== 'VARCHAR') continue;
    const r = firstRow(await db.query(dateOrderSql(staged.table, c.column)));
    const [onlyD, onlyM, differ] = [Number(r.only_d), Number(r.only_m), Number(r.differ)];
    const n = (x: number) => x.toLocaleString('en');
    const col = `column "${c.column}"`;
    if (c.dateOrder) {
      orders.set(c.column, c.dateOrder);
      const against = c.dateOrder === 'dmy' ? onlyM : onlyD;
      if (onlyD + onlyM + differ > 0) {
        notes.push(`${who}, ${col}: dates read ${ORDER_WORDS[c.dateOrder]}, as chosen in the mapping` +
          (against
            ? `; ${n(against)} dates that only read the other way round were ${c.target === 'ts' ? 'set aside' : 'left empty'}.`
            : '.'));
      }
      continue;
    }
    if (onlyD > 0 && onlyM > 0) {
      throw new StrataError(
        `${who}: ${col} mixes day-first dates (${n(onlyD)}, such as ${r.ex_d}) and month-first dates (${n(onlyM)}, such ` +
          `as ${r.ex_m}), so no single order reads them all. Choose the day/month order of "${c.column}" in the mapping ` +
          `and import again: rows whose date only reads the other way are then set aside and listed. ${UNCHANGED}`,
      );
    }
    if (onlyD > 0 || onlyM > 0) {
      const order: DateOrder = onlyD > 0 ? 'dmy' : 'mdy';
      orders.set(c.column, order);
      const proof = onlyD > 0 ? r.ex_d : r.ex_m;
      const so = differ > 0 ? `, so ${r.ex_both} is ${order === 'dmy' ? r.ex_both_d : r.ex_both_m}` : '';
      notes.push(`${who}, ${col}: dates read ${ORDER_WORDS[order]}, the only order that reads all of them (${proof} ` +
        `can only be ${order === 'dmy' ? 'day' : 'month'}-first${so}).`);
      continue;
    }
    if (differ > 0) {
      throw new StrataError(
        `${who}: the dates in ${col} read both ways round: ${r.ex_both} is ${r.ex_both_d} day-first or ${r.ex_both_m} ` +
          `month-first, and no date in the file settles it (none has a day above 12). Choose the day/month order of ` +
          `"${c.column}" in the mapping and import again. ${UNCHANGED}`,
      );
    }
    orders.set(c.column, 'mdy'); // no numeric day/month date, or only ones like 5/5/2025 that read the same both ways
  }
  return { orders, notes };
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
