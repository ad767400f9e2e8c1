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
 * After an upgrade that added rollup resolutions, each call first rebuilds one slice of them from
 * the hourly rows (domain/transactions/rollup-backfill.ts), in its own short transaction.
 */
import {
  deferredChildSpans,
  InvalidTransactionError,
  transactionFromEvent,
} from '../domain/transactions/from-event.js';
import { mergeLateSpans, transactionFromSegment } from '../domain/transactions/from-spans.js';
import { parseSpanContainer, segmentIdOf, type StreamedSpan } from '../domain/transactions/span-container.js';
import { RollupAccumulator } from '../domain/transactions/rollup.js';
import { advanceRollupBackfill } from '../domain/transactions/rollup-backfill.js';
import type { TransactionRecord } from '../domain/transactions/types.js';
import type { TransactionOptions } from '../domain/transactions/from-event.js';
import type { ScrubOptions } from '../domain/events/scrub.js';
import { JOB_KINDS, type TransactionJobMeta } from '../queue/jobs.js';
import type { Job, JobToPark, TransactionRow, TransactionsBatch, WorkerStorage } from '../storage/index.js';
import { decodePayload, encodePayload } from '../storage/payload-codec.js';
import type { ConsumerLogger } from './errors-consumer.js';
import { GROUP_KINDS } from './messages.js';
import { releasesSeen } from './releases-seen.js';
import { InvalidPayloadError, unpackJob } from './unpack-job.js';

export const TRANSACTIONS_CONSUMER = 'transactions';
export const TRANSACTIONS_JOB_KINDS = GROUP_KINDS.transactions;

/** Orphan segments finalized per batch at most, so a backlog of them cannot make one huge transaction. */
const ORPHANS_PER_BATCH = 200;

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

interface Segment {
  projectId: number;
  segmentId: string;
  receivedAt: number;
  root: StreamedSpan | undefined;
  spans: StreamedSpan[];
}

export function drainTransactionsOnce(
  storage: WorkerStorage,
  options: TransactionsConsumerOptions,
): TransactionsDrainResult | null {
  const now = options.now?.() ?? Date.now();
  const store = storage.transactions;
  const rebuilt = advanceRollupBackfill(store);
  const cursor = store.readCursor(TRANSACTIONS_CONSUMER);
  const jobs = storage.queue.readJobsAfter(TRANSACTIONS_JOB_KINDS, cursor, options.batchSize);
  const oldestPending = store.oldestPendingReceivedAt();
  const orphansDue = oldestPending !== null && oldestPending < now - options.orphanTimeoutMs;
  if (jobs.length === 0 && !orphansDue) {
    // A rebuilt slice is work done: the caller comes back for the next one instead of idling.
    return rebuilt ? { ...NOTHING_STORED, lastJobId: cursor } : null;
  }

  const records: TransactionRecord[] = [];
  /** Static-lifecycle children sent after their segment: late spans of a stored transaction. */
  const deferred: {
    projectId: number;
    child: NonNullable<ReturnType<typeof deferredChildSpans>>;
    raw: unknown;
    job: Job;
  }[] = [];
  const segments = new Map<string, Segment>();
  const parked: JobToPark[] = [];
  let invalid = 0;
  for (const job of jobs) {
    try {
      const unpacked = unpackJob(job, options.maxDecompressedBytes);
      const raw = parseJson(unpacked.payload);
      if (job.kind === JOB_KINDS.transaction) {
        const meta = JSON.parse(job.meta) as TransactionJobMeta;
        const child = deferredChildSpans(raw);
        if (child) {
          deferred.push({ projectId: job.projectId, child, raw, job });
          continue;
        }
        records.push(
          transactionFromEvent(raw, {
            projectId: job.projectId,
            eventId: meta.event_id,
            receivedAt: job.receivedAt,
            options: options.transactions,
          }),
        );
      } else {
        collectSpans(segments, job, parseSpanContainer(raw));
      }
    } catch (err) {
      if (err instanceof InvalidPayloadError || err instanceof InvalidTransactionError) {
        invalid++;
        continue;
      }
      options.log.error(
        { err, jobId: job.id, projectId: job.projectId },
        'transaction digest failed; job parked',
      );
      parked.push({
        ...job,
        jobId: job.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
  }

  const lastJobId = jobs.length > 0 ? jobs[jobs.length - 1]!.id : cursor;
  const storedRecords: TransactionRecord[] = [];
  const result = store.writeBatch(TRANSACTIONS_CONSUMER, lastJobId, (batch) => {
    const rollups = new RollupAccumulator();
    const outcome = { stored: 0, duplicates: 0, lateSpans: 0, orphans: 0 };
    const storeNew = (record: TransactionRecord) => {
      if (batch.insertTransaction(toRow(record))) {
        rollups.add(record);
        storedRecords.push(record);
        outcome.stored++;
      } else {
        outcome.duplicates++;
      }
    };

    for (const record of records) storeNew(record);
    for (const segment of segments.values()) {
      const stored = batch.findTransaction(segment.projectId, segment.segmentId);
      if (stored) {
        // Late spans (or a late root) of a transaction already stored.
        const before = decodePayload(stored.payload) as TransactionRecord;
        const late = segment.root ? [segment.root, ...segment.spans] : segment.spans;
        const after = mergeLateSpans(before, late, options.transactions);
        batch.updateTransaction(stored.id, toRow(after));
        rollups.replace(before, after);
        outcome.lateSpans += late.length;
      } else if (segment.root) {
        const earlier = batch.takePendingSpans(segment.projectId, segment.segmentId).flatMap(decodeSpans);
        storeNew(
          transactionFromSegment(segment.root, [...earlier, ...segment.spans], {
            projectId: segment.projectId,
            receivedAt: segment.receivedAt,
            options: options.transactions,
          }),
        );
      } else {
        batch.addPendingSpans(
          segment.projectId,
          segment.segmentId,
          segment.receivedAt,
          encodePayload(JSON.stringify(segment.spans)).payload,
        );
      }
    }
    for (const d of deferred) {
      const { child } = d;
      const parent = batch
        .findTransactionsOfTrace(d.projectId, child.spans[0]?.trace_id ?? '')
        .map((ref) => ({ ref, record: decodePayload(ref.payload) as TransactionRecord }))
        .find((c) => c.record.spans.some((s) => s.span_id === child.parentSpanId));
      if (parent) {
        const after = mergeLateSpans(parent.record, child.spans, options.transactions);
        batch.updateTransaction(parent.ref.id, toRow(after));
        rollups.replace(parent.record, after);
        outcome.lateSpans += child.spans.length;
      } else {
        // The parent is unknown (not sampled here, or sent elsewhere): keep it as its own transaction.
        const meta = JSON.parse(d.job.meta) as TransactionJobMeta;
        storeNew(
          transactionFromEvent(d.raw, {
            projectId: d.projectId,
            eventId: meta.event_id,
            receivedAt: d.job.receivedAt,
            options: options.transactions,
          }),
        );
      }
    }
    if (orphansDue) outcome.orphans = finalizeOrphans(batch, now, options, storeNew);

    for (const f of rollups.folds()) batch.addRollup({ ...f, sketch: f.sketch.encode() });
    batch.count('transactions', outcome.stored);
    batch.count('duplicate_transactions', outcome.duplicates);
    batch.count('invalid_transactions', invalid);
    batch.count('late_spans', outcome.lateSpans);
    batch.count('orphan_segments', outcome.orphans);
    for (const p of parked) batch.park(p);
    return outcome;
  });
  // Releases seen in transactions (app.db, after commit as for errors): first/last seen place
  // release markers on the performance charts; transactions are counted apart from error events.
  storage.app.recordReleases(
    releasesSeen(
      storedRecords.map((t) => ({ projectId: t.projectId, release: t.release, at: t.end })),
      'transactions',
    ),
  );
  if (jobs.length === 0 && result.orphans === 0 && !rebuilt) return null;
  return { ...result, jobs: jobs.length, lastJobId, invalid, parked: parked.length };
}

function finalizeOrphans(
  batch: TransactionsBatch,
  now: number,
  options: TransactionsConsumerOptions,
  storeNew: (r: TransactionRecord) => void,
): number {
  const orphans = batch.takeOrphanSegments(now - options.orphanTimeoutMs, ORPHANS_PER_BATCH);
  for (const o of orphans) {
    const spans = o.blobs.flatMap(decodeSpans);
    if (spans.length === 0) continue;
    storeNew(
      transactionFromSegment(undefined, spans, {
        projectId: o.projectId,
        receivedAt: now,
        options: options.transactions,
      }),
    );
  }
  return orphans.length;
}

function collectSpans(segments: Map<string, Segment>, job: Job, spans: StreamedSpan[]): void {
  for (const span of spans) {
    const segmentId = segmentIdOf(span);
    const key = `${job.projectId}\u0000${segmentId}`;
    let s = segments.get(key);
    if (!s) {
      s = { projectId: job.projectId, segmentId, receivedAt: job.receivedAt, root: undefined, spans: [] };
      segments.set(key, s);
    }
    if (span.is_segment && span.span_id === segmentId) s.root = span;
    else s.spans.push(span);
  }
}

function decodeSpans(blob: Buffer): StreamedSpan[] {
  return decodePayload(blob) as StreamedSpan[];
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new InvalidPayloadError(`payload is not JSON: ${(err as Error).message}`);
  }
}

function toRow(t: TransactionRecord): TransactionRow {
  const { payload, payloadBytes } = encodePayload(JSON.stringify(t));
  return {
    projectId: t.projectId,
    spanId: t.spanId,
    traceId: t.traceId,
    eventId: t.eventId,
    name: t.name,
    op: t.op,
    start: Math.round(t.start),
    timestamp: Math.round(t.end),
    durationMs: t.durationMs,
    status: t.status,
    isError: t.isError,
    environment: t.environment,
    release: t.release,
    httpMethod: t.httpMethod,
    httpStatus: t.httpStatus,
    queryCount: t.queryCount,
    nPlusOne: t.nPlusOne,
    nPlusOneMs: t.nPlusOneMs,
    breakdown: t.breakdown,
    incomplete: t.incomplete,
    tags: JSON.stringify(t.tags),
    receivedAt: Date.now(),
    payload,
    payloadBytes,
  };
}
