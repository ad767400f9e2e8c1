/**
 * Logs as the API, the UI and MCP read them: search with the query syntax of search-query.ts,
 * live tail, the volume histogram, facets, one record with its links to the trace's transaction and
 * errors, and a trace's logs. Shapes in views.ts.
 */
import { badRequest, notFound } from '../../errors.js';
import type {
  IssuesStore,
  LogFilter,
  LogPage,
  LogsStore,
  StoredLog,
  TransactionsStore,
} from '../../storage/index.js';
import type { ProjectView } from '../projects/service.js';
import { parseSearchQuery } from './search-query.js';
import { LOG_LEVELS, type LogLevel } from './types.js';
import type { LogDetail, LogFacets, LogHistogram, LogList, LogSummary } from './views.js';

export const LOG_RANGES = ['15m', '1h', '6h', '24h', '7d', '14d', '30d'] as const;
export type LogRange = (typeof LOG_RANGES)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Each range's width and its histogram bucket: 30–60 bars whatever the range. */
const RANGE_PLAN: Record<LogRange, { ms: number; bucketMs: number }> = {
  '15m': { ms: 15 * MINUTE_MS, bucketMs: 30_000 },
  '1h': { ms: HOUR_MS, bucketMs: MINUTE_MS },
  '6h': { ms: 6 * HOUR_MS, bucketMs: 10 * MINUTE_MS },
  '24h': { ms: DAY_MS, bucketMs: 30 * MINUTE_MS },
  '7d': { ms: 7 * DAY_MS, bucketMs: 3 * HOUR_MS },
  '14d': { ms: 14 * DAY_MS, bucketMs: 6 * HOUR_MS },
  '30d': { ms: 30 * DAY_MS, bucketMs: 12 * HOUR_MS },
};
/** Custom ranges get about this many histogram buckets, on a whole number of seconds. */
const TARGET_BUCKETS = 60;
export const DEFAULT_LOG_PAGE = 100;
export const MAX_LOG_PAGE = 500;
/** A trace's logs shown at most (the trace views link on to a search for more). */
export const MAX_TRACE_LOGS = 1000;
const TRACE_LINK_ERRORS = 20;
const HEX_32 = /^[0-9a-f]{32}$/;

export interface LogSearchParams {
  q?: string;
  levels?: LogLevel[];
  environment?: string;
  service?: string;
  release?: string;
  logger?: string;
  /** A named range ending now, or an explicit [startMs, endMs). Default 24h. */
  range?: LogRange;
  startMs?: number;
  endMs?: number;
}

export interface LogsServiceDeps {
  logs: LogsStore;
  transactions: Pick<TransactionsStore, 'ofTrace'>;
  issues: Pick<IssuesStore, 'listTraceEvents'>;
  getProject(ref: string | number): ProjectView;
  now?: () => number;
}

export function createLogsService(deps: LogsServiceDeps) {
  const now = deps.now ?? Date.now;

  function windowOf(p: LogSearchParams): { fromMs: number; toMs: number; bucketMs: number } {
    if (p.startMs !== undefined || p.endMs !== undefined) {
      const toMs = p.endMs ?? now();
      const fromMs = p.startMs ?? toMs - DAY_MS;
      if (!(fromMs < toMs)) throw badRequest('start must be before end.');
      return {
        fromMs,
        toMs,
        bucketMs: Math.max(1000, Math.ceil((toMs - fromMs) / TARGET_BUCKETS / 1000) * 1000),
      };
    }
    const plan = RANGE_PLAN[p.range ?? '24h'];
    const toMs = now();
    return { fromMs: toMs - plan.ms, toMs, bucketMs: plan.bucketMs };
  }

  function filterOf(projectId: number, p: LogSearchParams, options: { openEnd?: boolean } = {}): LogFilter {
    const { fromMs, toMs } = windowOf(p);
    // A search or tail ending "now" gets no upper bound. Ids are time-ordered (ms × 64 + a
    // sequence), so records stamped by the hundred within one millisecond take the ids of the
    // milliseconds after it: under load the newest records carry ids seconds ahead of the clock,
    // and a bound at "now" hid them (22.7 s median from send to searchable in the mixed bench).
    const openEnd = options.openEnd === true && p.endMs === undefined;
    return {
      projectId,
      query: parseSearchQuery(p.q ?? ''),
      levels: p.levels,
      environment: p.environment,
      service: p.service,
      release: p.release,
      logger: p.logger,
      fromMs,
      // The end is exclusive: a range ending at a time includes that millisecond.
      toMs: openEnd ? undefined : toMs + 1,
    };
  }

  return {
    /** Newest first, `limit` per page; `cursor` continues an earlier page. */
    search(ref: string, p: LogSearchParams & { limit?: number; cursor?: string }): LogList {
      const project = deps.getProject(ref);
      const page = deps.logs.search(filterOf(project.id, p, { openEnd: true }), {
        limit: pageSize(p.limit),
        cursor: p.cursor === undefined ? null : parseCursor(p.cursor),
      });
      return listOf(page);
    },

    /** Live tail: lines newer than `afterId`, oldest first. */
    tail(ref: string, p: LogSearchParams & { afterId: string; limit?: number }): LogList {
      const project = deps.getProject(ref);
      const page = deps.logs.after(
        filterOf(project.id, p, { openEnd: true }),
        parseCursor(p.afterId),
        pageSize(p.limit),
      );
      return listOf(page);
    },

    histogram(ref: string, p: LogSearchParams): LogHistogram {
      const project = deps.getProject(ref);
      const { fromMs, toMs, bucketMs } = windowOf(p);
      const filter = filterOf(project.id, p);
      const first = Math.floor(fromMs / bucketMs) * bucketMs;
      const counted = deps.logs.histogram({ ...filter, fromMs: first, toMs: filter.toMs! }, bucketMs);
      const byStart = new Map(counted.buckets.map((b) => [b.startMs, b.counts]));
      const buckets: LogHistogram['buckets'] = [];
      for (let start = first; start < toMs; start += bucketMs) {
        buckets.push({ start: new Date(start).toISOString(), counts: byStart.get(start) ?? zeroCounts() });
      }
      return { bucket_ms: bucketMs, buckets, approximate: counted.approximate, partial: counted.partial };
    },

    facets(ref: string): LogFacets {
      return deps.logs.facets(deps.getProject(ref).id);
    },

    get(ref: string, rawId: string): LogDetail {
      const project = deps.getProject(ref);
      const stored = deps.logs.get(project.id, parseCursor(rawId, 'log id'));
      if (!stored)
        throw notFound(`No log ${rawId} in project ${project.slug}: it may be older than the log retention.`);
      return detailOf(project.id, stored);
    },

    /** A trace's logs, oldest first. */
    ofTrace(ref: string, rawTraceId: string, limit = MAX_TRACE_LOGS): LogList {
      const project = deps.getProject(ref);
      const traceId = traceIdOf(rawTraceId);
      const logs = deps.logs.ofTrace(project.id, traceId, Math.min(Math.max(1, limit), MAX_TRACE_LOGS));
      return {
        logs: logs.map(summaryOf),
        next_cursor: null,
        total: deps.logs.countOfTrace(project.id, traceId),
      };
    },

    countOfTrace(projectId: number, traceId: string): number {
      return deps.logs.countOfTrace(projectId, traceId);
    },
  };

  function detailOf(projectId: number, stored: StoredLog): LogDetail {
    const r = stored.record;
    const links: LogDetail['links'] = { transaction: null, errors: [], trace_log_count: 0 };
    if (r.traceId) {
      const transactions = deps.transactions.ofTrace(projectId, r.traceId);
      // The transaction that holds the log's span is unknown without reading span trees; the
      // trace's root (no parent) or its first transaction is what "the request" means to a reader.
      const tx = transactions.find((t) => t.span_id === r.spanId) ?? transactions[0];
      if (tx) {
        links.transaction = {
          id: tx.span_id,
          name: tx.name,
          duration_ms: tx.duration_ms,
          trace_id: tx.trace_id,
        };
      }
      links.errors = deps.issues.listTraceEvents(projectId, r.traceId, TRACE_LINK_ERRORS).map((e) => ({
        event_id: e.event_id,
        issue_id: e.issue_id,
        title: e.title,
        timestamp: new Date(e.timestamp).toISOString(),
      }));
      links.trace_log_count = deps.logs.countOfTrace(projectId, r.traceId);
    }
    return {
      ...summaryOf(stored),
      observed_at: isoMicros(r.observedUs),
      severity_number: r.severityNumber,
      severity_text: r.severityText,
      attributes: r.attributes,
      resource: r.resource,
      scope: r.scope,
      source: r.source,
      links,
    };
  }
}

export type LogsService = ReturnType<typeof createLogsService>;

function listOf(page: LogPage): LogList {
  return {
    logs: page.logs.map(summaryOf),
    next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
    total: null,
    partial: page.partial,
  };
}

export function summaryOf(stored: StoredLog): LogSummary {
  const r = stored.record;
  return {
    id: String(stored.id),
    timestamp: isoMicros(r.timeUs),
    level: r.level,
    body: r.body,
    logger: r.logger,
    service: r.service,
    host: r.host,
    environment: r.environment,
    release: r.release,
    trace_id: r.traceId,
    span_id: r.spanId,
  };
}

/** ISO 8601 with six fractional digits: logs of one request often share a millisecond. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(Math.round(us - ms * 1000)).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${micros}Z`);
}

function zeroCounts(): Record<LogLevel, number> {
  return Object.fromEntries(LOG_LEVELS.map((l) => [l, 0])) as Record<LogLevel, number>;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LOG_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_PAGE)
    throw badRequest(`limit must be between 1 and ${MAX_LOG_PAGE}.`);
  return limit;
}

function parseCursor(raw: string, what = 'cursor'): number {
  if (!/^\d{1,16}$/.test(raw))
    throw badRequest(`${what} must be a log id as returned by Snag; got ${JSON.stringify(raw)}.`);
  return Number(raw);
}

function traceIdOf(raw: string): string {
  const id = raw.replace(/-/g, '').toLowerCase();
  if (!HEX_32.test(id)) throw badRequest(`trace id must be 32 hex characters; got ${JSON.stringify(raw)}.`);
  return id;
}
