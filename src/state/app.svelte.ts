// Application state: the database, the stored datasets and the current one, long-running work and its progress.
// Two promises it keeps: writes to the stored database run one at a time (never interleaved), and a dead engine
// is restarted from the stored file within seconds, with the user told what happened.
import { writeChurnBand, writePredictions, type BandCutoffs, type PredictionWrite } from '../data/predictions-store.ts';
import { openBrowserDb, type BrowserDb } from '../db/browser-db.ts';
import { QueryCoordinator } from '../db/coordinator.ts';
import { deleteInsight, listInsights, orderInsights, saveInsight, type SavedInsight } from '../data/insights-store.ts';
import { DEFAULT_PARAMS, type GenParams } from '../data/generator/params.ts';
import {
  checkpoint, createDataset, currentDatasetId, deleteDataset, ensureCatalog, listDatasets, readCurrency, renameDataset, repairCatalog, useDataset, writeCurrency,
  type DatasetRecord, type Repair,
} from '../data/datasets.ts';
import { generateShopInBrowser, Cancelled, type LoadProgress } from './generate.ts';
import { clearDashboardCache, readDashboardCache, type DashboardCache } from './dashboard-cache.ts';
import { ImportSession } from './import.svelte.ts';
import { acquireDbLock } from './lock.ts';
import { requestPersistentStorage } from '../lib/storage.ts';
import { noStoredDatabase } from '../lib/opfs-file.ts';
import { messageOf, StrataError } from '../errors.ts';
import { isEngineStopped, isStorageFull, readableEngineError, STORAGE_FULL } from '../db/engine-faults.ts';
import { fmtInt, setMoneyCurrency } from '../lib/format.ts';
import { currencyCode } from '../data/import/currency.ts';
import { literal, sql, type Sql } from '../sql/quote.ts';
import type { Db } from '../db/types.ts';
import { decodeFields, fieldsSql } from '../analyses/fields.ts';
import { segmentMembersSql } from '../analyses/segments/custom.ts';
import { writeClusterSegmentation } from '../data/cluster-store.ts';
import {
  builtinAvailability, builtinsContext, builtinsToCompute, computeBuiltinSegmentations, storedOptions, type ComputeOutcome,
} from '../data/segments-compute.ts';
import { ensureSessionMetrics } from '../data/session-metrics.ts';
import { deleteSegmentation, listSegmentations, segmentColumn, writeSegmentation, type SegmentationRecord } from '../data/segments-store.ts';
import { LiveController } from './live.svelte.ts';

/** What `writing` says while a shop is being generated. */
export const GENERATE_WRITE = 'generating a shop';

/** What `writing` says while segmentations are being computed: background work that user writes wait for. */
export const SEGMENT_WRITE = 'computing segments';

/** A segment the user saves: a name, the users in it, and what produced it. */
export interface NewSegment {
  name: string;
  /** A statement returning the members' user_id (other columns are ignored: members get the name as label). */
  members: Sql;
  /** JSON: { filter } for the segment builder (recomputed when the data changes), { from: … } for a snapshot. */
  definition: string;
  /** Replace a custom segment of the same name (the UI asked first). */
  replace?: boolean;
}

/** Milestones of a cold start, read by the benchmark. */
export interface Timings {
  dbReadyMs?: number;
  datasetReadyMs?: number;
  dashboardMs?: number;
  /** A returning visit: the last visit's Overview figures on screen (before the queries answer). */
  cachedDashboardMs?: number;
}

/** When the stored database cannot be opened: why, and what the user may do about it (nothing is deleted). */
export interface Recovery {
  reason: string;
  /** The file was opened read-only after the user asked: look and export, no changes. */
  readOnly: boolean;
}

/** The single app state object. */
export class AppState {
  db = $state.raw<BrowserDb | null>(null);
  coordinator = $state.raw<QueryCoordinator | null>(null);
  phase = $state<'starting' | 'loading' | 'ready' | 'error'>('starting');
  progress = $state<LoadProgress | null>(null);
  datasets = $state<DatasetRecord[]>([]);
  dataset = $state<DatasetRecord | null>(null);
  /** Bumped on every dataset change: views re-query when it moves. */
  version = $state(0);
  /** The current dataset's currency (ISO 4217), and whether the dataset set it (else the US-dollar default). */
  currency = $state('USD');
  currencySet = $state(false);
  /** What the last `version` bump changed: only the segment tables (a segmentation written), or anything. */
  changed = $state.raw<'segments' | 'all'>('all');
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** Set when this tab could not take the stored database (another tab has it). */
  storage = $state<'persistent' | 'memory-other-tab' | 'memory-unsupported' | 'memory-recovery' | 'read-only'>('persistent');
  /** Set while the stored database cannot be opened (the recovery panel), or is open read-only for recovery. */
  recovery = $state<Recovery | null>(null);
  /** What is changing stored data right now ("an import", "deleting a dataset"…), or null: one write at a time. */
  writing = $state<string | null>(null);
  /** True while a dead engine is being restarted. */
  restarting = $state(false);
  /** The current dataset's stored segmentations (built-in, custom, model), by name. */
  segments = $state<SegmentationRecord[]>([]);
  /** The current dataset's saved insights (named views), in dashboard order. */
  insights = $state<SavedInsight[]>([]);
  /** Every built-in segmentation and whether this dataset supports it (the reason when not). */
  segmentOutcomes = $state<ComputeOutcome[]>([]);
  /** Progress of a segment computation ("RFM segment", 3 of 12), or null. */
  segmentProgress = $state<{ label: string; fraction: number } | null>(null);
  segmentError = $state<string | null>(null);
  /** The current dataset's data fingerprint (a stored segmentation with another one is stale). */
  dataVersion = $state<string | null>(null);
  /** True once the current dataset's segmentations are listed (and computed when they were missing). */
  segmentsReady = $state(false);
  /**
   * The analysis screens' warm start for the open dataset (views/prefetch.ts, started by the shell once segments
   * are ready): running or done for a dataset version; null before.
   */
  prefetch = $state<{ version: number; status: 'running' | 'done' } | null>(null);
  private segmentJob: Promise<void> | null = null;
  private segmentsWanted = false;
  /** Set when computing segments ran out of storage: no automatic retry (it would restart the engine in a loop). */
  private segmentsOutOfSpace = false;
  timings: Timings = {};
  /** The last Overview drawn (a previous visit's figures), shown while the stored dataset opens; see dashboard-cache. */
  lastOverview = $state.raw<DashboardCache | null>(readDashboardCache());
  /** Nothing was stored in this browser when the page opened (so the demo shop is about to be generated). */
  firstVisit = $state(false);
  /** The Import screen's session (files, mappings, report). */
  importer = new ImportSession(() => this.db);
  /** Bumped after every live tick that added rows: the Overview's KPIs re-query (heavy panels wait for `version`). */
  liveVersion = $state(0);
  /** Live mode on the demo shop. */
  live = new LiveController({
    get db() { return app.db; },
    get dataset() { return app.dataset; },
    get refreshing() { return app.writing === SEGMENT_WRITE; },
    dataAppended: () => {
      this.coordinator?.invalidate();
      this.liveVersion++;
    },
    refreshAll: () => {
      this.coordinator?.invalidate();
      this.changed = 'all';
      this.version++;
      void this.refreshSegments();
      const db = this.db;
      if (db) void listDatasets(db).then((d) => (this.datasets = d)).catch(() => undefined);
    },
  });
  private abort: AbortController | null = null;
  private owner = false;
  /** The pending restart is for a full storage (afterStorageFull). */
  private spaceRestart = false;
  /** A restart's catalog repair was refused for space: it runs before the next change. */
  private repairPending = false;

  /** Start DuckDB, open the stored datasets (or generate the demo shop on a first visit). */
  async boot(): Promise<void> {
    // A first visit (nothing stored yet) shows the demo shop's figures, worked out when this build was made, while
    // DuckDB starts and the same shop is generated here (they are replaced panel by panel as the queries answer).
    if (!this.lastOverview) void this.firstVisitPreview();
    try {
      this.owner = await acquireDbLock();
      const db = await this.openEngine(this.owner);
      if (!db) return; // the recovery panel is showing
      this.timings.dbReadyMs = performance.now();
      await this.attach(db);
      if (this.dataset) {
        this.timings.datasetReadyMs ??= performance.now();
        this.phase = 'ready';
      } else {
        this.phase = 'ready';
        await this.generate(DEFAULT_PARAMS);
      }
    } catch (err) {
      this.phase = 'error';
      this.error = 'Strata could not start its database: ' + messageOf(err);
    }
  }

  /** On a first visit (no stored database file yet), the build's preview of the default demo shop's Overview. */
  private async firstVisitPreview(): Promise<void> {
    try {
      if (!(await noStoredDatabase())) return;
      this.firstVisit = true;
      const { default: preview } = await import('virtual:demo-overview');
      // Only while nothing else is showing: the engine is starting or generating that shop.
      if (!this.dataset && !this.lastOverview && (this.phase === 'starting' || this.phase === 'loading')) this.lastOverview = preview;
    } catch (err) {
      console.warn('No demo preview:', messageOf(err)); // the first visit then waits for the generated shop
    }
  }

  /**
   * Open the engine on the stored file. When OPFS exists but the file will not open (damaged, or a dying tab
   * still holds it), retry briefly, then show the recovery panel instead of silently working in memory.
   */
  private async openEngine(persist: boolean): Promise<BrowserDb | null> {
    if (!persist) {
      if (this.storage === 'persistent') this.storage = 'memory-other-tab';
      return openBrowserDb({ persist: false });
    }
    let lastError = '';
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const db = await openBrowserDb({ persist: true, strict: true });
        this.storage = 'persistent';
        void requestPersistentStorage().catch(() => false);
        return db;
      } catch (err) {
        lastError = readableEngineError(messageOf(err));
        console.warn(`Opening the stored database failed (attempt ${attempt + 1}):`, lastError);
        if (typeof navigator.storage?.getDirectory !== 'function') break; // no OPFS in this browser at all
        // Only a file still held by a dying worker (a restart, a tab closing) is worth waiting for.
        if (!/NoModificationAllowed|Access Handles? cannot|being used|locked|InvalidState/i.test(lastError)) break;
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
    if (typeof navigator.storage?.getDirectory !== 'function') {
      this.storage = 'memory-unsupported';
      return openBrowserDb({ persist: false });
    }
    this.recovery = { reason: lastError, readOnly: false };
    this.phase = 'error';
    return null;
  }

  /** Take a freshly opened engine into use: catalog, repair, datasets, the current one; restart it if it dies. */
  private async attach(db: BrowserDb, restarted = false): Promise<void> {
    this.db = db;
    // Live mode drops every cached value at each tick: nothing big is loaded for later meanwhile.
    this.coordinator = new QueryCoordinator(db, undefined, () => this.live.status !== 'running');
    void db.stopped.then((reason) => {
      if (this.db === db) void this.restart(reason);
    });
    let repair: Repair | null = null;
    if (!db.info.readOnly) {
      await ensureCatalog(db);
      // A restart often follows a write the browser refused for space (the trap it caused is then the reason
      // given): its repair must not need space, so it stays in the write-ahead log (the next change checkpoints
      // it). Refused even so, what the failed change left behind is not listed anyway: it is repaired before the
      // next change (write()), once there may be space again.
      try {
        repair = await repairCatalog(db, { checkpoint: !restarted });
        this.repairPending = false;
      } catch (err) {
        if (!restarted || !isStorageFull(messageOf(err))) throw err;
        this.repairPending = true;
      }
    }
    this.datasets = await listDatasets(db);
    const current = await currentDatasetId(db);
    const order = [...this.datasets].sort((a, b) => (a.id === current ? -1 : b.id === current ? 1 : 0));
    this.dataset = null;
    for (const rec of order) {
      try {
        await this.activate(rec);
        break;
      } catch (err) {
        if (isEngineStopped(messageOf(err))) throw err;
        this.error = `Could not open “${rec.name}”: ${messageOf(err)}`;
      }
    }
    if (repair?.removedRows.length) {
      this.notice = `An interrupted change was cleaned up: ${repair.removedRows.map((n) => `“${n}”`).join(', ')} had not finished saving and is no longer listed. Your other datasets are intact.`;
    }
  }

  private async activate(rec: DatasetRecord): Promise<void> {
    const db = this.db!;
    if (db.info.readOnly) await db.exec(`SET schema = ${literal(rec.schema)}`); // a read-only file keeps its settings
    else await useDataset(db, rec);
    this.coordinator?.invalidate();
    const code = currencyCode(await readCurrency(db, rec.id).catch(() => null));
    setMoneyCurrency(code ?? 'USD');
    this.currency = code ?? 'USD';
    this.currencySet = code !== null;
    this.dataset = rec;
    this.segments = [];
    this.segmentOutcomes = [];
    this.segmentError = null;
    this.dataVersion = null;
    this.segmentsReady = false;
    this.changed = 'all';
    this.version++;
    this.segmentsWanted = true;
    if (!this.writing) queueMicrotask(() => void this.refreshSegments());
    void this.live.attach(rec);
    this.insights = [];
    void this.loadInsights();
  }

  /**
   * The engine died (a WebAssembly trap, the worker killed or silent): throw it away, open a new one on the stored
   * file, repair the catalog and reopen the current dataset. Whatever was running fails; stored data is intact
   * because every write is atomic.
   */
  async restart(reason: string): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    const t0 = performance.now();
    const old = this.db;
    this.db = null;
    this.coordinator = null;
    this.abort?.abort();
    this.importer.engineLost();
    this.notice = null;
    this.error = `The database engine stopped (${short(reason)}). Restarting it from the stored file…`;
    await old?.close().catch(() => undefined);
    try {
      const db = this.recovery?.readOnly
        ? await openBrowserDb({ persist: true, strict: true, readOnly: true })
        : await this.openEngine(this.owner);
      if (!db) return;
      await this.attach(db, true);
      this.error = null;
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      this.notice =
        `The database engine stopped (${short(reason)}) and was restarted from the stored file in ${s} s. ` +
        'Your stored datasets are intact; the action that was running did not complete.';
      this.phase = 'ready';
      this.changed = 'all';
      this.version++;
      void this.importer.engineBack();
    } catch (err) {
      this.phase = 'error';
      this.error = 'The database engine stopped and could not be restarted: ' + messageOf(err) + ' Reload the page.';
    } finally {
      this.restarting = false;
      // The reopened dataset's segmentations (activate() asked for them while the restart was still under way).
      // After a restart for a full storage only their list: computing now would write into the full storage again;
      // they stay wanted, so the next change (once there is space) computes them.
      const forSpace = this.spaceRestart;
      this.spaceRestart = false;
      if (this.segmentsWanted && this.db && this.phase === 'ready') {
        if (forSpace) void this.listSegments();
        else queueMicrotask(() => void this.refreshSegments());
      }
    }
  }

  /** List the current dataset's stored segmentations without computing any (no write). */
  private async listSegments(): Promise<void> {
    const db = this.db;
    const rec = this.dataset;
    if (!db || !rec) return;
    const list = await listSegmentations(db).catch(() => []);
    if (this.db !== db || this.dataset !== rec) return;
    this.segments = list;
    this.segmentsReady = true;
  }

  /** Run one write to the stored database; refused with a clear message while another one runs. */
  private async write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    // Live mode pauses for any other change (a generation, an import, a deletion): its ticks write too.
    if (this.live.status === 'running') await this.live.pause();
    // Segment computation is background work: a change the user asked for waits for it instead of being refused.
    while (this.writing === SEGMENT_WRITE && this.segmentJob) await this.segmentJob.catch(() => undefined);
    if (this.writing) throw new StrataError(`Please wait: ${this.writing} is still running. Strata saves one change at a time (or cancel it first).`);
    if (this.db?.info.readOnly) throw new StrataError('The stored database is open read-only for recovery: nothing can be changed.');
    this.writing = what;
    try {
      if (this.repairPending && this.db) {
        await repairCatalog(this.db);
        this.repairPending = false;
      }
      return await fn();
    } catch (err) {
      const msg = messageOf(err);
      if (isStorageFull(msg)) {
        this.afterStorageFull();
        throw new StrataError(STORAGE_FULL, msg, { cause: err });
      }
      throw err;
    } finally {
      this.writing = null;
      if (this.segmentsWanted) queueMicrotask(() => void this.refreshSegments());
    }
  }

  /**
   * Bring the current dataset's segmentations up to date: compute every supported built-in that is missing or was
   * computed from other data (and re-run custom builder segments then), or just `only` with new `options` (a
   * threshold change touches only its segmentation). Runs on a connection of its own, one write at a time.
   */
  async refreshSegments(req: { only?: string[]; options?: Record<string, unknown>; retry?: boolean } = {}): Promise<void> {
    const db = this.db;
    const rec = this.dataset;
    // While the engine restarts, wait for it: restart() runs this again once the new engine holds the dataset.
    if (!db || this.restarting) {
      if (!req.only) this.segmentsWanted = true;
      return;
    }
    if (!req.only) this.segmentsWanted = false;
    if (!rec) return;
    if (req.retry || req.only) this.segmentsOutOfSpace = false;
    else if (this.segmentsOutOfSpace) {
      this.segmentError = `Segments were not computed: ${STORAGE_FULL}`;
      this.segments = await listSegmentations(db).catch(() => []);
      this.segmentsReady = true;
      return;
    }
    while (this.writing === SEGMENT_WRITE && this.segmentJob) {
      if (!req.only) {
        // Already on it, but the data may have changed since that run read it: run again after it (only the
        // segmentations whose data fingerprint moved are recomputed then).
        this.segmentsWanted = true;
        return;
      }
      await this.segmentJob.catch(() => undefined);
    }
    if (this.writing) {
      if (req.only) throw new StrataError(`Please wait: ${this.writing} is still running. Strata saves one change at a time.`);
      this.segmentsWanted = true;
      return;
    }
    if (db.info.readOnly) {
      this.segments = await listSegmentations(db).catch(() => []);
      this.segmentsReady = true;
      return;
    }
    this.writing = SEGMENT_WRITE;
    this.segmentError = null;
    const job = (async () => {
      const work = await db.fork();
      try {
        await work.exec(`SET schema = ${literal(rec.schema)}`);
        // A dataset stored before session_metrics existed gets it now (the traffic-sources panel reads the events
        // until then, and again on any failure here: the table only makes that panel faster).
        const sessionsBuilt = req.only ? false : await ensureSessionMetrics(work, rec.schema).catch(() => false);
        if (sessionsBuilt) this.coordinator?.invalidateWhere((text) => text.includes('session_metrics'));
        const records = await listSegmentations(work);
        // Read once, for the listing and the computation alike.
        const context = await builtinsContext(work);
        const available = await builtinAvailability(work, context);
        const fingerprint = context.schema.fingerprint;
        const ids = req.only ?? builtinsToCompute(available, records, fingerprint);
        const options = { ...storedOptions(records), ...req.options };
        const stale = req.only ? [] : records.filter((r) => r.kind === 'custom' && r.dataVersion !== fingerprint && isFilterDefinition(r.definition));
        if (ids.length) {
          await computeBuiltinSegmentations(work, options, ids, (label, i, n) => (this.segmentProgress = { label, fraction: i / n }), { context });
        }
        for (const r of stale) {
          this.segmentProgress = { label: r.name, fraction: 1 };
          await recomputeCustom(work, r);
        }
        // The stored file holds them only after a checkpoint (DuckDB-WASM's WAL does not survive a reload reliably).
        if (ids.length || stale.length || sessionsBuilt) await checkpoint(work);
        if (this.dataset !== rec) return;
        this.segmentOutcomes = available;
        this.segments = await listSegmentations(work);
        this.dataVersion = fingerprint;
        this.segmentsReady = true;
        if (ids.length || stale.length) this.segmentsChanged();
      } finally {
        this.segmentProgress = null;
        await work.close().catch(() => undefined);
      }
    })();
    this.segmentJob = job;
    try {
      await job;
    } catch (err) {
      const msg = messageOf(err);
      if (!isEngineStopped(msg)) this.segmentError = `Segments could not be computed: ${msg}`;
      if (isStorageFull(msg)) {
        this.segmentError = `Segments could not be computed: ${STORAGE_FULL}`;
        this.segmentsOutOfSpace = true;
        this.afterStorageFull();
      }
      if (req.only) throw err;
    } finally {
      this.segmentJob = null;
      if (this.writing === SEGMENT_WRITE) this.writing = null;
      if (this.segmentsWanted) queueMicrotask(() => void this.refreshSegments());
    }
  }

  /** Segment columns changed: drop cached results that read them and let views re-query (others hit the cache). */
  private segmentsChanged(): void {
    this.coordinator?.invalidateWhere((text) => text.includes('user_segments'));
    this.changed = 'segments';
    this.version++;
  }

  /** Save a segment (the builder, or users listed on a screen) as a segmentation of the current dataset. */
  /** Read the current dataset's saved insights (none on a read-only recovery copy that has no table for them). */
  async loadInsights(): Promise<void> {
    const db = this.db;
    const rec = this.dataset;
    if (!db || !rec) return;
    try {
      const list = await listInsights(db);
      if (this.dataset === rec) this.insights = list;
    } catch {
      if (this.dataset === rec) this.insights = [];
    }
  }

  /** Save a screen's view by name into the current dataset (checkpointed: it survives closing the browser). */
  async saveInsight(v: { name: string; screen: string; query: string; replace?: boolean }): Promise<SavedInsight> {
    const db = this.db;
    if (!db || !this.dataset) throw new StrataError('Open a dataset first.');
    return this.write('saving an insight', async () => {
      const saved = await saveInsight(db, v);
      this.insights = await listInsights(db);
      await checkpoint(db);
      return saved;
    });
  }

  async removeInsight(id: number): Promise<void> {
    const db = this.db;
    if (!db) return;
    await this.write('removing an insight', async () => {
      await deleteInsight(db, id);
      this.insights = await listInsights(db);
      await checkpoint(db);
    });
  }

  /** Put the dashboard's insights in this order. */
  async orderInsights(ids: readonly number[]): Promise<void> {
    const db = this.db;
    if (!db) return;
    await this.write('arranging the dashboard', async () => {
      await orderInsights(db, ids);
      this.insights = await listInsights(db);
      await checkpoint(db);
    });
  }

  async saveSegment(seg: NewSegment): Promise<SegmentationRecord> {
    const db = this.db;
    if (!db || !this.dataset) throw new StrataError('Open a dataset first.');
    const name = seg.name.trim();
    if (!name) throw new StrataError('Give the segment a name.');
    if (name.length > 80) throw new StrataError('A segment name has at most 80 characters.');
    const column = customColumn(name, this.segments);
    const taken = this.segments.find((r) => r.column === column);
    if (taken && (taken.kind !== 'custom' || taken.name !== name)) {
      throw new StrataError(`“${taken.name}” already uses that name: pick another.`);
    }
    if (taken && !seg.replace) throw new StrataError(`A segment named “${name}” exists. Replace it, or pick another name.`);
    return this.write('saving a segment', async () => {
      await writeSegmentation(db, { column, name, kind: 'custom', type: 'label', definition: seg.definition }, valuesFor(name, seg.members));
      await checkpoint(db);
      this.segments = await listSegmentations(db);
      this.segmentsChanged();
      return this.segments.find((r) => r.column === column)!;
    });
  }

  /** Save a clustering run's labels (user_id order) as a model segmentation of the current dataset. */
  async saveClusters(rec: { column: string; name: string; definition: string }, userIds: readonly string[], labels: Int32Array, names: readonly string[]): Promise<SegmentationRecord> {
    const db = this.db;
    if (!db || !this.dataset) throw new StrataError('Open a dataset first.');
    const taken = this.segments.find((r) => r.column === rec.column);
    if (taken && taken.kind !== 'model') throw new StrataError(`“${taken.name}” already uses that name: pick another.`);
    return this.write('saving clusters', async () => {
      await writeClusterSegmentation(db, rec, userIds, labels, names);
      await checkpoint(db);
      this.segments = await listSegmentations(db);
      this.segmentsChanged();
      return this.segments.find((r) => r.column === rec.column)!;
    });
  }

  /** Store the prediction models' scores and the churn band as user fields (see predictions-store.ts). */
  async savePredictions(w: PredictionWrite): Promise<string[]> {
    const db = this.db;
    if (!db || !this.dataset) throw new StrataError('Open a dataset first.');
    return this.write('saving predictions', async () => {
      const cols = await writePredictions(db, w);
      await checkpoint(db);
      this.segments = await listSegmentations(db);
      this.segmentsChanged();
      return cols;
    });
  }

  /** Re-cut the stored churn probabilities into bands after a cut-off edit. */
  async saveChurnBand(band: BandCutoffs, definition: string): Promise<void> {
    const db = this.db;
    if (!db || !this.dataset) throw new StrataError('Open a dataset first.');
    await this.write('saving the churn bands', async () => {
      await writeChurnBand(db, band, definition);
      await checkpoint(db);
      this.segments = await listSegmentations(db);
      this.segmentsChanged();
    });
  }

  /** Delete a custom (or model) segmentation. Built-ins are recomputed, not deleted. */
  async deleteSegment(column: string): Promise<void> {
    const db = this.db;
    const r = this.segments.find((x) => x.column === column);
    if (!db || !r) return;
    if (r.kind === 'builtin') throw new StrataError('Built-in segmentations cannot be deleted; change their thresholds instead.');
    await this.write('deleting a segment', async () => {
      await deleteSegmentation(db, column);
      await checkpoint(db);
      this.segments = await listSegmentations(db);
      this.segmentsChanged();
    });
  }

  /**
   * A write the browser refused for lack of space can leave DuckDB-WASM's in-memory state out of step with its
   * file (measured: the next statement traps with "null function"), so the engine restarts from the stored file.
   */
  private afterStorageFull(): void {
    const db = this.db;
    this.spaceRestart = true;
    queueMicrotask(() => {
      if (this.db === db) void this.restart("the browser's storage was full during a write");
    });
  }

  /** Generate a shop as a new dataset; on failure or cancel the previous dataset stays. */
  async generate(params: GenParams): Promise<void> {
    const db = this.db;
    if (!db || this.abort) return;
    if (this.writing && this.writing !== SEGMENT_WRITE) {
      this.error = `Please wait: ${this.writing} is still running. Strata saves one change at a time.`;
      return;
    }
    const abort = (this.abort = new AbortController());
    this.phase = 'loading';
    this.error = null;
    this.notice = null;
    this.progress = { label: 'Starting', fraction: 0 };
    try {
      await this.write(GENERATE_WRITE, async () => {
        const work = await db.fork();
        abort.signal.addEventListener('abort', () => void work.cancel().catch(() => undefined));
        if (abort.signal.aborted) await work.cancel();
        try {
          const name = `Demo shop · ${fmtInt(params.users)} users · ${params.days} days · seed ${params.seed}`;
          const rec = await createDataset(work, { name, kind: 'demo', meta: JSON.stringify(params) }, async () => {
            await generateShopInBrowser(work, params, (p) => (this.progress = p), abort.signal);
          }, { main: db, release: () => work.close() });
          await this.activate(rec);
          this.datasets = await listDatasets(db);
          this.timings.datasetReadyMs ??= performance.now();
        } finally {
          await work.close().catch(() => undefined);
        }
      });
    } catch (err) {
      const msg = messageOf(err);
      if (err instanceof Cancelled || abort.signal.aborted) {
        if (!this.restarting && !isEngineStopped(msg)) this.notice = 'Generation cancelled — nothing was changed.';
      } else if (!isEngineStopped(msg)) this.error = msg;
    } finally {
      if (this.phase === 'loading') this.phase = 'ready';
      this.abort = null;
      this.progress = null;
    }
  }

  /** Import the Import screen's files as a new dataset and open it; one write at a time, like every change. */
  async importData(): Promise<DatasetRecord | null> {
    const db = this.db;
    if (!db || this.importer.stage === 'importing') return null;
    if (this.writing && this.writing !== SEGMENT_WRITE) {
      this.importer.error = `Please wait: ${this.writing} is still running. Strata saves one change at a time.`;
      return null;
    }
    try {
      return await this.write('an import', async () => {
        const rec = await this.importer.run(db);
        if (!rec && this.importer.error === STORAGE_FULL) this.afterStorageFull();
        if (rec) {
          await this.activate(rec);
          this.datasets = await listDatasets(db);
        }
        return rec;
      });
    } catch (err) {
      this.importer.error = messageOf(err);
      return null;
    }
  }

  /** Show the current dataset's money in `code` (ISO 4217), stored with the dataset; every screen redraws. */
  async setCurrency(code: string): Promise<void> {
    const db = this.db;
    const rec = this.dataset;
    const valid = currencyCode(code);
    if (!db || !rec) return;
    if (!valid) throw new StrataError(`“${code}” is not a currency code this browser knows (three letters, such as GBP or EUR).`);
    await this.write('setting the currency', async () => {
      await writeCurrency(db, rec.id, valid);
      await checkpoint(db);
    });
    setMoneyCurrency(valid);
    this.currency = valid;
    this.currencySet = true;
    this.version++;
  }

  /** Switch to another stored dataset. */
  async switchTo(id: number): Promise<void> {
    const rec = this.datasets.find((d) => d.id === id);
    if (!rec || !this.db) return;
    try {
      await this.write('opening a dataset', async () => {
        await this.activate(rec);
        // Which dataset is current is a settings row: checkpointed at once, so closing the browser right after
        // opening one still reopens it (DuckDB-WASM's write-ahead log does not survive a reload reliably; before,
        // the next launch showed the dataset from before, once in two tries).
        if (this.db && !this.db.info.readOnly) await checkpoint(this.db);
      });
    } catch (err) {
      this.error = `Could not open “${rec.name}”: ${messageOf(err)}`;
    }
  }

  /** Rename a stored dataset. */
  async rename(id: number, name: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    await this.write('renaming a dataset', async () => {
      await renameDataset(db, id, name);
      this.datasets = await listDatasets(db);
      if (this.dataset?.id === id) this.dataset = this.datasets.find((d) => d.id === id) ?? null;
    });
  }

  /** Delete a stored dataset; if it was current, the next one (if any) becomes current. */
  async remove(id: number): Promise<void> {
    const db = this.db;
    const rec = this.datasets.find((d) => d.id === id);
    if (!db || !rec) return;
    await this.write('deleting a dataset', async () => {
      const next = this.datasets.find((d) => d.id !== id) ?? null;
      if (this.dataset?.id === id) {
        if (next) await this.activate(next);
        else {
          await db.exec("SET schema = 'main'");
          this.dataset = null;
          this.changed = 'all';
          this.version++;
        }
      }
      await deleteDataset(db, rec);
      // The last Overview kept for the next visit must not show a deleted dataset's figures, even for a moment.
      if (readDashboardCache()?.dataset.startsWith(`${rec.id}:`)) clearDashboardCache();
      this.datasets = await listDatasets(db);
    });
  }

  /** Cancel the running generation, if any. */
  cancel(): void {
    this.abort?.abort();
  }

  /** Recovery: open the stored file read-only, to look at it and export what it holds. */
  async openReadOnly(): Promise<void> {
    const rec = this.recovery;
    if (!rec) return;
    this.phase = 'starting';
    try {
      const db = await openBrowserDb({ persist: true, strict: true, readOnly: true });
      this.recovery = { ...rec, readOnly: true };
      this.storage = 'read-only';
      await this.attach(db);
      this.phase = 'ready';
    } catch (err) {
      this.recovery = { reason: `${rec.reason} Read-only did not work either: ${readableEngineError(messageOf(err))}`, readOnly: false };
      this.phase = 'error';
    }
  }

  /** Recovery: work in memory for this tab; the stored file is left exactly as it is. */
  async continueInMemory(): Promise<void> {
    if (!this.recovery) return;
    this.phase = 'starting';
    this.storage = 'memory-recovery';
    this.owner = false;
    try {
      const db = await openBrowserDb({ persist: false });
      this.recovery = null;
      await this.attach(db);
      this.phase = 'ready';
      if (!this.dataset) await this.generate(DEFAULT_PARAMS);
    } catch (err) {
      this.phase = 'error';
      this.error = 'Strata could not start its database: ' + messageOf(err);
    }
  }

  /** Whether a generation or any other write is running (buttons that change data are disabled meanwhile). */
  get busy(): boolean {
    return this.phase === 'loading' || (this.writing !== null && this.writing !== SEGMENT_WRITE) || this.restarting;
  }
}

/** Members of a custom segment as the store wants them: each member's value is the segment's name. */
function valuesFor(name: string, members: Sql): Sql {
  return sql`SELECT DISTINCT m.user_id, ${name} AS value FROM (${members}) m WHERE m.user_id IS NOT NULL`;
}

/** Re-run a custom builder segment's stored filter over the current data. */
async function recomputeCustom(db: Db, r: SegmentationRecord): Promise<void> {
  const def = JSON.parse(r.definition!) as { filter: unknown };
  const fq = fieldsSql();
  const fields = decodeFields(await db.query(fq.text, fq.params));
  await writeSegmentation(db, { column: r.column, name: r.name, kind: 'custom', type: 'label', definition: r.definition }, valuesFor(r.name, segmentMembersSql(def.filter, fields)));
}

/** Whether a stored definition is a builder filter (recomputable), not a snapshot of listed users. */
function isFilterDefinition(def: string | null): boolean {
  try {
    const d: unknown = def ? JSON.parse(def) : null;
    return d !== null && typeof d === 'object' && 'filter' in d;
  } catch {
    return false;
  }
}

/** The column for a custom segment's name; a name with no letters or digits gets "segment_<n>". */
function customColumn(name: string, existing: readonly SegmentationRecord[]): string {
  const same = existing.find((r) => r.kind === 'custom' && r.name === name);
  if (same) return same.column;
  try {
    return segmentColumn(name);
  } catch {
    let n = 1;
    while (existing.some((r) => r.column === `segment_${n}`)) n++;
    return `segment_${n}`;
  }
}

function short(reason: string): string {
  const line = reason.split('\n')[0];
  return line.length > 160 ? line.slice(0, 157) + '…' : line;
}

/** The app's one instance. */
export const app = new AppState();
