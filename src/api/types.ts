/**
 * The JSON API's response shapes, shared with the web UI (web/ imports only this file from src/).
 * Type-only: nothing here exists at run time.
 */
import type { IssueView } from '../domain/issues/service.js';
import type { ProjectView } from '../domain/projects/service.js';
import type { NormalizedEvent } from '../domain/events/types.js';
import type { IssueStatus } from '../storage/schema.js';
import type { ProjectPerformance } from '../domain/transactions/views.js';

export type { IssueView, ProjectView, NormalizedEvent, IssueStatus };
export type {
  Breadcrumb,
  ExceptionValue,
  Frame,
  Level,
  Stacktrace,
  EventUser,
} from '../domain/events/types.js';

/** GET /_health. */
export interface Health {
  status: 'ok' | 'degraded' | 'unhealthy';
  timestamp: string;
  version: string;
  queue_depth: number;
  queue_status: 'ok' | 'warning' | 'critical';
  queue_thresholds: { warning: number; critical: number };
  event_count: number;
  issue_count: number;
  transaction_count: number;
  transactions_per_minute: number;
  transactions_per_second: number;
  events_per_minute: number;
  invalid_events: number;
  duplicate_events: number;
  parked_jobs: number;
  invalid_transactions: number;
  /** Batches of streamed spans (one per segment per envelope) waiting for their segment root. */
  pending_spans: number;
  /** Log records stored since the data dir was created (retention deletes do not lower it). */
  log_count: number;
  /** Log records accepted in the last minute (Sentry `log` items and OTLP). */
  logs_per_minute: number;
  logs_per_second: number;
  /** Log payloads that could not be read at all. */
  invalid_logs: number;
  /** Single log records refused (bad ids, times), as OTLP partialSuccess reported them. */
  rejected_logs: number;
  items_accepted: Record<string, number>;
  items_dropped: Record<string, number>;
}

export interface ApiError {
  detail: string;
  code: string;
}

/** Where a release first appeared: drawn as a marker on sparklines and charts. */
export interface ReleaseMarker {
  version: string;
  first_seen: string;
}

export interface ProjectStats {
  open_issues: number;
  events_24h: number;
  /** Events per hour for the last 24 hours, oldest first. */
  hourly: number[];
  last_issue: { id: number; title: string; culprit: string; level: string; last_seen: string } | null;
  /** Transactions of the last 24 hours; null when the project has sent none. */
  performance: ProjectPerformance | null;
}

export type ProjectWithStats = ProjectView & { stats: ProjectStats };

export interface ProjectList {
  projects: ProjectWithStats[];
}

export interface IssueListItem extends IssueView {
  /** Environments this issue has events in. */
  environments: string[];
}

export interface IssueList {
  issues: IssueListItem[];
  counts: Record<IssueStatus, number>;
  next_cursor: string | null;
  /** Releases first seen in the last 24 hours (the list's sparkline window). */
  release_markers: ReleaseMarker[];
  /** Every environment and recent release of the project, for the filter menus. */
  environments: string[];
  releases: string[];
}

export interface StatusChangeView {
  id: number;
  issue_id: number;
  from_status: IssueStatus;
  to_status: IssueStatus;
  actor: string;
  reason: string;
  created_at: string;
}

export interface IssueDetail extends IssueView {
  project: { id: number; slug: string; name: string };
  tags: { key: string; values: { value: string; count: number; last_seen: string }[] }[];
  status_changes: StatusChangeView[];
  /** Releases first seen in the last 7 days (the detail chart's window). */
  release_markers: ReleaseMarker[];
}

export interface StatusChangeResult {
  changed: number[];
  issues: IssueView[];
}

export interface EventSummary {
  event_id: string;
  issue_id: number;
  project_id: number;
  title: string;
  timestamp: string;
  received_at: string;
  level: string;
  environment: string;
  release: string | null;
  platform: string;
  transaction: string | null;
  trace_id: string | null;
  server_name: string | null;
  user: { id: string | null; email: string | null; ip_address: string | null };
  sdk: string | null;
  size_bytes: number;
}

export interface EventList {
  events: EventSummary[];
  next_cursor: string | null;
}

export interface EventDetail extends EventSummary {
  /** Neighbouring events of the same issue (older / newer), for previous/next navigation. */
  previous: string | null;
  next: string | null;
  payload: NormalizedEvent;
}

// ---- Performance (APM): defined beside the service that builds them. ----------------------------
export type * from '../domain/transactions/views.js';

// ---- Logs: defined beside the service that builds them. ------------------------------------------
export type * from '../domain/logs/views.js';

// ---- Settings ----------------------------------------------------------------------------------

/** One ready-to-paste MCP client configuration; `<token>` stands for a token from `snag token create`. */
export interface McpClientSetup {
  client: string;
  where: string;
  language: 'sh' | 'json';
  text: string;
}

/** GET /api/v1/settings/mcp */
export interface McpSettings {
  /** The MCP endpoint (Streamable HTTP). */
  url: string;
  /** Whether SNAG_MCP_TOKEN is set on the server (its value is never sent). */
  env_token_configured: boolean;
  /** Active minted tokens (names only; a token is shown once, when created). */
  tokens: { id: number; name: string; created_at: string; last_used_at: string | null }[];
  setups: McpClientSetup[];
}
