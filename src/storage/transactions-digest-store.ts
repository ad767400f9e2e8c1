/**
 * transactions.db write side, used only by the digest worker. A batch runs inside one
 * transaction together with the consumer cursor (the same exactly-once rule as errors.db):
 * transactions are inserted (a redelivered or re-sent one is ignored by its unique root span id),
 * late spans update a stored transaction, pending streamed spans wait for their root, and the
 * endpoint rollups absorb the batch's sums and sketches once per key.
 *
 * Sketch merging is SQL-visible as the function `merge_sketch(stored, delta)` and the aggregate
 * `merge_sketches(sketch)`, built from the caller's `mergeSketch`: this layer stores sketches
 * without knowing their format.
 */
import type { JobToPark } from './digest-store.js';
import { ROLLUP_PROJECT_IDS, type RollupBackfill } from './transactions-store.js';
import type { Db } from './sqlite.js';

export interface TransactionRow {
  projectId: number;
  spanId: string;
  traceId: string;
  eventId: string | null;
  name: string;
  op: string;
  start: number;
  timestamp: number;
  durationMs: number;
  status: string;
  isError: boolean;
  environment: string;
  release: string | null;
  httpMethod: string | null;
  httpStatus: number | null;
  queryCount: number;
  nPlusOne: boolean;
  nPlusOneMs: number;
  breakdown: { db: number; view: number; http: number; cache: number; queue: number; other: number };
  incomplete: boolean;
  tags: string;
  receivedAt: number;
  payload: Buffer;
  payloadBytes: number;
}

/** What a batch adds to one (project, resolution, bucket, endpoint, environment, release) rollup row. */
export interface RollupDelta {
  projectId: number;
  minutes: number;
  bucket: number;
  name: string;
  environment: string;
  release: string;
  op: string;
  count: number;
  errors: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
  breakdown: TransactionRow['breakdown'];
  queries: number;
  maxQueries: number;
  nPlusOneCount: number;
  nPlusOneMs: number;
  sketch: Buffer;
}

/**
 * Rebuild one resolution's rows in buckets [fromBucket, toBucket) (after an upgrade, for data older
 * than the resolution): with `keys`, the rows per environment and release from `sourceMinutes`
 * rows (a finer resolution, complete there); then the endpoint totals from those.
 */
export interface RollupRebuild {
  minutes: number;
  sourceMinutes: number;
  fromBucket: number;
  toBucket: number;
  keys: boolean;
}

export interface StoredTransactionRef {
  id: number;
  payload: Buffer;
}

export interface OrphanSegment {
  projectId: number;
  segmentId: string;
  /** The id of its oldest pending_spans row and when that arrived. */
  firstPendingId: number;
  receivedAt: number;
  blobs: Buffer[];
}

export interface TransactionsBatch {
  /** false when (project, span id) is already stored: a redelivery or an SDK retry. */
  insertTransaction(row: TransactionRow): boolean;
  updateTransaction(id: number, row: TransactionRow): void;
  findTransaction(projectId: number, spanId: string): StoredTransactionRef | undefined;
  /** Every stored transaction of a trace (a trace holds a handful of segments). */
  findTransactionsOfTrace(projectId: number, traceId: string): StoredTransactionRef[];
  addPendingSpans(projectId: number, segmentId: string, receivedAt: number, spans: Buffer): void;
  /** Removes and returns the pending span blobs of one segment, oldest first. */
  takePendingSpans(projectId: number, segmentId: string): Buffer[];
  /** Removes and returns the segments whose first pending spans arrived before `receivedBefore`. */
  takeOrphanSegments(receivedBefore: number, limit: number): OrphanSegment[];
  addRollup(delta: RollupDelta): void;
  /** Runs `work` in a savepoint: if it throws, what it wrote is undone and the batch goes on. */
  attempt<T>(work: () => T): T;
  park(job: JobToPark): void;
  count(name: string, n: number): void;
}

const ROLLUP_COLUMNS = `project_id, minutes, bucket, name, environment, release, op, count, errors, sum_ms,
  min_ms, max_ms, db_ms, view_ms, http_ms, cache_ms, queue_ms, other_ms, queries, max_queries, n_plus_one_count,
  n_plus_one_ms, sketch`;
/** Rows of a finer resolution summed into one, in ROLLUP_COLUMNS order from `op` on. */
const ROLLUP_SUMS = `max(op), sum(count), sum(errors), sum(sum_ms), min(min_ms), max(max_ms), sum(db_ms),
  sum(view_ms), sum(http_ms), sum(cache_ms), sum(queue_ms), sum(other_ms), sum(queries), max(max_queries),
  sum(n_plus_one_count), sum(n_plus_one_ms), merge_sketches(sketch)`;

/** Every derived resolution, from its source rows' first to last bucket (migrations/transactions.ts v2). */
const SCHEDULE_REBUILD_SQL = [
  [1440, 60, 24],
  [360, 60, 6],
  [60, 60, 1],
  [5, 5, 1],
]
  .map(
    ([minutes, source, ratio]) =>
      `INSERT OR REPLACE INTO rollup_backfills (minutes, next_bucket, last_bucket)
       SELECT ${minutes}, min(bucket) / ${ratio}, max(bucket) / ${ratio} FROM endpoint_rollups
       WHERE minutes = ${source} AND environment != '' HAVING count(*) > 0;`,
  )
  .join('\n');

export function createTransactionsDigestStore(
  db: Db,
  options: { mergeSketch: (stored: Buffer, delta: Buffer) => Buffer },
) {
  db.function('merge_sketch', { deterministic: true }, (stored, delta) =>
    options.mergeSketch(stored as Buffer, delta as Buffer),
  );
  db.aggregate('merge_sketches', {
    start: null,
    step: (merged: Buffer | null, sketch: Buffer | null) =>
      merged === null ? sketch : sketch === null ? merged : options.mergeSketch(merged, sketch),
  });
  const insert = db.prepare(
    `INSERT OR IGNORE INTO transactions (project_id, span_id, trace_id, event_id, name, op, start, timestamp,
       duration_ms, status, is_error, environment, release, http_method, http_status, query_count, n_plus_one,
       n_plus_one_ms, db_ms, view_ms, http_ms, cache_ms, queue_ms, other_ms, incomplete, tags, received_at,
       payload, payload_bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const update = db.prepare(
    `UPDATE transactions SET trace_id = ?, event_id = coalesce(?, event_id), name = ?, op = ?, start = ?,
       timestamp = ?, duration_ms = ?, status = ?, is_error = ?, environment = ?, release = ?, http_method = ?,
       http_status = ?, query_count = ?, n_plus_one = ?, n_plus_one_ms = ?, db_ms = ?, view_ms = ?, http_ms = ?,
       cache_ms = ?, queue_ms = ?, other_ms = ?, incomplete = ?, tags = ?, payload = ?, payload_bytes = ?
     WHERE id = ?`,
  );
  const find = db.prepare('SELECT id, payload FROM transactions WHERE project_id = ? AND span_id = ?');
  const findOfTrace = db.prepare(
    'SELECT id, payload FROM transactions WHERE trace_id = ? AND project_id = ? ORDER BY id LIMIT 100',
  );
  const insertPending = db.prepare(
    'INSERT INTO pending_spans (project_id, segment_id, received_at, spans) VALUES (?, ?, ?, ?)',
  );
  const selectPending = db
    .prepare('SELECT spans FROM pending_spans WHERE project_id = ? AND segment_id = ? ORDER BY id')
    .pluck();
  const deletePending = db.prepare('DELETE FROM pending_spans WHERE project_id = ? AND segment_id = ?');
  const oldSegments = db.prepare(
    `SELECT project_id, segment_id, min(id) AS first_id, min(received_at) AS received_at FROM pending_spans
     GROUP BY project_id, segment_id HAVING min(received_at) < ? LIMIT ?`,
  );
  const upsertRollup = db.prepare(
    `INSERT INTO endpoint_rollups (project_id, minutes, bucket, name, environment, release, op, count, errors,
       sum_ms, min_ms, max_ms, db_ms, view_ms, http_ms, cache_ms, queue_ms, other_ms, queries, max_queries,
       n_plus_one_count, n_plus_one_ms, sketch)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (project_id, minutes, bucket, name, environment, release) DO UPDATE SET
       op = excluded.op,
       count = count + excluded.count,
       errors = errors + excluded.errors,
       sum_ms = sum_ms + excluded.sum_ms,
       min_ms = min(min_ms, excluded.min_ms),
       max_ms = max(max_ms, excluded.max_ms),
       db_ms = db_ms + excluded.db_ms,
       view_ms = view_ms + excluded.view_ms,
       http_ms = http_ms + excluded.http_ms,
       cache_ms = cache_ms + excluded.cache_ms,
       queue_ms = queue_ms + excluded.queue_ms,
       other_ms = other_ms + excluded.other_ms,
       queries = queries + excluded.queries,
       max_queries = max(max_queries, excluded.max_queries),
       n_plus_one_count = n_plus_one_count + excluded.n_plus_one_count,
       n_plus_one_ms = n_plus_one_ms + excluded.n_plus_one_ms,
       sketch = merge_sketch(sketch, excluded.sketch)`,
  );
  const addCounter = db.prepare(
    `INSERT INTO counters (name, value) VALUES (?, ?)
     ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
  );
  const setCursor = db.prepare(
    `INSERT INTO consumer_cursors (consumer, last_job_id) VALUES (?, ?)
     ON CONFLICT (consumer) DO UPDATE SET last_job_id = max(last_job_id, excluded.last_job_id)`,
  );
  const getCursor = db.prepare('SELECT last_job_id FROM consumer_cursors WHERE consumer = ?').pluck();
  const insertParked = db.prepare(
    `INSERT OR IGNORE INTO parked_jobs (job_id, kind, project_id, received_at, meta, payload, error, parked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const pruneRollups = db.prepare(
    `DELETE FROM endpoint_rollups WHERE project_id IN (${ROLLUP_PROJECT_IDS}) AND minutes = ? AND bucket < ?`,
  );
  const insertDimension = db.prepare(
    'INSERT OR IGNORE INTO rollup_dimensions (project_id, dimension, hour, value) VALUES (?, ?, ?, ?)',
  );
  const selectBackfills = db.prepare(
    'SELECT minutes, next_bucket AS nextBucket, last_bucket AS lastBucket FROM rollup_backfills ORDER BY minutes DESC',
  );
  let backfillsDone = false;
  const advanceBackfill = db.prepare('UPDATE rollup_backfills SET next_bucket = ? WHERE minutes = ?');
  const finishBackfill = db.prepare('DELETE FROM rollup_backfills WHERE minutes = ?');
  /** (project, dimension, hour, value) written in this batch: the table needs each once. */
  let dimensionsSeen = new Set<string>();
  const noteDimension = (projectId: number, dimension: string, hour: number, value: string) => {
    const key = `${projectId}\u0000${dimension}\u0000${hour}\u0000${value}`;
    if (dimensionsSeen.has(key)) return;
    dimensionsSeen.add(key);
    insertDimension.run(projectId, dimension, hour, value);
  };
  const oldestPending = db.prepare('SELECT min(received_at) FROM pending_spans').pluck();

  const columns = (r: TransactionRow) => [
    r.name,
    r.op,
    r.start,
    r.timestamp,
    r.durationMs,
    r.status,
    r.isError ? 1 : 0,
    r.environment,
    r.release,
    r.httpMethod,
    r.httpStatus,
    r.queryCount,
    r.nPlusOne ? 1 : 0,
    r.nPlusOneMs,
    r.breakdown.db,
    r.breakdown.view,
    r.breakdown.http,
    r.breakdown.cache,
    r.breakdown.queue,
    r.breakdown.other,
    r.incomplete ? 1 : 0,
    r.tags,
  ];

  // Inside runBatch's transaction, better-sqlite3 runs a nested transaction function as a savepoint.
  const savepoint = db.transaction((work: () => unknown) => work());

  const batch: TransactionsBatch = {
    insertTransaction: (r) =>
      insert.run(
        r.projectId,
        r.spanId,
        r.traceId,
        r.eventId,
        ...columns(r),
        r.receivedAt,
        r.payload,
        r.payloadBytes,
      ).changes > 0,
    updateTransaction: (id, r) => {
      update.run(r.traceId, r.eventId, ...columns(r), r.payload, r.payloadBytes, id);
    },
    findTransaction: (projectId, spanId) => find.get(projectId, spanId) as StoredTransactionRef | undefined,
    findTransactionsOfTrace: (projectId, traceId) =>
      findOfTrace.all(traceId, projectId) as StoredTransactionRef[],
    addPendingSpans: (projectId, segmentId, receivedAt, spans) => {
      insertPending.run(projectId, segmentId, receivedAt, spans);
    },
    takePendingSpans: (projectId, segmentId) => {
      const blobs = selectPending.all(projectId, segmentId) as Buffer[];
      if (blobs.length > 0) deletePending.run(projectId, segmentId);
      return blobs;
    },
    takeOrphanSegments: (receivedBefore, limit) => {
      const segments = oldSegments.all(receivedBefore, limit) as {
        project_id: number;
        segment_id: string;
        first_id: number;
        received_at: number;
      }[];
      return segments.map((s) => ({
        projectId: s.project_id,
        segmentId: s.segment_id,
        firstPendingId: s.first_id,
        receivedAt: s.received_at,
        blobs: batch.takePendingSpans(s.project_id, s.segment_id),
      }));
    },
    addRollup: (d) => {
      // rollup_dimensions mirrors the environments and releases of the hourly per-key rows.
      if (d.minutes === 60 && d.environment !== '') {
        noteDimension(d.projectId, 'environment', d.bucket, d.environment);
        if (d.release !== '') noteDimension(d.projectId, 'release', d.bucket, d.release);
      }
      upsertRollup.run(
        d.projectId,
        d.minutes,
        d.bucket,
        d.name,
        d.environment,
        d.release,
        d.op,
        d.count,
        d.errors,
        d.sumMs,
        d.minMs,
        d.maxMs,
        d.breakdown.db,
        d.breakdown.view,
        d.breakdown.http,
        d.breakdown.cache,
        d.breakdown.queue,
        d.breakdown.other,
        d.queries,
        d.maxQueries,
        d.nPlusOneCount,
        d.nPlusOneMs,
        d.sketch,
      );
    },
    attempt: <T>(work: () => T) => savepoint(work) as T,
    park: (j) => {
      insertParked.run(j.jobId, j.kind, j.projectId, j.receivedAt, j.meta, j.payload, j.error, Date.now());
    },
    count: (name, n) => {
      if (n !== 0) addCounter.run(name, n);
    },
  };

  const rebuild = db.transaction((r: RollupRebuild, lastBucket: number) => {
    const ratio = r.minutes / r.sourceMinutes;
    for (const n of [r.minutes, r.sourceMinutes, r.fromBucket, r.toBucket, ratio]) {
      if (!Number.isSafeInteger(n)) throw new Error(`rollup rebuild needs whole numbers, got ${n}`);
    }
    db.prepare(
      `DELETE FROM endpoint_rollups WHERE project_id IN (${ROLLUP_PROJECT_IDS}) AND minutes = ${r.minutes}
       AND bucket >= ${r.fromBucket} AND bucket < ${r.toBucket}${r.keys ? '' : " AND environment = ''"}`,
    ).run();
    const sum = (source: number, div: number, keyColumns: string, groupBy: string) => {
      // A plain `bucket` lets the grouping follow the key's order instead of sorting.
      const bucket = div === 1 ? 'bucket' : `bucket / ${div}`;
      db.prepare(
        `INSERT INTO endpoint_rollups (${ROLLUP_COLUMNS})
         SELECT project_id, ${r.minutes}, ${bucket}, name, ${keyColumns}, ${ROLLUP_SUMS}
         FROM endpoint_rollups WHERE project_id IN (${ROLLUP_PROJECT_IDS}) AND minutes = ${source}
           AND bucket >= ${r.fromBucket * div} AND bucket < ${r.toBucket * div} AND environment != ''
         GROUP BY project_id, ${bucket}, name${groupBy}`,
      ).run();
    };
    if (r.keys) sum(r.sourceMinutes, ratio, 'environment, release', ', environment, release');
    // Totals from this resolution's rows per key: a handful per endpoint and bucket, not every finer one.
    sum(r.minutes, 1, "'', ''", '');
    if (r.toBucket > lastBucket) finishBackfill.run(r.minutes);
    else advanceBackfill.run(r.toBucket, r.minutes);
  });

  const runBatch = db.transaction(
    <T>(consumer: string, lastJobId: number, work: (b: TransactionsBatch) => T) => {
      dimensionsSeen = new Set();
      const result = work(batch);
      setCursor.run(consumer, lastJobId);
      return result;
    },
  );

  return {
    /** Runs `work` and moves `consumer`'s cursor to `lastJobId` in one write transaction. */
    writeBatch<T>(consumer: string, lastJobId: number, work: (b: TransactionsBatch) => T): T {
      return runBatch.immediate(consumer, lastJobId, work) as T;
    },
    readCursor(consumer: string): number {
      return (getCursor.get(consumer) as number | undefined) ?? 0;
    },
    /** Deletes rollup rows of one resolution older than `beforeBucket` (fine-grained rows expire early). */
    pruneRollups(minutes: number, beforeBucket: number): number {
      return pruneRollups.run(minutes, beforeBucket).changes;
    },

    /** Resolutions whose rows for data older than them are still to be rebuilt, coarsest first. */
    rollupBackfills(): RollupBackfill[] {
      if (backfillsDone) return [];
      const rows = selectBackfills.all() as RollupBackfill[];
      backfillsDone = rows.length === 0;
      return rows;
    },

    /**
     * Schedules a rebuild of every derived row (6-hourly and daily rows, endpoint totals) from the
     * hourly and 5-minute rows per key, as the v2 migration does for data written before it; for
     * data written as hourly rows only (bench/lib/seed-rollups.js) or a repair. Run it before a
     * server starts: a reader that has seen no rebuild pending never looks again.
     */
    scheduleRollupRebuild(): void {
      db.exec(SCHEDULE_REBUILD_SQL);
      backfillsDone = false;
    },

    /**
     * Rebuilds a slice of one resolution from finer rows and records the progress, in one write
     * transaction: the slice's rows are deleted and summed again from the finer ones, so rows the
     * worker wrote there since the upgrade are counted once, and a crash redoes the slice.
     */
    rebuildRollups(r: RollupRebuild, lastBucket: number): void {
      rebuild.immediate(r, lastBucket);
    },

    /** When the oldest span still waiting for its segment root arrived, or null if none waits. */
    oldestPendingReceivedAt(): number | null {
      return (oldestPending.get() as number | null) ?? null;
    },
  };
}

export type TransactionsDigestStore = ReturnType<typeof createTransactionsDigestStore>;
