import type { Migration } from '../sqlite.js';

/**
 * transactions.db: APM. Timestamps are integer milliseconds since the epoch, durations REAL ms.
 *
 * - `transactions`: one row per transaction with the promoted columns that lists, filters and
 *   samples need, and the rest (span tree, query patterns, contexts, request, tags, user) as one
 *   zstd-compressed JSON payload. Identified by (project, root span id): the one id both a classic
 *   transaction and a streamed segment have.
 * - `endpoint_rollups`: per (project, resolution, time bucket, endpoint, environment, release): sums,
 *   extremes and a DDSketch of durations, at two resolutions: hourly (kept as long as rollups are)
 *   and 5-minute (kept two days, for the 1 h and 6 h views). Every percentile is read from these
 *   sketches; raw rows only serve samples and search, and can be deleted long before the rollups.
 * - `pending_spans`: streamed spans whose segment root has not arrived yet (a segment may arrive
 *   over several envelopes, root first or last). Finalized when the root arrives, or after the
 *   orphan timeout with a synthesized root.
 */
export const TRANSACTIONS_MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    span_id TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    event_id TEXT,
    name TEXT NOT NULL,
    op TEXT NOT NULL,
    start INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    status TEXT NOT NULL,
    is_error INTEGER NOT NULL,
    environment TEXT NOT NULL,
    release TEXT,
    http_method TEXT,
    http_status INTEGER,
    query_count INTEGER NOT NULL,
    n_plus_one INTEGER NOT NULL,
    n_plus_one_ms REAL NOT NULL,
    db_ms REAL NOT NULL,
    view_ms REAL NOT NULL,
    http_ms REAL NOT NULL,
    cache_ms REAL NOT NULL,
    queue_ms REAL NOT NULL,
    other_ms REAL NOT NULL,
    incomplete INTEGER NOT NULL DEFAULT 0,
    -- JSON object of string tags: the search filter reads it with json_each, bounded by time.
    tags TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    payload BLOB NOT NULL,
    payload_bytes INTEGER NOT NULL,
    UNIQUE (project_id, span_id)
  );
  CREATE INDEX transactions_by_time ON transactions (project_id, timestamp DESC, id DESC);
  CREATE INDEX transactions_by_name ON transactions (project_id, name, timestamp DESC, id DESC);
  CREATE INDEX transactions_by_duration ON transactions (project_id, name, duration_ms);
  CREATE INDEX transactions_by_trace ON transactions (trace_id);

  CREATE TABLE endpoint_rollups (
    project_id INTEGER NOT NULL,
    -- Bucket width in minutes (60 or 5); bucket = floor(epoch ms / width), as errors.db counts hours.
    minutes INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    name TEXT NOT NULL,
    environment TEXT NOT NULL,
    -- '' for transactions without a release, so the key stays a plain primary key.
    release TEXT NOT NULL,
    op TEXT NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    sum_ms REAL NOT NULL,
    min_ms REAL NOT NULL,
    max_ms REAL NOT NULL,
    db_ms REAL NOT NULL,
    view_ms REAL NOT NULL,
    http_ms REAL NOT NULL,
    cache_ms REAL NOT NULL,
    queue_ms REAL NOT NULL,
    other_ms REAL NOT NULL,
    queries INTEGER NOT NULL,
    max_queries INTEGER NOT NULL,
    n_plus_one_count INTEGER NOT NULL,
    n_plus_one_ms REAL NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (project_id, minutes, bucket, name, environment, release)
  ) WITHOUT ROWID;
  CREATE INDEX endpoint_rollups_by_name ON endpoint_rollups (project_id, minutes, name, bucket);

  CREATE TABLE pending_spans (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    segment_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    -- JSON array of streamed spans (as parsed), compressed.
    spans BLOB NOT NULL
  );
  CREATE INDEX pending_spans_by_segment ON pending_spans (project_id, segment_id);
  CREATE INDEX pending_spans_by_age ON pending_spans (received_at);

  CREATE TABLE consumer_cursors (
    consumer TEXT PRIMARY KEY,
    last_job_id INTEGER NOT NULL
  );

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
  INSERT INTO counters (name, value) VALUES
    ('transactions', 0), ('invalid_transactions', 0), ('duplicate_transactions', 0),
    ('late_spans', 0), ('orphan_segments', 0);
  `,
  // Version 2: long ranges read few rows (docs/benchmarks.md, "Transactions (APM)": the 30-day
  // overview read 211,200 hourly rows and took seconds).
  //
  // - Two more rollup resolutions, 360 (6 hours: the 7-day chart) and 1440 (a day: the 30-day
  //   chart), written by the worker with the hourly and 5-minute ones and kept as long.
  // - One more row per (resolution, bucket, endpoint): `environment = ''` and `release = ''`, the
  //   endpoint over all environments and releases, for the views without those filters. A
  //   transaction's environment is never empty (from-event.ts and segment-fields.ts default it to
  //   production), so the empty one marks this row and nothing else.
  // - Rows that exist for data written before this version are rebuilt from finer rows by the
  //   worker, a bounded slice at a time (`rollup_backfills`: the next and last bucket to rebuild per
  //   resolution, in that resolution's buckets); readers skip a resolution until its row is gone.
  // - `rollup_dimensions`: each environment and release an hourly rollup row has, per hour, so the
  //   filter menus read a few thousand small rows instead of every hourly row of the month.
  // - `transactions_n_plus_one`: the N+1 worklist's example per endpoint is the latest flagged
  //   transaction; without it, the planner walked every transaction of the range per endpoint.
  // - `transactions_by_duration` gains the timestamp, so the slowest and fastest samples of a range
  //   are found walking the index in duration order, the time tested in the index.
  `
  CREATE TABLE rollup_backfills (
    minutes INTEGER PRIMARY KEY,
    next_bucket INTEGER NOT NULL,
    last_bucket INTEGER NOT NULL
  );
  INSERT INTO rollup_backfills (minutes, next_bucket, last_bucket)
    SELECT 1440, min(bucket) / 24, max(bucket) / 24 FROM endpoint_rollups WHERE minutes = 60 HAVING count(*) > 0;
  INSERT INTO rollup_backfills (minutes, next_bucket, last_bucket)
    SELECT 360, min(bucket) / 6, max(bucket) / 6 FROM endpoint_rollups WHERE minutes = 60 HAVING count(*) > 0;
  INSERT INTO rollup_backfills (minutes, next_bucket, last_bucket)
    SELECT 60, min(bucket), max(bucket) FROM endpoint_rollups WHERE minutes = 60 HAVING count(*) > 0;
  INSERT INTO rollup_backfills (minutes, next_bucket, last_bucket)
    SELECT 5, min(bucket), max(bucket) FROM endpoint_rollups WHERE minutes = 5 HAVING count(*) > 0;

  CREATE TABLE rollup_dimensions (
    project_id INTEGER NOT NULL,
    -- 'environment' or 'release'
    dimension TEXT NOT NULL,
    hour INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (project_id, dimension, hour, value)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO rollup_dimensions (project_id, dimension, hour, value)
    SELECT DISTINCT project_id, 'environment', bucket, environment FROM endpoint_rollups
    WHERE minutes = 60 AND environment != '';
  INSERT OR IGNORE INTO rollup_dimensions (project_id, dimension, hour, value)
    SELECT DISTINCT project_id, 'release', bucket, release FROM endpoint_rollups
    WHERE minutes = 60 AND environment != '' AND release != '';

  CREATE INDEX transactions_n_plus_one ON transactions (project_id, name, timestamp DESC) WHERE n_plus_one = 1;
  DROP INDEX transactions_by_duration;
  CREATE INDEX transactions_by_duration ON transactions (project_id, name, duration_ms, timestamp);
  `,
  // Version 3 (issue 8, retention): span trees are dropped before their transactions (spans are
  // most of a transaction's bytes). The partial index holds only rows that still have their tree,
  // so each retention run finds the next ones to strip without walking stripped rows.
  `
  ALTER TABLE transactions ADD COLUMN spans_pruned INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX transactions_with_spans ON transactions (timestamp) WHERE spans_pruned = 0;
  `,
  // Version 4 (issue 9): a transaction's other segments (`ofTrace`: project and trace, by start,
  // first 100). With the index on trace_id alone SQLite chose transactions_by_duration for
  // `project_id = ?` and sorted every transaction of the project: 0.5–1.25 s on the HTTP thread per
  // transaction page at 300,000 rows, the multi-second stalls of every reader in the 10-minute mixed
  // run (bench/stall-report.js, docs/benchmarks.md session 6). Now an index range of ≤ 100 rows.
  `
  DROP INDEX transactions_by_trace;
  CREATE INDEX transactions_by_trace ON transactions (project_id, trace_id, start);
  `,
];
