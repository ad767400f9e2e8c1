/**
 * Burst and spike arithmetic over per-issue hourly counts (errors.db `issue_hourly`, keyed by
 * event time). Pure functions, so the thresholds can be tested on numbers.
 */

export const HOUR_MS = 3_600_000;
/** A spike is judged against the hourly counts of the previous 7 days. */
export const SPIKE_BASELINE_HOURS = 7 * 24;
/** Fewer hours of history than this is no baseline: a young issue is "new" or a "burst" instead. */
export const SPIKE_MIN_BASELINE_HOURS = 24;

/**
 * Events in the last 60 minutes, estimated from whole clock hours: the current hour so far plus
 * the part of the previous hour still inside the window, assuming it was spread evenly (the
 * sliding-window approximation rate limiters use). Exact at the top of the hour, never more than
 * the true count's neighbourhood in between, and it needs no per-minute counts.
 */
export function estimateLastHour(counts: Map<number, number>, now: number): number {
  const hour = Math.floor(now / HOUR_MS);
  const elapsed = (now - hour * HOUR_MS) / HOUR_MS;
  return (counts.get(hour) ?? 0) + (counts.get(hour - 1) ?? 0) * (1 - elapsed);
}

export interface Baseline {
  mean: number;
  /** Population standard deviation. */
  std: number;
  hours: number;
}

/**
 * The hours a spike's baseline covers: those before the last two (which make up the current
 * estimate), back to SPIKE_BASELINE_HOURS or the first hour. Null when that is fewer than
 * SPIKE_MIN_BASELINE_HOURS.
 */
export function baselineHours(now: number, firstSeen: number): { first: number; last: number } | null {
  const hour = Math.floor(now / HOUR_MS);
  const last = hour - 2;
  const first = Math.max(hour - 1 - SPIKE_BASELINE_HOURS, Math.floor(firstSeen / HOUR_MS));
  return last - first + 1 >= SPIKE_MIN_BASELINE_HOURS ? { first, last } : null;
}

/**
 * Mean and deviation of hourly counts from their sum and sum of squares over `hours` hours (hours
 * without events count as 0), so the database sums the rows instead of returning a week of them.
 */
export function baselineOf(sum: number, sumOfSquares: number, hours: number): Baseline {
  if (hours <= 0) return { mean: 0, std: 0, hours: 0 };
  const mean = sum / hours;
  return { mean, std: Math.sqrt(Math.max(0, sumOfSquares / hours - mean * mean)), hours };
}

/**
 * How many standard deviations `current` is above the baseline. The deviation is floored at
 * √mean (what Poisson noise alone gives) and at 1, so a flat baseline of 0–1 events an hour does
 * not turn 3 events into an infinite score.
 */
export function spikeScore(current: number, b: Baseline): number {
  return (current - b.mean) / Math.max(b.std, Math.sqrt(b.mean), 1);
}
