// Every chart's table alternative (src/components/chart-table.ts): the table holds exactly what the option draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_ROWS, cellText, chartTable } from '../src/components/chart-table.ts';

test('bars and lines over a category axis: a row per category, a column per series, values as drawn', () => {
  const t = chartTable({
    xAxis: { type: 'category', name: 'month', data: ['2025-01', { value: '2025-02' }, '2025-03'] },
    yAxis: { type: 'value' },
    series: [
      { type: 'bar', name: 'Revenue', data: [1234.567, { value: 20 }, null] },
      { type: 'line', name: 'Orders', data: [3, 4, 5] },
      { type: 'line', data: [['2025-01', 7], ['2025-02', 8], ['2025-03', '-']] },
    ],
  });
  assert.deepEqual(t, {
    columns: ['month', 'Revenue', 'Orders', 'Series 3'],
    rows: [['2025-01', '1,234.57', '3', '7'], ['2025-02', '20', '4', '8'], ['2025-03', '', '5', '']],
    omitted: 0,
  });
});

test('horizontal bars (category y axis), pie slices, heat map cells and scatter points', () => {
  assert.deepEqual(chartTable({ xAxis: { type: 'value' }, yAxis: { type: 'category', data: ['US', 'UK'] }, series: [{ type: 'bar', name: 'Revenue', data: [10, 2.5] }] }),
    { columns: ['Category', 'Revenue'], rows: [['US', '10'], ['UK', '2.5']], omitted: 0 });
  assert.deepEqual(chartTable({ series: [{ type: 'pie', data: [{ name: 'Mobile', value: 60 }, { name: '<b>x</b>', value: 40 }] }] }),
    { columns: ['Name', 'Value'], rows: [['Mobile', '60'], ['<b>x</b>', '40']], omitted: 0 });
  assert.deepEqual(chartTable({ xAxis: { type: 'category', data: ['a', 'b'] }, yAxis: { type: 'category', data: ['r1', 'r2'] }, series: [{ type: 'heatmap', data: [[0, 1, 5], [1, 0, 0.125]] }] }),
    { columns: ['Column', 'Row', 'Value'], rows: [['a', 'r2', '5'], ['b', 'r1', '0.13']], omitted: 0 });
  const points = Array.from({ length: MAX_ROWS + 7 }, (_, i) => [i, i * 2]);
  const s = chartTable({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'scatter', name: 'Customers', data: points }] })!;
  assert.equal(s.rows.length, MAX_ROWS);
  assert.equal(s.omitted, 7);
  assert.deepEqual(s.rows[3], ['Customers', '3', '6']);
});

test('a chart with no tabular reading (a Sankey) has no table; cells are text', () => {
  assert.equal(chartTable({ series: [{ type: 'sankey', data: [{ name: 'a' }], links: [] }] }), null);
  assert.equal(chartTable({ series: [] }), null);
  assert.equal(cellText(Infinity), '');
  assert.equal(cellText(undefined), '');
  assert.equal(cellText(0), '0');
});
