/**
 * Typed reads of Snag's JSON API (docs/api.md) for the integration tests: the shapes below are
 * what the tests rely on, so a renamed field fails here, loudly, rather than as `undefined`.
 */
import { getJson, type RunningSnag } from './snag.js';

export interface IssueView {
  id: number;
  project_id: number;
  title: string;
  culprit: string;
  type: string;
  value: string;
  level: string;
  platform: string;
  status: 'open' | 'resolved' | 'ignored';
  count: number;
  user_count: number;
  first_seen: string;
  last_seen: string;
  first_release: string | null;
  last_release: string | null;
  last_event_id: string | null;
  status_changed_at: string | null;
  hourly: number[];
}

export interface StatusChange {
  issue_id: number;
  from_status: string;
  to_status: string;
  actor: string;
  reason: string;
  created_at: string;
}

export interface IssueDetail extends IssueView {
  tags: { key: string; values: { value: string; count: number; last_seen: string }[] }[];
  status_changes: StatusChange[];
}

export interface IssueList {
  issues: IssueView[];
  counts: { open: number; resolved: number; ignored: number };
  next_cursor: string | null;
}

export interface EventSummary {
  event_id: string;
  issue_id: number;
  project_id: number;
  title: string;
  level: string;
  environment: string;
  release: string | null;
  platform: string;
  user: { id: string | null; email: string | null; ip_address: string | null };
  sdk: string | null;
}

export interface EventDetail extends EventSummary {
  // The stored (normalized, scrubbed) Sentry event: a tree the tests walk with their own casts.
  payload: Record<string, unknown>;
}

export interface Health {
  status: string;
  timestamp: string;
  queue_depth: number;
  queue_status: string;
  event_count: number;
  issue_count: number;
  transaction_count: number;
  transactions_per_second: number;
  transactions_per_minute: number;
  invalid_events: number;
  duplicate_events: number;
  items_accepted: Record<string, number>;
  items_dropped: Record<string, number>;
}

export function snagApi(snag: RunningSnag, projectSlug = 'default') {
  const api = `${snag.url}/api/v1`;
  return {
    health: () => getJson<Health>(`${snag.url}/_health`),
    listIssues: (query: Record<string, string> = {}) =>
      getJson<IssueList>(
        `${api}/projects/${projectSlug}/issues?${new URLSearchParams({ status: 'all', ...query })}`,
      ),
    getIssue: (id: number) => getJson<IssueDetail>(`${api}/issues/${id}`),
    listIssueEvents: (id: number, query: Record<string, string> = {}) =>
      getJson<{ events: EventSummary[]; next_cursor: string | null }>(
        `${api}/issues/${id}/events?${new URLSearchParams(query)}`,
      ),
    listStatusChanges: (id: number) =>
      getJson<{ status_changes: StatusChange[] }>(`${api}/issues/${id}/status-changes`),
    getEvent: (eventId: string, slug = projectSlug) =>
      getJson<EventDetail>(`${api}/projects/${slug}/events/${eventId}`),
    /** The event, or undefined while it is not stored (404). */
    async findEvent(eventId: string, slug = projectSlug): Promise<EventDetail | undefined> {
      const res = await fetch(`${api}/projects/${slug}/events/${eventId}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`GET event ${eventId} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as EventDetail;
    },
    async setIssueStatus(id: number, status: string) {
      const res = await fetch(`${api}/issues/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status }),
      });
      if (!res.ok) throw new Error(`PATCH issue ${id} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as { changed: boolean; issue: IssueDetail };
    },
  };
}

export type SnagApi = ReturnType<typeof snagApi>;
