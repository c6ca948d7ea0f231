// Read one source completely into a temporary staging table; malformed CSV lines are set aside, not fatal.
import type { Db } from '../../db/types.ts';
import { toRows, firstRow } from '../../lib/rows.ts';
import { ident } from '../../sql/quote.ts';
import { StrataError, messageOf } from '../../errors.ts';
import { readSql, type RejectTables } from './read-sql.ts';
import { dropRejects, rejectGroups } from './rejects.ts';
import type { StagedColumn } from './convert-sql.ts';
import type { PlannedFile, SetAsideGroup } from './types.ts';

/** A source read into `table` (unqualified, TEMP): its columns, row count and the malformed lines set aside. */
export interface Staged {
  table: string;
  columns: StagedColumn[];
  rows: number;
  malformed: SetAsideGroup[];
  /** How the read differed from the preview's (e.g. line ends that change part-way through), for the report. */
  notes: string[];
}

/**
 * CREATE TEMP TABLE `table` from the whole source (the mapped and kept columns). TEMP keeps scratch data out of a persistent (OPFS) database
 * file and away from whatever schema the caller has selected; rowid follows file order (insertion order is kept).
 */
export async function stageSource(db: Db, file: PlannedFile, who: string, table: string, rejects: RejectTables): Promise<Staged> {
  const csv = file.read.format === 'csv' && !file.read.table;
  let from = readSql(file.source, file.read, csv ? rejects : undefined);
  const fileColumns = csv ? file.read.columns : toRows(await db.query(`DESCRIBE SELECT * FROM ${from}`)).map((r) => String(r.column_name));
  const names = new Set(fileColumns);
  const used = file.mapping.columns.filter((m) => m.target !== 'ignore').map((m) => m.column);
  const gone = used.filter((c) => !names.has(c));
  if (gone.length) {
    throw new StrataError(
      `${who} no longer has the column(s) ${gone.slice(0, 5).map((g) => `"${g}"`).join(', ')} that the mapping uses. ` +
        'The file changed since it was previewed: drop it again.',
    );
  }
  // Only the columns the mapping uses are staged: a table costs memory per column, and ignored ones are unused.
  const list = fileColumns.filter((c) => used.includes(c)).map((c) => ident(c)).join(', ');
  const notes: string[] = [];
  try {
    try {
      await db.exec(`CREATE TEMP TABLE ${ident(table)} AS SELECT ${list} FROM ${from}`);
    } catch (err) {
      // The preview saw one kind of line end, but the file switches (LF to CRLF) after its first 64 KiB: DuckDB's
      // strict parser stops there. Read it again without strict mode, as a file mixing them from the start is.
      if (!csv || file.read.csv?.strict === false || !/state machine reached an invalid state/i.test(messageOf(err))) throw err;
      await dropRejects(db, rejects);
      from = readSql(file.source, { ...file.read, csv: { ...file.read.csv!, strict: false } }, rejects);
      await db.exec(`CREATE TEMP TABLE ${ident(table)} AS SELECT ${list} FROM ${from}`);
      notes.push(`${who}: its line ends change part-way through (Windows CRLF and Unix LF); both were read.`);
    }
    const malformed = csv ? await rejectGroups(db, rejects) : [];
    const rows = Number(firstRow(await db.query(`SELECT count(*)::DOUBLE AS n FROM ${ident(table)}`)).n);
    const columns = toRows(await db.query(`DESCRIBE ${ident(table)}`)).map((r) => ({
      name: String(r.column_name), type: String(r.column_type),
    }));
    if (rows === 0) {
      if (malformed.length) {
        const g = malformed[0];
        throw new StrataError(
          `No row of ${who} could be read: ${g.message} (first at line ${g.samples[0]?.line ?? '?'}). Fix the file and drop it again.`,
        );
      }
      throw new StrataError(`${who} has column names but no data rows. Export it again with the data.`);
    }
    return { table, columns, rows, malformed, notes };
  } finally {
    if (csv) await dropRejects(db, rejects);
  }
}
