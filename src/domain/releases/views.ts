/** The release API's JSON shapes (snake_case, ISO times), shared with the web UI via api/types.ts. */
import type { IssueStatus } from '../../storage/schema.js';

/**
 * Where a release started, drawn as a marker on sparklines and charts: a deploy when the window
 * has any, else the release's first event (so data from before deploys were recorded keeps its
 * markers).
 */
export interface ReleaseMarker {
  version: string;
  /** The marker's time: when the deploy finished, or the release's first event. */
  first_seen: string;
  /** The deploy's environment; null for a first-event marker. */
  environment: string | null;
}

export interface DeployView {
  id: number;
  version: string;
  environment: string;
  name: string | null;
  url: string | null;
  started_at: string | null;
  finished_at: string;
}

/** p95 over the hours the release was seen in, from the APM rollups, and its move from the release before. */
export interface ReleaseLatency {
  transactions: number;
  p95: number | null;
  previous_p95: number | null;
  /** Percent; null without transactions on either side. */
  p95_change_percent: number | null;
}

export interface ReleaseSummary {
  version: string;
  /** First and last event or transaction; null for a release created (or deployed) before any. */
  first_seen: string | null;
  last_seen: string | null;
  created_at: string;
  /** When it was finalized (`sentry-cli releases finalize`). */
  released_at: string | null;
  url: string | null;
  error_events: number;
  transactions: number;
  new_issue_count: number;
  regression_count: number;
  /** Newest first. */
  deploys: DeployView[];
  /** The release that started before this one. */
  previous_version: string | null;
  latency: ReleaseLatency;
}

/** GET /api/v1/projects/:project/releases */
export interface ReleaseList {
  releases: ReleaseSummary[];
  next_cursor: string | null;
}

export interface ReleaseIssue {
  id: number;
  title: string;
  culprit: string;
  type: string;
  level: string;
  status: IssueStatus;
  count: number;
}

export interface ReleaseRegression extends ReleaseIssue {
  reopened_at: string;
  /** The event that reopened it. */
  event_id: string | null;
}

/** GET /api/v1/projects/:project/releases/:version */
export interface ReleaseDetail extends ReleaseSummary {
  project: { id: number; slug: string; name: string };
  /** Issues whose first event carried this release, most events first. */
  new_issues: ReleaseIssue[];
  /** Resolved issues that an event of this release reopened, newest first. */
  regressions: ReleaseRegression[];
}
