/**
 * transactions.db read side: rollup rows (with their sketches) for every statistic, and raw rows
 * for samples, search and the detail page. Percentiles are computed above this layer from the
 * sketches; nothing here knows their format.
 */
import { sql } from 'kysely';
import { createBuilder, Runner } from './query.js';
import type { EndpointRollupRow, TransactionDbRow, TransactionsSchema } from './schema.js';
import type { Db } from './sqlite.js';

export type StoredTransaction = Omit<TransactionDbRow, 'id'> & { id: number };
/** A transaction's columns without its payload (lists never decompress). */
export type TransactionListRow = Omit<StoredTransaction, 'payload'>;
export type RollupRow = EndpointRollupRow;

export interface RollupFilter {
  projectId: number;
  /** Bucket width: 60 (kept long) or 5 (kept two days). */
  minutes: number;
  /** Buckets (epoch ms / width), inclusive. */
  fromBucket: number;
  /** Exclusive. */
  toBucket: number;
  name?: string;
  environment?: string;
  release?: string;
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

  function rollupQuery(f: RollupFilter) {
    let q = qb
      .selectFrom('endpoint_rollups')
      .where('project_id', '=', f.projectId)
      .where('minutes', '=', f.minutes)
      .where('bucket', '>=', f.fromBucket)
      .where('bucket', '<', f.toBucket);
    if (f.name !== undefined) q = q.where('name', '=', f.name);
    if (f.environment !== undefined) q = q.where('environment', '=', f.environment);
    if (f.release !== undefined) q = q.where('release', '=', f.release);
    return q;
  }

  return {
    rollups(f: RollupFilter): RollupRow[] {
      return run.all(rollupQuery(f).selectAll());
    },

    /** Hourly rollup rows of every project over a range of hours (the projects overview). */
    hourlyRollupsOfAllProjects(fromHour: number, toHour: number): RollupRow[] {
      return run.all(
        qb
          .selectFrom('endpoint_rollups')
          .selectAll()
          .where('minutes', '=', 60)
          .where('bucket', '>=', fromHour)
          .where('bucket', '<', toHour),
      );
    },

    /**
     * Distinct environments (by name) / releases (newest first seen first) since `fromHour`, for
     * filter menus: from rollups, never raw rows.
     */
    distinctValues(projectId: number, fromHour: number, column: 'environment' | 'release'): string[] {
      const q = qb
        .selectFrom('endpoint_rollups')
        .select(column)
        .where('project_id', '=', projectId)
        .where('minutes', '=', 60)
        .where('bucket', '>=', fromHour)
        .where(column, '!=', '')
        .groupBy(column);
      const rows = run.all(
        column === 'release'
          ? q.orderBy((eb) => eb.fn.min('bucket'), 'desc').orderBy(column, 'desc')
          : q.orderBy(column),
      );
      return rows.map((r) => (r as Record<string, string>)[column]!);
    },

    /** Newest first, keyset-paged. */
    search(f: TransactionFilter): TransactionListRow[] {
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
      return run.all(q.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(f.limit));
    },

    /** The slowest ('desc') or fastest ('asc') transactions of one endpoint in a time range. */
    byDuration(
      f: Pick<TransactionFilter, 'projectId' | 'from' | 'to' | 'environment' | 'release'> & { name: string },
      order: 'asc' | 'desc',
      limit: number,
    ): TransactionListRow[] {
      let q = qb
        .selectFrom('transactions')
        .select([...LIST_COLUMNS])
        .where('project_id', '=', f.projectId)
        .where('name', '=', f.name)
        .where('timestamp', '>=', f.from)
        .where('timestamp', '<', f.to);
      if (f.environment !== undefined) q = q.where('environment', '=', f.environment);
      if (f.release !== undefined) q = q.where('release', '=', f.release);
      return run.all(q.orderBy('duration_ms', order).limit(limit));
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
