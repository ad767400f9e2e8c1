/**
 * The transactions consumer: reads `transaction` and `span` jobs after its cursor and stores the
 * batch, the rollups and the cursor in one transactions.db transaction (the guarantee of
 * src/queue/queue.ts, as for errors).
 *
 * Streamed spans (`traceLifecycle: 'stream'`) are assembled per segment: a segment whose root span
 * is in hand becomes a transaction at once, with any of its spans that arrived earlier; spans of a
 * segment already stored are attached to it (late spans); spans without their root wait in
 * `pending_spans` until the root arrives or the orphan timeout passes, when the segment is
 * finalized with a root synthesized from its children.
 *
 * A job that hits a bug while parsed is parked with its error; bad input is counted and dropped;
 * a batch whose write fails on a row is written again job by job and what fails alone is parked
 * (transactions-write.ts): none of them stops the rest.
 *
 * After an upgrade that added rollup resolutions, each call first rebuilds one slice of them from
 * the hourly rows (domain/transactions/rollup-backfill.ts), in its own short transaction.
 */
import { deferredChildSpans, InvalidTransactionError } from '../domain/transactions/from-event.js';
import { parseSpanContainer } from '../domain/transactions/span-container.js';
import { advanceRollupBackfill } from '../domain/transactions/rollup-backfill.js';
import type { TransactionRecord } from '../domain/transactions/types.js';
import type { TransactionOptions } from '../domain/transactions/from-event.js';
import type { ScrubOptions } from '../domain/events/scrub.js';
import { JOB_KINDS } from '../queue/jobs.js';
import type { Job, JobToPark, WorkerStorage } from '../storage/index.js';
import type { ConsumerLogger } from './errors-consumer.js';
import { GROUP_KINDS } from './messages.js';
import { releasesSeen } from './releases-seen.js';
import { isTransientStorageError, jobToPark } from './storage-errors.js';
import {
  ORPHANS_PER_BATCH,
  recordOfEvent,
  toRow,
  TRANSACTIONS_CONSUMER,
  writeIsolatingPoison,
  writeParsed,
  type ParsedJob,
  type Written,
} from './transactions-write.js';
import { jobsAfter, refOf, rereadJob } from './queue-reads.js';
import { InvalidPayloadError, unpackJob } from './unpack-job.js';

export { TRANSACTIONS_CONSUMER } from './transactions-write.js';
export const TRANSACTIONS_JOB_KINDS = GROUP_KINDS.transactions;
/**
 * Queue rows per read while filling a batch: a transaction's envelope is 5–60 KB compressed, and
 * read 500 at a time they lived through the batch (queue-reads.ts).
 */
const JOBS_PER_READ = 16;

export interface TransactionsConsumerOptions {
  batchSize: number;
  maxDecompressedBytes: number;
  scrub: ScrubOptions;
  transactions: TransactionOptions;
  /** Spans whose segment root has not arrived after this long are finalized without it. */
  orphanTimeoutMs: number;
  log: ConsumerLogger;
  now?: () => number;
}

export interface TransactionsDrainResult {
  jobs: number;
  lastJobId: number;
  stored: number;
  duplicates: number;
  lateSpans: number;
  orphans: number;
  invalid: number;
  parked: number;
}

const NOTHING_STORED = {
  jobs: 0,
  stored: 0,
  duplicates: 0,
  lateSpans: 0,
  orphans: 0,
  invalid: 0,
  parked: 0,
} as const;

export function drainTransactionsOnce(
  storage: WorkerStorage,
  options: TransactionsConsumerOptions,
): TransactionsDrainResult | null {
  const now = options.now?.() ?? Date.now();
  const store = storage.transactions;
  const rebuilt = advanceRollupBackfill(store);
  const cursor = store.readCursor(TRANSACTIONS_CONSUMER);
  const oldestPending = store.oldestPendingReceivedAt();
  const orphansDue = oldestPending !== null && oldestPending < now - options.orphanTimeoutMs;

  const parsed: ParsedJob[] = [];
  const parked: JobToPark[] = [];
  let invalid = 0;
  let read = 0;
  let lastJobId = cursor;
  for (const job of jobsAfter(
    storage.queue,
    TRANSACTIONS_JOB_KINDS,
    cursor,
    options.batchSize,
    JOBS_PER_READ,
  )) {
    read++;
    lastJobId = job.id;
    try {
      parsed.push(parseJob(job, options));
    } catch (err) {
      if (err instanceof InvalidPayloadError || err instanceof InvalidTransactionError) {
        invalid++;
        continue;
      }
      options.log.error(
        { err, jobId: job.id, projectId: job.projectId },
        'transaction digest failed; job parked',
      );
      parked.push(jobToPark(job, err));
    }
  }
  if (read === 0 && !orphansDue) {
    // A rebuilt slice is work done: the caller comes back for the next one instead of idling.
    return rebuilt ? { ...NOTHING_STORED, lastJobId: cursor } : null;
  }

  const context = {
    store,
    options,
    now,
    reread: (jobId: number) => rereadJob(storage.queue, TRANSACTIONS_JOB_KINDS, jobId),
  };
  let written: Written;
  try {
    written = writeParsed(context, lastJobId, parsed, {
      parked,
      invalid,
      orphans: orphansDue ? ORPHANS_PER_BATCH : 0,
    });
  } catch (err) {
    // The database is unwell (busy, full, I/O): nothing was written; the thread retries the batch.
    if (isTransientStorageError(err)) throw err;
    written = writeIsolatingPoison(context, { cursor, lastJobId, parsed, parked, invalid, orphansDue }, err);
  }
  // Releases seen in transactions (app.db, after commit as for errors): first/last seen place
  // release markers on the performance charts; transactions are counted apart from error events.
  storage.app.recordReleases(
    releasesSeen(
      written.records.map((t) => ({ projectId: t.projectId, release: t.release, at: t.end })),
      'transactions',
    ),
  );
  const { outcome } = written;
  if (read === 0 && outcome.orphans === 0 && !rebuilt) return null;
  return { ...outcome, jobs: read, lastJobId, invalid, parked: parked.length + written.poisoned };
}

function parseJob(job: Job, options: TransactionsConsumerOptions): ParsedJob {
  const unpacked = unpackJob(job, options.maxDecompressedBytes);
  const raw = parseJson(unpacked.payload);
  // The batch keeps the job without its payload (queue-reads.ts): parking re-reads it.
  const ref = refOf(job);
  if (job.kind !== JOB_KINDS.transaction) return { job: ref, kind: 'spans', spans: parseSpanContainer(raw) };
  const child = deferredChildSpans(raw);
  if (child) return { job: ref, kind: 'deferred', child, raw };
  const record = recordOfEvent(ref, raw, options);
  // Encoded now, and only the summary kept for the rollups: a batch held its 500 records' span
  // trees until the write, long enough for the young generation to copy and promote them.
  return { job: ref, kind: 'record', record: summaryOf(record), row: toRow(record) };
}

/** What the rollups and the releases read of a record: none of its trees. */
function summaryOf(record: TransactionRecord): TransactionRecord {
  return { ...record, spans: [], queryPatterns: [], contexts: {}, request: null, measurements: {}, tags: {} };
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new InvalidPayloadError(`payload is not JSON: ${(err as Error).message}`);
  }
}
