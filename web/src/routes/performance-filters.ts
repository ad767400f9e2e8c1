/**
 * The performance pages' query-string state (range, filters, sort, what to compare) and the API
 * paths it maps to. A module of its own, without React or the router, so the shell (app.tsx) can
 * start a page's first request before the page's lazy chunk arrives, and the unit tests can read it.
 */
import { qs, type EndpointRow, type PerformanceRange } from '../api/client';
import type { SortState } from '../components/data-table';

/** The ranges the performance API accepts, in picker order. */
export const PERF_RANGES: readonly PerformanceRange[] = ['1h', '6h', '24h', '7d', '30d'];
export const DEFAULT_PERF_RANGE: PerformanceRange = '24h';
/** Windows around a timestamp the compare API accepts. */
export const COMPARE_WINDOWS = ['1h', '6h', '24h', '7d'] as const;
export type CompareWindow = (typeof COMPARE_WINDOWS)[number];
export const DEFAULT_COMPARE_WINDOW: CompareWindow = '24h';

export interface PerfFilters {
  range: PerformanceRange;
  environment: string;
  release: string;
}

export function readPerfFilters(query: URLSearchParams): PerfFilters {
  const range = query.get('range') as PerformanceRange | null;
  return {
    range: range && PERF_RANGES.includes(range) ? range : DEFAULT_PERF_RANGE,
    environment: query.get('environment') ?? '',
    release: query.get('release') ?? '',
  };
}

const projectPath = (slug: string) => `/api/v1/projects/${encodeURIComponent(slug)}`;

export function performanceApiPath(slug: string, f: PerfFilters): string {
  return `${projectPath(slug)}/performance${qs({ range: f.range, environment: f.environment, release: f.release })}`;
}

export function endpointApiPath(slug: string, name: string, f: PerfFilters): string {
  return `${projectPath(slug)}/performance/endpoint${qs({
    name,
    range: f.range,
    environment: f.environment,
    release: f.release,
  })}`;
}

// ---- The endpoints table's sort (`?sort=p95&dir=asc`); the default is the server's order.

export type SortKey = keyof Pick<
  EndpointRow,
  | 'name'
  | 'count'
  | 'p50'
  | 'p95'
  | 'p99'
  | 'avg'
  | 'error_rate'
  | 'avg_queries'
  | 'n_plus_one_rate'
  | 'total_ms'
>;
const SORT_KEYS: SortKey[] = [
  'name',
  'count',
  'p50',
  'p95',
  'p99',
  'avg',
  'error_rate',
  'avg_queries',
  'n_plus_one_rate',
  'total_ms',
];
/** The server's order: impact, highest first. */
export const DEFAULT_SORT: SortState = { column: 'total_ms', direction: 'desc' };

export function readSort(query: URLSearchParams): SortState {
  const column = query.get('sort') as SortKey | null;
  if (!column || !SORT_KEYS.includes(column)) return DEFAULT_SORT;
  return { column, direction: query.get('dir') === 'asc' ? 'asc' : 'desc' };
}

/** Rows in the requested order; endpoints without a value (no traffic) go last either way. */
export function sortEndpoints(rows: readonly EndpointRow[], sort: SortState): EndpointRow[] {
  const key = sort.column as SortKey;
  const sign = sort.direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'string' || typeof y === 'string') return sign * String(x).localeCompare(String(y));
    return sign * (x - y) || b.total_ms - a.total_ms;
  });
}

/** Two releases, or before / after a moment; `name` narrows it to one endpoint. */
export type CompareQuery =
  | { mode: 'releases'; name: string; a: string; b: string }
  | { mode: 'timestamp'; name: string; at: string; window: CompareWindow };

export function readCompareQuery(query: URLSearchParams): CompareQuery {
  const name = query.get('name') ?? '';
  const at = query.get('at');
  if (at) {
    const w = query.get('window') as CompareWindow | null;
    return {
      mode: 'timestamp',
      name,
      at,
      window: w && COMPARE_WINDOWS.includes(w) ? w : DEFAULT_COMPARE_WINDOW,
    };
  }
  return { mode: 'releases', name, a: query.get('a') ?? '', b: query.get('b') ?? '' };
}

/** The comparison's API path, or null while the query lacks what the API needs (two releases, a valid time). */
export function compareApiPath(slug: string, c: CompareQuery): string | null {
  if (c.mode === 'releases') {
    if (!c.a || !c.b) return null;
    return `${projectPath(slug)}/performance/compare${qs({ name: c.name, a: c.a, b: c.b })}`;
  }
  if (Number.isNaN(Date.parse(c.at))) return null;
  return `${projectPath(slug)}/performance/compare${qs({ name: c.name, at: c.at, window: c.window })}`;
}

/** UI paths, so every page links to the others the same way. */
export const perfHref = {
  overview: (slug: string) => `/projects/${encodeURIComponent(slug)}/performance`,
  endpoint: (slug: string, name: string, f?: Partial<PerfFilters>) =>
    `/projects/${encodeURIComponent(slug)}/performance/endpoint${qs({
      name,
      range: f?.range === DEFAULT_PERF_RANGE ? undefined : f?.range,
      environment: f?.environment,
      release: f?.release,
    })}`,
  compare: (slug: string, params: Record<string, string | undefined> = {}) =>
    `/projects/${encodeURIComponent(slug)}/performance/compare${qs(params)}`,
  transactions: (slug: string, name?: string, f?: Partial<PerfFilters>) =>
    `/projects/${encodeURIComponent(slug)}/performance/transactions${qs({
      name,
      range: f?.range === DEFAULT_PERF_RANGE ? undefined : f?.range,
      environment: f?.environment,
      release: f?.release,
    })}`,
  nPlusOne: (slug: string) => `/projects/${encodeURIComponent(slug)}/performance/n-plus-one`,
  transaction: (slug: string, id: string) =>
    `/projects/${encodeURIComponent(slug)}/performance/transactions/${encodeURIComponent(id)}`,
};

/** An ISO time as a `datetime-local` value (local wall time, minutes), or '' when invalid. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Releases newest first: those with a known first-seen time by it, then the rest in reverse list
 * order (the API lists releases in ascending order, so the last is usually the latest).
 */
export function newestReleases(
  releases: readonly string[],
  deploys: readonly { version: string; first_seen: string }[] = [],
): string[] {
  const seen = new Map(deploys.map((d) => [d.version, Date.parse(d.first_seen)]));
  const known = releases.filter((r) => seen.has(r)).sort((x, y) => seen.get(y)! - seen.get(x)!);
  return [...known, ...releases.filter((r) => !seen.has(r)).reverse()];
}

/** The URL's comparison with defaults: without releases named, the newest (B) against the one before (A). */
export function withDefaultReleases(c: CompareQuery, newestFirst: readonly string[]): CompareQuery {
  if (c.mode !== 'releases') return c;
  const b = c.b || newestFirst.find((r) => r !== c.a) || '';
  const a = c.a || newestFirst.find((r) => r !== b) || '';
  return { ...c, a, b };
}
