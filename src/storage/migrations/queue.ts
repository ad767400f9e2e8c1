import type { Migration } from '../sqlite.js';

/**
 * queue.db: the durable ingest queue. AUTOINCREMENT is load-bearing: consumers track "digested up
 * to job id N", so ids must never be reused after the rows below them are deleted.
 */
export const QUEUE_MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    meta TEXT NOT NULL,
    payload BLOB NOT NULL
  );
  CREATE INDEX jobs_by_kind ON jobs (kind, id);
  `,
];
