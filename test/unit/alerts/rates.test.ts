import { describe, expect, it } from 'vitest';
import {
  baselineHours,
  baselineOf,
  estimateLastHour,
  HOUR_MS,
  SPIKE_BASELINE_HOURS,
  spikeScore,
} from '../../../src/domain/alerts/rates.js';

const H = 500_000; // an hour number: 500,000 h after the epoch (year 2027)
const at = (hour: number, minutes: number) => hour * HOUR_MS + minutes * 60_000;

describe('estimateLastHour', () => {
  it('is the current hour at the top of the hour plus all of the previous one', () => {
    const counts = new Map([
      [H - 1, 60],
      [H, 0],
    ]);
    expect(estimateLastHour(counts, at(H, 0))).toBe(60);
  });

  it('weights the previous hour by the part of it still inside the last 60 minutes', () => {
    const counts = new Map([
      [H - 1, 60],
      [H, 10],
    ]);
    expect(estimateLastHour(counts, at(H, 45))).toBeCloseTo(10 + 60 * 0.25, 6);
  });

  it('ignores hours older than the previous one', () => {
    expect(estimateLastHour(new Map([[H - 2, 1000]]), at(H, 30))).toBe(0);
  });
});

describe('baselineHours', () => {
  it('spans the hours before the last two, back to the issue’s first hour', () => {
    expect(baselineHours(at(H, 10), at(H - 26, 30))).toEqual({ first: H - 26, last: H - 2 });
  });

  it('looks back at most SPIKE_BASELINE_HOURS', () => {
    expect(baselineHours(at(H, 0), 0)).toEqual({ first: H - 1 - SPIKE_BASELINE_HOURS, last: H - 2 });
  });

  it('is none for an issue younger than a day of history', () => {
    expect(baselineHours(at(H, 0), at(H - 20, 0))).toBeNull();
  });
});

describe('baselineOf', () => {
  it('takes mean and deviation from sums, hours without events counting as 0', () => {
    // 4 events in 12 of 24 hours, none in the rest: mean 2, deviation 2.
    const b = baselineOf(12 * 4, 12 * 16, 24);
    expect(b).toEqual({ mean: 2, std: 2, hours: 24 });
  });

  it('never takes the square root of a negative rounding error', () => {
    expect(baselineOf(3, 0.9999999, 3).std).toBe(0);
  });
});

describe('spikeScore', () => {
  it('measures distance from the mean in standard deviations', () => {
    expect(spikeScore(30, { mean: 10, std: 5, hours: 48 })).toBe(4);
  });

  it('floors the deviation at √mean, so a steady count is not a spike of infinite size', () => {
    expect(spikeScore(12, { mean: 4, std: 0, hours: 48 })).toBe(4);
    expect(spikeScore(6, { mean: 4, std: 0, hours: 48 })).toBe(1);
  });

  it('floors it at 1 for an all but silent baseline', () => {
    expect(spikeScore(12, { mean: 0.25, std: 0.4, hours: 48 })).toBeCloseTo(11.75, 6);
  });
});
