/**
 * The logs list as a stream: the first page, older pages appended by infinite scroll, newer lines
 * prepended by live tail. Pure functions over one state value, so the rules that keep the reader's
 * place (hold new lines back while scrolled down, bound the rows kept) are tested without a DOM.
 *
 * Log ids are time-ordered and a page's cursor means "ids below this one", so any row's id is a
 * valid cursor: dropping rows from the bottom only means scrolling loads them again.
 */
import type { LogList, LogSummary } from '../api/client';

/** Rows kept on screen while tailing; older ones are dropped and reloaded by scrolling. */
export const MAX_STREAM_ROWS = 2000;

export interface LogStream {
  /** Newest first: what the list shows. */
  rows: LogSummary[];
  /** Tailed lines held back while the reader is scrolled down, newest first. */
  pending: LogSummary[];
  /** More than `pending` arrived: the newest were kept, so rows and pending no longer touch. */
  overflowed: boolean;
  /** Loads the next (older) page; null at the end of the range. */
  cursor: string | null;
  /** Live tail asks for lines after this id. */
  after: string;
  /** Ids of the lines the last tail poll added to `rows` (they flash once). */
  fresh: ReadonlySet<string>;
}

const NOTHING: ReadonlySet<string> = new Set();

export function startStream(page: LogList): LogStream {
  return {
    rows: page.logs,
    pending: [],
    overflowed: false,
    cursor: page.next_cursor,
    // An empty first page: anything that arrives in the range is new.
    after: page.logs[0]?.id ?? '0',
    fresh: NOTHING,
  };
}

/** An older page, from infinite scroll; rows already shown (a tail overlap) are skipped. */
export function appendOlder(s: LogStream, page: LogList): LogStream {
  const shown = new Set(s.rows.map((r) => r.id));
  return {
    ...s,
    rows: [...s.rows, ...page.logs.filter((r) => !shown.has(r.id))],
    cursor: page.next_cursor,
  };
}

/**
 * A tail poll's answer (oldest first). At the top of the list the lines go straight in; scrolled
 * down they wait in `pending` so nothing moves under the reader. `next_cursor` is where the scan
 * stopped, which is past the last line returned when the server's time budget ran out.
 */
export function addTailed(
  s: LogStream,
  page: LogList,
  options: { atTop: boolean; maxRows?: number },
): LogStream {
  const max = options.maxRows ?? MAX_STREAM_ROWS;
  const after = page.next_cursor ?? page.logs.at(-1)?.id ?? s.after;
  const known = new Set([...s.rows, ...s.pending].map((r) => r.id));
  const incoming = page.logs.filter((r) => !known.has(r.id)).reverse();
  if (incoming.length === 0) return after === s.after ? s : { ...s, after };
  const next = { ...s, after, pending: [...incoming, ...s.pending] };
  if (next.pending.length > max) {
    next.pending = next.pending.slice(0, max);
    next.overflowed = true;
  }
  return options.atTop ? flushPending(next, max) : next;
}

/** Shows the held-back lines above the rows (the reader came back to the top or clicked the pill). */
export function flushPending(s: LogStream, maxRows = MAX_STREAM_ROWS): LogStream {
  if (s.pending.length === 0) return s;
  const fresh = new Set(s.pending.map((r) => r.id));
  // After an overflow the rows below are not contiguous with the pending lines: start over from
  // the pending ones, and let scrolling load what lies between.
  const rows = s.overflowed ? s.pending : [...s.pending, ...s.rows];
  const base = s.overflowed ? { cursor: s.pending.at(-1)!.id } : {};
  return trimRows({ ...s, ...base, rows, pending: [], overflowed: false, fresh }, maxRows);
}

/** Keeps the newest `maxRows`; the last kept row's id becomes the cursor for scrolling further. */
export function trimRows(s: LogStream, maxRows = MAX_STREAM_ROWS): LogStream {
  if (s.rows.length <= maxRows) return s;
  const rows = s.rows.slice(0, maxRows);
  return { ...s, rows, cursor: rows.at(-1)!.id };
}

/** The first index of `size` consecutive items of `length` that keep `index` near their middle. */
export function windowAround(length: number, index: number, size: number): number {
  return Math.max(0, Math.min(index - Math.floor(size / 2), length - size));
}
