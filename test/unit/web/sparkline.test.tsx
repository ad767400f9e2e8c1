import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { markerPosition, Sparkline, sparklineBars } from '../../../web/src/components/sparkline';

describe('sparklineBars', () => {
  it('scales the largest bucket to the full height', () => {
    const bars = sparklineBars([1, 4, 2], 30, 20);
    expect(bars.map((b) => b.height)).toEqual([5, 20, 10]);
    expect(bars[1]).toMatchObject({ y: 0, height: 20, value: 4 });
  });

  it('keeps tiny non-zero buckets visible and zero buckets empty', () => {
    const bars = sparklineBars([0, 1, 1000, 0], 40, 24);
    expect(bars[1]!.height).toBe(1);
    expect(bars[0]!.height).toBe(0);
    expect(bars[3]!.height).toBe(0);
    expect(bars[2]!.height).toBe(24);
    for (const b of bars) expect(b.y + b.height).toBe(24);
  });

  it('draws nothing for an all-zero window', () => {
    expect(sparklineBars(new Array(24).fill(0), 120, 24).every((b) => b.height === 0)).toBe(true);
  });

  it('lays buckets out left to right across the width', () => {
    const bars = sparklineBars(new Array(24).fill(1), 120, 24);
    expect(bars).toHaveLength(24);
    expect(bars[0]!.x).toBe(0);
    expect(bars[23]!.x).toBe(115);
    expect(bars[0]!.width).toBe(4);
  });
});

describe('markerPosition', () => {
  const end = Date.parse('2026-11-22T12:00:00Z');

  it('places a time inside the window as a 0..1 fraction', () => {
    expect(markerPosition('2026-11-22T00:00:00Z', end, 24)).toBe(0.5);
    expect(markerPosition('2026-11-21T12:00:00Z', end, 24)).toBe(0);
    expect(markerPosition('2026-11-22T12:00:00Z', end, 24)).toBe(1);
  });

  it('returns null outside the window or for a bad date', () => {
    expect(markerPosition('2026-11-21T11:59:59Z', end, 24)).toBeNull();
    expect(markerPosition('2026-11-22T12:00:01Z', end, 24)).toBeNull();
    expect(markerPosition('not a date', end, 24)).toBeNull();
  });
});

describe('<Sparkline>', () => {
  it('renders one bar per non-empty bucket, markers, and an accessible total', () => {
    const html = renderToStaticMarkup(
      <Sparkline values={[0, 2, 3]} label="Events" markers={[{ at: 0.5, label: 'v1.2.0' }]} />,
    );
    expect(html).toContain('aria-label="Events: 5 events"');
    expect(html.match(/class="sparkline-bar"/g)).toHaveLength(2);
    expect(html).toContain('<title>v1.2.0</title>');
  });

  it('titles every bucket, empty ones included', () => {
    const html = renderToStaticMarkup(
      <Sparkline values={[0, 7]} label="Events" bucketLabel={(i, v) => `hour ${i}: ${v}`} />,
    );
    expect(html).toContain('<title>hour 0: 0</title>');
    expect(html).toContain('<title>hour 1: 7</title>');
  });
});
