// Converted chunks into one DuckDB table through the Db's insertArrow: the first creates it, JSON keys first seen
// later become new VARCHAR columns (ALTER TABLE), then each chunk appends. Runs on the browser's and Node's Db.
import type { Db } from '../../../db/types.ts';
import { ident } from '../../../sql/quote.ts';
import type { ConvertChunk, ConvertSink } from './types.ts';

/** A sink that stores every chunk in `table` (unqualified: the Db connection's current schema). */
export function tableSink(db: Db, table: string, onProgress: ConvertSink['progress'] = () => undefined): ConvertSink & { rows(): number } {
  let created = false;
  let rows = 0;
  return {
    async chunk(c: ConvertChunk): Promise<void> {
      if (created) for (const col of c.added) await db.exec(`ALTER TABLE ${ident(table)} ADD COLUMN ${ident(col)} VARCHAR`);
      await db.insertArrow(table, c.ipc, { append: created });
      created = true;
      rows += c.rows;
    },
    progress: onProgress,
    rows: () => rows,
  };
}
