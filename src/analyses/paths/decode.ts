// Decode the journeys statements into typed results: the top paths with their totals, and the Sankey's nodes and
// links (an "Other" node per step stays apart from any real event type that happens to be named "Other").
import type { Table } from 'apache-arrow';
import { toRows, type Row } from '../../lib/rows.ts';

/** One whole path and who took it. */
export interface PathRow {
  /** Event types in step order. */
  steps: string[];
  /** Distinct users with at least one session on exactly this path. */
  users: number;
  /** Sessions on exactly this path. */
  sessions: number;
  /** users / users with any session containing the event. */
  share: number;
}

/** The top paths and what they are a share of. */
export interface PathsTop {
  rows: PathRow[];
  /** Distinct users with at least one session containing the event (the share's denominator). */
  totalUsers: number;
  /** Sessions containing the event. */
  totalSessions: number;
  /** Distinct paths among them (the table lists the most common). */
  totalPaths: number;
}

/** A Sankey node: an event type (or the step's "Other" bucket) at a step. */
export interface SankeyNode {
  /** Unique among the nodes: step and type ("Other" nodes get a key no type can have). */
  id: string;
  /** 1..K. */
  step: number;
  /** The event type; null for the step's "Other" bucket. */
  type: string | null;
  /** Distinct users with this type at this step. */
  users: number;
}

/** A Sankey link: distinct users moving from one node to a node of the next step. */
export interface SankeyLink {
  source: string;
  target: string;
  users: number;
}

/** The Sankey, nodes by step then users (descending). */
export interface PathsSankey {
  nodes: SankeyNode[];
  links: SankeyLink[];
}

/** The node id of a type at a step. */
export function nodeId(step: number, type: string | null): string {
  return type === null ? `${step}:other` : `${step}=${type}`;
}

/** The present values of step_1, step_2, ... in order (a path's steps are contiguous). */
function stepsOf(r: Row): string[] {
  const out: string[] = [];
  for (let i = 1; `step_${i}` in r; i++) if (r[`step_${i}`] !== null) out.push(String(r[`step_${i}`]));
  return out;
}

/** Decode pathsTopSql's rows. */
export function decodePathsTop(table: Table): PathsTop {
  const raw = toRows(table);
  const rows = raw.map((r) => ({
    steps: stepsOf(r),
    users: Number(r.users),
    sessions: Number(r.sessions),
    share: Number(r.share),
  }));
  const first = raw[0];
  return {
    rows,
    totalUsers: first ? Number(first.total_users) : 0,
    totalSessions: first ? Number(first.total_sessions) : 0,
    totalPaths: first ? Number(first.total_paths) : 0,
  };
}

/** Decode pathsSankeySql's rows. */
export function decodePathsSankey(table: Table): PathsSankey {
  const nodes: SankeyNode[] = [];
  const links: SankeyLink[] = [];
  const type = (v: unknown) => (v === null ? null : String(v));
  for (const r of toRows(table)) {
    const step = Number(r.step);
    if (r.kind === 'node') {
      nodes.push({ id: nodeId(step, type(r.target)), step, type: type(r.target), users: Number(r.users) });
    } else {
      links.push({ source: nodeId(step, type(r.source)), target: nodeId(step + 1, type(r.target)), users: Number(r.users) });
    }
  }
  return { nodes, links };
}
