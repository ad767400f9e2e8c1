/**
 * The transaction pages' pure parts: their query-string state, the API paths it maps to, and the
 * orderings and classes they render by. Without React or the router, so app.tsx can start a page's
 * first request before the page's chunk arrives, and unit tests need no DOM.
 */
import { qs, type NPlusOneRow, type PerformanceRange } from '../api/client';
import { DEFAULT_PERF_RANGE, PERF_RANGES, type PerfFilters } from './performance-filters';

export function parsePerfRange(raw: string | null): PerformanceRange {
  return PERF_RANGES.find((r) => r === raw) ?? DEFAULT_PERF_RANGE;
}

export interface TransactionFilters {
  range: PerformanceRange;
  name: string;
  /** Milliseconds, as typed (kept as text so a half-typed value survives). */
  minDuration: string;
  status: string;
  method: string;
  httpStatus: string;
  environment: string;
  release: string;
  /** `key:value` each. */
  tags: string[];
}

/** Query-string parameter of each filter: the same names as the API's. */
const PARAMS: Record<Exclude<keyof TransactionFilters, 'tags'>, string> = {
  range: 'range',
  name: 'name',
  minDuration: 'min_duration',
  status: 'status',
  method: 'method',
  httpStatus: 'http_status',
  environment: 'environment',
  release: 'release',
};

export function readTransactionFilters(query: URLSearchParams): TransactionFilters {
  const get = (k: string) => query.get(k)?.trim() ?? '';
  return {
    range: parsePerfRange(query.get('range')),
    name: get('name'),
    minDuration: get('min_duration'),
    status: get('status'),
    method: get('method').toUpperCase(),
    httpStatus: get('http_status'),
    environment: get('environment'),
    release: get('release'),
    tags: query.getAll('tag').filter((t) => /^[^:]+:./.test(t)),
  };
}

/** The filters as query parameters (the page's and the API's), empty ones and the default range left out. */
export function filterParams(f: TransactionFilters): URLSearchParams {
  const q = new URLSearchParams();
  for (const [key, param] of Object.entries(PARAMS) as [keyof typeof PARAMS, string][]) {
    const v = f[key];
    if (v && !(key === 'range' && v === DEFAULT_PERF_RANGE)) q.set(param, v);
  }
  for (const t of f.tags) q.append('tag', t);
  return q;
}

export function transactionsApiPath(slug: string, f: TransactionFilters, cursor?: string | null): string {
  const q = filterParams(f);
  q.set('range', f.range);
  if (cursor) q.set('cursor', cursor);
  return `/api/v1/projects/${encodeURIComponent(slug)}/transactions?${q}`;
}

/** "db.system:postgres  region:eu" → ["db.system:postgres", "region:eu"]; words without a colon dropped. */
export function parseTagInput(text: string): string[] {
  return text.split(/\s+/).filter((t) => /^[^:]+:./.test(t));
}

export function isFiltered(f: TransactionFilters): boolean {
  return filterParams({ ...f, range: DEFAULT_PERF_RANGE }).size > 0;
}

export const transactionApiPath = (slug: string, id: string) =>
  `/api/v1/projects/${encodeURIComponent(slug)}/transactions/${encodeURIComponent(id)}`;

export function httpStatusClass(status: number | null): string {
  if (status === null) return 'tx-http';
  if (status >= 500) return 'tx-http tx-http-5xx';
  if (status >= 400) return 'tx-http tx-http-4xx';
  return 'tx-http tx-http-ok';
}

export function nPlusOneApiPath(slug: string, f: PerfFilters): string {
  return `/api/v1/projects/${encodeURIComponent(slug)}/performance/n-plus-one${qs({
    range: f.range,
    environment: f.environment,
    release: f.release,
  })}`;
}

/** Most wasted time first; ties go to the endpoint with more affected requests, then by name. */
export function rankByWaste(rows: readonly NPlusOneRow[]): NPlusOneRow[] {
  return [...rows].sort(
    (a, b) => b.wasted_ms - a.wasted_ms || b.affected - a.affected || a.name.localeCompare(b.name),
  );
}
