// Run at build time (vite.config.ts, module `virtual:demo-overview`): the default demo shop's Overview figures,
// computed in Node with native DuckDB, the app's own generator (seeded) and the Overview's own statements. A first
// visit shows them while DuckDB starts and the same shop is generated in the browser, which then replaces them
// panel by panel (e2e/overview.spec.ts checks that the two are equal). Prints the DashboardCache as JSON.
import { openNodeDb } from '../src/db/node-db.ts';
import { DEFAULT_PARAMS, loadShop } from '../src/data/generator/index.ts';
import { DEFAULT_OVERVIEW } from '../src/analyses/overview/index.ts';
import { specFromParams } from '../src/views/overview/url-spec.ts';
import { demoStamp, overviewFigures, specKey, type DashboardCache } from '../src/state/dashboard-cache.ts';
import { toRows } from '../src/lib/rows.ts';

const db = await openNodeDb({ threads: 1 });
try {
  const { events } = await loadShop(db, DEFAULT_PARAMS);
  const users = Number(toRows(await db.query('SELECT count(*)::DOUBLE AS n FROM users'))[0].n);
  // The view a first visit opens: no link parameters, the default churn bands.
  const { spec } = specFromParams(new URLSearchParams(), DEFAULT_OVERVIEW.churn);
  const preview: DashboardCache = {
    dataset: demoStamp(JSON.stringify(DEFAULT_PARAMS), events, users),
    spec: specKey(spec),
    currency: 'USD',
    results: await overviewFigures(db, spec),
    savedAt: 0,
    preview: true,
  };
  process.stdout.write(JSON.stringify(preview));
} finally {
  await db.close();
}
