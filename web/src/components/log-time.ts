/** Log times as the logs pages print them: to the millisecond in rows, to the microsecond in full. */
import { formatTimestamp } from './relative-time';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `08:44:44.085` in the viewer's time zone, with `Nov 21 ` before it when it is not today. */
export function formatLogTime(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return new Date(now).toDateString() === d.toDateString()
    ? time
    : `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${time}`;
}

/**
 * The full time with the microseconds the API keeps (`2026-11-22 08:44:44.085071`): lines of one
 * request often share a millisecond.
 */
export function formatLogTimestamp(iso: string): string {
  const micros = /\.(\d{1,6})/.exec(iso)?.[1]?.padEnd(6, '0') ?? '000000';
  return `${formatTimestamp(iso)}.${micros}`;
}
