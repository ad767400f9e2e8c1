/**
 * The logs pages' query-string state (search, levels, hot-field filters, range or zoomed window,
 * live tail) and the API paths and links it maps to. Without React or the router, so app.tsx can
 * start the logs page's first request before its chunk arrives, and unit tests need no DOM.
 */
import { qs, type LogLevel } from '../api/client';
import { DEFAULT_TIME_RANGE, parseTimeRange, type TimeRange } from '../components/time-range-picker';

/** Severity order, least severe first (the API's LOG_LEVELS; web/ imports only types from src/). */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
/** The picker's presets: all of them are ranges the logs API accepts. */
export const LOG_RANGES: readonly TimeRange[] = ['1h', '6h', '24h', '7d', '14d', '30d'];
/** Rows per request: a screenful and a half of dense rows, small enough to answer in one index walk. */
export const LOG_PAGE_SIZE = 100;
/** The most a live-tail poll takes at once (the API's maximum); the next poll continues. */
export const TAIL_PAGE_SIZE = 500;
/** Trace views show this many lines and link to the logs page for the rest. */
export const TRACE_LOGS_LIMIT = 200;

export interface LogFilters {
  q: string;
  /** Empty: every level. Kept in severity order. */
  levels: LogLevel[];
  environment: string;
  service: string;
  release: string;
  logger: string;
  range: TimeRange;
  /** A zoomed window (ISO), both set or both empty; it replaces `range` while set. */
  start: string;
  end: string;
  /** Live tail on. */
  tail: boolean;
}

export const EMPTY_LOG_FILTERS: LogFilters = {
  q: '',
  levels: [],
  environment: '',
  service: '',
  release: '',
  logger: '',
  range: DEFAULT_TIME_RANGE,
  start: '',
  end: '',
  tail: false,
};

/** `level=error,fatal` or `level=error&level=fatal`, unknown names dropped, in severity order. */
export function parseLevels(values: readonly string[]): LogLevel[] {
  const named = new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()));
  return LOG_LEVELS.filter((l) => named.has(l));
}

export function readLogFilters(query: URLSearchParams): LogFilters {
  const get = (k: string) => query.get(k)?.trim() ?? '';
  const start = get('start');
  const end = get('end');
  const zoomed = Date.parse(start) < Date.parse(end);
  return {
    q: get('q'),
    levels: parseLevels(query.getAll('level')),
    environment: get('environment'),
    service: get('service'),
    release: get('release'),
    logger: get('logger'),
    range: parseTimeRange(query.get('range')),
    start: zoomed ? start : '',
    end: zoomed ? end : '',
    tail: query.get('tail') === '1',
  };
}

/** The filters as the page's query string: empty values and the default range left out. */
export function logPageParams(f: Partial<LogFilters>): URLSearchParams {
  const p = filterParams({ ...EMPTY_LOG_FILTERS, ...f, levels: f.levels ?? [] });
  if (f.range && f.range !== DEFAULT_TIME_RANGE) p.set('range', f.range);
  if (f.start && f.end) {
    p.set('start', f.start);
    p.set('end', f.end);
  }
  if (f.tail) p.set('tail', '1');
  return p;
}

/** What selects records, shared by the list and the histogram (the window added by the caller). */
function filterParams(f: LogFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.levels.length) p.set('level', f.levels.join(','));
  for (const key of ['environment', 'service', 'release', 'logger'] as const) if (f[key]) p.set(key, f[key]);
  return p;
}

/** The window as the API reads it: the zoomed start/end, else the named range. */
function apiParams(f: LogFilters): URLSearchParams {
  const p = filterParams(f);
  if (f.start && f.end) {
    p.set('start', f.start);
    p.set('end', f.end);
  } else p.set('range', f.range);
  return p;
}

const projectApi = (slug: string) => `/api/v1/projects/${encodeURIComponent(slug)}`;

export function logsApiPath(
  slug: string,
  f: LogFilters,
  page: { cursor?: string | null; after?: string | null; limit?: number } = {},
): string {
  const p = apiParams(f);
  p.set('limit', String(page.limit ?? LOG_PAGE_SIZE));
  if (page.after) p.set('after', page.after);
  else if (page.cursor) p.set('cursor', page.cursor);
  return `${projectApi(slug)}/logs?${p}`;
}

export const logHistogramApiPath = (slug: string, f: LogFilters) =>
  `${projectApi(slug)}/logs/histogram?${apiParams(f)}`;
export const logFacetsApiPath = (slug: string) => `${projectApi(slug)}/logs/facets`;
export const logApiPath = (slug: string, id: string) => `${projectApi(slug)}/logs/${encodeURIComponent(id)}`;
export const traceLogsApiPath = (slug: string, traceId: string, limit = TRACE_LOGS_LIMIT) =>
  `${projectApi(slug)}/traces/${encodeURIComponent(traceId)}/logs${qs({ limit })}`;

/** UI paths, so every page links to logs the same way. */
export const logsHref = {
  list: (slug: string, f: Partial<LogFilters> = {}) => {
    const q = logPageParams(f).toString();
    return `/projects/${encodeURIComponent(slug)}/logs${q ? `?${q}` : ''}`;
  },
  /** A trace's logs on the logs page: the longest range, since a trace view can be old. */
  trace: (slug: string, traceId: string) => logsHref.list(slug, { q: `trace:${traceId}`, range: '30d' }),
  detail: (slug: string, id: string) =>
    `/projects/${encodeURIComponent(slug)}/logs/${encodeURIComponent(id)}`,
};

export function isFiltered(f: LogFilters): boolean {
  return filterParams(f).size > 0;
}

/** Adds or removes one level from the filter, keeping severity order. */
export function toggleLevel(levels: readonly LogLevel[], level: LogLevel): LogLevel[] {
  const next = new Set(levels);
  if (!next.delete(level)) next.add(level);
  return LOG_LEVELS.filter((l) => next.has(l));
}

/** A filter value from the URL stays selectable even when the facets no longer offer it. */
export function withCurrent(options: readonly string[], current: string): string[] {
  return current && !options.includes(current) ? [current, ...options] : [...options];
}

/** Windows narrower than this are widened around their middle: the histogram buckets by the second. */
export const MIN_ZOOM_MS = 60_000;

/** The window to zoom to for a selection [fromMs, toMs], as ISO start/end. */
export function zoomWindow(fromMs: number, toMs: number): { start: string; end: string } {
  let [a, b] = fromMs <= toMs ? [fromMs, toMs] : [toMs, fromMs];
  if (b - a < MIN_ZOOM_MS) {
    const mid = (a + b) / 2;
    a = mid - MIN_ZOOM_MS / 2;
    b = mid + MIN_ZOOM_MS / 2;
  }
  return { start: new Date(Math.round(a)).toISOString(), end: new Date(Math.round(b)).toISOString() };
}
