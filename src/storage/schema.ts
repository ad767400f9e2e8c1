/** Row types of every table, for the typed query builder. Keep in step with migrations/. */
import type { Generated } from 'kysely';

export interface ProjectRow {
  id: Generated<number>;
  slug: string;
  name: string;
  public_key: string;
  platform: string | null;
  created_at: number;
}

export interface ReleaseRow {
  project_id: number;
  version: string;
  // Releases and deploys (issue 8, H4): null until the release's first event or transaction.
  first_seen: number | null;
  last_seen: number | null;
  event_count: number;
  transaction_count: number;
  created_at: number;
  /** Finalized (`sentry-cli releases finalize`). */
  released_at: number | null;
  url: string | null;
}

/** Releases and deploys (issue 8, H4). */
export interface DeployRow {
  id: Generated<number>;
  project_id: number;
  version: string;
  environment: string;
  name: string | null;
  url: string | null;
  started_at: number | null;
  finished_at: number;
  created_at: number;
}

export interface AccessTokenRow {
  id: Generated<number>;
  name: string;
  /** Hex SHA-256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  /** The token's first characters, so a listing can tell tokens apart. */
  prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  // API tokens (issue 7): comma-separated scopes, NULL for tokens minted before scopes (read+write).
  scopes: string | null;
  project_id: number | null;
  user_id: number | null;
  expires_at: number | null;
}

export interface AppSchema {
  projects: ProjectRow;
  settings: { key: string; value: string; updated_at: number };
  releases: ReleaseRow;
  deploys: DeployRow; // Releases and deploys (issue 8, H4)
  access_tokens: AccessTokenRow;
}

export type IssueStatus = 'open' | 'resolved' | 'ignored';

export interface IssueRow {
  id: Generated<number>;
  project_id: number;
  hash: string;
  title: string;
  culprit: string;
  type: string;
  value: string;
  level: string;
  platform: string;
  status: IssueStatus;
  event_count: number;
  user_count: number;
  first_seen: number;
  last_seen: number;
  first_release: string | null;
  last_release: string | null;
  last_event_id: string | null;
  status_changed_at: number | null;
}

export interface EventRow {
  id: Generated<number>;
  project_id: number;
  event_id: string;
  issue_id: number;
  timestamp: number;
  received_at: number;
  level: string;
  environment: string;
  release: string | null;
  platform: string;
  transaction_name: string | null;
  trace_id: string | null;
  server_name: string | null;
  user_id: string | null;
  user_email: string | null;
  user_ip: string | null;
  sdk: string | null;
  title: string;
  payload: Buffer;
  payload_bytes: number;
}

export interface StatusChangeRow {
  id: Generated<number>;
  issue_id: number;
  from_status: IssueStatus;
  to_status: IssueStatus;
  actor: string;
  reason: string;
  created_at: number;
  /** Releases (issue 8, H4): the release of the event that reopened the issue (regressions only). */
  release: string | null;
}

export interface ErrorsSchema {
  issues: IssueRow;
  issue_tags: {
    issue_id: number;
    key: string;
    value: string;
    count: number;
    first_seen: number;
    last_seen: number;
  };
  issue_hourly: { issue_id: number; hour: number; count: number };
  project_hourly: { project_id: number; hour: number; count: number };
  issue_users: { issue_id: number; user_key: string };
  issue_status_changes: StatusChangeRow;
  events: EventRow;
  consumer_cursors: { consumer: string; last_job_id: number };
  parked_jobs: {
    job_id: number;
    kind: string;
    project_id: number;
    received_at: number;
    meta: string;
    payload: Buffer;
    error: string;
    parked_at: number;
  };
  counters: { name: string; value: number };
}

export interface JobRow {
  id: Generated<number>;
  kind: string;
  project_id: number;
  received_at: number;
  meta: string;
  payload: Buffer;
}

export interface QueueSchema {
  jobs: JobRow;
}

export interface TransactionDbRow {
  id: Generated<number>;
  project_id: number;
  span_id: string;
  trace_id: string;
  event_id: string | null;
  name: string;
  op: string;
  start: number;
  timestamp: number;
  duration_ms: number;
  status: string;
  is_error: number;
  environment: string;
  release: string | null;
  http_method: string | null;
  http_status: number | null;
  query_count: number;
  n_plus_one: number;
  n_plus_one_ms: number;
  db_ms: number;
  view_ms: number;
  http_ms: number;
  cache_ms: number;
  queue_ms: number;
  other_ms: number;
  incomplete: number;
  tags: string;
  received_at: number;
  payload: Buffer;
  payload_bytes: number;
}

export interface EndpointRollupRow {
  project_id: number;
  minutes: number;
  bucket: number;
  name: string;
  environment: string;
  release: string;
  op: string;
  count: number;
  errors: number;
  sum_ms: number;
  min_ms: number;
  max_ms: number;
  db_ms: number;
  view_ms: number;
  http_ms: number;
  cache_ms: number;
  queue_ms: number;
  other_ms: number;
  queries: number;
  max_queries: number;
  n_plus_one_count: number;
  n_plus_one_ms: number;
  sketch: Buffer;
}

export interface TransactionsSchema {
  transactions: TransactionDbRow;
  endpoint_rollups: EndpointRollupRow;
  counters: { name: string; value: number };
  parked_jobs: { job_id: number };
  pending_spans: { id: number };
}
