/** errors.db read side and the rare administrative writes (status changes). */
import { sql } from 'kysely';
import { createPayloadReader } from './payload-dictionaries.js';
import { createBuilder, Runner } from './query.js';
import type { ErrorsSchema, EventRow, IssueRow, IssueStatus, StatusChangeRow } from './schema.js';
import type { Db } from './sqlite.js';

export type Issue = Omit<IssueRow, 'id'> & { id: number };
export type StatusChange = Omit<StatusChangeRow, 'id'> & { id: number };
/** An event's columns without its payload (list views never decompress). */
export type EventSummary = Omit<EventRow, 'id' | 'payload'> & { id: number };
export type StoredEvent = EventSummary & { payload: Buffer };

export type IssueSort = 'last_seen' | 'first_seen' | 'count';

export interface IssueFilter {
  projectId: number;
  status: IssueStatus | 'all';
  environment?: string;
  release?: string;
  /** Substring over title, type, culprit and value (case-insensitive for ASCII). */
  text?: string;
  /** Exact exception type of the primary exception, e.g. TypeError. */
  type?: string;
  sort: IssueSort;
  limit: number;
  /** Keyset position: the sort value and id of the last row of the previous page. */
  after?: { value: number; id: number };
}

const qb = createBuilder<ErrorsSchema>();

const SORT_COLUMN = { last_seen: 'last_seen', first_seen: 'first_seen', count: 'event_count' } as const;

const EVENT_SUMMARY_COLUMNS = [
  'id',
  'project_id',
  'event_id',
  'issue_id',
  'timestamp',
  'received_at',
  'level',
  'environment',
  'release',
  'platform',
  'transaction_name',
  'trace_id',
  'server_name',
  'user_id',
  'user_email',
  'user_ip',
  'sdk',
  'title',
  'payload_bytes',
] as const;

export function createIssuesStore(db: Db) {
  const run = new Runner(db);
  const payloads = createPayloadReader(db);

  function filteredIssues(f: Omit<IssueFilter, 'sort' | 'limit' | 'after' | 'status'>) {
    let q = qb.selectFrom('issues').where('project_id', '=', f.projectId);
    for (const [key, value] of [
      ['environment', f.environment],
      ['release', f.release],
    ] as const) {
      if (value === undefined) continue;
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('issue_tags')
            .select('issue_tags.issue_id')
            .whereRef('issue_tags.issue_id', '=', 'issues.id')
            .where('issue_tags.key', '=', key)
            .where('issue_tags.value', '=', value),
        ),
      );
    }
    if (f.type) q = q.where('type', '=', f.type);
    if (f.text) {
      const like = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(({ or }) =>
        or(
          (['title', 'type', 'culprit', 'value'] as const).map(
            (col) => sql<boolean>`${sql.ref(col)} LIKE ${like} ESCAPE '\\'`,
          ),
        ),
      );
    }
    return q;
  }

  return {
    /** An event's stored payload → its normalized JSON, with the dictionary it names (payload-codec.ts). */
    decodePayload: (blob: Buffer): unknown => payloads.decode(blob),

    listIssues(f: IssueFilter): Issue[] {
      const col = SORT_COLUMN[f.sort];
      let q = filteredIssues(f).selectAll();
      if (f.status !== 'all') q = q.where('status', '=', f.status);
      if (f.after) {
        const { value, id } = f.after;
        q = q.where(({ or, and, eb }) =>
          or([eb(col, '<', value), and([eb(col, '=', value), eb('id', '<', id)])]),
        );
      }
      return run.all(q.orderBy(col, 'desc').orderBy('id', 'desc').limit(f.limit)) as Issue[];
    },

    /** Counts per status under the same filters, for the open / resolved / ignored tabs. */
    countIssuesByStatus(
      f: Omit<IssueFilter, 'sort' | 'limit' | 'after' | 'status'>,
    ): Record<IssueStatus, number> {
      const rows = run.all(
        filteredIssues(f)
          .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('status'),
      );
      const counts: Record<IssueStatus, number> = { open: 0, resolved: 0, ignored: 0 };
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    },

    getIssue(id: number): Issue | undefined {
      return run.first(qb.selectFrom('issues').selectAll().where('id', '=', id)) as Issue | undefined;
    },

    listStatusChanges(issueId: number): StatusChange[] {
      return run.all(
        qb.selectFrom('issue_status_changes').selectAll().where('issue_id', '=', issueId).orderBy('id'),
      ) as StatusChange[];
    },

    /** Top values per tag key (environment and release included), most frequent first. */
    listIssueTags(
      issueId: number,
      perKey: number,
    ): { key: string; value: string; count: number; last_seen: number }[] {
      return run.all(
        qb
          .selectFrom(
            qb
              .selectFrom('issue_tags')
              .select([
                'key',
                'value',
                'count',
                'last_seen',
                sql<number>`row_number() OVER (PARTITION BY key ORDER BY count DESC, value)`.as('rank'),
              ])
              .where('issue_id', '=', issueId)
              .as('t'),
          )
          .select(['key', 'value', 'count', 'last_seen'])
          .where('rank', '<=', perKey)
          .orderBy('key')
          .orderBy('count', 'desc'),
      );
    },

    listIssueHourly(
      issueIds: number[],
      fromHour: number,
    ): { issue_id: number; hour: number; count: number }[] {
      if (issueIds.length === 0) return [];
      return run.all(
        qb
          .selectFrom('issue_hourly')
          .selectAll()
          .where('issue_id', 'in', issueIds)
          .where('hour', '>=', fromHour)
          .orderBy('issue_id')
          .orderBy('hour'),
      );
    },

    listIssueEvents(
      issueId: number,
      limit: number,
      before?: { timestamp: number; id: number },
    ): EventSummary[] {
      let q = qb.selectFrom('events').select(EVENT_SUMMARY_COLUMNS).where('issue_id', '=', issueId);
      if (before) {
        const { timestamp, id } = before;
        q = q.where(({ or, and, eb }) =>
          or([eb('timestamp', '<', timestamp), and([eb('timestamp', '=', timestamp), eb('id', '<', id)])]),
        );
      }
      return run.all(q.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(limit));
    },

    getEvent(projectId: number, eventId: string): StoredEvent | undefined {
      return run.first(
        qb
          .selectFrom('events')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('event_id', '=', eventId),
      ) as StoredEvent | undefined;
    },

    /** Error events of one trace (the transaction page links them), oldest first. */
    listTraceEvents(projectId: number, traceId: string, limit: number): EventSummary[] {
      return run.all(
        qb
          .selectFrom('events')
          .select([...EVENT_SUMMARY_COLUMNS])
          .where('trace_id', '=', traceId)
          .where('project_id', '=', projectId)
          .orderBy('timestamp')
          .limit(limit),
      );
    },

    getLatestEvent(issueId: number): StoredEvent | undefined {
      return run.first(
        qb
          .selectFrom('events')
          .selectAll()
          .where('issue_id', '=', issueId)
          .orderBy('timestamp', 'desc')
          .orderBy('id', 'desc')
          .limit(1),
      ) as StoredEvent | undefined;
    },

    /** The event ids just older and just newer than `event` within its issue. */
    getNeighbourEvents(event: { issue_id: number; timestamp: number; id: number }): {
      previous: string | null;
      next: string | null;
    } {
      const { issue_id, timestamp, id } = event;
      const older = run.first(
        qb
          .selectFrom('events')
          .select('event_id')
          .where('issue_id', '=', issue_id)
          .where(({ or, and, eb }) =>
            or([eb('timestamp', '<', timestamp), and([eb('timestamp', '=', timestamp), eb('id', '<', id)])]),
          )
          .orderBy('timestamp', 'desc')
          .orderBy('id', 'desc')
          .limit(1),
      );
      const newer = run.first(
        qb
          .selectFrom('events')
          .select('event_id')
          .where('issue_id', '=', issue_id)
          .where(({ or, and, eb }) =>
            or([eb('timestamp', '>', timestamp), and([eb('timestamp', '=', timestamp), eb('id', '>', id)])]),
          )
          .orderBy('timestamp', 'asc')
          .orderBy('id', 'asc')
          .limit(1),
      );
      return { previous: older?.event_id ?? null, next: newer?.event_id ?? null };
    },

    /**
     * Moves issues to `to`, recording each real change in the audit trail. Issues already in that
     * status are left alone (the call is idempotent). Returns the ids that changed.
     */
    setIssueStatus(
      issueIds: number[],
      to: IssueStatus,
      actor: string,
      reason: string,
      now: number,
    ): number[] {
      const changed: number[] = [];
      db.transaction(() => {
        for (const id of issueIds) {
          const row = run.first(qb.selectFrom('issues').select('status').where('id', '=', id));
          if (!row || row.status === to) continue;
          run.run(qb.updateTable('issues').set({ status: to, status_changed_at: now }).where('id', '=', id));
          run.run(
            qb.insertInto('issue_status_changes').values({
              issue_id: id,
              from_status: row.status,
              to_status: to,
              actor,
              reason,
              created_at: now,
            }),
          );
          changed.push(id);
        }
      }).immediate();
      return changed;
    },

    /** Values of one tag key for several issues (e.g. each row's environments). */
    listIssueTagValues(issueIds: number[], key: string): { issue_id: number; value: string }[] {
      if (issueIds.length === 0) return [];
      return run.all(
        qb
          .selectFrom('issue_tags')
          .select(['issue_id', 'value'])
          .where('key', '=', key)
          .where('issue_id', 'in', issueIds)
          .orderBy('issue_id')
          .orderBy('count', 'desc'),
      );
    },

    /** Distinct values of a tag key across a project's issues (the filter menus). */
    listProjectTagValues(projectId: number, key: string, limit: number): string[] {
      return run
        .all(
          qb
            .selectFrom('issue_tags')
            .innerJoin('issues', 'issues.id', 'issue_tags.issue_id')
            .select('issue_tags.value')
            .where('issues.project_id', '=', projectId)
            .where('issue_tags.key', '=', key)
            .groupBy('issue_tags.value')
            .orderBy((eb) => eb.fn.max('issue_tags.last_seen'), 'desc')
            .limit(limit),
        )
        .map((r) => r.value);
    },

    projectHourly(projectId: number, fromHour: number): { hour: number; count: number }[] {
      return run.all(
        qb
          .selectFrom('project_hourly')
          .select(['hour', 'count'])
          .where('project_id', '=', projectId)
          .where('hour', '>=', fromHour)
          .orderBy('hour'),
      );
    },

    countOpenIssues(projectId: number): number {
      return (
        run.first(
          qb
            .selectFrom('issues')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('project_id', '=', projectId)
            .where('status', '=', 'open'),
        )?.n ?? 0
      );
    },

    /** The issue that saw an event most recently, whatever its status. */
    getLastSeenIssue(projectId: number): Issue | undefined {
      return run.first(
        qb
          .selectFrom('issues')
          .selectAll()
          .where('project_id', '=', projectId)
          .orderBy('last_seen', 'desc')
          .limit(1),
      ) as Issue | undefined;
    },

    /** Issues whose first event carried `release` (new in that release), most events first. */
    listIssuesFirstSeenIn(projectId: number, release: string, limit: number): Issue[] {
      return run.all(
        qb
          .selectFrom('issues')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('first_release', '=', release)
          .orderBy('event_count', 'desc')
          .orderBy('id', 'desc')
          .limit(limit),
      ) as Issue[];
    },

    countIssuesFirstSeenIn(projectId: number, release: string): number {
      return (
        run.first(
          qb
            .selectFrom('issues')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('project_id', '=', projectId)
            .where('first_release', '=', release),
        )?.n ?? 0
      );
    },

    /**
     * Automatic reopenings (the digest's audit rows, reason `regression: event <id>[ in release <r>]`)
     * of a project's issues since `since`, newest first, with the issue's title.
     */
    listRegressions(
      projectId: number,
      since: number,
      limit: number,
    ): (StatusChange & { title: string; type: string })[] {
      return run.all(
        qb
          .selectFrom('issue_status_changes as c')
          .innerJoin('issues as i', 'i.id', 'c.issue_id')
          .selectAll('c')
          .select(['i.title', 'i.type'])
          .where('i.project_id', '=', projectId)
          .where('c.actor', '=', 'system')
          .where('c.reason', 'like', 'regression:%')
          .where('c.created_at', '>=', since)
          .orderBy('c.id', 'desc')
          .limit(limit),
      ) as (StatusChange & { title: string; type: string })[];
    },

    readCounters(): Record<string, number> {
      const rows = run.all(qb.selectFrom('counters').selectAll());
      return Object.fromEntries(rows.map((r) => [r.name, r.value]));
    },

    countParkedJobs(): number {
      return run.first(qb.selectFrom('parked_jobs').select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
    },
  };
}

export type IssuesStore = ReturnType<typeof createIssuesStore>;
