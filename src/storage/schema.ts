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
  first_seen: number;
  last_seen: number;
  event_count: number;
}

export interface AppSchema {
  projects: ProjectRow;
  settings: { key: string; value: string; updated_at: number };
  releases: ReleaseRow;
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
