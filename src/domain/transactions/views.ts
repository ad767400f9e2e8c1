/**
 * Performance (APM) as the JSON API returns it (re-exported by src/api/types.ts for the web UI).
 * Type-only. Every percentile below comes from DDSketches (1 % relative accuracy) merged at
 * query time.
 */
import type { Breakdown, QueryPattern, SpanRecord } from './types.js';
import type { ReleaseMarker } from '../releases/views.js';

export type { Breakdown, SpanCategory, SpanRecord, QueryPattern } from './types.js';

export type PerformanceRange = '1h' | '6h' | '24h' | '7d' | '30d';

/** A project card's last 24 hours of transactions. */
export interface ProjectPerformance {
  transactions_24h: number;
  throughput_per_minute: number;
  p50: number | null;
  p95: number | null;
  error_rate: number;
}

/** Latency and volume of a set of transactions (an endpoint, a release, a whole project). */
export interface LatencyStats {
  count: number;
  /** Transactions per minute over the range. */
  throughput_per_minute: number;
  /** Milliseconds; null when count is 0. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
  /** Share of transactions that failed (5xx or a failed span status), 0–1. */
  error_rate: number;
}

export interface EndpointRow extends LatencyStats {
  name: string;
  op: string;
  /** Sum of durations (impact), ms. */
  total_ms: number;
  /** Average db queries per transaction. */
  avg_queries: number;
  /** Share of transactions with at least one N+1 pattern, 0–1. */
  n_plus_one_rate: number;
  /** p95 per bucket (same buckets as PerformanceOverview.buckets), null where no traffic. */
  p95_series: (number | null)[];
}

/** GET /api/v1/projects/:slug/performance?range=&environment=&release= */
export interface PerformanceOverview {
  range: PerformanceRange;
  from: string;
  to: string;
  /** Bucket start times (ISO) shared by every series of the response. */
  buckets: string[];
  headline: LatencyStats;
  /** Ranked by impact (total_ms), highest first. */
  endpoints: EndpointRow[];
  environments: string[];
  releases: string[];
}

export interface SeriesPoint {
  t: string;
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  error_rate: number;
}

/** A transaction as listed (samples, search results). */
export interface TransactionSummary {
  /** The root span id: /projects/:slug/performance/transactions/:id */
  id: string;
  trace_id: string;
  event_id: string | null;
  name: string;
  op: string;
  timestamp: string;
  duration_ms: number;
  status: string;
  http_method: string | null;
  http_status: number | null;
  environment: string;
  release: string | null;
  is_error: boolean;
  query_count: number;
  n_plus_one: boolean;
  breakdown: Breakdown;
}

/** GET /api/v1/projects/:slug/performance/endpoint?name=&range=&environment=&release= */
export interface EndpointDetail {
  name: string;
  op: string;
  range: PerformanceRange;
  from: string;
  to: string;
  stats: LatencyStats & { total_ms: number; avg_queries: number; n_plus_one_rate: number };
  /** Zero-filled buckets over the range. */
  series: SeriesPoint[];
  /** Deploys within the range, else releases first seen in it: markers on the charts. */
  deploys: ReleaseMarker[];
  /** Average ms per transaction per category. */
  breakdown: Breakdown;
  slowest: TransactionSummary[];
  fastest: TransactionSummary[];
  recent: TransactionSummary[];
  environments: string[];
  releases: string[];
}

export interface ComparisonArm extends LatencyStats {
  label: string;
  from: string;
  to: string;
}

/**
 * GET /api/v1/projects/:slug/performance/compare?name=(optional)&a=<release>&b=<release>
 *   or ?at=<ISO timestamp>&window=24h (before vs after a moment)
 */
export interface ReleaseComparison {
  name: string | null;
  mode: 'releases' | 'timestamp';
  a: ComparisonArm;
  b: ComparisonArm;
  /** Percent change from a to b (positive = slower / more), null when either side is empty. */
  change: {
    p50: number | null;
    p95: number | null;
    p99: number | null;
    error_rate: number | null;
    throughput: number | null;
  };
  verdict: 'faster' | 'slower' | 'unchanged' | 'not_enough_data';
  /** One sentence explaining the verdict (thresholds, sample sizes). */
  verdict_reason: string;
  /** Per endpoint (only when name is not given): the biggest movers. */
  endpoints: { name: string; a: LatencyStats; b: LatencyStats; p95_change: number | null }[];
  releases: string[];
}

export interface NPlusOneRow {
  name: string;
  op: string;
  count: number;
  /** Transactions with at least one N+1 pattern. */
  affected: number;
  affected_rate: number;
  /** Time spent in flagged patterns, summed over the range, ms. */
  wasted_ms: number;
  avg_wasted_ms_per_affected: number;
  avg_queries: number;
  max_queries: number;
  /** The most costly flagged pattern, from the most recent affected transaction. */
  pattern: (QueryPattern & { transaction_id: string }) | null;
}

/** GET /api/v1/projects/:slug/performance/n-plus-one?range=&environment=&release= */
export interface NPlusOneList {
  range: PerformanceRange;
  endpoints: NPlusOneRow[];
  /** For the filter menus: environments by name, releases newest first. */
  environments: string[];
  releases: string[];
}

/**
 * GET /api/v1/projects/:slug/transactions?range=&name=&min_duration=(ms)&status=&method=&http_status=
 *   &environment=&release=&tag=key:value (repeatable)&cursor=
 * Newest first.
 */
export interface TransactionList {
  transactions: TransactionSummary[];
  next_cursor: string | null;
  /** For the filter menus: environments by name, releases newest first. */
  environments: string[];
  releases: string[];
}

/** GET /api/v1/projects/:slug/transactions/:id */
export interface TransactionDetail extends TransactionSummary {
  project: { id: number; slug: string; name: string };
  source: string;
  start: string;
  end: string;
  parent_span_id: string | null;
  http_url: string | null;
  server_name: string | null;
  user: { id: string | null; email: string | null; username: string | null; ip_address: string | null };
  tags: Record<string, string>;
  sdk: string | null;
  platform: string | null;
  contexts: Record<string, unknown>;
  request: Record<string, unknown> | null;
  measurements: Record<string, { value: number; unit?: string }>;
  /** Depth-first order (a parent before its children, siblings by start). Times in epoch ms. */
  spans: SpanRecord[];
  spans_truncated: boolean;
  incomplete: boolean;
  queries: QueryPattern[];
  n_plus_one_ms: number;
  /** Error events of the same trace. */
  trace_errors: { event_id: string; issue_id: number; title: string; level: string; timestamp: string }[];
  /** Log lines of the same trace; null until the logs store exists. */
  trace_logs: { count: number; url: string } | null;
  /** The other transactions of the same trace (a caller's segment, the services it called), by start. */
  trace_transactions: TransactionSummary[];
}
