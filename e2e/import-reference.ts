// What native DuckDB computes when the same file is imported in Node with zero manual mapping.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { openNodeDb } from '../src/db/node-db.ts';
import { probe, planFor, runImport, type ImportReport } from '../src/data/import/index.ts';
import { OVERVIEW_DECODERS, OVERVIEW_PANELS, validateOverviewSpec, type OverviewKpis, type GeoRow } from '../src/analyses/overview/index.ts';

/** The shared real datasets, beside the project (never copied into it). */
export const DATA = new URL('../../shared/data/', import.meta.url).pathname;

/** The first 64 KiB of a file, as an ImportSource's `head`. */
export function head(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return new Uint8Array(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/** Import `paths` natively as a user would (probe, detected mapping, runImport) and read the Overview KPIs. */
export async function importReference(paths: string[]): Promise<{ report: ImportReport; kpis: OverviewKpis; geo: GeoRow[] }> {
  const db = await openNodeDb({ threads: 2 });
  try {
    const sources = paths.map((p) => ({ name: p, displayName: basename(p), size: statSync(p).size, head: head(p) }));
    const probes = [];
    for (const s of sources) probes.push(await probe(db, s));
    const report = await runImport(db, planFor(probes), sources);
    const spec = validateOverviewSpec({});
    const k = OVERVIEW_PANELS.kpis(spec);
    const g = OVERVIEW_PANELS.geography(spec);
    return {
      report,
      kpis: OVERVIEW_DECODERS.kpis(await db.query(k.text, k.params), spec),
      geo: OVERVIEW_DECODERS.geography(await db.query(g.text, g.params), spec),
    };
  } finally {
    await db.close();
  }
}
