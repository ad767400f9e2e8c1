/**
 * transactions.db read side: rollup rows (with their sketches) for every statistic, and raw rows
 * for samples, search and the detail page. Percentiles are computed above this layer from the
 * sketches; nothing here knows their format.
 */
import type { Statement } from 'better-sqlite3';
import { sql, type Compilable } from 'kysely';
import { createBuilder, Runner } from './query.js';
import type { EndpointRollupRow, TransactionDbRow, TransactionsSchema } from './schema.js';
import type { Db } from './sqlite.js';

export type StoredTransaction = Omit<TransactionDbRow, 'id'> & { id: number };
/** A transaction's columns without its payload (lists never decompress). */
export type TransactionListRow = Omit<StoredTransaction, 'payload'>;
/** A rollup row as statistics read it: its key's environment and release are filters, not data. */
export type RollupRow = Omit<EndpointRollupRow, 'environment' | 'release'>;

export interface RollupFilter {
  projectId: number;
  /** Bucket width: 5 (kept two days), 60, 360 or 1440 (kept long). */
  minutes: number;
  /** Buckets (epoch ms / width), inclusive. */
  fromBucket: number;
  /** Exclusive. */
  toBucket: number;
  name?: string;
  environment?: string;
  release?: string;
  /**
   * true: the endpoint's rows over all environments and releases (no environment or release
   * filter then); otherwise its rows per environment and release.
   */
  total?: boolean;
}

/** What `rollupsOfAllProjects` reads: no project, name, environment or release filter. */
export type AllProjectsRollupFilter = Pick<RollupFilter, 'minutes' | 'fromBucket' | 'toBucket' | 'total'>;

/** A resolution whose rows for data written before it existed are still being rebuilt. */
export interface RollupBackfill {
  minutes: number;
  /** The next bucket (of that resolution) to rebuild; those before it are done. */
  nextBucket: number;
  /** The last one to rebuild. */
  lastBucket: number;
}

export interface TransactionFilter {
  projectId: number;
  /** ms, inclusive. */
  from: number;
  /** ms, exclusive. */
  to: number;
  name?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  status?: string;
  method?: string;
  httpStatus?: number;
  environment?: string;
  release?: string;
  nPlusOne?: boolean;
  tags?: [string, string][];
  limit: number;
  /** Keyset position (newest first): the timestamp and id of the last row of the previous page. */
  before?: { timestamp: number; id: number };
}

const qb = createBuilder<TransactionsSchema>();

const ROLLUP_COLUMNS = [
  'project_id',
  'minutes',
  'bucket',
  'name',
  'op',
  'count',
  'errors',
  'sum_ms',
  'min_ms',
  'max_ms',
  'db_ms',
  'view_ms',
  'http_ms',
  'cache_ms',
  'queue_ms',
  'other_ms',
  'queries',
  'max_queries',
  'n_plus_one_count',
  'n_plus_one_ms',
  'sketch',
] as const;
/** ROLLUP_COLUMNS' values, in that order → the row object. */
function rollupRowOf(v: unknown[]): RollupRow {
  return {
    project_id: v[0] as number,
    minutes: v[1] as number,
    bucket: v[2] as number,
    name: v[3] as string,
    op: v[4] as string,
    count: v[5] as number,
    errors: v[6] as number,
    sum_ms: v[7] as number,
    min_ms: v[8] as number,
    max_ms: v[9] as number,
    db_ms: v[10] as number,
    view_ms: v[11] as number,
    http_ms: v[12] as number,
    cache_ms: v[13] as number,
    queue_ms: v[14] as number,
    other_ms: v[15] as number,
    queries: v[16] as number,
    max_queries: v[17] as number,
    n_plus_one_count: v[18] as number,
    n_plus_one_ms: v[19] as number,
    sketch: v[20] as Buffer,
  };
}

/**
 * The projects that have rollups, as a subquery: every rollup key starts with the project, so a
 * statement over all projects needs `project_id IN (…)` to use it instead of reading the whole
 * table (388,800 rows on the bench). Walked one id at a time down rollup_dimensions' key, which
 * holds every project with hourly rows (the worker writes those for any transaction).
 */
export const ROLLUP_PROJECT_IDS = `WITH RECURSIVE p(id) AS (
    SELECT min(project_id) FROM rollup_dimensions
    UNION ALL SELECT (SELECT min(project_id) FROM rollup_dimensions WHERE project_id > p.id) FROM p WHERE p.id IS NOT NULL
  ) SELECT id FROM p WHERE id IS NOT NULL`;

const LIST_COLUMNS = [
  'id',
  'project_id',
  'span_id',
  'trace_id',
  'event_id',
  'name',
  'op',
  'start',
  'timestamp',
  'duration_ms',
  'status',
  'is_error',
  'environment',
  'release',
  'http_method',
  'http_status',
  'query_count',
  'n_plus_one',
  'n_plus_one_ms',
  'db_ms',
  'view_ms',
  'http_ms',
  'cache_ms',
  'queue_ms',
  'other_ms',
  'incomplete',
  'tags',
  'received_at',
  'payload_bytes',
] as const;

export function createTransactionsStore(db: Db) {
  const run = new Runner(db);

  // The endpoint-total rows are the ones with an empty environment (migrations/transactions.ts, v2).
  const TOTAL_ENVIRONMENT = '';

  function rollupQuery(f: RollupFilter) {
    let q = qb
      .selectFrom('endpoint_rollups')
      .where('project_id', '=', f.projectId)
      .where('minutes', '=', f.minutes)
      .where('bucket', '>=', f.fromBucket)
      .where('bucket', '<', f.toBucket);
    if (f.name !== undefined) q = q.where('name', '=', f.name);
    if (f.total) {
      if (f.environment !== undefined || f.release !== undefined)
        throw new Error('endpoint totals have no environment or release to filter by');
      return q.where('environment', '=', TOTAL_ENVIRONMENT).where('release', '=', '');
    }
    if (f.environment !== undefined) q = q.where('environment', '=', f.environment);
    else q = q.where('environment', '!=', TOTAL_ENVIRONMENT);
    if (f.release !== undefined) q = q.where('release', '=', f.release);
    return q;
  }

  /**
   * Rollup rows as arrays, made into objects of one shape here: better-sqlite3's row objects of all
   * 23 columns cost ~23 µs each on the busy bench box, arrays a third of that (1,500 daily rows:
   * 35 → 11 ms). Statements are kept apart from the Runner's, whose rows are objects.
   */
  const rawStatements = new Map<string, Statement<unknown[]>>();
  function readRollupRows(query: Compilable<unknown>): RollupRow[] {
    const { sql: text, parameters } = query.compile();
    let statement = rawStatements.get(text);
    if (!statement) {
      if (rawStatements.size > 100) rawStatements.clear();
      statement = db.prepare<unknown[]>(text).raw(true);
      rawStatements.set(text, statement);
    }
    return (statement.all(...parameters) as unknown[][]).map(rollupRowOf);
  }

  const selectBackfills = run.prepare(
    'SELECT minutes, next_bucket AS nextBucket, last_bucket AS lastBucket FROM rollup_backfills',
  );
  /** Once none is left, none comes back until a migration (which restarts the process). */
  let backfillsDone = false;

  const selectDimension = (order: string) =>
    run
      .prepare(
        `SELECT value FROM rollup_dimensions WHERE project_id = ? AND dimension = ? AND hour >= ?
         GROUP BY value ORDER BY ${order}`,
      )
      .pluck();
  const selectEnvironments = selectDimension('value');
  const selectReleases = selectDimension('min(hour) DESC, value DESC');

  function filteredTransactions(f: TransactionFilter) {
    let q = qb
      .selectFrom('transactions')
      .select([...LIST_COLUMNS])
      .where('project_id', '=', f.projectId)
      .where('timestamp', '>=', f.from)
      .where('timestamp', '<', f.to);
    if (f.name !== undefined) q = q.where('name', '=', f.name);
    if (f.minDurationMs !== undefined) q = q.where('duration_ms', '>=', f.minDurationMs);
    if (f.maxDurationMs !== undefined) q = q.where('duration_ms', '<=', f.maxDurationMs);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (f.method !== undefined) q = q.where('http_method', '=', f.method);
    if (f.httpStatus !== undefined) q = q.where('http_status', '=', f.httpStatus);
    if (f.environment !== undefined) q = q.where('environment', '=', f.environment);
    if (f.release !== undefined) q = q.where('release', '=', f.release);
    if (f.nPlusOne !== undefined) q = q.where('n_plus_one', '=', f.nPlusOne ? 1 : 0);
    for (const [key, value] of f.tags ?? []) {
      q = q.where(
        sql<boolean>`EXISTS (SELECT 1 FROM json_each(transactions.tags) WHERE json_each.key = ${key} AND json_each.value = ${value})`,
      );
    }
    if (f.before) {
      const { timestamp, id } = f.before;
      q = q.where((eb) =>
        eb.or([
          eb('timestamp', '<', timestamp),
          eb.and([eb('timestamp', '=', timestamp), eb('id', '<', id)]),
        ]),
      );
    }
    return q;
  }

  return {
    rollups(f: RollupFilter): RollupRow[] {
      return readRollupRows(rollupQuery(f).select([...ROLLUP_COLUMNS]));
    },

    /** How many rollup rows `f` covers: callers with a time budget check it before reading them. */
    countRollups(f: RollupFilter): number {
      return run.first(rollupQuery(f).select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
    },

    /** The first and last bucket holding rows that `f` matches, if any. */
    rollupBucketBounds(f: RollupFilter): { first: number; last: number } | undefined {
      const row = run.first(
        rollupQuery(f).select((eb) => [eb.fn.min('bucket').as('first'), eb.fn.max('bucket').as('last')]),
      );
      return row && row.first !== null && row.last !== null
        ? { first: Number(row.first), last: Number(row.last) }
        : undefined;
    },

    /** Rollup rows of every project over a range of buckets (the projects overview). */
    rollupsOfAllProjects(f: AllProjectsRollupFilter): RollupRow[] {
      const q = qb
        .selectFrom('endpoint_rollups')
        .select([...ROLLUP_COLUMNS])
        .where(sql<boolean>`project_id IN (${sql.raw(ROLLUP_PROJECT_IDS)})`)
        .where('minutes', '=', f.minutes)
        .where('bucket', '>=', f.fromBucket)
        .where('bucket', '<', f.toBucket);
      return readRollupRows(
        f.total
          ? q.where('environment', '=', TOTAL_ENVIRONMENT).where('release', '=', '')
          : q.where('environment', '!=', TOTAL_ENVIRONMENT),
      );
    },

    /** Resolutions still being rebuilt for data older than them (readers use finer ones meanwhile). */
    rollupBackfills(): RollupBackfill[] {
      if (backfillsDone) return [];
      const rows = selectBackfills.all() as RollupBackfill[];
      backfillsDone = rows.length === 0;
      return rows;
    },

    /**
     * Distinct environments (by name) / releases (newest first seen first) since `fromHour`, for
     * filter menus: what the hourly rollup rows hold, from the small table that mirrors them.
     */
    distinctValues(projectId: number, fromHour: number, column: 'environment' | 'release'): string[] {
      const select = column === 'release' ? selectReleases : selectEnvironments;
      return select.all(projectId, column, fromHour) as string[];
    },

    /** Newest first, keyset-paged. */
    search(f: TransactionFilter): TransactionListRow[] {
      return run.all(
        filteredTransactions(f).orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(f.limit),
      );
    },

    /**
     * The slowest of the newest `scanCap` transactions matching `f`: the cap bounds the sort's work
     * on a large window, and `scanned` says whether it was reached (the answer is then partial).
     */
    slowest(f: TransactionFilter, scanCap: number): { rows: TransactionListRow[]; scanned: number } {
      const newest = filteredTransactions(f)
        .orderBy('timestamp', 'desc')
        .orderBy('id', 'desc')
        .limit(scanCap);
      const rows = run.all(
        qb
          .selectFrom(newest.as('t'))
          .selectAll()
          .select(sql<number>`count(*) OVER ()`.as('scanned'))
          .orderBy('duration_ms', 'desc')
          .limit(f.limit),
      );
      return {
        rows: rows.map(({ scanned: _scanned, ...row }) => row as TransactionListRow),
        scanned: rows[0]?.scanned ?? 0,
      };
    },

    /** The slowest ('desc') or fastest ('asc') transactions of one endpoint in a time range. */
    byDuration(
      f: Pick<TransactionFilter, 'projectId' | 'from' | 'to' | 'environment' | 'release'> & { name: string },
      order: 'asc' | 'desc',
      limit: number,
    ): TransactionListRow[] {
      // `+timestamp`: walk transactions_by_duration (project, name, duration, timestamp) in order,
      // testing the time in the index, rather than sort every transaction of the range by duration,
      // which the planner picks otherwise (30 days of one endpoint: 29 ms → 0.02 ms on the bench).
      let q = qb
        .selectFrom('transactions')
        .select([...LIST_COLUMNS])
        .where('project_id', '=', f.projectId)
        .where('name', '=', f.name)
        .where(sql<number>`+timestamp`, '>=', f.from)
        .where(sql<number>`+timestamp`, '<', f.to);
      if (f.environment !== undefined) q = q.where('environment', '=', f.environment);
      if (f.release !== undefined) q = q.where('release', '=', f.release);
      // Equal durations newest first, as when every row of the range was sorted; the index gives
      // the duration order and SQLite sorts only within runs of one duration.
      return run.all(
        q.orderBy('duration_ms', order).orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(limit),
      );
    },

    get(projectId: number, spanId: string): StoredTransaction | undefined {
      return run.first(
        qb
          .selectFrom('transactions')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('span_id', '=', spanId),
      );
    },

    /** The most recent transaction of an endpoint flagged with an N+1, with its payload. */
    latestNPlusOne(projectId: number, name: string, from: number, to: number): StoredTransaction | undefined {
      return run.first(
        qb
          .selectFrom('transactions')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('name', '=', name)
          .where('timestamp', '>=', from)
          .where('timestamp', '<', to)
          .where('n_plus_one', '=', 1)
          .orderBy('timestamp', 'desc')
          .limit(1),
      );
    },

    /** Other transactions of the same trace (a trace can hold several segments). */
    ofTrace(projectId: number, traceId: string): TransactionListRow[] {
      return run.all(
        qb
          .selectFrom('transactions')
          .select([...LIST_COLUMNS])
          .where('trace_id', '=', traceId)
          .where('project_id', '=', projectId)
          .orderBy('start')
          .limit(100),
      );
    },

    readCounters(): Record<string, number> {
      const rows = run.all(qb.selectFrom('counters').selectAll());
      return Object.fromEntries(rows.map((r) => [r.name, r.value]));
    },

    countParkedJobs(): number {
      return run.first(qb.selectFrom('parked_jobs').select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
    },

    countPendingSpans(): number {
      return (
        run.first(qb.selectFrom('pending_spans').select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0
      );
    },
  };
}

export type TransactionsStore = ReturnType<typeof createTransactionsStore>;
