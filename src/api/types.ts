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
