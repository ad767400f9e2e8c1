/**
 * The figures of the performance pages, formatted one way everywhere: durations in ms / s / min to
 * three significant digits ("12.3 ms", "1.2 s"), shares as percentages ("1.23%"), throughput per
 * minute. Three digits because the percentiles come from sketches with 1 % relative accuracy: a
 * fourth digit would be noise. Plain "." decimals so a table column reads the same in any locale.
 */

/** `n` rounded to three significant digits, as a number (so trailing zeros drop: 1.20 → 1.2). */
export function significant(n: number, digits = 3): number {
  return n === 0 ? 0 : Number(n.toPrecision(digits));
}

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/** "0.42 ms", "12.3 ms", "987 ms", "1.2 s", "59.9 s", "2.05 min", "1.5 h"; "—" for no value. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0 ms';
  if (ms < 0.01) return '<0.01 ms';
  // Rounded before choosing the unit, so 999.7 ms reads "1 s", not "1e+3 ms".
  if (significant(ms) < SECOND_MS) return `${significant(ms)} ms`;
  if (significant(ms / SECOND_MS) < 60) return `${significant(ms / SECOND_MS)} s`;
  if (significant(ms / MINUTE_MS) < 60) return `${significant(ms / MINUTE_MS)} min`;
  return `${significant(ms / HOUR_MS)} h`;
}

/** A 0–1 share as "1.23%", "45.6%", "100%", "<0.01%" for a sliver, "—" for no value. */
export function formatRate(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  const percent = share * 100;
  if (percent === 0) return '0%';
  if (percent > 0 && percent < 0.01) return '<0.01%';
  return `${significant(percent)}%`;
}

/**
 * Transactions per minute: "12.3/min", "1,240/min", "<0.01/min". With `count`, a rate the server
 * rounded to 0 over a long window still reads as "<0.01/min" when there was traffic.
 */
export function formatThroughput(perMinute: number | null | undefined, count?: number): string {
  if (perMinute === null || perMinute === undefined || !Number.isFinite(perMinute)) return '—';
  if (perMinute === 0) return count ? '<0.01/min' : '0/min';
  if (perMinute < 0.01) return '<0.01/min';
  if (perMinute >= 1000) return `${Math.round(perMinute).toLocaleString('en-US')}/min`;
  return `${significant(perMinute)}/min`;
}

/** A signed percent change (12.3 = 12.3 % more): "+12.3%", "−4.5%", "0%", "—". */
export function formatChange(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  const r = significant(Math.abs(percent));
  if (r === 0) return '0%';
  // A real minus sign: the same width as "+", so a column of changes lines up.
  return `${percent > 0 ? '+' : '−'}${r >= 1000 ? Math.round(r).toLocaleString('en-US') : r}%`;
}

/** A change of a 0–1 share in percentage points ("+20 pts"): for error rates that start at 0 %, where a percent change has no meaning. */
export function formatPointChange(delta: number): string {
  const r = significant(Math.abs(delta * 100));
  if (r === 0) return '0 pts';
  return `${delta > 0 ? '+' : '−'}${r} pts`;
}

/** Changes smaller than this (percent) are noise at the sketches' accuracy and sample sizes: not coloured. */
export const CHANGE_NOTICE_PERCENT = 5;

export type ChangeTone = 'good' | 'bad' | 'neutral';

/**
 * Whether a change from A to B is good news. Latency and errors going up is bad; throughput is
 * neither (more traffic is not a regression), so it is never coloured.
 */
export function changeTone(percent: number | null, metric: 'latency' | 'errors' | 'throughput'): ChangeTone {
  if (percent === null || metric === 'throughput' || Math.abs(percent) < CHANGE_NOTICE_PERCENT)
    return 'neutral';
  return percent > 0 ? 'bad' : 'good';
}
