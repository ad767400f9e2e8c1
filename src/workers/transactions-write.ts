/**
 * The transactions consumer's write side (transactions-consumer.ts parses): parsed jobs into one
 * transactions.db transaction with the cursor, and, when such a write fails on a row, the same
 * work job by job so that only what fails alone is parked.
 */
import { deferredChildSpans, transactionFromEvent } from '../domain/transactions/from-event.js';
import { mergeLateSpans, transactionFromSegment } from '../domain/transactions/from-spans.js';
import { segmentIdOf, type StreamedSpan } from '../domain/transactions/span-container.js';
import { RollupAccumulator } from '../domain/transactions/rollup.js';
import type { TransactionRecord } from '../domain/transactions/types.js';
import { JOB_KINDS, type TransactionJobMeta } from '../queue/jobs.js';
import type { Job, JobToPark, TransactionRow, TransactionsBatch, WorkerStorage } from '../storage/index.js';
import { decodePayload, encodePayload } from '../storage/payload-codec.js';
import type { JobRef } from './queue-reads.js';
import { errorText, isTransientStorageError, jobToPark } from './storage-errors.js';
import type { TransactionsConsumerOptions } from './transactions-consumer.js';

export const TRANSACTIONS_CONSUMER = 'transactions';

/** Orphan segments finalized per batch at most, so a backlog of them cannot make one huge transaction. */
export const ORPHANS_PER_BATCH = 200;

interface Segment {
  projectId: number;
  segmentId: string;
  receivedAt: number;
  root: StreamedSpan | undefined;
  spans: StreamedSpan[];
}

/** One queue job, parsed: a transaction, a static child sent after its segment, or streamed spans. */
export type ParsedJob =
  | { job: JobRef; kind: 'record'; record: TransactionRecord; row: TransactionRow }
  | { job: JobRef; kind: 'deferred'; child: NonNullable<ReturnType<typeof deferredChildSpans>>; raw: unknown }
  | { job: JobRef; kind: 'spans'; spans: StreamedSpan[] };

export function recordOfEvent(
  job: JobRef,
  raw: unknown,
  options: TransactionsConsumerOptions,
): TransactionRecord {
  const meta = JSON.parse(job.meta) as TransactionJobMeta;
  return transactionFromEvent(raw, {
    projectId: job.projectId,
    eventId: meta.event_id,
    receivedAt: job.receivedAt,
    options: options.transactions,
  });
}

export interface WriteContext {
  store: WorkerStorage['transactions'];
  options: TransactionsConsumerOptions;
  now: number;
  /** A job of the batch with its payload, to park it (the batch keeps jobs without). */
  reread: (jobId: number) => Job;
}

interface Outcome {
  stored: number;
  duplicates: number;
  lateSpans: number;
  orphans: number;
}

export interface Written {
  outcome: Outcome;
  /** The transactions newly stored, for the releases they name. */
  records: TransactionRecord[];
  /** Jobs (or orphan segments) parked because their rows failed alone. */
  poisoned: number;
}

/**
 * Stores parsed jobs, what the parse stage parked and counted, and up to `orphans` orphan segments
 * in one transactions.db transaction that moves the cursor to `upTo`.
 */
export function writeParsed(
  { store, options, now, reread }: WriteContext,
  upTo: number,
  items: ParsedJob[],
  extra: {
    parked: JobToPark[];
    invalid: number;
    orphans: number;
    /** Set when writing this one span job alone: each segment in a savepoint, the job parked if one fails. */
    isolate?: JobRef;
  },
): Written {
  const segments = new Map<string, Segment>();
  for (const item of items) if (item.kind === 'spans') collectSpans(segments, item.job, item.spans);
  const records: TransactionRecord[] = [];
  let poisoned = 0;
  const outcome = store.writeBatch(TRANSACTIONS_CONSUMER, upTo, (batch) => {
    const rollups = new RollupAccumulator();
    const outcome: Outcome = { stored: 0, duplicates: 0, lateSpans: 0, orphans: 0 };
    const storeNew = (record: TransactionRecord, row = toRow(record)) => {
      if (batch.insertTransaction(row)) {
        rollups.add(record);
        records.push(record);
        outcome.stored++;
      } else {
        outcome.duplicates++;
      }
    };

    for (const item of items) if (item.kind === 'record') storeNew(item.record, item.row);
    const storeSegment = (segment: Segment) => {
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
    };
    const failures: string[] = [];
    for (const segment of segments.values()) {
      if (!extra.isolate) {
        storeSegment(segment);
        continue;
      }
      try {
        batch.attempt(() => storeSegment(segment));
      } catch (err) {
        if (isTransientStorageError(err)) throw err;
        failures.push(`segment ${segment.segmentId}: ${errorText(err)}`);
      }
    }
    if (extra.isolate && failures.length > 0) {
      const job = extra.isolate;
      options.log.error(
        { jobId: job.id, projectId: job.projectId, failures },
        'span segment could not be stored; job parked',
      );
      batch.park({ ...reread(job.id), jobId: job.id, error: failures.join('\n') });
      poisoned++;
    }
    for (const item of items) {
      if (item.kind !== 'deferred') continue;
      const { child, job } = item;
      const parent = batch
        .findTransactionsOfTrace(job.projectId, child.spans[0]?.trace_id ?? '')
        .map((ref) => ({ ref, record: decodePayload(ref.payload) as TransactionRecord }))
        .find((c) => c.record.spans.some((s) => s.span_id === child.parentSpanId));
      if (parent) {
        const after = mergeLateSpans(parent.record, child.spans, options.transactions);
        batch.updateTransaction(parent.ref.id, toRow(after));
        rollups.replace(parent.record, after);
        outcome.lateSpans += child.spans.length;
      } else {
        // The parent is unknown (not sampled here, or sent elsewhere): keep it as its own transaction.
        storeNew(recordOfEvent(job, item.raw, options));
      }
    }
    if (extra.orphans > 0) outcome.orphans = finalizeOrphans(batch, now, options, extra.orphans, storeNew);

    for (const f of rollups.folds()) batch.addRollup({ ...f, sketch: f.sketch.encode() });
    batch.count('transactions', outcome.stored);
    batch.count('duplicate_transactions', outcome.duplicates);
    batch.count('invalid_transactions', extra.invalid);
    batch.count('late_spans', outcome.lateSpans);
    batch.count('orphan_segments', outcome.orphans);
    for (const p of extra.parked) batch.park(p);
    return outcome;
  });
  return { outcome, records, poisoned };
}

/**
 * A batch whose write failed because of some row (see storage-errors.ts): retrying it whole would
 * fail forever and stop every project's transactions behind it, as it did before for errors and
 * logs. What the parse stage parked and counted goes first, with the cursor where it was; then each
 * job in a transaction of its own with the cursor at that job, so a crash half-way resumes after
 * the last one written, and a job that fails alone is parked with its error; then the due orphan
 * segments one by one, parking one that fails alone; then the cursor past the whole batch.
 * Streamed spans keep their meaning written job by job: spans before their root wait in
 * pending_spans, and the root's job takes them. An SDK sends the spans of several segments in one
 * container, so a span job is written segment by segment (savepoints): a good segment beside a
 * refused one is stored, and the job is parked for the refused one. Rare, so only the batch that
 * needs it pays.
 */
export function writeIsolatingPoison(
  context: WriteContext,
  batch: {
    cursor: number;
    lastJobId: number;
    parsed: ParsedJob[];
    parked: JobToPark[];
    invalid: number;
    orphansDue: boolean;
  },
  batchError: unknown,
): Written {
  const { log } = context.options;
  log.error(
    { err: batchError, jobs: batch.parsed.length },
    'transaction batch write failed on a row; writing it job by job',
  );
  const total: Written = {
    outcome: { stored: 0, duplicates: 0, lateSpans: 0, orphans: 0 },
    records: [],
    poisoned: 0,
  };
  const add = (w: Written) => {
    for (const k of ['stored', 'duplicates', 'lateSpans', 'orphans'] as const)
      total.outcome[k] += w.outcome[k];
    total.records.push(...w.records);
    total.poisoned += w.poisoned;
  };
  const none = { parked: [], invalid: 0, orphans: 0 };
  add(writeParsed(context, batch.cursor, [], { ...none, parked: batch.parked, invalid: batch.invalid }));
  for (const item of batch.parsed) {
    try {
      const isolate = item.kind === 'spans' ? item.job : undefined;
      add(writeParsed(context, item.job.id, [item], { ...none, isolate }));
    } catch (err) {
      if (isTransientStorageError(err)) throw err;
      const { job } = item;
      log.error(
        { err, jobId: job.id, projectId: job.projectId },
        'transaction could not be stored; job parked',
      );
      add(writeParsed(context, job.id, [], { ...none, parked: [jobToPark(context.reread(job.id), err)] }));
      total.poisoned++;
    }
  }
  for (let i = 0; batch.orphansDue && i < ORPHANS_PER_BATCH; i++) {
    try {
      const w = writeParsed(context, batch.lastJobId, [], { ...none, orphans: 1 });
      add(w);
      if (w.outcome.orphans === 0) break;
    } catch (err) {
      if (isTransientStorageError(err)) throw err;
      parkOrphanSegment(context, batch.lastJobId, err);
      total.poisoned++;
    }
  }
  add(writeParsed(context, batch.lastJobId, [], none));
  return total;
}

/**
 * The first due orphan segment (the one whose write just failed: the order is the index's) leaves
 * pending_spans for parked_jobs. It came from several queue jobs, none of them its own, so it is
 * parked under its first pending row's id negated, apart from every queue job id.
 */
function parkOrphanSegment({ store, options, now }: WriteContext, upTo: number, err: unknown): void {
  store.writeBatch(TRANSACTIONS_CONSUMER, upTo, (batch) => {
    const [orphan] = batch.takeOrphanSegments(now - options.orphanTimeoutMs, 1);
    if (!orphan) return;
    options.log.error(
      { err, projectId: orphan.projectId, segmentId: orphan.segmentId },
      'orphan span segment could not be stored; parked',
    );
    batch.park({
      jobId: -orphan.firstPendingId,
      kind: JOB_KINDS.span,
      projectId: orphan.projectId,
      receivedAt: orphan.receivedAt,
      meta: JSON.stringify({ segment_id: orphan.segmentId }),
      payload: encodePayload(JSON.stringify(orphan.blobs.flatMap(decodeSpans))).payload,
      error: errorText(err),
    });
    batch.count('orphan_segments', 1);
  });
}

function finalizeOrphans(
  batch: TransactionsBatch,
  now: number,
  options: TransactionsConsumerOptions,
  limit: number,
  storeNew: (r: TransactionRecord) => void,
): number {
  const orphans = batch.takeOrphanSegments(now - options.orphanTimeoutMs, limit);
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

function collectSpans(segments: Map<string, Segment>, job: JobRef, spans: StreamedSpan[]): void {
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

export function toRow(t: TransactionRecord): TransactionRow {
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
