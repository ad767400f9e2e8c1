/**
 * "3 min ago" with the exact time on hover; re-renders on a timer so it never goes stale. The words
 * are ours rather than Intl.RelativeTimeFormat's: its "short" style reads "3 hr. ago" and differs
 * between ICU versions (Node and Chromium disagree), which made lists and tests flaky.
 */
import { useEffect, useState } from 'react';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const UNITS: [limitSeconds: number, sizeSeconds: number, one: string, many: string][] = [
  [HOUR, MINUTE, 'min', 'min'],
  [DAY, HOUR, 'hr', 'hr'],
  [30 * DAY, DAY, 'day', 'days'],
  [365 * DAY, 30 * DAY, 'month', 'months'],
  [Infinity, 365 * DAY, 'year', 'years'],
];

/** Below this, the exact age is noise. */
const JUST_NOW_SECONDS = 45;

export function formatRelative(iso: string, now = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = (t - now) / 1000;
  const abs = Math.abs(seconds);
  if (abs < JUST_NOW_SECONDS) return 'just now';
  for (const [limit, size, one, many] of UNITS) {
    if (abs < limit) {
      const n = Math.max(1, Math.round(abs / size));
      // Rounding up to the next unit's size ("60 min ago") reads worse than the next unit.
      if (n * size >= limit && limit !== Infinity) continue;
      const text = `${n} ${n === 1 ? one : many}`;
      return seconds < 0 ? `${text} ago` : `in ${text}`;
    }
  }
  return iso;
}

/** `2026-11-22 14:03:07` in the viewer's time zone: for titles and tables. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={formatTimestamp(iso)} className={className}>
      {formatRelative(iso, now)}
    </time>
  );
}
