// Playwright: the production build (dist/) in Chromium — Debian's, CHROMIUM_PATH, or Playwright's own.
import { defineConfig } from '@playwright/test';
import type { ReaderFixtures } from './fixtures.ts';
import { chromiumPath, LAUNCH_ARGS } from './browser.ts';

/**
 * Specs that import big files, fault the engine or keep the engine busy for long (live mode): at most one of them
 * runs at a time (a large NDJSON conversion beside the live spec was seen to crash its renderer on 2 cores).
 */
const IMPORT_HEAVY = ['**/faults.spec.ts', '**/import.spec.ts', '**/import-formats.spec.ts', '**/import-malformed.spec.ts', '**/live.spec.ts'];

/** The port the production build is served on for the tests (E2E_PORT overrides it). */
const PORT = Number(process.env.E2E_PORT ?? 4180);
/** The same build served cross-origin isolated (COOP / COEP, as `npm start` serves it), on the next port. */
const ISOLATED_PORT = PORT + 1;

/**
 * The isolated server with the threaded reader answering whatever the dataset's size: the reader's own spec, plus
 * from each analysis spec the tests tagged `@reader` (its default view against Node, Show SQL and the CSV; the
 * Funnels' breakdown too). The rest of those specs run once, on the plain server: the reader runs the very same
 * statements (threads.spec.ts compares every benchmarked one, reader against main engine, row for row), so running
 * every screen test twice tested the same answers twice (~650 s of a 2-core CI machine's test time; session 26).
 */
const ON_READER = ['**/threads.spec.ts', '**/overview.spec.ts', '**/funnels.spec.ts', '**/journeys.spec.ts', '**/retention.spec.ts', '**/pivot.spec.ts'];

export default defineConfig<ReaderFixtures>({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // One demo-profile template per origin for the whole run, shared by the workers (demo-profile.ts).
  globalSetup: './global-setup.ts',
  outputDir: '../test-results/artifacts',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  // Two workers: spec files run side by side (each test has its own context or profile). A third was measured to
  // gain nothing (22.5 min with two, 23.3 with three: the 2 cores are the limit), and one no less (18 tests of the
  // Retention, Pivot and Journeys specs: 197 s with one, 241 with two, each worker then making its own demo profile;
  // session 25): the CPU each test costs is what counts (`liftoff` in fixtures.ts). The import-heavy specs form a
  // project of their own that runs one test at a time: two big imports or conversions at once on a 2-core machine
  // were measured to crash a renderer ("Page crashed").
  workers: Number(process.env.E2E_WORKERS ?? 2),
  projects: [
    { name: 'imports', testMatch: IMPORT_HEAVY, workers: 1, use: { liftoff: false } },
    // The other two projects hand out single tests, not whole files: every test has its own profile or takes its
    // turn in its worker's shared browser (fixtures.ts), so a file's tests need not share a worker, and the run does
    // not end with one long file (threads.spec.ts, ~150 s) on one worker while the other idles (session 27: ~150 s
    // of a CI run's end).
    { name: 'screens', testIgnore: [...IMPORT_HEAVY, '**/threads.spec.ts'], fullyParallel: true },
    { name: 'threads', testMatch: ON_READER, grep: /@reader|threads\.spec\.ts/, fullyParallel: true, use: { baseURL: `http://127.0.0.1:${ISOLATED_PORT}/`, readerOn: true } },
  ],
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: '../test-results/e2e.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    launchOptions: {
      executablePath: chromiumPath(),
      args: LAUNCH_ARGS,
    },
    viewport: { width: 1400, height: 900 },
    trace: 'off',
  },
  webServer: [
    { command: `node serve.mjs ${PORT}`, url: `http://127.0.0.1:${PORT}/`, reuseExistingServer: false, timeout: 60_000 },
    {
      command: `node serve.mjs ${ISOLATED_PORT}`,
      env: { E2E_ISOLATE: '1' },
      url: `http://127.0.0.1:${ISOLATED_PORT}/`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
