/**
 * Deleting what retention expired, and keeping files small: each function is one short write
 * transaction touching at most `maxRows` rows, so the digest thread that owns the file runs them
 * between its batches and ingest never waits behind a long delete (docs/architecture.md,
 * "Retention"). Times are epoch ms; hourly tables count hours since the epoch.
 *
 * DELETE … LIMIT needs SQLITE_ENABLE_UPDATE_DELETE_LIMIT, which better-sqlite3's build defines
 * (deps/defines.gypi).
 */
import type { Db } from './sqlite.js';
import { ROLLUP_PROJECT_IDS } from './transactions-store.js';

const HOUR_MS = 3_600_000;
/** Free pages kept for reuse before any go back to the file system: the next days' rows need them. */
const FREE_PAGES_SHARE_KEPT = 0.25;
/** Pages one vacuum step returns (4 KiB pages: 16 MiB), so a step is a short write. */
const VACUUM_PAGES_PER_STEP = 4096;

export interface PruneStep {
  /** Rows deleted or rewritten by this step. */
  rows: number;
  /** true when nothing older than the cutoff is left for this step's kind. */
  done: boolean;
}

/** errors.db: events by event time, issues left without events, hourly counts. */
export function createErrorsRetentionStore(db: Db) {
  const issuesFrom = db.prepare(
    'SELECT id, last_seen AS lastSeen FROM issues WHERE first_seen < ? AND id > ? ORDER BY id LIMIT ?',
  );
  const deleteEvents = db.prepare(
    `DELETE FROM events WHERE id IN
       (SELECT id FROM events WHERE issue_id = ? AND timestamp < ? ORDER BY timestamp LIMIT ?)`,
  );
  const hasEvents = db.prepare('SELECT 1 FROM events WHERE issue_id = ? LIMIT 1').pluck();
  const deleteIssue = db.prepare('DELETE FROM issues WHERE id = ?');
  const deleteIssueHours = db.prepare('DELETE FROM issue_hourly WHERE hour < ? LIMIT ?');
  const deleteProjectHours = db.prepare('DELETE FROM project_hourly WHERE hour < ? LIMIT ?');
  const count = db.prepare(
    `INSERT INTO counters (name, value) VALUES (?, ?)
     ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
  );

  return {
    /**
     * Deletes up to `maxRows` events older than `cutoffMs` from issues after `afterIssueId`, and
     * removes an issue once it holds no events and its last event is older than the cutoff (its
     * tags, hourly counts, users and status history go with it: ON DELETE CASCADE). Issue counts
     * (`event_count`, `user_count`, first seen) stay lifetime totals, as Sentry's times_seen.
     * Returns where to continue.
     */
    pruneEvents(cutoffMs: number, afterIssueId: number, maxRows: number) {
      return db
        .transaction(() => {
          let rows = 0;
          let issuesRemoved = 0;
          let lastIssueId = afterIssueId;
          const issues = issuesFrom.all(cutoffMs, afterIssueId, maxRows) as {
            id: number;
            lastSeen: number;
          }[];
          for (const issue of issues) {
            const deleted = deleteEvents.run(issue.id, cutoffMs, maxRows - rows).changes;
            rows += deleted;
            if (rows >= maxRows) break;
            lastIssueId = issue.id;
            if (issue.lastSeen < cutoffMs && hasEvents.get(issue.id) === undefined) {
              deleteIssue.run(issue.id);
              issuesRemoved++;
            }
          }
          if (rows > 0) count.run('pruned_events', rows);
          if (issuesRemoved > 0) count.run('pruned_issues', issuesRemoved);
          const done = rows < maxRows && issues.length < maxRows;
          return { rows, issuesRemoved, nextIssueId: done ? 0 : lastIssueId, done };
        })
        .immediate();
    },

    /** Deletes up to `maxRows` hourly issue and project counts older than `cutoffMs`. */
    pruneHourly(cutoffMs: number, maxRows: number): PruneStep {
      const hour = Math.floor(cutoffMs / HOUR_MS);
      const rows = db
        .transaction(() => {
          const n = deleteIssueHours.run(hour, maxRows).changes;
          return n + deleteProjectHours.run(hour, Math.max(0, maxRows - n)).changes;
        })
        .immediate();
      return { rows, done: rows < maxRows };
    },
  };
}

/** transactions.db: raw transactions, their span trees, rollups and the filter-menu table. */
export function createTransactionsRetentionStore(db: Db) {
  // Project ids by index seeks (a DISTINCT would scan every row), as ROLLUP_PROJECT_IDS does.
  const projects = db
    .prepare(
      `WITH RECURSIVE p(id) AS (
         SELECT min(project_id) FROM transactions
         UNION ALL SELECT (SELECT min(project_id) FROM transactions WHERE project_id > p.id) FROM p WHERE p.id IS NOT NULL
       ) SELECT id FROM p WHERE id IS NOT NULL`,
    )
    .pluck();
  const deleteTransactions = db.prepare(
    `DELETE FROM transactions WHERE id IN
       (SELECT id FROM transactions WHERE project_id = ? AND timestamp < ? ORDER BY timestamp DESC LIMIT ?)`,
  );
  const withSpans = db.prepare(
    'SELECT id, payload FROM transactions WHERE spans_pruned = 0 AND timestamp < ? ORDER BY timestamp LIMIT ?',
  );
  const rewrite = db.prepare(
    'UPDATE transactions SET payload = ?, payload_bytes = ?, spans_pruned = 1 WHERE id = ?',
  );
  const deleteRollups = db.prepare(
    `DELETE FROM endpoint_rollups WHERE project_id IN (${ROLLUP_PROJECT_IDS}) AND minutes = ? AND bucket < ? LIMIT ?`,
  );
  const deleteDimensions = db.prepare('DELETE FROM rollup_dimensions WHERE hour < ? LIMIT ?');
  const count = db.prepare(
    `INSERT INTO counters (name, value) VALUES (?, ?)
     ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
  );

  return {
    /** Deletes up to `maxRows` transactions older than `cutoffMs` (by end time), per project. */
    pruneTransactions(cutoffMs: number, maxRows: number): PruneStep {
      return db
        .transaction(() => {
          let rows = 0;
          for (const projectId of projects.all() as number[]) {
            rows += deleteTransactions.run(projectId, cutoffMs, maxRows - rows).changes;
            if (rows >= maxRows) break;
          }
          if (rows > 0) count.run('pruned_transactions', rows);
          return { rows, done: rows < maxRows };
        })
        .immediate();
    },

    /**
     * Rewrites up to `maxRows` payloads of transactions older than `cutoffMs` without their span
     * tree: `strip` gets the stored payload and returns the new one (the domain knows the shape).
     */
    pruneSpans(
      cutoffMs: number,
      maxRows: number,
      strip: (payload: Buffer) => { payload: Buffer; payloadBytes: number },
    ): PruneStep {
      return db
        .transaction(() => {
          const rows = withSpans.all(cutoffMs, maxRows) as { id: number; payload: Buffer }[];
          for (const row of rows) {
            const stripped = strip(row.payload);
            rewrite.run(stripped.payload, stripped.payloadBytes, row.id);
          }
          return { rows: rows.length, done: rows.length < maxRows };
        })
        .immediate();
    },

    /**
     * Deletes up to `maxRows` rollup rows of one resolution (`minutes`) whose bucket starts before
     * `cutoffMs`, and (for hourly rows) the filter-menu rows of those hours.
     */
    pruneRollups(minutes: number, cutoffMs: number, maxRows: number): PruneStep {
      const bucket = Math.floor(cutoffMs / (minutes * 60_000));
      const rows = db
        .transaction(() => {
          const n = deleteRollups.run(minutes, bucket, maxRows).changes;
          if (minutes !== 60) return n;
          return n + deleteDimensions.run(Math.floor(cutoffMs / HOUR_MS), Math.max(0, maxRows - n)).changes;
        })
        .immediate();
      return { rows, done: rows < maxRows };
    },
  };
}

/**
 * WAL and free pages of one file, run by the thread that writes it. A PASSIVE checkpoint never
 * waits; only when it copied every frame is the WAL truncated (instant then), so the -wal file
 * shrinks back after a burst instead of staying at its high-water mark.
 */
export function createFileMaintenance(db: Db) {
  return {
    checkpoint(): { walFrames: number; checkpointed: number; truncated: boolean } {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as {
        busy: number;
        log: number;
        checkpointed: number;
      }[];
      const caughtUp = r !== undefined && r.busy === 0 && r.log === r.checkpointed;
      if (caughtUp) db.pragma('wal_checkpoint(TRUNCATE)');
      return { walFrames: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0, truncated: caughtUp };
    },

    /**
     * Returns free pages beyond a quarter of the file to the file system, a bounded step at a time.
     * Only files created with auto_vacuum=INCREMENTAL can (storage/index.ts `migrateAll`); others
     * reuse their free pages for new rows and report 0.
     */
    vacuumStep(): { freedPages: number; freePages: number; incremental: boolean } {
      const incremental = (db.pragma('auto_vacuum', { simple: true }) as number) === 2;
      const free = db.pragma('freelist_count', { simple: true }) as number;
      const total = db.pragma('page_count', { simple: true }) as number;
      if (!incremental || free <= total * FREE_PAGES_SHARE_KEPT)
        return { freedPages: 0, freePages: free, incremental };
      const pages = Math.min(VACUUM_PAGES_PER_STEP, Math.ceil(free - total * FREE_PAGES_SHARE_KEPT));
      db.pragma(`incremental_vacuum(${pages})`);
      return { freedPages: pages, freePages: free - pages, incremental };
    },
  };
}

/** app.db: retention days set in Settings, overriding the SNAG_RETENTION_* defaults per key. */
export function createRetentionSettingsStore(db: Db) {
  const KEY = 'retention_days';
  const read = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const write = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  return {
    /** The overrides saved from Settings (days per data type), {} when none. */
    readOverrides(): Record<string, number> {
      const raw = read.get(KEY) as string | undefined;
      return raw === undefined ? {} : (JSON.parse(raw) as Record<string, number>);
    },
    writeOverrides(overrides: Record<string, number>, nowMs = Date.now()): void {
      write.run(KEY, JSON.stringify(overrides), nowMs);
    },
  };
}

export type RetentionSettingsStore = ReturnType<typeof createRetentionSettingsStore>;
