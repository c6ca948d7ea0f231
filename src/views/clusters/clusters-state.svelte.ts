// The Clusters screen's work: read the feature matrix from DuckDB (numbers only), hand it to the ML worker
// (transferred), follow its progress, cancel by ending the worker, and keep the last run on screen.
import * as Comlink from 'comlink';
import type { MlWorkerApi } from '../../db/protocols.ts';
import { app } from '../../state/app.svelte.ts';
import type { Field } from '../../analyses/fields.ts';
import { toRows } from '../../lib/rows.ts';
import { messageOf, StrataError } from '../../errors.ts';
import {
  checkFeatures, decodeFeatureMatrix, decodeTextStats, featureMatrixSql, textStatsSql, type FeatureColumn,
} from '../../ml/features.ts';
import { summarise, type ColumnSummary } from '../../ml/preprocess.ts';
import type { ClusterRun, ClusterSpec } from '../../ml/pipeline.ts';
import type { KScore } from '../../ml/choose-k.ts';
import type { FilterGroup } from '../../analyses/filter/spec.ts';
import { friendly } from './messages.ts';
import { JobGate } from '../../lib/job-gate.ts';
import { compareSql, decodeComparison, type SegmentComparison } from '../../analyses/segments/compare.ts';

/** The matrix as read: raw values (NaN = missing), its columns and the preview figures. */
export interface FeatureMatrix {
  data: Float64Array;
  rows: number;
  /** The users of the rows, in row order (user_id order). */
  userIds: string[];
  columns: FeatureColumn[];
  summary: ColumnSummary[];
  key: string;
}

export class ClustersState {
  matrix = $state.raw<FeatureMatrix | null>(null);
  matrixError = $state<string | null>(null);
  loadingMatrix = $state(false);
  run = $state.raw<ClusterRun | null>(null);
  /** The users of the run's labels, in label order. */
  runUsers: string[] = [];
  scan = $state.raw<{ scores: KScore[]; k: number; why: string } | null>(null);
  /** What is running ("Clustering", 0.4), or null. */
  progress = $state<{ step: string; fraction: number } | null>(null);
  error = $state<string | null>(null);
  lastMs = $state<number | null>(null);
  kdist = $state.raw<{ distances: Float64Array; suggestedEps: number; k: number } | null>(null);
  comparison = $state.raw<{ a: string; b: string; result: SegmentComparison | null; error: string | null } | null>(null);
  private worker: Worker | null = null;
  private abort: ((err: Error) => void) | null = null;
  /** Drops progress reports that arrive after their job ended (answer, error or Cancel). */
  private gate = new JobGate();

  /** Start a job: its progress callback only shows while it is the current one. */
  private begin(step: string): (step: string, fraction: number) => void {
    this.error = null;
    this.progress = { step, fraction: 0 };
    return this.gate.begin((s: string, f: number) => (this.progress = { step: s, fraction: f }));
  }

  /** End the current job: no progress, no worker, late reports dropped. */
  private end(): void {
    this.gate.end();
    this.progress = null;
    this.stop();
  }

  /** `work`, or a rejection as soon as Cancel is pressed (the ended worker never answers). */
  private cancellable<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, new Promise<never>((_, reject) => (this.abort = reject))]);
  }

  /** The read in flight: a second ask for the same key shares it, and only the latest key's read sets the state. */
  private reading: { key: string; done: Promise<FeatureMatrix | null> } | null = null;

  /** Read the features of the users `users` keeps (cached per feature list, filter and dataset version). */
  loadMatrix(ids: readonly string[], fields: readonly Field[], users: FilterGroup): Promise<FeatureMatrix | null> {
    const key = `${app.version}:${ids.join(',')}:${JSON.stringify(users)}`;
    if (this.matrix?.key === key) return Promise.resolve(this.matrix);
    if (this.reading?.key === key) return this.reading.done;
    const db = app.db;
    if (!db) return Promise.resolve(null);
    // The entry is in place before the read starts, so even a synchronous refusal (a bad feature) is the latest's.
    const entry: { key: string; done: Promise<FeatureMatrix | null> } = { key, done: Promise.resolve(null) };
    this.reading = entry;
    const latest = () => this.reading === entry;
    this.loadingMatrix = true;
    entry.done = (async (): Promise<FeatureMatrix | null> => {
      try {
        const feats = checkFeatures(ids, fields);
        const ts = textStatsSql(feats);
        const stats = decodeTextStats(ts ? toRows(await db.query(ts.text, ts.params)) : [], feats);
        const { sql, columns } = featureMatrixSql(feats, stats, { users, fields });
        const table = await db.query(sql.text, sql.params);
        const { data, userIds } = decodeFeatureMatrix(table, columns);
        const m: FeatureMatrix = { data, rows: table.numRows, userIds, columns, summary: summarise({ data, rows: table.numRows, cols: columns.length }, columns), key };
        if (m.rows === 0) throw new StrataError(users.items.length ? 'No user passes the users filter: loosen it to have users to cluster.' : 'This dataset has no users to cluster.');
        if (latest()) {
          this.matrix = m;
          this.matrixError = null;
        }
        return m;
      } catch (err) {
        if (latest()) {
          this.matrix = null;
          this.matrixError = messageOf(err);
        }
        return null;
      } finally {
        if (latest()) {
          this.reading = null;
          this.loadingMatrix = false;
        }
      }
    })();
    return entry.done;
  }

  private spawn(): Comlink.Remote<MlWorkerApi> {
    this.worker?.terminate();
    const w = new Worker(new URL('../../../workers/ml.worker.ts', import.meta.url), { type: 'module', name: 'ml' });
    // A worker that dies (out of memory, a crash) never answers: fail the call with a message instead of hanging.
    w.addEventListener('error', (e) => {
      e.preventDefault();
      this.abort?.(new StrataError(`The clustering worker stopped (${e.message || 'it ran out of memory or crashed'}). Nothing was changed.`));
    });
    this.worker = w;
    return Comlink.wrap<MlWorkerApi>(w);
  }

  /** Cluster the matrix by `spec` in the worker. */
  async cluster(m: FeatureMatrix, spec: ClusterSpec): Promise<ClusterRun | null> {
    const api = this.spawn();
    const t0 = performance.now();
    const report = this.begin('Starting');
    try {
      const data = m.data.slice(); // the worker gets a copy (transferred); the screen keeps the matrix for the next run
      const r = await this.cancellable(api.run(Comlink.transfer(data, [data.buffer]), m.rows, m.columns.length, m.columns, spec,
        Comlink.proxy(report)));
      this.runUsers = m.userIds;
      this.run = r;
      this.lastMs = performance.now() - t0;
      return r;
    } catch (err) {
      if (this.progress) this.error = friendly(messageOf(err), m);
      return null;
    } finally {
      this.end();
    }
  }

  /** The k = kMin..kMax scan and its recommendation. */
  async scanK(m: FeatureMatrix, opts: { kMin: number; kMax: number; seed: number; preprocessing?: ClusterSpec['preprocessing'] }): Promise<void> {
    const api = this.spawn();
    const report = this.begin('Scanning k');
    try {
      const data = m.data.slice();
      this.scan = await this.cancellable(api.scan(Comlink.transfer(data, [data.buffer]), m.rows, m.columns.length, m.columns, opts,
        Comlink.proxy((done: number, of: number, phase: 'k-means' | 'silhouettes') => phase === 'k-means'
          ? report(`Scanning k: k-means for ${done} of ${of} values of k`, (0.4 * done) / of)
          : report(`Scanning k: silhouettes of all ${of} clusterings (${Math.round((100 * done) / of)}%)`, 0.4 + (0.6 * done) / of))));
    } catch (err) {
      if (this.progress) this.error = messageOf(err);
    } finally {
      this.end();
    }
  }

  /** DBSCAN's k-distance curve (distance of each user to its k-th neighbour, sorted) and the suggested eps. */
  async kDistance(m: FeatureMatrix, k: number, seed: number, preprocessing?: ClusterSpec['preprocessing']): Promise<void> {
    const api = this.spawn();
    this.begin('Neighbour distances');
    try {
      const data = m.data.slice();
      const r = await this.cancellable(api.kDistance(Comlink.transfer(data, [data.buffer]), m.rows, m.columns.length, m.columns, k, seed, preprocessing));
      this.kdist = { ...r, k };
    } catch (err) {
      if (this.progress) this.error = messageOf(err);
    } finally {
      this.end();
    }
  }

  /** Compare two stored segmentations of the users (the contingency table and the adjusted Rand index). */
  async compare(a: string, b: string): Promise<void> {
    const co = app.coordinator;
    if (!co) return;
    this.comparison = { a, b, result: null, error: null };
    try {
      const result = decodeComparison(await co.cached(compareSql(a, b)));
      if (this.comparison?.a === a && this.comparison.b === b) this.comparison = { a, b, result, error: null };
    } catch (err) {
      if (this.comparison?.a === a && this.comparison.b === b) this.comparison = { a, b, result: null, error: messageOf(err) };
    }
  }

  /** Cancel: end the worker now; nothing is stored. */
  cancel(): void {
    if (!this.progress) return;
    this.error = 'Cancelled — nothing was changed.';
    const abort = this.abort;
    this.end();
    abort?.(new Error('Cancelled'));
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.abort = null;
  }
}
