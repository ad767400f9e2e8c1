import type { Migration } from '../sqlite.js';

/**
 * errors.db: issues and their events. Timestamps are integer milliseconds since the epoch.
 * Per-issue aggregates (tags, hourly counts, users) are kept in their own small tables so the
 * issue list can filter by environment/release and the UI can draw sparklines without reading
 * events.
 */
export const ERRORS_MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE issues (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    hash TEXT NOT NULL,
    title TEXT NOT NULL,
    culprit TEXT NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    level TEXT NOT NULL,
    platform TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'ignored')),
    event_count INTEGER NOT NULL DEFAULT 0,
    user_count INTEGER NOT NULL DEFAULT 0,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    first_release TEXT,
    last_release TEXT,
    last_event_id TEXT,
    status_changed_at INTEGER,
    UNIQUE (project_id, hash)
  );
  CREATE INDEX issues_by_last_seen ON issues (project_id, status, last_seen DESC, id DESC);
  CREATE INDEX issues_by_first_seen ON issues (project_id, status, first_seen DESC, id DESC);
  CREATE INDEX issues_by_count ON issues (project_id, status, event_count DESC, id DESC);

  CREATE TABLE issue_tags (
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (issue_id, key, value)
  ) WITHOUT ROWID;
  CREATE INDEX issue_tags_by_value ON issue_tags (key, value, issue_id);

  CREATE TABLE issue_hourly (
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (issue_id, hour)
  ) WITHOUT ROWID;

  CREATE TABLE issue_users (
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    user_key TEXT NOT NULL,
    PRIMARY KEY (issue_id, user_key)
  ) WITHOUT ROWID;

  CREATE TABLE issue_status_changes (
    id INTEGER PRIMARY KEY,
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX issue_status_changes_by_issue ON issue_status_changes (issue_id, id);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    timestamp INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    level TEXT NOT NULL,
    environment TEXT NOT NULL,
    release TEXT,
    platform TEXT NOT NULL,
    transaction_name TEXT,
    trace_id TEXT,
    server_name TEXT,
    user_id TEXT,
    user_email TEXT,
    user_ip TEXT,
    sdk TEXT,
    title TEXT NOT NULL,
    payload BLOB NOT NULL,
    payload_bytes INTEGER NOT NULL,
    UNIQUE (project_id, event_id)
  );
  CREATE INDEX events_by_issue ON events (issue_id, timestamp DESC, id DESC);
  CREATE INDEX events_by_trace ON events (trace_id) WHERE trace_id IS NOT NULL;

  -- How far each queue consumer has digested, written in the same transaction as the data, so a
  -- crash between "stored" and "deleted from the queue" redelivers nothing twice.
  CREATE TABLE consumer_cursors (
    consumer TEXT PRIMARY KEY,
    last_job_id INTEGER NOT NULL
  );

  -- Jobs a digest could not process (a bug or a poisoned payload), kept with the error.
  CREATE TABLE parked_jobs (
    job_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    meta TEXT NOT NULL,
    payload BLOB NOT NULL,
    error TEXT NOT NULL,
    parked_at INTEGER NOT NULL
  );

  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  INSERT INTO counters (name, value) VALUES ('events', 0), ('issues', 0), ('invalid_events', 0), ('duplicate_events', 0);
  `,
  // v2: events per project per hour, for the projects overview without summing every issue.
  `
  CREATE TABLE project_hourly (
    project_id INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour)
  ) WITHOUT ROWID;
  INSERT INTO project_hourly (project_id, hour, count)
    SELECT i.project_id, h.hour, sum(h.count) FROM issue_hourly h JOIN issues i ON i.id = h.issue_id GROUP BY 1, 2;
  `,
  // v3 (alerts): one row per issue created or reopened, written in the transaction that creates or
  // reopens it, so an alert can never be lost between "stored" and "noticed". The main thread
  // reads it after a cursor kept in app.db; this file's writer (the errors thread) prunes rows the
  // cursor has passed once they are a day old. AUTOINCREMENT: the cursor must never see an id twice.
  `
  CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger TEXT NOT NULL CHECK (trigger IN ('new_issue', 'regression')),
    project_id INTEGER NOT NULL,
    issue_id INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    release TEXT,
    level TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // Releases (issue 8, H4): the release an automatic reopening came with, so "regressed in
  // release X" is an indexed lookup rather than a parse of audit reasons. Regressions recorded
  // before are backfilled from their reason (`regression: event <id> in release <version>`).
  `
  ALTER TABLE issue_status_changes ADD COLUMN release TEXT;
  UPDATE issue_status_changes SET release = substr(reason, instr(reason, ' in release ') + 12)
    WHERE actor = 'system' AND reason LIKE 'regression: event % in release %';
  CREATE INDEX issue_status_changes_by_release ON issue_status_changes (release, issue_id)
    WHERE release IS NOT NULL;
  `,
  // Payload dictionaries (issue 9, S5 H2): trained zstd dictionaries for events.payload
  // (storage/payload-dictionaries.ts). A payload names its dictionary's dict_id; rows stored before
  // this are plain zstd frames and stay readable as they are. Dictionaries are never deleted:
  // any stored row may name one.
  `
  CREATE TABLE payload_dictionaries (
    id INTEGER PRIMARY KEY,
    dict_id INTEGER NOT NULL UNIQUE,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE payload_dictionary_trainings (
    id INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    promoted_dict_id INTEGER,
    samples INTEGER NOT NULL,
    eval_raw_bytes INTEGER NOT NULL,
    eval_before_bytes INTEGER NOT NULL,
    eval_after_bytes INTEGER NOT NULL,
    train_ms INTEGER NOT NULL
  );
  `,
];
