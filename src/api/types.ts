/**
 * The JSON API's response shapes, shared with the web UI (web/ imports only this file from src/).
 * Type-only: nothing here exists at run time.
 */
import type { IssueView } from '../domain/issues/service.js';
import type { ProjectView } from '../domain/projects/service.js';
import type { NormalizedEvent } from '../domain/events/types.js';
import type { IssueStatus } from '../storage/schema.js';
import type { ProjectPerformance } from '../domain/transactions/views.js';
import type { ReleaseMarker } from '../domain/releases/views.js'; // Releases (issue 8, H4)
import type { OAuthClientView } from '../domain/tokens/views.js'; // API tokens, MCP OAuth (issue 7, H2)

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

// Releases and deploys (issue 8, H4): markers, release list and detail, deploys.
export type * from '../domain/releases/views.js';

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
  /** Deploys in the last 24 hours (the list's sparkline window), else releases first seen in it. */
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
  /** Deploys in the last 7 days (the detail chart's window), else releases first seen in it. */
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
  /** OAuth for MCP clients (issue 7, H2): whether a client can sign in here, and who has. */
  oauth: { available: boolean; note: string | null; resource_metadata_url: string };
  oauth_clients: OAuthClientView[];
  setups: McpClientSetup[];
}

// ---- API tokens and MCP OAuth clients (issue 7, H2): defined beside the services. ---------------
export type * from '../domain/tokens/views.js';

// ---- Login (issue 7, H1) ------------------------------------------------------------------------

/** GET /api/v1/session: what the UI needs to know about login (docs/auth.md). */
export interface SessionInfo {
  mode: 'open' | 'oidc' | 'github' | 'misconfigured';
  /** "Okta", "GitHub"…; null in open mode. */
  provider_name: string | null;
  user: { id: number; email: string; name: string | null; provider: string } | null;
  /** Send it as `X-Snag-CSRF` with every state-changing request made with the session cookie. */
  csrf_token: string | null;
  /** When the session ends if unused (idle) or at the latest (absolute), whichever is first. */
  expires_at: string | null;
  /** Open mode on a non-loopback address: a warning to show on every page. */
  banner: string | null;
  /** Where the sign-in button goes (`/auth/login?return_to=<path>`); null without login. */
  login_url: string | null;
}

// ---- Operations (issue 8, H5): retention, storage, audit -----------------------------------------

export type RetentionKind = 'events' | 'transactions' | 'spans' | 'logs' | 'rollups';

/** GET/PUT /api/v1/settings/retention: days kept per kind; PUT takes a partial {kind: days}. */
export interface RetentionSettings {
  days: Record<RetentionKind, number>;
  /** The SNAG_RETENTION_* values (what a kind returns to when its override is cleared). */
  defaults: Record<RetentionKind, number>;
  overridden: RetentionKind[];
  min_days: number;
  max_days: number;
}

export interface StorageTable {
  name: string;
  kind: 'table' | 'index';
  rows: number;
  bytes: number;
}

export interface StorageFile {
  name: string;
  file: string;
  /** Main file and WAL, now. */
  bytes: number;
  wal_bytes: number;
  /** From the latest statistics run (null before the first). */
  measured_at: string | null;
  page_size: number | null;
  free_pages: number | null;
  auto_vacuum: 'none' | 'full' | 'incremental' | null;
  tables: StorageTable[];
  /** Tables whose raw size is recorded: JSON bytes before zstd vs bytes stored. */
  compression: { table: string; raw_bytes: number; stored_bytes: number; ratio: number | null }[];
}

export interface MaintenanceTaskStatus {
  name: string;
  cron: string;
  next_run: string | null;
  last_started: string | null;
  last_ms: number | null;
  last_ok: boolean | null;
  last_error: string | null;
  running: boolean;
}

/** GET /api/v1/settings/storage */
export interface StorageSettings {
  files: StorageFile[];
  total_bytes: number;
  queue: {
    depth: number;
    oldest_age_seconds: number | null;
    parked_total: number;
    parked: {
      file: string;
      job_id: number;
      kind: string;
      project_id: number;
      error: string;
      parked_at: string;
    }[];
  };
  versions: { snag: string; node: string; sqlite: string };
  scheduler: {
    this_process_runs_it: boolean;
    holder: string | null;
    lease_expires_at: string | null;
    tasks: MaintenanceTaskStatus[];
  };
}

/** GET /api/v1/settings/audit */
export interface AuditEntryView {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  created_at: string;
}

// Alerts (issue 8, H3): channels, rules, deliveries (GET/POST /api/v1/alert-*).
export type * from '../domain/alerts/views.js';
