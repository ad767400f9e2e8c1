/**
 * Issues and their events as the API, the UI and MCP see them: ISO times, keyset cursors, hourly
 * buckets filled in, payloads decompressed. Status changes go through here so every one is audited.
 */
import { AppError, badRequest, notFound } from '../../errors.js';
import type {
  AppStore,
  EventSummary,
  Issue,
  IssueSort,
  IssuesStore,
  IssueStatus,
  StoredEvent,
} from '../../storage/index.js';
import { releaseMarkers as markersBetween, type MarkerSource } from '../releases/markers.js';

export const ISSUE_STATUSES = ['open', 'resolved', 'ignored'] as const;
export const ISSUE_SORTS = ['last_seen', 'first_seen', 'count'] as const;
export const MAX_PAGE_SIZE = 100;
const HOUR_MS = 3_600_000;

export interface IssueView {
  id: number;
  project_id: number;
  title: string;
  culprit: string;
  type: string;
  value: string;
  level: string;
  platform: string;
  status: IssueStatus;
  count: number;
  user_count: number;
  first_seen: string;
  last_seen: string;
  first_release: string | null;
  last_release: string | null;
  last_event_id: string | null;
  status_changed_at: string | null;
  /** Events per hour, oldest first, ending with the current hour. */
  hourly: number[];
}

export interface IssueListQuery {
  projectId: number;
  status?: IssueStatus | 'all';
  environment?: string;
  release?: string;
  query?: string;
  /** Exact exception type, e.g. TypeError. */
  exceptionType?: string;
  sort?: IssueSort;
  limit?: number;
  cursor?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The digest's audit reason for an automatic reopening (storage/digest-store.ts). */
const REGRESSION_REASON = /^regression: event ([0-9a-f]{32})(?: in release .*)?$/s;
/** Regression audit rows read per release question, newest first. */
const REGRESSIONS_SCANNED = 2000;

/** How many environments / releases the issue list's filter menus offer. */
const FILTER_OPTIONS_LIMIT = 100;

type ReleaseReader = Pick<AppStore, 'listReleases' | 'getRelease'> & MarkerSource;

export function createIssueService(store: IssuesStore, releases: ReleaseReader) {
  /** Deploys (else releases' first events) inside a window ending with the current hour: chart markers. */
  function releaseMarkers(projectId: number, hours: number, now: number) {
    const windowEnd = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
    return markersBetween(releases, projectId, windowEnd - hours * HOUR_MS, windowEnd);
  }

  function hourlyFor(issueIds: number[], hours: number, now: number): Map<number, number[]> {
    const currentHour = Math.floor(now / HOUR_MS);
    const fromHour = currentHour - hours + 1;
    const out = new Map<number, number[]>(issueIds.map((id) => [id, new Array<number>(hours).fill(0)]));
    for (const row of store.listIssueHourly(issueIds, fromHour)) {
      const buckets = out.get(row.issue_id);
      const i = row.hour - fromHour;
      if (buckets && i >= 0 && i < hours) buckets[i] = row.count;
    }
    return out;
  }

  function view(issue: Issue, hourly: number[]): IssueView {
    return {
      id: issue.id,
      project_id: issue.project_id,
      title: issue.title,
      culprit: issue.culprit,
      type: issue.type,
      value: issue.value,
      level: issue.level,
      platform: issue.platform,
      status: issue.status,
      count: issue.event_count,
      user_count: issue.user_count,
      first_seen: iso(issue.first_seen),
      last_seen: iso(issue.last_seen),
      first_release: issue.first_release,
      last_release: issue.last_release,
      last_event_id: issue.last_event_id,
      status_changed_at: issue.status_changed_at === null ? null : iso(issue.status_changed_at),
      hourly,
    };
  }

  function requireIssue(id: number): Issue {
    const issue = store.getIssue(id);
    if (!issue)
      throw notFound(
        `No issue ${id}: it may have been deleted by retention. List issues with GET /api/v1/projects/<slug>/issues.`,
      );
    return issue;
  }

  function eventSummaryView(e: EventSummary) {
    return {
      event_id: e.event_id,
      issue_id: e.issue_id,
      project_id: e.project_id,
      title: e.title,
      timestamp: iso(e.timestamp),
      received_at: iso(e.received_at),
      level: e.level,
      environment: e.environment,
      release: e.release,
      platform: e.platform,
      transaction: e.transaction_name,
      trace_id: e.trace_id,
      server_name: e.server_name,
      user: { id: e.user_id, email: e.user_email, ip_address: e.user_ip },
      sdk: e.sdk,
      size_bytes: e.payload_bytes,
    };
  }

  function eventDetailView(e: StoredEvent) {
    return {
      ...eventSummaryView(e),
      ...store.getNeighbourEvents(e),
      payload: store.decodePayload(e.payload),
    };
  }

  return {
    listIssues(q: IssueListQuery, now = Date.now()) {
      const limit = clampLimit(q.limit, 25);
      const sort = q.sort ?? 'last_seen';
      const status = q.status ?? 'open';
      const filter = {
        projectId: q.projectId,
        environment: q.environment || undefined,
        release: q.release || undefined,
        text: q.query?.trim() || undefined,
        type: q.exceptionType?.trim() || undefined,
      };
      const rows = store.listIssues({
        ...filter,
        status,
        sort,
        limit: limit + 1,
        after: decodeCursor(q.cursor),
      });
      const page = rows.slice(0, limit);
      const hourly = hourlyFor(
        page.map((i) => i.id),
        24,
        now,
      );
      const environments = new Map<number, string[]>();
      const ids = page.map((i) => i.id);
      for (const { issue_id, value } of store.listIssueTagValues(ids, 'environment')) {
        environments.set(issue_id, [...(environments.get(issue_id) ?? []), value]);
      }
      const last = page[page.length - 1];
      const sortValue = (i: Issue) =>
        sort === 'count' ? i.event_count : sort === 'first_seen' ? i.first_seen : i.last_seen;
      return {
        issues: page.map((i) => ({
          ...view(i, hourly.get(i.id)!),
          environments: environments.get(i.id) ?? [],
        })),
        counts: store.countIssuesByStatus(filter),
        next_cursor: rows.length > limit && last ? encodeCursor(sortValue(last), last.id) : null,
        release_markers: releaseMarkers(q.projectId, 24, now),
        environments: store.listProjectTagValues(q.projectId, 'environment', FILTER_OPTIONS_LIMIT),
        releases: releases.listReleases(q.projectId, FILTER_OPTIONS_LIMIT).map((r) => r.version),
      };
    },

    getIssue(id: number, now = Date.now()) {
      const issue = requireIssue(id);
      const tags = new Map<string, { value: string; count: number; last_seen: string }[]>();
      for (const t of store.listIssueTags(id, 10)) {
        const values = tags.get(t.key) ?? [];
        values.push({ value: t.value, count: t.count, last_seen: iso(t.last_seen) });
        tags.set(t.key, values);
      }
      return {
        ...view(issue, hourlyFor([id], 7 * 24, now).get(id)!),
        tags: [...tags].map(([key, values]) => ({ key, values })),
        release_markers: releaseMarkers(issue.project_id, 7 * 24, now),
        status_changes: store.listStatusChanges(id).map((c) => ({ ...c, created_at: iso(c.created_at) })),
      };
    },

    /** The projects overview's numbers for one project. */
    projectStats(projectId: number, now = Date.now()) {
      const currentHour = Math.floor(now / HOUR_MS);
      const hourly = new Array<number>(24).fill(0);
      for (const r of store.projectHourly(projectId, currentHour - 23))
        hourly[r.hour - (currentHour - 23)] = r.count;
      const last = store.getLastSeenIssue(projectId);
      return {
        open_issues: store.countOpenIssues(projectId),
        events_24h: hourly.reduce((a, b) => a + b, 0),
        hourly,
        last_issue: last
          ? {
              id: last.id,
              title: last.title,
              culprit: last.culprit,
              level: last.level,
              last_seen: iso(last.last_seen),
            }
          : null,
      };
    },

    listStatusChanges(id: number) {
      requireIssue(id);
      return store.listStatusChanges(id).map((c) => ({ ...c, created_at: iso(c.created_at) }));
    },

    /** Returns the issues after the change; `changed` lists those whose status really moved. */
    setStatus(ids: number[], status: string, actor: string, reason = 'manual') {
      if (!(ISSUE_STATUSES as readonly string[]).includes(status)) {
        throw badRequest(
          `status must be one of ${ISSUE_STATUSES.join(', ')}; got ${JSON.stringify(status)}.`,
        );
      }
      if (ids.length === 0) throw badRequest('Give at least one issue id.');
      if (ids.length > 1000) throw badRequest('At most 1,000 issues can change status in one request.');
      ids.forEach(requireIssue);
      const changed = store.setIssueStatus(ids, status as IssueStatus, actor, reason, Date.now());
      return { changed, issues: ids.map((id) => view(requireIssue(id), [])) };
    },

    listIssueEvents(issueId: number, opts: { limit?: number; cursor?: string }) {
      requireIssue(issueId);
      const limit = clampLimit(opts.limit, 50);
      const after = decodeCursor(opts.cursor);
      const rows = store.listIssueEvents(
        issueId,
        limit + 1,
        after && { timestamp: after.value, id: after.id },
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map(eventSummaryView),
        next_cursor: rows.length > limit && last ? encodeCursor(last.timestamp, last.id) : null,
      };
    },

    getLatestEvent(issueId: number) {
      requireIssue(issueId);
      const e = store.getLatestEvent(issueId);
      if (!e) throw notFound(`Issue ${issueId} has no stored events (retention may have removed them).`);
      return eventDetailView(e);
    },

    /** Error events of one trace, oldest first (trace views link them to transactions and logs). */
    listTraceEvents(projectId: number, traceId: string, limit: number) {
      return store.listTraceEvents(projectId, traceId, limit).map(eventSummaryView);
    },

    /**
     * What a release brought: issues first seen in it, and resolved issues that came back with an
     * event of it (read from the audit trail the digest writes on every regression).
     */
    releaseIssues(projectId: number, release: string, opts: { limit: number }) {
      const seen = releases.getRelease(projectId, release);
      if (!seen) {
        const recent = releases.listReleases(projectId, 10).map((r) => r.version);
        throw notFound(
          `No release "${release}" has sent events to this project${recent.length > 0 ? `; recent releases: ${recent.join(', ')}` : ' (no release has)'}.`,
          'release_not_found',
        );
      }
      const suffix = ` in release ${release}`;
      // A regression in a release happens after its first event; an hour of slack for clock skew.
      const regressions = store
        .listRegressions(projectId, seen.firstSeen - HOUR_MS, REGRESSIONS_SCANNED)
        .filter((c) => REGRESSION_REASON.test(c.reason) && c.reason.endsWith(suffix))
        .slice(0, opts.limit)
        .map((c) => ({
          issue_id: c.issue_id,
          title: c.title,
          type: c.type,
          reopened_at: iso(c.created_at),
          event_id: REGRESSION_REASON.exec(c.reason)![1]!,
        }));
      return {
        version: release,
        first_seen: iso(seen.firstSeen),
        last_seen: iso(seen.lastSeen),
        error_events: seen.count,
        new_issue_count: store.countIssuesFirstSeenIn(projectId, release),
        new_issues: store.listIssuesFirstSeenIn(projectId, release, opts.limit).map((i) => view(i, [])),
        regressions,
      };
    },

    getEvent(projectId: number, eventId: string) {
      const id = eventId.replace(/-/g, '').toLowerCase();
      const e = /^[0-9a-f]{32}$/.test(id) ? store.getEvent(projectId, id) : undefined;
      if (!e)
        throw notFound(`No event ${eventId} in this project: event ids are the 32-hex ids SDKs return.`);
      return eventDetailView(e);
    },
  };
}

export type IssueService = ReturnType<typeof createIssueService>;

function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || Number.isNaN(limit)) return fallback;
  if (!Number.isInteger(limit) || limit < 1)
    throw badRequest(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  return Math.min(limit, MAX_PAGE_SIZE);
}

function encodeCursor(value: number, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { value: number; id: number } | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((n) => Number.isFinite(n))) {
      return { value: parsed[0] as number, id: parsed[1] as number };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError(
    'bad_cursor',
    400,
    'cursor is not one this API returned: pass next_cursor from the previous page unchanged.',
  );
}
