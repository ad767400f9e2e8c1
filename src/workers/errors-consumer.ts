/**
 * The errors consumer: reads `event` jobs after its cursor, digests them, and stores the batch
 * with the new cursor in one errors.db transaction (see src/queue/queue.ts for the guarantee).
 * A job that throws a bug is parked with its error; bad input is counted and dropped; neither
 * stops the rest of the batch.
 */
import type { BatchOutcome, EventToStore, JobToPark, WorkerStorage } from '../storage/index.js';
import { digestEventJob, type ScrubOptions } from './jobs/digest-event.js';
import { releasesSeen } from './releases-seen.js';
import { InvalidPayloadError, unpackJob } from './unpack-job.js';

export const ERRORS_CONSUMER = 'errors';
export const ERRORS_JOB_KINDS = ['event'] as const;

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

export function drainErrorsOnce(
  storage: WorkerStorage,
  options: { batchSize: number; scrub: ScrubOptions; maxDecompressedBytes: number; log: ConsumerLogger },
): DrainResult | null {
  const toStore: EventToStore[] = [];
  const parked: JobToPark[] = [];
  let invalid = 0;
  let read = 0;
  let lastJobId = storage.digest.readCursor(ERRORS_CONSUMER);
  while (read < options.batchSize) {
    const limit = Math.min(READ_SLICE_JOBS, options.batchSize - read);
    const jobs = storage.queue.readJobsAfter(ERRORS_JOB_KINDS, lastJobId, limit);
    for (const job of jobs) {
      try {
        toStore.push(digestEventJob(unpackJob(job, options.maxDecompressedBytes), options.scrub));
      } catch (err) {
        if (err instanceof InvalidPayloadError) {
          invalid++;
          continue;
        }
        options.log.error({ err, jobId: job.id, projectId: job.projectId }, 'digest failed; job parked');
        parked.push({
          ...job,
          jobId: job.id,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      }
    }
    read += jobs.length;
    if (jobs.length > 0) lastJobId = jobs[jobs.length - 1]!.id;
    if (jobs.length < limit) break;
  }
  if (read === 0) return null;

  const outcome = storage.digest.writeBatch(ERRORS_CONSUMER, lastJobId, toStore, parked, invalid);
  storage.app.recordReleases(
    releasesSeen(
      toStore.map((e) => ({ projectId: e.projectId, release: e.release, at: e.timestamp })),
      1,
    ),
  );
  return { ...outcome, jobs: read, lastJobId, invalid, parked: parked.length };
}
