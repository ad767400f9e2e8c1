/**
 * What /_health does not say about a logs run, read from logs.db once the queue is drained (a
 * read-only connection: WAL readers never block the writer): rows and stored payload bytes per day
 * table and per dictionary, where the file's pages go (records, full-text index, the rest; SQLite's
 * dbstat), the dictionaries trained, and the server's RSS once idle again.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { readMemory } from './proc-sampler.js';

/** Pages per part of logs.db: day tables, their FTS5 shadow tables, and everything else. */
function readPageShares(db) {
  const parts = db.prepare('SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE').all();
  const sum = (test) => parts.filter((p) => test(p.name)).reduce((s, p) => s + p.pgsize, 0);
  return {
    rowBytes: sum((name) => /^logs_\d+$/.test(name)),
    indexBytes: sum((name) => name.startsWith('logs_fts_')),
    otherBytes: sum((name) => !/^logs_(\d+|fts_.*)$/.test(name)),
  };
}

/** Rows, payload bytes (all, and compressed with a dictionary) and pages of a data dir's logs.db. */
export function readLogsDb(dataDir) {
  const db = new Database(path.join(dataDir, 'logs.db'), { readonly: true, fileMustExist: true });
  try {
    const days = db.prepare('SELECT day FROM log_partitions ORDER BY day').pluck().all();
    let rows = 0;
    let payloadBytes = 0;
    let dictionaryRows = 0;
    let dictionaryPayloadBytes = 0;
    // An id whose millisecond is past the record's own time was spilled there by the id allocator
    // (64 ids a millisecond, storage/logs-partitions.ts): time ranges and order use the id.
    let spilled = 0;
    let maxSpillUs = 0;
    for (const day of days) {
      const spill = db
        .prepare(
          `SELECT count(*) AS n, coalesce(-min(time_delta_us), 0) AS us FROM logs_${day} WHERE time_delta_us < 0`,
        )
        .get();
      spilled += spill.n;
      maxSpillUs = Math.max(maxSpillUs, spill.us);
      for (const r of db
        .prepare(
          `SELECT dict_id, count(*) AS n, sum(length(payload)) AS bytes FROM logs_${day} GROUP BY dict_id`,
        )
        .all()) {
        rows += r.n;
        payloadBytes += r.bytes;
        if (r.dict_id !== 0) {
          dictionaryRows += r.n;
          dictionaryPayloadBytes += r.bytes;
        }
      }
    }
    const counters = Object.fromEntries(
      db
        .prepare('SELECT name, value FROM counters')
        .all()
        .map((r) => [r.name, r.value]),
    );
    return {
      days: days.length,
      rows,
      payloadBytes,
      dictionaryRows,
      dictionaryPayloadBytes,
      spilled,
      maxSpillUs,
      dictionaries: db.prepare('SELECT count(*) FROM log_dictionaries').pluck().get(),
      trainings: counters.dictionary_trainings ?? 0,
      ...readPageShares(db),
    };
  } finally {
    db.close();
  }
}

/** For load.js's `inspect`: logs.db once drained, and the server's RSS then. */
export function inspectLogsDb(server) {
  return { logsDb: readLogsDb(server.dataDir), rssAfterDrain: readMemory(server.pid).rss };
}
