import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SeriesPoint } from '../../../web/src/api/client';
import {
  bucketWidth,
  chartMarkers,
  flagSide,
  isolatedPoints,
  LatencyChart,
  toChartData,
  withAlpha,
} from '../../../web/src/components/latency-chart';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-22T00:00:00Z');
const point = (hour: number, count: number, p95: number | null): SeriesPoint => ({
  t: new Date(T0 + hour * HOUR).toISOString(),
  count,
  p50: p95 === null ? null : p95 / 2,
  p95,
  p99: p95 === null ? null : p95 * 2,
  error_rate: 0,
});

describe('toChartData', () => {
  it('puts each bucket at its centre, in seconds, over the whole window', () => {
    const data = toChartData([point(0, 3, 100), point(1, 0, null), point(2, 5, 80)], 3 * HOUR);
    expect(data.x).toEqual([0.5, 1.5, 2.5].map((h) => (T0 + h * HOUR) / 1000));
    expect(data.from).toBe(T0 / 1000);
    expect(data.to).toBe((T0 + 3 * HOUR) / 1000);
    expect(data.count).toEqual([3, 0, 5]);
    expect(data.p95).toEqual([100, null, 80]);
    expect(data.p50).toEqual([50, null, 40]);
    expect(data.p99).toEqual([200, null, 160]);
  });

  it('zero-fills buckets missing from the series: no transactions, no latency', () => {
    const data = toChartData([point(0, 2, 10), point(1, 4, 20), point(4, 1, 30)], 5 * HOUR);
    expect(data.count).toEqual([2, 4, 0, 0, 1]);
    expect(data.p95).toEqual([10, 20, null, null, 30]);
    expect(data.x).toHaveLength(5);
    expect(data.to - data.from).toBe(5 * 3600);
  });

  it('handles one bucket and none', () => {
    const one = toChartData([point(0, 1, 5)], HOUR);
    expect(one.to - one.from).toBe(3600);
    const none = toChartData([], HOUR);
    expect(none.x).toEqual([]);
  });

  it('takes the bucket width from the smallest gap', () => {
    expect(bucketWidth([0, 60, 120, 300], 1)).toBe(60);
    expect(bucketWidth([5], 42)).toBe(42);
  });
});

describe('chartMarkers', () => {
  const from = T0 / 1000;
  const to = (T0 + 24 * HOUR) / 1000;

  it('places deploys inside the window at their time and drops the others', () => {
    const markers = chartMarkers(
      [
        { version: 'shop@1.0', first_seen: new Date(T0 - HOUR).toISOString() },
        { version: 'shop@2.0', first_seen: new Date(T0 + 6 * HOUR).toISOString() },
      ],
      from,
      to,
    );
    expect(markers).toHaveLength(1);
    expect(markers[0]!.label).toBe('shop@2.0');
    expect(markers[0]!.t).toBeCloseTo((T0 + 6 * HOUR) / 1000, 6);
    expect(markers[0]!.title).toContain('Release shop@2.0');
  });

  it('merges deploys too close to label apart', () => {
    const markers = chartMarkers(
      [
        { version: 'a', first_seen: new Date(T0 + 10 * HOUR).toISOString() },
        { version: 'b', first_seen: new Date(T0 + 10 * HOUR + 60_000).toISOString() },
      ],
      from,
      to,
    );
    expect(markers.map((m) => m.label)).toEqual(['b +1']);
  });

  it('returns nothing for an empty window', () => {
    expect(chartMarkers([{ version: 'a', first_seen: new Date(T0).toISOString() }], from, from)).toEqual([]);
  });
});

describe('chart helpers', () => {
  it('puts a marker label left of its line near the right edge', () => {
    expect(flagSide(100, 50, 600)).toBe('right');
    expect(flagSide(560, 50, 600)).toBe('left');
  });

  it('turns theme hex colours into rgba for canvas fills', () => {
    expect(withAlpha('#4f46e5', 0.5)).toBe('rgba(79, 70, 229, 0.5)');
    expect(withAlpha(' #fff', 1)).toBe('rgba(255, 255, 255, 1)');
    expect(withAlpha('rebeccapurple', 0.5)).toBe('rebeccapurple');
  });

  it('renders a labelled figure with its summary for screen readers (the canvas comes after mount)', () => {
    const html = renderToStaticMarkup(
      <LatencyChart
        data={{ x: [], from: 0, to: 0 }}
        series={[{ label: 'p95', color: '--accent', values: [] }]}
        format={String}
        label="Duration"
        summary="p95 between 1 ms and 2 ms"
      />,
    );
    expect(html).toContain('role="group" aria-label="Duration"');
    expect(html).toContain('<figcaption class="visually-hidden">p95 between 1 ms and 2 ms</figcaption>');
  });
});

describe('isolatedPoints', () => {
  it('finds the values a line cannot reach: no neighbour on either side', () => {
    expect(isolatedPoints([5, null, 3, 4, null, 7])).toEqual([0, 5]);
    expect(isolatedPoints([null, 2, null])).toEqual([1]);
    expect(isolatedPoints([1, 2])).toEqual([]);
    expect(isolatedPoints([])).toEqual([]);
  });
});
