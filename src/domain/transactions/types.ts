/**
 * One shape for a transaction, whatever sent it: a classic `transaction` event (Sentry SDKs with
 * `traceLifecycle: 'static'`, Python, Ruby, legacy store posts) or a segment assembled from
 * streamed v2 `span` items (`@sentry/node` 10+ by default). Everything downstream (storage,
 * rollups, sketches, API, MCP) reads this shape only.
 */

/** Where a span's time goes; `other` is the rest of the transaction's duration. */
export type SpanCategory = 'db' | 'view' | 'http' | 'cache' | 'queue' | 'other';

/** Milliseconds per category: merged, non-overlapping, summing to the duration. */
export interface Breakdown {
  db: number;
  view: number;
  http: number;
  cache: number;
  queue: number;
  other: number;
}

/** A span as stored (inside the compressed tree) and as the UI draws it. Times in epoch ms. */
export interface SpanRecord {
  span_id: string;
  parent_span_id: string | null;
  /** 0 for the root; a span whose parent is unknown hangs under the root (depth 1). */
  depth: number;
  op: string;
  /** For db spans, the normalized SQL (no literals); http spans keep method + URL without query values. */
  description: string;
  status: string;
  start: number;
  end: number;
  category: SpanCategory;
  /** Selected data / attributes kept for the hover card (db.system, http.response.status_code…), string values. */
  data?: Record<string, string>;
  /** Query-log tags from a stripped SQL comment (Rails query-log tags such as `action:show`): where the query comes from. */
  call_site?: string;
}

/** One normalized SQL pattern of a transaction (N+1 analysis). */
export interface QueryPattern {
  /** Normalized SQL: literals → ?, IN lists → IN (?), comments stripped, whitespace collapsed. */
  pattern: string;
  count: number;
  /** Distinct raw statements before normalization (1 = the same query repeated; many = classic N+1). */
  distinct: number;
  total_ms: number;
  /** The span id of one occurrence: the example, without literals. */
  example_span_id: string;
  call_site?: string;
  /** count > threshold (3) and not plumbing (cache, job queue, migrations, catalog introspection). */
  n_plus_one: boolean;
}

export interface TransactionRecord {
  projectId: number;
  /** Classic: the event id. Streamed: null (no event id exists). */
  eventId: string | null;
  traceId: string;
  /** The root span's id: with the project it identifies the transaction. */
  spanId: string;
  parentSpanId: string | null;
  name: string;
  op: string;
  /** transaction_info.source / sentry.span.source: url, route, view, component, task, custom… */
  source: string;
  start: number;
  end: number;
  durationMs: number;
  /** Span status (ok, internal_error…), or derived from the HTTP status when absent. */
  status: string;
  environment: string;
  release: string | null;
  serverName: string | null;
  httpMethod: string | null;
  httpUrl: string | null;
  httpStatus: number | null;
  /** 5xx or a failed span status (anything but ok / cancelled / unknown, and 4xx statuses count as client faults, not errors). */
  isError: boolean;
  user: { id: string | null; email: string | null; username: string | null; ip_address: string | null };
  tags: Record<string, string>;
  breakdown: Breakdown;
  /** db spans counted as queries (all db.* except cache-like stores such as db.redis). */
  queryCount: number;
  queryPatterns: QueryPattern[];
  nPlusOne: boolean;
  /** Sum of total_ms over flagged patterns. */
  nPlusOneMs: number;
  spans: SpanRecord[];
  /** More than SPAN_CAP (1,000) spans arrived; the rest were dropped. */
  spansTruncated: boolean;
  /** Streamed segment finalized without its root span (synthesized from its children). */
  incomplete: boolean;
  sdk: string | null;
  platform: string | null;
  /** Request, response, runtime, os… contexts and measurements, kept for the detail page. */
  contexts: Record<string, unknown>;
  request: Record<string, unknown> | null;
  measurements: Record<string, { value: number; unit?: string }>;
}
