/**
 * Typed reads of Snag's JSON API (docs/api.md) for the integration tests, with the server's own
 * response types (src/api/types.ts): a renamed field fails the type check, not silently.
 */
import type {
  EndpointDetail,
  EventDetail,
  EventSummary,
  Health,
  NPlusOneList,
  PerformanceOverview,
  ReleaseComparison,
  TransactionDetail,
  TransactionList,
  IssueDetail,
  IssueList,
  StatusChangeView,
  LogDetail,
  LogFacets,
  LogHistogram,
  LogList,
} from '../../src/api/types.js';
import { getJson, type RunningSnag } from './snag.js';

export type {
  EndpointDetail,
  NPlusOneList,
  PerformanceOverview,
  ReleaseComparison,
  TransactionDetail,
  TransactionList,
  EventDetail,
  EventSummary,
  Health,
  IssueDetail,
  IssueList,
  IssueView,
  StatusChangeView as StatusChange,
  LogDetail,
  LogFacets,
  LogHistogram,
  LogList,
  LogSummary,
} from '../../src/api/types.js';

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
      getJson<{ status_changes: StatusChangeView[] }>(`${api}/issues/${id}/status-changes`),
    getEvent: (eventId: string, slug = projectSlug) =>
      getJson<EventDetail>(`${api}/projects/${slug}/events/${eventId}`),
    /** The event, or undefined while it is not stored (404). */
    async findEvent(eventId: string, slug = projectSlug): Promise<EventDetail | undefined> {
      const res = await fetch(`${api}/projects/${slug}/events/${eventId}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`GET event ${eventId} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as EventDetail;
    },
    performance: (query: Record<string, string> = {}) =>
      getJson<PerformanceOverview>(
        `${api}/projects/${projectSlug}/performance?${new URLSearchParams(query)}`,
      ),
    endpoint: (name: string, query: Record<string, string> = {}) =>
      getJson<EndpointDetail>(
        `${api}/projects/${projectSlug}/performance/endpoint?${new URLSearchParams({ name, ...query })}`,
      ),
    compare: (query: Record<string, string>) =>
      getJson<ReleaseComparison>(
        `${api}/projects/${projectSlug}/performance/compare?${new URLSearchParams(query)}`,
      ),
    nPlusOne: (query: Record<string, string> = {}) =>
      getJson<NPlusOneList>(
        `${api}/projects/${projectSlug}/performance/n-plus-one?${new URLSearchParams(query)}`,
      ),
    searchTransactions: (query: Record<string, string> = {}) =>
      getJson<TransactionList>(`${api}/projects/${projectSlug}/transactions?${new URLSearchParams(query)}`),
    getTransaction: (id: string) =>
      getJson<TransactionDetail>(`${api}/projects/${projectSlug}/transactions/${id}`),
    searchLogs: (query: Record<string, string> = {}) =>
      getJson<LogList>(`${api}/projects/${projectSlug}/logs?${new URLSearchParams(query)}`),
    logHistogram: (query: Record<string, string> = {}) =>
      getJson<LogHistogram>(`${api}/projects/${projectSlug}/logs/histogram?${new URLSearchParams(query)}`),
    logFacets: () => getJson<LogFacets>(`${api}/projects/${projectSlug}/logs/facets`),
    getLog: (id: string) => getJson<LogDetail>(`${api}/projects/${projectSlug}/logs/${id}`),
    traceLogs: (traceId: string) => getJson<LogList>(`${api}/projects/${projectSlug}/traces/${traceId}/logs`),
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
