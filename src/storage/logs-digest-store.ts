/**
 * logs.db write side, used only by the logs digest thread. A batch runs in one transaction with
 * the consumer cursor (the exactly-once rule of errors.db): records are sorted by time, given
 * time-ordered ids (logs-partitions.ts), compressed with the current dictionary, inserted into
 * their day's table and index, and folded into facets, per-minute counts and partition stats. A
 * batch whose last job is not past the stored cursor was committed already and is skipped whole.
 *
 * Maintenance runs between batches on the thread's timers: retention drops whole days, past days'
 * indexes are merged into one segment a bounded step at a time, freed pages go back to the file
 * system in bounded steps, the WAL is checkpointed; dictionary training (logs-dictionary.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { LogRecord } from '../domain/logs/types.js';
import type { JobToPark } from './digest-store.js';
import { createLogCompressor, createLogDecompressors, levelCode, payloadJson } from './logs-codec.js';
import { createDictionaryTraining, type TrainDictionary } from './logs-dictionary.js';
import { buildIndexText, type SearchDocument } from './logs-fts.js';
import {
  createIdAllocator,
  createPartitionSql,
  DAY_MS,
  dayOfId,
  dayOfMs,
  dropPartitionSql,
  firstIdOfMs,
  ftsTable,
  ID_SLOTS_PER_MS,
  logsTable,
  msOfId,
} from './logs-partitions.js';
import type { Db } from './sqlite.js';

export interface LogToStore {
  projectId: number;
  /** ms */
  receivedAt: number;
  record: LogRecord;
}

export interface LogsBatch {
  logs: LogToStore[];
  /** Payloads that could not be parsed at all (counted, dropped). */
  invalid: number;
  /** Records a parser refused (OTLP partialSuccess). */
  rejected: number;
  parked: JobToPark[];
}

/** Domain logic the index and the dictionary need (domain/logs/fts-text.ts, dictionary-trainer.ts). */
export interface LogsIndexLogic {
  searchDocument(record: LogRecord): SearchDocument;
  trainDictionary: TrainDictionary;
}

/** A record time further than this from its arrival is not trusted for ordering: it sorts by arrival. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const MAX_PAST_SKEW_MS = 365 * 86_400_000;
/** A facet's last_seen is rewritten at most this often per value (filter menus sort by it). */
const FACET_REFRESH_MS = 10 * 60_000;
/** Pages per FTS5 'merge' step, and the time one maintenance run may spend merging. */
const MERGE_PAGES_PER_STEP = 256;
const MERGE_BUDGET_MS = 200;
/** Freed pages are given back once they exceed this share of the file, this many per run (16 MB). */
const FREE_PAGES_SHARE_KEPT = 0.25;
const VACUUM_PAGES_PER_RUN = 4096;
const FACET_KINDS = ['level', 'environment', 'service', 'release', 'logger'] as const;
type FacetKind = (typeof FACET_KINDS)[number];

export function createLogsDigestStore(db: Db, logic: LogsIndexLogic) {
  enableIncrementalVacuum(db);
  const slotLookups = new Map<number, Statement>();
  const maxIdInSlot = (firstId: number) => {
    const day = dayOfId(firstId);
    let lookup = slotLookups.get(day);
    if (!lookup) {
      if (!partitions.has(day) && !partitionExists.get(day)) return null;
      lookup = db.prepare(`SELECT max(id) FROM ${logsTable(day)} WHERE id >= ? AND id < ?`).pluck();
      slotLookups.set(day, lookup);
    }
    return (lookup.get(firstId, firstId + ID_SLOTS_PER_MS) ?? null) as number | null;
  };
  const partitionExists = db.prepare('SELECT 1 FROM log_partitions WHERE day = ?').pluck();
  const maxStoredId = db.prepare('SELECT coalesce(max(max_id), 0) FROM log_partitions').pluck();
  const registerPartition = db.prepare(
    'INSERT OR IGNORE INTO log_partitions (day, rows, min_id, max_id) VALUES (?, 0, ?, ?)',
  );
  const updatePartition = db.prepare(
    'UPDATE log_partitions SET rows = rows + ?, min_id = min(min_id, ?), max_id = max(max_id, ?), merged = 0 WHERE day = ?',
  );
  const upsertCount = db.prepare(
    `INSERT INTO log_counts (project_id, minute, level, count) VALUES (?, ?, ?, ?)
     ON CONFLICT (project_id, minute, level) DO UPDATE SET count = count + excluded.count`,
  );
  const upsertFacet = db.prepare(
    `INSERT INTO log_facets (project_id, kind, value, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (project_id, kind, value) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`,
  );
  const addCounter = db.prepare('UPDATE counters SET value = value + ? WHERE name = ?');
  const getCursor = db.prepare('SELECT last_job_id FROM consumer_cursors WHERE consumer = ?').pluck();
  const setCursor = db.prepare(
    `INSERT INTO consumer_cursors (consumer, last_job_id) VALUES (?, ?)
     ON CONFLICT (consumer) DO UPDATE SET last_job_id = max(last_job_id, excluded.last_job_id)`,
  );
  const insertParked = db.prepare(
    `INSERT OR IGNORE INTO parked_jobs (job_id, kind, project_id, received_at, meta, payload, error, parked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const decompressors = createLogDecompressors(
    (id) =>
      db.prepare('SELECT bytes FROM log_dictionaries WHERE id = ?').pluck().get(id) as Buffer | undefined,
  );
  const training = createDictionaryTraining(db, { train: logic.trainDictionary, decompressors });
  let compressor = createLogCompressor(training.currentDictionary());
  let allocateId = createIdAllocator(maxStoredId.get() as number, maxIdInSlot);
  const partitions = new Map<number, { insertLog: Statement; insertFts: Statement }>();
  const facetWrittenAt = new Map<string, number>();

  function partition(day: number) {
    let p = partitions.get(day);
    if (!p) {
      db.exec(createPartitionSql(day));
      registerPartition.run(day, firstIdOfMs((day + 1) * DAY_MS), 0);
      p = {
        insertLog: db.prepare(
          `INSERT INTO ${logsTable(day)} (id, project_id, time_delta_us, level, trace_id, span_id, dict_id, payload)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        insertFts: db.prepare(`INSERT INTO ${ftsTable(day)} (rowid, text) VALUES (?, ?)`),
      };
      partitions.set(day, p);
    }
    return p;
  }

  function sortMs(log: LogToStore): number {
    const ms = Math.floor(log.record.timeUs / 1000);
    if (!(ms <= log.receivedAt + MAX_FUTURE_SKEW_MS && ms >= log.receivedAt - MAX_PAST_SKEW_MS))
      return log.receivedAt;
    return ms;
  }

  function storeLogs(logs: LogToStore[]): number {
    const sorted = logs.map((log) => ({ log, ms: sortMs(log) })).sort((a, b) => a.ms - b.ms);
    const days = new Map<number, { rows: number; min: number; max: number }>();
    // Per project: count per (minute, level) as minute * 8 + level; facet values per kind, last seen.
    const counts = new Map<number, Map<number, number>>();
    const facets = new Map<number, Map<FacetKind, Map<string, number>>>();
    const sharedJson = new Map<object, string>();
    for (const { log, ms } of sorted) {
      const r = log.record;
      const id = allocateId(ms);
      const day = dayOfId(id);
      const p = partition(day);
      const level = levelCode(r.level);
      p.insertLog.run(
        id,
        log.projectId,
        Math.round(r.timeUs - msOfId(id) * 1000),
        level,
        r.traceId ? Buffer.from(r.traceId, 'hex') : null,
        r.spanId ? Buffer.from(r.spanId, 'hex') : null,
        compressor.dictId,
        compressor.compressText(payloadJson(r, sharedJson)),
      );
      p.insertFts.run(id, buildIndexText(log.projectId, r, logic.searchDocument(r)));

      const stats = days.get(day);
      if (stats) {
        stats.rows++;
        stats.max = id;
      } else days.set(day, { rows: 1, min: id, max: id });
      let projectCounts = counts.get(log.projectId);
      if (!projectCounts) counts.set(log.projectId, (projectCounts = new Map()));
      const countKey = Math.floor(msOfId(id) / 60_000) * 8 + level;
      projectCounts.set(countKey, (projectCounts.get(countKey) ?? 0) + 1);
      let projectFacets = facets.get(log.projectId);
      if (!projectFacets)
        facets.set(log.projectId, (projectFacets = new Map(FACET_KINDS.map((k) => [k, new Map()]))));
      for (const kind of FACET_KINDS) {
        const value = r[kind];
        if (value) projectFacets.get(kind)!.set(value, ms);
      }
    }
    for (const [day, s] of days) updatePartition.run(s.rows, s.min, s.max, day);
    for (const [projectId, projectCounts] of counts) {
      for (const [key, n] of projectCounts) upsertCount.run(projectId, Math.floor(key / 8), key % 8, n);
    }
    for (const [projectId, byKind] of facets) {
      for (const [kind, values] of byKind) {
        for (const [value, seenMs] of values) {
          const memo = `${projectId}\u0000${kind}\u0000${value}`;
          const written = facetWrittenAt.get(memo);
          if (written !== undefined && seenMs - written < FACET_REFRESH_MS) continue;
          upsertFacet.run(projectId, kind, value, seenMs, seenMs);
          facetWrittenAt.set(memo, seenMs);
        }
      }
    }
    return sorted.length;
  }

  const runBatch = db.transaction(
    (consumer: string, lastJobId: number, batch: LogsBatch): { stored: number } => {
      const cursor = (getCursor.get(consumer) as number | undefined) ?? 0;
      if (lastJobId <= cursor) return { stored: 0 };
      const stored = storeLogs(batch.logs);
      for (const j of batch.parked) {
        insertParked.run(j.jobId, j.kind, j.projectId, j.receivedAt, j.meta, j.payload, j.error, Date.now());
      }
      if (stored) addCounter.run(stored, 'logs');
      if (batch.invalid) addCounter.run(batch.invalid, 'invalid_logs');
      if (batch.rejected) addCounter.run(batch.rejected, 'rejected_logs');
      setCursor.run(consumer, lastJobId);
      return { stored };
    },
  );

  /** After a rolled-back batch, forget what it may have created (tables, ids, facet writes). */
  function forgetBatchState() {
    partitions.clear();
    slotLookups.clear();
    facetWrittenAt.clear();
    allocateId = createIdAllocator(maxStoredId.get() as number, maxIdInSlot);
  }

  return {
    readCursor(consumer: string): number {
      return (getCursor.get(consumer) as number | undefined) ?? 0;
    },

    /** Stores a batch and moves `consumer`'s cursor to `lastJobId`, in one transaction. */
    writeBatch(consumer: string, lastJobId: number, batch: LogsBatch): { stored: number } {
      try {
        return runBatch.immediate(consumer, lastJobId, batch);
      } catch (err) {
        forgetBatchState();
        throw err;
      }
    },

    /**
     * Retention and upkeep, for a timer: drops the days that ended before `cutoffMs` (oldest first,
     * at least one, then while the rows dropped stay within `maxRows`: a day is dropped whole, so a
     * record lives between the retention and a day more), prunes counts and facets older than the
     * cutoff, merges past days' indexes within a time budget, returns excess free pages to the file
     * system, and checkpoints the WAL.
     */
    pruneOlderThan(cutoffMs: number, maxRows: number, nowMs = Date.now()) {
      const old = db
        .prepare('SELECT day, rows FROM log_partitions WHERE day < ? ORDER BY day')
        .all(dayOfMs(cutoffMs)) as { day: number; rows: number }[];
      let prunedRows = 0;
      let droppedDays = 0;
      for (const { day, rows } of old) {
        if (droppedDays > 0 && prunedRows + rows > maxRows) break;
        db.transaction(() => {
          db.exec(dropPartitionSql(day));
          db.prepare('DELETE FROM log_partitions WHERE day = ?').run(day);
          addCounter.run(rows, 'pruned_logs');
        }).immediate();
        partitions.delete(day);
        slotLookups.delete(day);
        prunedRows += rows;
        droppedDays++;
      }
      db.prepare('DELETE FROM log_counts WHERE minute < ?').run(Math.floor(cutoffMs / 60_000));
      if (db.prepare('DELETE FROM log_facets WHERE last_seen < ?').run(cutoffMs).changes > 0)
        facetWrittenAt.clear();
      const { mergedDays, mergesPending } = mergePastDays(db, dayOfMs(nowMs));
      const freedPages = vacuumExcess(db);
      db.pragma('wal_checkpoint(TRUNCATE)');
      return { prunedRows, droppedDays, mergedDays, mergesPending, freedPages };
    },

    /** Trains a dictionary when due (logs-dictionary.ts) and starts using it if it was promoted. */
    trainDictionaryIfDue(nowMs: number, options: { force?: boolean } = {}) {
      const outcome = training.trainIfDue(nowMs, options);
      if (outcome?.dictionary) compressor = createLogCompressor(outcome.dictionary);
      return outcome;
    },
  };
}

export type LogsDigestStore = ReturnType<typeof createLogsDigestStore>;

/**
 * Freed pages (a dropped day) are reused by the next days' tables; only the excess beyond a
 * quarter of the file is returned. Needs auto_vacuum=INCREMENTAL, which a file only takes before
 * it holds data: a new logs.db (migrated, still empty) is switched once with a VACUUM of a few KB.
 */
function enableIncrementalVacuum(db: Db) {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) === 2) return;
  if (db.prepare('SELECT count(*) FROM log_partitions').pluck().get() !== 0) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
}

function vacuumExcess(db: Db): number {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const total = db.pragma('page_count', { simple: true }) as number;
  if (free <= total * FREE_PAGES_SHARE_KEPT) return 0;
  const pages = Math.min(VACUUM_PAGES_PER_RUN, Math.ceil(free - total * FREE_PAGES_SHARE_KEPT));
  db.pragma(`incremental_vacuum(${pages})`);
  return pages;
}

/**
 * Past days take no more new records (but the odd late one), so their index is merged into one
 * segment, the fastest to read: FTS5 'merge' with a negative page count merges all segments, a
 * step at a time, so the writer is never held for long; a step that changes fewer than 2 rows
 * means the day is done (https://sqlite.org/fts5.html#the_merge_command).
 */
function mergePastDays(db: Db, today: number): { mergedDays: number; mergesPending: number } {
  const days = db
    .prepare('SELECT day FROM log_partitions WHERE merged = 0 AND day < ? ORDER BY day DESC')
    .pluck()
    .all(today) as number[];
  const totalChanges = db.prepare('SELECT total_changes()').pluck();
  const deadline = performance.now() + MERGE_BUDGET_MS;
  let mergedDays = 0;
  for (const day of days) {
    const step = db.prepare(`INSERT INTO ${ftsTable(day)} (${ftsTable(day)}, rank) VALUES ('merge', ?)`);
    for (;;) {
      if (performance.now() > deadline) return { mergedDays, mergesPending: days.length - mergedDays };
      const before = totalChanges.get() as number;
      step.run(BigInt(-MERGE_PAGES_PER_STEP));
      if ((totalChanges.get() as number) - before < 2) break;
    }
    db.prepare('UPDATE log_partitions SET merged = 1 WHERE day = ?').run(day);
    mergedDays++;
  }
  return { mergedDays, mergesPending: 0 };
}
