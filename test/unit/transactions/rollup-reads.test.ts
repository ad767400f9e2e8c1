import { describe, expect, it } from 'vitest';
import { planRollupSpans } from '../../../src/domain/transactions/rollup-reads.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const LONG = [1440, 360, 60];
const day = (n: number) => n * DAY;

describe('planRollupSpans', () => {
  it('reads a day-aligned 30-day range from 30 daily buckets', () => {
    expect(planRollupSpans(day(100), day(130), LONG)).toEqual([
      { minutes: 1440, fromBucket: 100, toBucket: 130 },
    ]);
  });

  it('reads a range starting mid-day from hourly rows up to midnight, then days, then the hours of the last day', () => {
    const from = day(100) + 14 * HOUR;
    const to = day(130) + 9 * HOUR;
    expect(planRollupSpans(from, to, LONG)).toEqual([
      { minutes: 60, fromBucket: from / HOUR, toBucket: 100 * 24 + 18 },
      { minutes: 360, fromBucket: 100 * 4 + 3, toBucket: 101 * 4 },
      { minutes: 1440, fromBucket: 101, toBucket: 130 },
      { minutes: 360, fromBucket: 130 * 4, toBucket: 130 * 4 + 1 },
      { minutes: 60, fromBucket: 130 * 24 + 6, toBucket: to / HOUR },
    ]);
  });

  it('covers the same hours as the hourly plan, once each', () => {
    const from = day(10) + 7 * HOUR;
    const to = day(40) + 23 * HOUR;
    const hours = planRollupSpans(from, to, LONG).flatMap((s) => {
      const out: number[] = [];
      for (let b = s.fromBucket; b < s.toBucket; b++)
        for (let h = 0; h < s.minutes / 60; h++) out.push((b * s.minutes) / 60 + h);
      return out;
    });
    const expected = planRollupSpans(from, to, [60]).flatMap((s) =>
      Array.from({ length: s.toBucket - s.fromBucket }, (_, i) => s.fromBucket + i),
    );
    expect(hours).toEqual(expected);
  });

  it('uses only the finer resolutions when the range is shorter than a coarse bucket', () => {
    expect(planRollupSpans(day(5) + HOUR, day(5) + 3 * HOUR, LONG)).toEqual([
      { minutes: 60, fromBucket: 5 * 24 + 1, toBucket: 5 * 24 + 3 },
    ]);
  });

  it('rounds the finest resolution outward, as the hourly reads always did', () => {
    expect(planRollupSpans(7 * MIN, 2 * HOUR + 1, [60])).toEqual([
      { minutes: 60, fromBucket: 0, toBucket: 3 },
    ]);
    expect(planRollupSpans(HOUR, HOUR, LONG)).toEqual([]);
  });
});
