// The Overview dashboard: spec, per-panel SQL builders and decoders, and a registry the UI and benchmark iterate.
import type { Table } from 'apache-arrow';
import { onMainEngine, type Sql } from '../../sql/quote.ts';
import { DEFAULT_OVERVIEW, type OverviewSpec } from './spec.ts';
import { kpisSql, decodeKpisFor, type OverviewKpis } from './kpis.ts';
import { revenueOverTimeSql, decodeRevenueOverTime, type RevenueOverTime } from './revenue-over-time.ts';
import { categoriesSql, decodeCategories, type CategoryPerformance } from './categories.ts';
import { churnSql, decodeChurn, type ChurnBandCount } from './churn.ts';
import { customersScatterSql, decodeCustomersScatter, type CustomersScatter } from './customers-scatter.ts';
import { geographySql, decodeGeography, type GeoRow } from './geography.ts';
import { trafficSourcesSql, decodeTrafficSources, type TrafficSourceRow } from './traffic-sources.ts';

export * from './spec.ts';
export * from './kpis.ts';
export * from './trend.ts';
export * from './revenue-over-time.ts';
export * from './categories.ts';
export { CHURN_BANDS, type ChurnBand } from './buyers.ts';
export * from './churn.ts';
export * from './customers-scatter.ts';
export * from './geography.ts';
export * from './traffic-sources.ts';

/** What a panel may use besides the spec: derived tables the open dataset stores (older datasets lack some). */
export interface PanelContext {
  /** The dataset has session_metrics (the traffic-sources panel then reads it: same answers, far less work). */
  sessionMetrics?: boolean;
  /**
   * user_metrics accounts for every event with a user (`USER_METRICS_COVER_SQL`): the KPI row over all time then
   * reads its per-user figures from it instead of grouping the events by user.
   */
  userMetrics?: boolean;
}

/**
 * Panel name -> SQL builder, in dashboard order; every builder is pure and takes the spec (and the context). The KPI
 * row and the geography panel run on the main engine even when the page's threaded reader could answer them: in the
 * page they took 1.4-1.8x longer on the reader's two threads than on the main engine's one, at 1M and at 10M events
 * (README, "Speed"; the distinct counts of an ungrouped or joined aggregate gain nothing from DuckDB-WASM's threads).
 */
export const OVERVIEW_PANELS = {
  kpis: (spec: OverviewSpec, ctx: PanelContext = {}) => onMainEngine(kpisSql(spec, ctx.userMetrics === true)),
  revenueOverTime: revenueOverTimeSql,
  categories: categoriesSql,
  churn: churnSql,
  customers: (spec: OverviewSpec) => customersScatterSql(spec),
  geography: (spec: OverviewSpec) => onMainEngine(geographySql(spec)),
  trafficSources: (spec: OverviewSpec, ctx: PanelContext = {}) => trafficSourcesSql(spec, ctx.sessionMetrics === true),
} as const satisfies Record<string, (spec: OverviewSpec, ctx?: PanelContext) => Sql>;

/** A panel's name. */
export type OverviewPanel = keyof typeof OVERVIEW_PANELS;

/** Each panel as a sentence names it, after "the Overview's" (the Datasets screen's engine line). */
export const OVERVIEW_PANEL_NAMES: { readonly [K in OverviewPanel]: string } = {
  kpis: 'KPI row',
  revenueOverTime: 'revenue chart',
  categories: 'category panel',
  churn: 'churn panel',
  customers: 'customers chart',
  geography: 'geography panel',
  trafficSources: 'traffic sources panel',
};

/** The panels whose statements ask for the main engine (Sql.engine), in dashboard order, by OVERVIEW_PANEL_NAMES. */
export function mainEnginePanels(): string[] {
  const names = Object.keys(OVERVIEW_PANELS) as OverviewPanel[];
  return names.filter((k) => OVERVIEW_PANELS[k](DEFAULT_OVERVIEW).engine === 'main').map((k) => OVERVIEW_PANEL_NAMES[k]);
}

/** Each panel's decoded result type. */
export interface OverviewResults {
  kpis: OverviewKpis;
  revenueOverTime: RevenueOverTime;
  categories: CategoryPerformance[];
  churn: ChurnBandCount[];
  customers: CustomersScatter;
  geography: GeoRow[];
  trafficSources: TrafficSourceRow[];
}

/** Panel name -> decoder for that panel's result table (the spec it ran with: the KPIs' comparison dates). */
export const OVERVIEW_DECODERS: { readonly [K in OverviewPanel]: (table: Table, spec: OverviewSpec) => OverviewResults[K] } = {
  kpis: decodeKpisFor,
  revenueOverTime: (t, spec) => decodeRevenueOverTime(t, spec),
  categories: decodeCategories,
  churn: decodeChurn,
  customers: decodeCustomersScatter,
  geography: decodeGeography,
  trafficSources: decodeTrafficSources,
};
