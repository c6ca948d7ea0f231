// Read one source completely into a temporary staging table; malformed CSV lines are set aside, not fatal.
import type { Db } from '../../db/types.ts';
import { toRows, firstRow } from '../../db/rows.ts';
import { ident } from '../../sql/quote.ts';
import { StrataError } from '../../errors.ts';
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
}

/**
 * CREATE TEMP TABLE `table` from the whole source. TEMP keeps scratch data out of a persistent (OPFS) database
 * file and away from whatever schema the caller has selected; rowid follows file order (insertion order is kept).
 */
export async function stageSource(db: Db, file: PlannedFile, who: string, table: string, rejects: RejectTables): Promise<Staged> {
  const csv = file.read.format === 'csv';
  try {
    await db.exec(`CREATE TEMP TABLE ${ident(table)} AS SELECT * FROM ${readSql(file.source, file.read, csv ? rejects : undefined)}`);
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
    const names = new Set(columns.map((c) => c.name));
    const gone = file.mapping.columns.filter((m) => m.target !== 'ignore' && !names.has(m.column)).map((m) => m.column);
    if (gone.length) {
      throw new StrataError(
        `${who} no longer has the column(s) ${gone.slice(0, 5).map((g) => `"${g}"`).join(', ')} that the mapping uses. ` +
          'The file changed since it was previewed: drop it again.',
      );
    }
    return { table, columns, rows, malformed };
  } finally {
    if (csv) await dropRejects(db, rejects);
  }
}
