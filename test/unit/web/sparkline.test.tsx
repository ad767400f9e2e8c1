import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import {
  bucketAt,
  markerPosition,
  Sparkline,
  sparklineBars,
  sparklinePath,
} from '../../../web/src/components/sparkline';

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
  it('draws every non-empty bucket in one path, with markers and an accessible total', () => {
    const html = renderToStaticMarkup(
      <Sparkline values={[0, 2, 3]} label="Events" markers={[{ at: 0.5, label: 'v1.2.0' }]} />,
    );
    expect(html).toContain('aria-label="Events: 5 events"');
    expect(html.match(/class="sparkline-bar"/g)).toHaveLength(1);
    expect(html.match(/d="([^"]*)"/)![1]!.match(/M/g)).toHaveLength(2);
    expect(html).toContain('<title>v1.2.0</title>');
  });

  it('builds one closed rectangle per bar', () => {
    const bars = sparklineBars([0, 1, 2], 30, 10, 0);
    expect(sparklinePath(bars)).toBe('M10 5h10v5h-10zM20 0h10v10h-10z');
  });

  it('finds the bucket under the pointer, clamped to the chart', () => {
    expect(bucketAt(0, 120, 24)).toBe(0);
    expect(bucketAt(119.9, 120, 24)).toBe(23);
    expect(bucketAt(62, 120, 24)).toBe(12);
    expect(bucketAt(500, 120, 24)).toBe(23);
    expect(bucketAt(-3, 120, 24)).toBe(0);
    expect(bucketAt(10, 0, 24)).toBe(-1);
  });
});
