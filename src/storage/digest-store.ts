/**
 * errors.db write side: one worker batch in one transaction. Events are deduplicated by
 * (project, event_id), assigned to their issue (created on first sight), and the issue's
 * aggregates (counts, users, tags, hourly buckets) are folded in once per issue per batch rather
 * than once per event. The consumer cursor is written in the same transaction, which is what makes
 * a redelivered job a no-op.
 */
import { createPayloadDictionaries } from './payload-dictionaries.js';
import type { Db } from './sqlite.js';
import type { IssueStatus } from './schema.js';

export interface EventToStore {
  jobId: number;
  projectId: number;
  eventId: string;
  hash: string;
  title: string;
  culprit: string;
  type: string;
  value: string;
  level: string;
  platform: string;
  /** ms */
  timestamp: number;
  /** ms */
  receivedAt: number;
  environment: string;
  release: string | null;
  transactionName: string | null;
  traceId: string | null;
  serverName: string | null;
  userId: string | null;
  userEmail: string | null;
  userIp: string | null;
  /** One string per distinct user (id, else email, username or ip) for "users affected". */
  userKey: string | null;
  sdk: string | null;
  tags: [string, string][];
  payload: Buffer;
  payloadBytes: number;
}

export interface JobToPark {
  jobId: number;
  kind: string;
  projectId: number;
  receivedAt: number;
  meta: string;
  payload: Buffer;
  error: string;
}

export interface BatchOutcome {
  stored: number;
  duplicates: number;
  /** Jobs whose event was already stored (an SDK retry), so release counts skip them. */
  duplicateJobIds: number[];
  newIssueIds: number[];
  regressedIssueIds: number[];
}

interface IssueAggregate {
  id: number;
  status: IssueStatus;
  isNew: boolean;
  count: number;
  firstSeen: number;
  lastSeen: number;
  lastRelease: string | null;
  firstRelease: string | null;
  lastLevel: string;
  lastEventId: string;
  lastEvent: EventToStore;
  hours: Map<number, number>;
  tags: Map<string, { key: string; value: string; count: number; first: number; last: number }>;
  users: Set<string>;
}

const HOUR_MS = 3_600_000;

export function createDigestStore(db: Db) {
  const dictionaries = createPayloadDictionaries(db, 'events');
  // One statement per project per batch rather than one per event: a batch's events are almost
  // never stored already (only SDK retries are), and each call costs its bind/step/reset.
  const storedEventIds = db
    .prepare(
      'SELECT event_id FROM events WHERE project_id = ? AND event_id IN (SELECT value FROM json_each(?))',
    )
    .pluck();
  const findIssue = db.prepare('SELECT id, status FROM issues WHERE project_id = ? AND hash = ?');
  const insertIssue = db.prepare(
    `INSERT INTO issues (project_id, hash, title, culprit, type, value, level, platform, first_seen, last_seen, first_release, last_release)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertEvent = db.prepare(
    `INSERT INTO events (project_id, event_id, issue_id, timestamp, received_at, level, environment, release, platform,
       transaction_name, trace_id, server_name, user_id, user_email, user_ip, sdk, title, payload, payload_bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Right-hand sides see the row's old values, so "newer than last_seen" is judged before the update.
  const updateIssue = db.prepare(
    `UPDATE issues SET
       event_count = event_count + ?,
       user_count = user_count + ?,
       first_seen = min(first_seen, ?),
       first_release = coalesce(first_release, ?),
       last_release = CASE WHEN ? >= last_seen THEN coalesce(?, last_release) ELSE last_release END,
       level = CASE WHEN ? >= last_seen THEN ? ELSE level END,
       last_event_id = CASE WHEN ? >= last_seen THEN ? ELSE last_event_id END,
       last_seen = max(last_seen, ?)
     WHERE id = ?`,
  );
  const reopenIssue = db.prepare(
    "UPDATE issues SET status = 'open', status_changed_at = ? WHERE id = ? AND status = 'resolved'",
  );
  const insertStatusChange = db.prepare(
    `INSERT INTO issue_status_changes (issue_id, from_status, to_status, actor, reason, created_at, release)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertUser = db.prepare('INSERT OR IGNORE INTO issue_users (issue_id, user_key) VALUES (?, ?)');
  const upsertHour = db.prepare(
    `INSERT INTO issue_hourly (issue_id, hour, count) VALUES (?, ?, ?)
     ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + excluded.count`,
  );
  const upsertProjectHour = db.prepare(
    `INSERT INTO project_hourly (project_id, hour, count) VALUES (?, ?, ?)
     ON CONFLICT (project_id, hour) DO UPDATE SET count = count + excluded.count`,
  );
  const upsertTag = db.prepare(
    `INSERT INTO issue_tags (issue_id, key, value, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (issue_id, key, value) DO UPDATE SET
       count = count + excluded.count,
       first_seen = min(first_seen, excluded.first_seen),
       last_seen = max(last_seen, excluded.last_seen)`,
  );
  const addCounter = db.prepare('UPDATE counters SET value = value + ? WHERE name = ?');
  // Alerts: one row per new or reopened issue (never per event), in this same transaction.
  const insertAlertOutbox = db.prepare(
    `INSERT INTO alert_outbox (trigger, project_id, issue_id, event_id, environment, release, level, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const pruneAlertOutbox = db.prepare('DELETE FROM alert_outbox WHERE created_at < ? AND id <= ?');
  const setCursor = db.prepare(
    `INSERT INTO consumer_cursors (consumer, last_job_id) VALUES (?, ?)
     ON CONFLICT (consumer) DO UPDATE SET last_job_id = max(last_job_id, excluded.last_job_id)`,
  );
  const getCursor = db.prepare('SELECT last_job_id FROM consumer_cursors WHERE consumer = ?').pluck();
  const insertParked = db.prepare(
    `INSERT OR IGNORE INTO parked_jobs (job_id, kind, project_id, received_at, meta, payload, error, parked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  function storeEvents(events: EventToStore[], now: number): BatchOutcome {
    const outcome: BatchOutcome = {
      stored: 0,
      duplicates: 0,
      duplicateJobIds: [],
      newIssueIds: [],
      regressedIssueIds: [],
    };
    const byIssue = new Map<string, IssueAggregate>();
    const known = alreadyStored(events);

    for (const e of events) {
      const dedupeKey = `${e.projectId}:${e.eventId}`;
      if (known.has(dedupeKey)) {
        outcome.duplicates++;
        outcome.duplicateJobIds.push(e.jobId);
        continue;
      }
      known.add(dedupeKey);

      const issueKey = `${e.projectId}:${e.hash}`;
      let agg = byIssue.get(issueKey);
      if (!agg) {
        const found = findIssue.get(e.projectId, e.hash) as { id: number; status: IssueStatus } | undefined;
        const id =
          found?.id ??
          (insertIssue
            .pluck()
            .get(
              e.projectId,
              e.hash,
              e.title,
              e.culprit,
              e.type,
              e.value,
              e.level,
              e.platform,
              e.timestamp,
              e.timestamp,
              e.release,
              e.release,
            ) as number);
        agg = {
          id,
          status: found?.status ?? 'open',
          isNew: !found,
          count: 0,
          firstSeen: e.timestamp,
          lastSeen: e.timestamp,
          firstRelease: e.release,
          lastRelease: e.release,
          lastLevel: e.level,
          lastEventId: e.eventId,
          lastEvent: e,
          hours: new Map(),
          tags: new Map(),
          users: new Set(),
        };
        byIssue.set(issueKey, agg);
        if (!found) outcome.newIssueIds.push(id);
      }

      insertEvent.run(
        e.projectId,
        e.eventId,
        agg.id,
        e.timestamp,
        e.receivedAt,
        e.level,
        e.environment,
        e.release,
        e.platform,
        e.transactionName,
        e.traceId,
        e.serverName,
        e.userId,
        e.userEmail,
        e.userIp,
        e.sdk,
        e.title,
        e.payload,
        e.payloadBytes,
      );
      outcome.stored++;
      foldEvent(agg, e);
    }

    const projectHours = new Map<string, [number, number, number]>();
    for (const agg of byIssue.values()) {
      const projectId = agg.lastEvent.projectId;
      for (const [hour, count] of agg.hours) {
        const k = `${projectId}:${hour}`;
        const entry = projectHours.get(k);
        if (entry) entry[2] += count;
        else projectHours.set(k, [projectId, hour, count]);
      }
    }
    for (const [projectId, hour, count] of projectHours.values())
      upsertProjectHour.run(projectId, hour, count);

    for (const agg of byIssue.values()) {
      let newUsers = 0;
      for (const key of agg.users) newUsers += insertUser.run(agg.id, key).changes;
      updateIssue.run(
        agg.count,
        newUsers,
        agg.firstSeen,
        agg.firstRelease,
        agg.lastSeen,
        agg.lastRelease,
        agg.lastSeen,
        agg.lastLevel,
        agg.lastSeen,
        agg.lastEventId,
        agg.lastSeen,
        agg.id,
      );
      for (const [hour, count] of agg.hours) upsertHour.run(agg.id, hour, count);
      for (const t of agg.tags.values()) upsertTag.run(agg.id, t.key, t.value, t.count, t.first, t.last);
      if (agg.isNew) recordAlertFact('new_issue', agg, now);
      // A new event on a resolved issue is a regression; an ignored issue stays ignored.
      if (agg.status === 'resolved' && reopenIssue.run(now, agg.id).changes > 0) {
        const release = agg.lastEvent.release ? ` in release ${agg.lastEvent.release}` : '';
        insertStatusChange.run(
          agg.id,
          'resolved',
          'open',
          'system',
          `regression: event ${agg.lastEvent.eventId}${release}`,
          now,
          agg.lastEvent.release,
        );
        outcome.regressedIssueIds.push(agg.id);
        recordAlertFact('regression', agg, now);
      }
    }

    addCounter.run(outcome.stored, 'events');
    addCounter.run(outcome.newIssueIds.length, 'issues');
    addCounter.run(outcome.duplicates, 'duplicate_events');
    return outcome;
  }

  /** `project:event_id` of the batch's events that errors.db already holds. */
  function alreadyStored(events: EventToStore[]): Set<string> {
    const byProject = new Map<number, string[]>();
    for (const e of events) {
      const ids = byProject.get(e.projectId);
      if (ids) ids.push(e.eventId);
      else byProject.set(e.projectId, [e.eventId]);
    }
    const stored = new Set<string>();
    for (const [projectId, ids] of byProject) {
      for (const id of storedEventIds.all(projectId, JSON.stringify(ids)) as string[]) {
        stored.add(`${projectId}:${id}`);
      }
    }
    return stored;
  }

  function recordAlertFact(trigger: 'new_issue' | 'regression', agg: IssueAggregate, now: number): void {
    const e = agg.lastEvent;
    insertAlertOutbox.run(trigger, e.projectId, agg.id, e.eventId, e.environment, e.release, e.level, now);
  }

  const writeBatch = db.transaction(
    (consumer: string, lastJobId: number, events: EventToStore[], parked: JobToPark[], invalid: number) => {
      const now = Date.now();
      const outcome = storeEvents(events, now);
      for (const p of parked) {
        insertParked.run(p.jobId, p.kind, p.projectId, p.receivedAt, p.meta, p.payload, p.error, now);
      }
      if (invalid > 0) addCounter.run(invalid, 'invalid_events');
      setCursor.run(consumer, lastJobId);
      return outcome;
    },
  );

  return {
    /** What events' payloads are compressed with (the current trained dictionary, once there is one). */
    payloadCodec: dictionaries.codec,
    /** Trains the next payload dictionary when due (storage/payload-dictionaries.ts). */
    trainDictionaryIfDue: dictionaries.trainIfDue,

    /**
     * Stores a batch and moves `consumer`'s cursor to `lastJobId`, atomically. `invalid` counts
     * jobs dropped as unparseable (bad input, not bugs); `parked` are jobs that hit a bug.
     */
    writeBatch(
      consumer: string,
      lastJobId: number,
      events: EventToStore[],
      parked: JobToPark[] = [],
      invalid = 0,
    ): BatchOutcome {
      return writeBatch.immediate(consumer, lastJobId, events, parked, invalid);
    },

    readCursor(consumer: string): number {
      return (getCursor.get(consumer) as number | undefined) ?? 0;
    },

    /**
     * Deletes alert outbox rows older than `before` (ms) that the alerts loop has read (id ≤
     * `readUpTo`, its cursor in app.db; null: it never ran, so nothing is deleted).
     */
    pruneAlertOutbox(before: number, readUpTo: number | null): number {
      if (readUpTo === null) return 0;
      return pruneAlertOutbox.run(before, readUpTo).changes;
    },
  };
}

function foldEvent(agg: IssueAggregate, e: EventToStore): void {
  agg.count++;
  if (e.timestamp < agg.firstSeen) {
    agg.firstSeen = e.timestamp;
    if (e.release) agg.firstRelease = e.release;
  }
  if (e.timestamp >= agg.lastSeen) {
    agg.lastSeen = e.timestamp;
    agg.lastRelease = e.release ?? agg.lastRelease;
    agg.lastLevel = e.level;
    agg.lastEventId = e.eventId;
    agg.lastEvent = e;
  }
  const hour = Math.floor(e.timestamp / HOUR_MS);
  agg.hours.set(hour, (agg.hours.get(hour) ?? 0) + 1);
  for (const [key, value] of e.tags) {
    const k = `${key}\u0000${value}`;
    const t = agg.tags.get(k);
    if (t) {
      t.count++;
      t.first = Math.min(t.first, e.timestamp);
      t.last = Math.max(t.last, e.timestamp);
    } else {
      agg.tags.set(k, { key, value, count: 1, first: e.timestamp, last: e.timestamp });
    }
  }
  if (e.userKey) agg.users.add(e.userKey);
}

export type DigestStore = ReturnType<typeof createDigestStore>;
