/**
 * errors.db as alerting reads it, on the main thread's read connection: the outbox the errors
 * thread fills (one row per new or regressed issue, written in the same transaction as the issue)
 * and the per-issue hourly counts that bursts and spikes are computed from. Reads only: errors.db
 * has one writer, the errors thread (which also prunes the outbox).
 */
import type { Db } from './sqlite.js';

export interface AlertOutboxRow {
  id: number;
  trigger: 'new_issue' | 'regression';
  project_id: number;
  issue_id: number;
  event_id: string;
  environment: string;
  release: string | null;
  level: string;
  created_at: number;
}

export interface AlertIssueRow {
  id: number;
  project_id: number;
  title: string;
  culprit: string;
  level: string;
  status: string;
  event_count: number;
  user_count: number;
  first_seen: number;
  last_seen: number;
  last_release: string | null;
}

export function createAlertSignalsStore(db: Db) {
  const s = {
    outbox: db.prepare('SELECT * FROM alert_outbox WHERE id > ? ORDER BY id LIMIT ?'),
    issue: db.prepare(
      `SELECT id, project_id, title, culprit, level, status, event_count, user_count, first_seen, last_seen, last_release
       FROM issues WHERE id = ?`,
    ),
    // issues_by_last_seen (project_id, status, last_seen) serves this as a range scan.
    active: db.prepare(
      `SELECT id, project_id, title, culprit, level, status, event_count, user_count, first_seen, last_seen, last_release
       FROM issues WHERE project_id = ? AND status = 'open' AND last_seen >= ?`,
    ),
    hourly: db.prepare('SELECT hour, count FROM issue_hourly WHERE issue_id = ? AND hour >= ? ORDER BY hour'),
    hourlySums: db.prepare(
      `SELECT coalesce(sum(count), 0) AS sum, coalesce(sum(count * count), 0) AS sum_of_squares
       FROM issue_hourly WHERE issue_id = ? AND hour BETWEEN ? AND ?`,
    ),
    seenIn: db
      .prepare(
        "SELECT 1 FROM issue_tags WHERE issue_id = ? AND key = 'environment' AND value = ? AND last_seen >= ?",
      )
      .pluck(),
  };
  return {
    readOutboxAfter: (afterId: number, limit: number) => s.outbox.all(afterId, limit) as AlertOutboxRow[],
    getIssue: (id: number) => s.issue.get(id) as AlertIssueRow | undefined,
    /** Open issues of a project with an event at or after `since` (ms). */
    listActiveIssues: (projectId: number, since: number) => s.active.all(projectId, since) as AlertIssueRow[],
    /** Events per UTC hour (hour = ms / 3,600,000, floored) from `fromHour` on; hours without events are absent. */
    listHourlyCounts: (issueId: number, fromHour: number) =>
      s.hourly.all(issueId, fromHour) as { hour: number; count: number }[],
    /** Sum and sum of squares of the hourly counts in [fromHour, toHour], for a spike's baseline. */
    sumHourlyCounts: (issueId: number, fromHour: number, toHour: number) =>
      s.hourlySums.get(issueId, fromHour, toHour) as { sum: number; sum_of_squares: number },
    /** Whether the issue had an event in `environment` at or after `since` (its per-tag last_seen). */
    wasSeenIn: (issueId: number, environment: string, since: number) =>
      s.seenIn.get(issueId, environment, since) !== undefined,
  };
}

export type AlertSignalsStore = ReturnType<typeof createAlertSignalsStore>;
