/**
 * Logs as the JSON API returns them (re-exported by src/api/types.ts for the web UI, used by MCP).
 *
 * Endpoints (src/api/logs.ts), all under /api/v1/projects/<slug>:
 * - GET /logs?q&level&environment&service&release&logger&range|start&end&cursor&limit → LogList
 *   newest first; `after=<id>` instead of `cursor` returns lines newer than that id, oldest
 *   first (live tail polls it).
 * - GET /logs/histogram?<same filters> → LogHistogram
 * - GET /logs/facets → LogFacets
 * - GET /logs/<id> → LogDetail
 * - GET /traces/<trace_id>/logs → LogList of that trace, oldest first
 */
import type { Attributes, LogLevel } from './types.js';

export type { LogLevel, Attributes, AttributeValue } from './types.js';

export interface LogSummary {
  id: string;
  /** ISO 8601 with microseconds. */
  timestamp: string;
  level: LogLevel;
  body: string;
  logger: string | null;
  service: string | null;
  host: string | null;
  environment: string | null;
  release: string | null;
  trace_id: string | null;
  span_id: string | null;
}

export interface LogList {
  logs: LogSummary[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  next_cursor: string | null;
  /** Total matches when cheap to know (trace logs), else null. */
  total: number | null;
  /**
   * Search and tail only: the time budget ran out before the page filled; `next_cursor` goes on
   * from where it stopped.
   */
  partial?: boolean;
}

export interface LogDetail extends LogSummary {
  observed_at: string;
  severity_number: number | null;
  severity_text: string | null;
  attributes: Attributes;
  resource: Attributes;
  scope: { name: string; version: string | null } | null;
  source: 'sentry' | 'otlp';
  /** Only what exists: null / empty when the other side was not stored (sampled out, say). */
  links: {
    /** The transaction holding this log's span, else the trace's root transaction. */
    transaction: { id: string; name: string; duration_ms: number; trace_id: string } | null;
    /** Error events of the same trace. */
    errors: { event_id: string; issue_id: number; title: string; timestamp: string }[];
    /** All logs of the trace (this one included). */
    trace_log_count: number;
  };
}

export interface LogHistogram {
  bucket_ms: number;
  /** Oldest first, zero-filled over the range. */
  buckets: { start: string; counts: Record<LogLevel, number> }[];
  /** Phrases and span-id filters are not applied to counts (the index alone counts). */
  approximate: boolean;
  /** The time budget ran out: later buckets may be short. */
  partial: boolean;
}

/** Kept at write time: the filter dropdowns never scan the logs table. */
export interface LogFacets {
  levels: LogLevel[];
  environments: string[];
  services: string[];
  releases: string[];
  loggers: string[];
}
