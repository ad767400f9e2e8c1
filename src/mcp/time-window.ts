/**
 * The shared time-window arguments, resolved to epoch milliseconds (Splat's rules, which agents
 * already know): neither bound → the last `hours`; `end_time` + hours → back from end_time;
 * `start_time` + hours → forward from start_time; both → absolute. A window reaching past what is
 * kept is clamped with a note; one that ends before it is an error that says what to ask instead.
 */
import { badRequest } from '../errors.js';

export const HOUR_MS = 3_600_000;
export const DEFAULT_WINDOW_HOURS = 24;

export interface WindowArgs {
  hours?: number;
  start_time?: string;
  end_time?: string;
}

export interface ResolvedWindow {
  from: number;
  to: number;
  notes: string[];
}

/** ISO 8601 date or date-time; a time without a zone is read as UTC, not as the server's zone. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseIsoTime(value: string, name: string): number {
  const s = value.trim();
  const m = ISO_TIME.exec(s);
  const withZone = m && s.length > 10 && !m[1] ? `${s.replace(' ', 'T')}Z` : s.replace(' ', 'T');
  const ms = m ? Date.parse(withZone) : NaN;
  if (Number.isNaN(ms))
    throw badRequest(
      `${name} must be an ISO 8601 time such as 2026-03-01T14:00:00Z (or a date, 2026-03-01); got ${JSON.stringify(value)}.`,
    );
  return ms;
}

const isoOf = (ms: number) => new Date(ms).toISOString();

function describeHours(hours: number): string {
  return hours % 24 === 0 ? `${hours / 24} days` : `${hours} hours`;
}

export function resolveWindow(
  args: WindowArgs,
  opts: { now: number; maxHours: number; defaultHours?: number; what?: string },
): ResolvedWindow {
  const { now, maxHours } = opts;
  const notes: string[] = [];
  const hours = args.hours ?? opts.defaultHours ?? DEFAULT_WINDOW_HOURS;
  if (!(hours > 0)) throw badRequest(`hours must be a positive number of hours; got ${hours}.`);
  const span = hours * HOUR_MS;
  const start = args.start_time === undefined ? undefined : parseIsoTime(args.start_time, 'start_time');
  const end = args.end_time === undefined ? undefined : parseIsoTime(args.end_time, 'end_time');

  let from: number;
  let to: number;
  if (start !== undefined && end !== undefined) {
    from = start;
    to = end;
    if (args.hours !== undefined) notes.push('hours was ignored: start_time and end_time were both given.');
  } else if (start !== undefined) {
    from = start;
    to = start + span;
  } else if (end !== undefined) {
    to = end;
    from = end - span;
  } else {
    to = now;
    from = now - span;
  }

  if (from >= now)
    throw badRequest(`The window starts in the future (${isoOf(from)}): give a start_time before now.`);
  if (to <= from)
    throw badRequest(
      `end_time (${isoOf(to)}) must be after start_time (${isoOf(from)}): swap them or widen the window.`,
    );
  // Nothing is stored in the future: a window reaching past now is simply read up to now.
  to = Math.min(to, now);

  const oldest = now - maxHours * HOUR_MS;
  const kept = `${opts.what ?? 'data'} older than ${describeHours(maxHours)} is not kept`;
  if (to <= oldest)
    throw badRequest(
      `The window ends at ${isoOf(to)}, before the oldest ${opts.what ?? 'data'} kept (${isoOf(oldest)}; ${kept}): ask about a later window.`,
    );
  if (from < oldest) {
    notes.push(`Window clamped: it now starts at ${isoOf(oldest)} instead of ${isoOf(from)} (${kept}).`);
    from = oldest;
  }
  return { from, to, notes };
}
