/**
 * The logs page's list: its first page (the request app.tsx starts before the page renders),
 * older pages on demand, and, with live tail on, a poll for newer lines every TAIL_POLL_MS. The
 * merge rules are log-stream.ts's; this hook does the fetching and knows when the reader is at the
 * top of the list.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { api, useResource, type LogList } from '../api/client';
import { LOG_PAGE_SIZE, TAIL_PAGE_SIZE, logsApiPath, type LogFilters } from './log-filters';
import { addTailed, appendOlder, flushPending, startStream, type LogStream } from './log-stream';

/** Live tail's poll: about as fast as a terminal's `tail -f` feels, one small indexed query each. */
export const TAIL_POLL_MS = 1000;
/** The list counts as "at the top" while its first row is below this line (the sticky header's bottom). */
const TOP_SLACK_PX = 60;

type LogPage = LogList;

export interface LogStreamView {
  stream: LogStream | undefined;
  /** The stream shown belongs to earlier filters; the new one is loading. */
  stale: boolean;
  error: Error | undefined;
  retry: () => void;
  loadingMore: boolean;
  moreError: Error | null;
  loadMore: () => void;
  /** Shows the held-back live-tail lines. */
  flush: () => void;
  tailError: Error | null;
}

export function useLogStream(
  slug: string,
  f: LogFilters,
  listRef: RefObject<HTMLElement | null>,
): LogStreamView {
  const apiPath = logsApiPath(slug, f);
  const first = useResource<LogPage>(apiPath);
  const [state, setState] = useState<{ base: LogPage; stream: LogStream } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | null>(null);
  const [tailError, setTailError] = useState<Error | null>(null);

  const base = first.data;
  const stream = base ? (state?.base === base ? state.stream : startStream(base)) : undefined;
  // The last stream shown, dimmed while new filters load, so the page never blanks.
  const shown = useRef<LogStream | undefined>(undefined);
  if (stream) shown.current = stream;
  const latest = useRef({ base, stream, apiPath, f, slug });
  latest.current = { base, stream, apiPath, f, slug };

  /** Applies `change` to the current stream, unless the filters changed since the request began. */
  const update = useCallback((forPath: string, change: (s: LogStream) => LogStream) => {
    const { base: b, apiPath: p } = latest.current;
    if (!b || p !== forPath) return;
    setState((s) => ({ base: b, stream: change(s?.base === b ? s.stream : startStream(b)) }));
  }, []);

  useEffect(() => {
    setMoreError(null);
    setTailError(null);
  }, [apiPath]);

  const loadMore = useCallback(() => {
    const { stream: s, apiPath: p, slug: sl, f: filters } = latest.current;
    if (!s?.cursor || loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    api
      .get<LogPage>(logsApiPath(sl, filters, { cursor: s.cursor, limit: LOG_PAGE_SIZE }))
      .then(
        (page) => update(p, (cur) => (cur.cursor === s.cursor ? appendOlder(cur, page) : cur)),
        (e: Error) => setMoreError(e),
      )
      .finally(() => setLoadingMore(false));
  }, [loadingMore, update]);

  const isAtTop = useCallback(() => {
    const el = listRef.current;
    return !el || el.getBoundingClientRect().top >= TOP_SLACK_PX - 1;
  }, [listRef]);

  const zoomed = Boolean(f.start && f.end);
  const tailing = f.tail && !zoomed && base !== undefined;
  useEffect(() => {
    if (!tailing) return;
    let inFlight = false;
    const poll = () => {
      const { stream: s, apiPath: p, slug: sl, f: filters } = latest.current;
      if (inFlight || !s || document.visibilityState !== 'visible') return;
      inFlight = true;
      api
        .get<LogPage>(logsApiPath(sl, filters, { after: s.after, limit: TAIL_PAGE_SIZE }))
        .then(
          (page) => {
            setTailError(null);
            update(p, (cur) => addTailed(cur, page, { atTop: isAtTop() }));
          },
          (e: Error) => setTailError(e),
        )
        .finally(() => (inFlight = false));
    };
    const timer = setInterval(poll, TAIL_POLL_MS);
    return () => clearInterval(timer);
  }, [tailing, apiPath, update, isAtTop]);

  // Held-back lines join the list once the reader scrolls back to its top.
  const pendingCount = stream?.pending.length ?? 0;
  useEffect(() => {
    if (pendingCount === 0) return;
    const onScroll = () => isAtTop() && update(latest.current.apiPath, (s) => flushPending(s));
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [pendingCount, isAtTop, update]);

  const flush = useCallback(() => update(latest.current.apiPath, (s) => flushPending(s)), [update]);

  return {
    stream: stream ?? shown.current,
    stale: !stream && shown.current !== undefined,
    error: first.error,
    retry: first.reload,
    loadingMore,
    moreError,
    loadMore,
    flush,
    tailError,
  };
}
