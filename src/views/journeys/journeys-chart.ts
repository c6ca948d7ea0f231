// The Sankey's ECharts option: one column per step (depth = step - 1, so short paths start or end in their own
// column), an event type keeps its colour in every column, "Other" is grey; labels and tooltips are text.
import type { PathsSankey, SankeyNode } from '../../analyses/paths/index.ts';
import { PALETTE, textTooltip, type ChartOption } from '../../components/echarts.ts';
import { fmtInt, fmtPct } from '../../lib/format.ts';

const OTHER_COLOR = '#64748b';

/** What ECharts hands a sankey tooltip formatter (the parts used here). */
interface SankeyTipParam {
  dataType?: string;
  data?: { name?: string; source?: string; target?: string };
  value?: unknown;
  color?: unknown;
}

/** A node's visible name: its event type, or "Other" for the step's bucket. */
export const nodeName = (n: SankeyNode): string => n.type ?? 'Other';

/**
 * Sankey option; `totalUsers` (users with a session containing the event) turns counts into shares. `compact` (a
 * phone's width): no node labels — at five steps across 370 px they overlap — and no room kept for them; a node's
 * name and count are in its tooltip (tap) and in the table of moves below the chart.
 */
export function sankeyOption(s: PathsSankey, totalUsers: number, compact = false): ChartOption {
  const byId = new Map(s.nodes.map((n) => [n.id, n]));
  // Colours by event type in order of first appearance (nodes come by step, then users), so types keep theirs;
  // the palette's last colour (a grey) is left out so no type looks like an Other node.
  const colours = new Map<string, string>();
  for (const n of s.nodes) if (n.type !== null && !colours.has(n.type)) colours.set(n.type, PALETTE[colours.size % (PALETTE.length - 1)]);
  const share = (users: number) => (totalUsers ? ` (${fmtPct(users / totalUsers)})` : '');
  const tip = textTooltip((v) => fmtInt(Number(v)) + share(Number(v)));
  return {
    animation: false,
    tooltip: {
      trigger: 'item',
      // textTooltip builds the DOM from text; it gets a readable title here instead of the node ids.
      formatter: (p: SankeyTipParam) => {
        const row = { seriesName: 'Users', value: p.value, color: p.color };
        if (p.dataType === 'edge') {
          const a = byId.get(String(p.data?.source));
          const b = byId.get(String(p.data?.target));
          return tip({ ...row, name: a && b ? `${nodeName(a)} → ${nodeName(b)} (step ${a.step} → ${b.step})` : '' });
        }
        const n = byId.get(String(p.data?.name));
        return tip({ ...row, name: n ? `${nodeName(n)}, step ${n.step}` : '' });
      },
    },
    series: [
      {
        type: 'sankey',
        left: 8,
        right: compact ? 8 : 150,
        top: 24,
        bottom: 12,
        nodeWidth: 14,
        nodeGap: 10,
        layoutIterations: 32,
        draggable: false,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', opacity: 0.35, curveness: 0.5 },
        label: { show: !compact, position: 'right', color: '#cbd5e1', fontSize: 11, overflow: 'truncate', width: 140 },
        data: s.nodes.map((n) => ({
          name: n.id,
          value: n.users,
          depth: n.step - 1,
          itemStyle: { color: n.type === null ? OTHER_COLOR : colours.get(n.type), borderWidth: 0 },
          // A function (not a template string) so no "{b}" in a type is expanded; braces would start rich text.
          label: { show: !compact, formatter: () => `${nodeName(n).replace(/[{}]/g, '')}  ${fmtInt(n.users)}` },
        })),
        links: s.links.map((l) => ({ source: l.source, target: l.target, value: l.users })),
      },
    ],
  };
}
