import type { Migration } from '../sqlite.js';

/**
 * logs.db: log records, their full-text index, facets and compression dictionaries. The records
 * and their index live in one pair of tables per UTC day, `logs_<day>` and `logs_fts_<day>`,
 * created by the writer on first use (storage/logs-partitions.ts has their SQL and the measured
 * reasons); the tables below are the fixed ones.
 *
 * - `log_partitions`: the day tables that exist, with their row counts and id range. Retention
 *   drops whole days; `merged` marks a past day whose index was merged into one segment.
 * - `log_facets`: every level / environment / service / release / logger value seen per project,
 *   kept at write time so filter menus never scan records.
 * - `log_counts`: records per project, minute and level (1 = trace … 6 = fatal), for the volume
 *   histogram when no search text or other filter narrows it.
 * - `log_dictionaries`: zstd raw-content dictionaries; a row's `dict_id` names the one it was
 *   compressed with (0 = none). Never deleted, so every stored row stays readable. The newest is
 *   the one in use.
 */
export const LOGS_MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE log_partitions (
    day INTEGER PRIMARY KEY,
    rows INTEGER NOT NULL,
    min_id INTEGER NOT NULL,
    max_id INTEGER NOT NULL,
    merged INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE log_facets (
    project_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, value)
  ) WITHOUT ROWID;

  CREATE TABLE log_counts (
    project_id INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    level INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (project_id, minute, level)
  ) WITHOUT ROWID;

  CREATE TABLE log_dictionaries (
    id INTEGER PRIMARY KEY,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    samples INTEGER NOT NULL,
    sample_bytes INTEGER NOT NULL,
    -- Held-out records compressed: raw bytes, with the dictionary in use before, with this one.
    eval_raw_bytes INTEGER NOT NULL,
    eval_before_bytes INTEGER NOT NULL,
    eval_after_bytes INTEGER NOT NULL,
    train_ms INTEGER NOT NULL
  );

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
    ('logs', 0), ('invalid_logs', 0), ('rejected_logs', 0), ('pruned_logs', 0),
    ('dictionary_trainings', 0), ('dictionary_promotions', 0), ('last_dictionary_training', 0);
  `,
];
