/**
 * The durable ingest queue: a table in queue.db.
 *
 * Delivery guarantee: at-least-once, made exactly-once by the consumer.
 * - `enqueue` resolves only after the jobs are committed with synchronous=FULL (WAL fsynced), so an
 *   HTTP 200 is never sent for something a crash (even kill -9 or a power cut) can lose.
 * - Group commit: every enqueue arriving in the same event-loop turn shares one transaction and one
 *   fsync. Under load, batches grow by themselves; idle, a lone event still commits at once.
 * - Consumers read jobs with id > their cursor and store their results and the new cursor in one
 *   transaction of their own database, then report the cursor; only then are the jobs deleted
 *   here. A crash anywhere redelivers jobs whose results are already stored, and the cursor (plus
 *   event-id dedupe) turns that redelivery into a no-op. Deletes are grouped (at most one every
 *   DELETE_INTERVAL_MS) and not fsynced: losing one only leaves jobs below a cursor.
 * - This process is the only writer of queue.db; workers only read it.
 * - Backpressure: above `maxDepth` undigested jobs, `enqueue` refuses with 429 + Retry-After
 *   instead of growing the backlog without bound; a failing commit (disk full) answers 503.
 * - Disk space: below `diskReserveBytes` free, `enqueue` refuses with 503 + Retry-After before
 *   writing anything. Without that reserve the queue would take the last free pages and the digest
 *   threads, which need room in their own files, could not move the acknowledged backlog out of it
 *   until space returned. Ingest resumes by itself once space is back.
 */
import { AppError } from '../errors.js';
import type { NewJob, QueueStore, WalProgress } from '../storage/index.js';

/** Seconds a client is told to wait when the queue is full: enough for a batch or two to drain. */
export const QUEUE_FULL_RETRY_AFTER_SECONDS = 5;
/** Seconds to wait when the disk refuses writes. */
export const STORAGE_FAILURE_RETRY_AFTER_SECONDS = 30;
/**
 * Digested jobs are deleted at most this often. Consumers report after every batch, and a consumer
 * that keeps up digests small batches: at 1,000 events/s that was 50–150 deletes a second, each a
 * write transaction holding this thread (docs/benchmarks.md). Queue depth lags by as much.
 */
export const DELETE_INTERVAL_MS = 100;

/**
 * After a checkpoint report, the writer looks again this often, this many times, while only a
 * little is left: the digest threads' reads of queue.db often keep a commit from restarting the
 * WAL or a copy from finishing, and a look is cheap (~15 reads of 8 bytes; queue-store.ts).
 */
const WAL_FINISH_RETRY_MS = 10;
const WAL_FINISH_TRIES = 10;

/** A disk that refuses writes refuses them for every request: log the first, then a count this often. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

export type QueueLogger = { error(obj: object, msg: string): void; info?(obj: object, msg: string): void };

export interface QueueOptions {
  maxDepth: number;
  log: QueueLogger;
  /** Free space on the queue's filesystem; omitted: no reserve check. */
  freeSpace?: { free(): number; spend(bytes: number): void };
  diskReserveBytes?: number;
}

export interface Queue {
  enqueue(jobs: NewJob[]): Promise<void>;
  /**
   * The error `enqueue` would refuse any job with right now, or undefined. The HTTP edge asks it
   * before reading a body: at the cap, an overloaded box should not spend the main thread's CPU
   * inflating and parsing requests only to refuse them (docs/benchmarks.md, issue 9).
   */
  refusal(): AppError | undefined;
  /** Called when a consumer has durably digested every job of `kinds` up to `upToId`. */
  acknowledge(kinds: readonly string[], upToId: number): void;
  depth(): number;
  /** Resolves once every pending enqueue has committed. */
  flush(): Promise<void>;
  /** Whether jobs of `kinds` wait beyond what their consumer has acknowledged. */
  hasUndigested(kinds: readonly string[]): boolean;
  /** Called after each group commit with the kinds it held, so only their consumers are woken. */
  onCommit(listener: (kinds: ReadonlySet<string>) => void): void;
  /**
   * Given the checkpoint thread's report: copies a small tail left by commits during its copy on
   * this connection, so the next commit restarts the WAL (queue-store.ts restartWalIfCaughtUp).
   */
  finishCheckpoint(wal: WalProgress): void;
}

interface Pending {
  jobs: NewJob[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createQueue(store: QueueStore, options: QueueOptions): Queue {
  let depth = store.countJobs();
  /** Highest acknowledged id per set of kinds (one consumer each), not deleted yet. */
  const acknowledged = new Map<string, { kinds: readonly string[]; upToId: number }>();
  let lastDeleteAt = 0;
  let deleteTimer: NodeJS.Timeout | undefined;
  let walFinishTimer: NodeJS.Timeout | undefined;
  let pending: Pending[] = [];
  let scheduled = false;
  let pendingJobCount = 0;
  const listeners: ((kinds: ReadonlySet<string>) => void)[] = [];
  let idle: Promise<void> = Promise.resolve();
  let markIdle: () => void = () => {};
  let failuresSinceLog = 0;
  let failingSince = 0;
  let lastFailureLogAt = 0;

  /** One log line per FAILURE_LOG_INTERVAL_MS while writes fail, one when they work again. */
  function noteCommitFailure(err: unknown, jobs: number): void {
    const now = Date.now();
    failuresSinceLog++;
    if (failingSince === 0) failingSince = now;
    if (now - lastFailureLogAt < FAILURE_LOG_INTERVAL_MS) return;
    options.log.error(
      { err, jobs, failed_commits: failuresSinceLog },
      'queue commit failed; answering 503 until writes succeed again',
    );
    failuresSinceLog = 0;
    lastFailureLogAt = now;
  }

  function noteCommitSuccess(): void {
    if (failingSince === 0) return;
    options.log.info?.({ failing_ms: Date.now() - failingSince }, 'queue writes succeed again');
    failingSince = 0;
    failuresSinceLog = 0;
    lastFailureLogAt = 0;
  }

  function commit(): void {
    scheduled = false;
    const group = pending;
    pending = [];
    pendingJobCount = 0;
    const jobs = group.flatMap((p) => p.jobs);
    try {
      store.insertJobs(jobs);
    } catch (err) {
      noteCommitFailure(err, jobs.length);
      const refusal = new AppError(
        'storage_unavailable',
        503,
        'Snag could not write to its queue (is the disk full?). Retry later; nothing from this request was kept.',
        {
          expose: true,
          headers: { 'Retry-After': String(STORAGE_FAILURE_RETRY_AFTER_SECONDS) },
          cause: err,
        },
      );
      group.forEach((p) => p.reject(refusal));
      markIdle();
      return;
    }
    noteCommitSuccess();
    if (options.freeSpace) {
      // A payload is written twice before the WAL is recycled: in the WAL, then in the file.
      let bytes = 0;
      for (const job of jobs) bytes += job.payload.length + job.meta.length;
      options.freeSpace.spend(2 * bytes);
    }
    depth += jobs.length;
    group.forEach((p) => p.resolve());
    markIdle();
    const kinds = new Set<string>();
    for (const job of jobs) kinds.add(job.kind);
    for (const listener of listeners) listener(kinds);
  }

  function deleteAcknowledged(): void {
    deleteTimer = undefined;
    lastDeleteAt = Date.now();
    // Stopped (storage closed): the jobs stay, and the consumers' first reports after the next
    // start delete them.
    if (!store.isOpen()) return;
    for (const [key, { kinds, upToId }] of acknowledged) {
      try {
        depth = Math.max(0, depth - store.deleteJobsUpTo(kinds, upToId));
        acknowledged.delete(key);
      } catch (err) {
        // Kept: deleted with the next acknowledgement.
        options.log.error({ err, kinds, upToId }, 'could not delete digested jobs');
      }
    }
  }

  /** Why a new job would be refused now (queue at its cap, disk under its reserve), or undefined. */
  function refuse(): AppError | undefined {
    if (depth + pendingJobCount >= options.maxDepth) {
      return new AppError(
        'queue_full',
        429,
        `Snag is digesting a backlog of ${depth} items; retry in ${QUEUE_FULL_RETRY_AFTER_SECONDS} s.`,
        {
          headers: {
            'Retry-After': String(QUEUE_FULL_RETRY_AFTER_SECONDS),
            'X-Sentry-Rate-Limits': `${QUEUE_FULL_RETRY_AFTER_SECONDS}::organization:queue_full`,
          },
        },
      );
    }
    const reserve = options.diskReserveBytes ?? 0;
    if (reserve > 0 && options.freeSpace && options.freeSpace.free() < reserve) {
      return new AppError(
        'disk_full',
        503,
        `The disk holding Snag's data has less than ${Math.round(reserve / 1048576)} MiB free (SNAG_DISK_RESERVE_MB); Snag refuses new items until space is freed. Retry in ${STORAGE_FAILURE_RETRY_AFTER_SECONDS} s.`,
        { expose: true, headers: { 'Retry-After': String(STORAGE_FAILURE_RETRY_AFTER_SECONDS) } },
      );
    }
    return undefined;
  }

  return {
    refusal: refuse,

    enqueue(jobs) {
      if (jobs.length === 0) return Promise.resolve();
      const refusal = refuse();
      if (refusal) return Promise.reject(refusal);
      return new Promise<void>((resolve, reject) => {
        pending.push({ jobs, resolve, reject });
        pendingJobCount += jobs.length;
        if (!scheduled) {
          scheduled = true;
          idle = new Promise<void>((r) => (markIdle = r));
          // setImmediate runs after the I/O callbacks of this turn: every request parsed in the
          // same turn joins this group.
          setImmediate(commit);
        }
      });
    },

    acknowledge(kinds, upToId) {
      const key = kinds.join(',');
      if ((acknowledged.get(key)?.upToId ?? -1) < upToId) acknowledged.set(key, { kinds, upToId });
      if (deleteTimer) return;
      const wait = lastDeleteAt + DELETE_INTERVAL_MS - Date.now();
      if (wait <= 0) deleteAcknowledged();
      else deleteTimer = setTimeout(deleteAcknowledged, wait).unref();
    },

    depth: () => depth,

    hasUndigested: (kinds) => store.hasJobsAfter(kinds, acknowledged.get(kinds.join(','))?.upToId ?? 0),

    flush: () => (scheduled ? idle : Promise.resolve()),

    onCommit(listener) {
      listeners.push(listener);
    },

    finishCheckpoint(wal) {
      clearTimeout(walFinishTimer);
      let tries = WAL_FINISH_TRIES;
      const look = (progress: WalProgress) => {
        walFinishTimer = undefined;
        if (!store.isOpen()) return;
        let next: WalProgress | null;
        try {
          next = store.restartWalIfCaughtUp(progress);
        } catch (err) {
          options.log.error({ err }, 'queue checkpoint failed; the WAL keeps growing until one succeeds');
          return;
        }
        if (next && --tries > 0) walFinishTimer = setTimeout(look, WAL_FINISH_RETRY_MS, next).unref();
      };
      look(wal);
    },
  };
}
