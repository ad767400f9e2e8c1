/**
 * The errors consumer: reads `event` jobs after its cursor, digests them, and stores the batch
 * with the new cursor in one errors.db transaction (see src/queue/queue.ts for the guarantee).
 * A job that throws a bug is parked with its error; bad input is counted and dropped; neither
 * stops the rest of the batch.
 */
import { trainDictionary } from '../domain/logs/dictionary-trainer.js';
import { isMainThread } from 'node:worker_threads';
import type { BatchOutcome, EventToStore, Job, JobToPark, WorkerStorage } from '../storage/index.js';
import type { PayloadCodec } from '../storage/payload-codec.js';
import type { JobOutcome } from './errors-helper-protocol.js';
import {
  claimJob,
  createErrorsPipeline,
  createSlice,
  type ErrorsPipeline,
  type Slice,
} from './errors-pipeline.js';
import { GROUP_KINDS } from './messages.js';
import { isTransientStorageError, jobToPark } from './storage-errors.js';
import { digestEventJob, type ScrubOptions } from './jobs/digest-event.js';
import { rereadJob } from './queue-reads.js';
import { releasesSeen } from './releases-seen.js';
import { InvalidPayloadError, unpackJob } from './unpack-job.js';

export const ERRORS_CONSUMER = 'errors';
export const ERRORS_JOB_KINDS = GROUP_KINDS.errors;

export interface DrainResult extends BatchOutcome {
  jobs: number;
  lastJobId: number;
  invalid: number;
  parked: number;
}

/**
 * A batch is read this many jobs at a time, each slice digested before the next is read, so a
 * batch's queued bytes are never all held at once: 500 decompressed events are ~9 MB, and reading
 * them in one go put ~15–25 MiB on peak RSS (docs/benchmarks.md). Each read is its own short
 * read transaction, which also lets the queue's WAL restart in between.
 */
const READ_SLICE_JOBS = 100;

export type ConsumerLogger = { error(obj: object, msg: string): void };

export interface DrainErrorsOptions {
  batchSize: number;
  scrub: ScrubOptions;
  maxDecompressedBytes: number;
  log: ConsumerLogger;
  /**
   * The helper thread that digests part of a backlog (workers/errors-pipeline.ts); null: none.
   * Left out, a digest thread gets one of its own, created on first use.
   */
  pipeline?: ErrorsPipeline | null;
}

let threadPipeline: ErrorsPipeline | null | undefined;

function pipelineFor(options: DrainErrorsOptions): ErrorsPipeline | null {
  if (options.pipeline !== undefined) return options.pipeline;
  // Only in a digest thread: a test or bench draining on the main thread digests alone.
  threadPipeline ??= isMainThread ? null : createErrorsPipeline(options);
  return threadPipeline;
}

export function drainErrorsOnce(storage: WorkerStorage, options: DrainErrorsOptions): DrainResult | null {
  trainPayloadDictionary(storage, options.log);
  const codec = storage.digest.payloadCodec;
  const pipeline = pipelineFor(options);
  const readSlice = (afterId: number, limit: number): Slice => {
    const jobs = storage.queue.readJobsAfter(ERRORS_JOB_KINDS, afterId, limit);
    return pipeline ? pipeline.dispatch(jobs, limit, codec) : createSlice(jobs, limit);
  };
  const cursor = storage.digest.readCursor(ERRORS_CONSUMER);
  const slices: Slice[] = [];
  const outcomes: Outcome[][] = [];
  let read = 0;
  let lastJobId = cursor;
  let slice =
    pipeline?.takeReadAhead(cursor) ?? readSlice(cursor, Math.min(READ_SLICE_JOBS, options.batchSize));
  for (;;) {
    slices.push(slice);
    read += slice.jobs.length;
    if (slice.jobs.length > 0) lastJobId = slice.jobs[slice.jobs.length - 1]!.id;
    const room = options.batchSize - read;
    // A full slice means more may wait: the next one is read (and handed to the helper) before
    // this one is digested, so the helper has work while this thread digests. Past the batch's
    // end it is read only for a helper, to work on while this batch is written.
    const more = slice.jobs.length === slice.limit && (room > 0 || pipeline?.active() === true);
    const next = more
      ? readSlice(lastJobId, Math.min(READ_SLICE_JOBS, room > 0 ? room : options.batchSize))
      : null;
    const mine: Outcome[] = new Array<Outcome>(slice.jobs.length);
    for (let i = claimJob(slice); i >= 0; i = claimJob(slice))
      mine[i] = digestHere(slice.jobs[i]!, options, codec);
    outcomes.push(mine);
    if (!next) break;
    if (room <= 0) {
      pipeline!.keepReadAhead(lastJobId, next);
      break;
    }
    slice = next;
  }
  if (read === 0) {
    pipeline?.noteDrain(false);
    return null;
  }
  pipeline?.collect(slices);

  // Job order, whichever thread digested a job: first/last seen and regressions depend on it.
  const toStore: EventToStore[] = [];
  const parked: JobToPark[] = [];
  let invalid = 0;
  slices.forEach((s, i) => {
    const mine = outcomes[i]!;
    s.jobs.forEach((job, j) => {
      const helped = s.helped?.get(j);
      // Still under way in the helper when the batch could wait no longer: digested here now.
      const o = mine[j] ?? (helped ? fromHelperOutcome(helped) : digestHere(job, options, codec));
      if ('event' in o) {
        toStore.push(o.event);
      } else if ('invalid' in o) {
        invalid++;
      } else {
        options.log.error(
          { err: o.error, jobId: job.id, projectId: job.projectId },
          'digest failed; job parked',
        );
        parked.push(jobToPark(job, o.error));
      }
    });
  });

  let outcome: BatchOutcome;
  let poisoned = 0;
  try {
    outcome = storage.digest.writeBatch(ERRORS_CONSUMER, lastJobId, toStore, parked, invalid);
  } catch (err) {
    // The database is unwell (busy, full, I/O): nothing was written; the thread retries the batch.
    if (isTransientStorageError(err)) throw err;
    ({ outcome, poisoned } = writeIsolatingPoison(
      storage,
      lastJobId,
      toStore,
      parked,
      invalid,
      options.log,
      err,
    ));
  }
  // An SDK retry of a stored event is not counted again (it is a duplicate, not an event).
  const duplicates = new Set(outcome.duplicateJobIds);
  const stored = duplicates.size === 0 ? toStore : toStore.filter((e) => !duplicates.has(e.jobId));
  storage.app.recordReleases(
    releasesSeen(
      stored.map((e) => ({ projectId: e.projectId, release: e.release, at: e.timestamp })),
      'events',
    ),
  );
  pipeline?.noteDrain(read >= options.batchSize);
  return { ...outcome, jobs: read, lastJobId, invalid, parked: parked.length + poisoned };
}

/**
 * errors.db's payload dictionary (storage/payload-dictionaries.ts): trained here, on the thread
 * that writes events, when due (at most once a day after the first; ~1 s). A failure only means
 * payloads keep the dictionary they have, so it is logged and digestion goes on.
 */
function trainPayloadDictionary(storage: WorkerStorage, log: ConsumerLogger): void {
  try {
    storage.digest.trainDictionaryIfDue(Date.now(), trainDictionary);
  } catch (err) {
    if (isTransientStorageError(err)) return;
    log.error({ err }, 'payload dictionary training failed');
  }
}

/**
 * A batch whose write failed because of some row: retrying it whole would fail forever and stop
 * every project's errors behind it (the fuzz suite found one: docs/reliability.md). The events are
 * written one transaction each, in job order, each with the cursor at its own job, so a crash
 * half-way resumes after the last one written; the ones that fail alone are parked with their
 * error and the rest are stored. Rare, so a transaction per event costs only the batch that needs it.
 */
function writeIsolatingPoison(
  storage: WorkerStorage,
  lastJobId: number,
  events: EventToStore[],
  parked: JobToPark[],
  invalid: number,
  log: ConsumerLogger,
  batchError: unknown,
): { outcome: BatchOutcome; poisoned: number } {
  log.error(
    { err: batchError, events: events.length },
    'batch write failed on a row; writing its events one by one',
  );
  const digest = storage.digest;
  const cursor = digest.readCursor(ERRORS_CONSUMER);
  const total: BatchOutcome = {
    stored: 0,
    duplicates: 0,
    duplicateJobIds: [],
    newIssueIds: [],
    regressedIssueIds: [],
  };
  const add = (o: BatchOutcome) => {
    total.stored += o.stored;
    total.duplicates += o.duplicates;
    total.duplicateJobIds.push(...o.duplicateJobIds);
    total.newIssueIds.push(...o.newIssueIds);
    total.regressedIssueIds.push(...o.regressedIssueIds);
  };
  // What the digest stage already parked or counted, first, with the cursor where it was.
  add(digest.writeBatch(ERRORS_CONSUMER, cursor, [], parked, invalid));
  let poisoned = 0;
  for (const event of [...events].sort((a, b) => a.jobId - b.jobId)) {
    try {
      add(digest.writeBatch(ERRORS_CONSUMER, event.jobId, [event], [], 0));
    } catch (err) {
      if (isTransientStorageError(err)) throw err;
      const job = rereadJob(storage.queue, ERRORS_JOB_KINDS, event.jobId);
      log.error(
        { err, jobId: job.id, projectId: job.projectId, eventId: event.eventId },
        'event could not be stored; job parked',
      );
      add(digest.writeBatch(ERRORS_CONSUMER, event.jobId, [], [jobToPark(job, err)], 0));
      poisoned++;
    }
  }
  add(digest.writeBatch(ERRORS_CONSUMER, lastJobId, [], [], 0));
  return { outcome: total, poisoned };
}

type Outcome = { event: EventToStore } | { invalid: true } | { error: unknown };

function digestHere(job: Job, options: DrainErrorsOptions, codec: Pick<PayloadCodec, 'encode'>): Outcome {
  try {
    return { event: digestEventJob(unpackJob(job, options.maxDecompressedBytes), options.scrub, codec) };
  } catch (err) {
    if (err instanceof InvalidPayloadError) return { invalid: true };
    return { error: err };
  }
}

/** The helper's answer as the errors thread's own; a bug as an Error that parks with its stack. */
function fromHelperOutcome(o: JobOutcome): Outcome {
  if ('event' in o) {
    // Structured clone hands a Buffer over as a plain Uint8Array, which Buffer methods need back.
    const p: Uint8Array = o.event.payload;
    return { event: { ...o.event, payload: Buffer.from(p.buffer, p.byteOffset, p.length) } };
  }
  if ('invalid' in o) return o;
  const err = new Error(o.error.message);
  err.stack = o.error.text;
  return { error: err };
}
