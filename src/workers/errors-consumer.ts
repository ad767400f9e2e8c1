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

export type ConsumerLogger = { error(obj: object, msg: string): void };

export function drainErrorsOnce(
  storage: WorkerStorage,
  options: { batchSize: number; scrub: ScrubOptions; maxDecompressedBytes: number; log: ConsumerLogger },
): DrainResult | null {
  const cursor = storage.digest.readCursor(ERRORS_CONSUMER);
  const jobs = storage.queue.readJobsAfter(ERRORS_JOB_KINDS, cursor, options.batchSize);
  if (jobs.length === 0) return null;

  const toStore: EventToStore[] = [];
  const parked: JobToPark[] = [];
  let invalid = 0;
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

  const lastJobId = jobs[jobs.length - 1]!.id;
  const outcome = storage.digest.writeBatch(ERRORS_CONSUMER, lastJobId, toStore, parked, invalid);
  storage.app.recordReleases(
    releasesSeen(
      toStore.map((e) => ({ projectId: e.projectId, release: e.release, at: e.timestamp })),
      1,
    ),
  );
  return { ...outcome, jobs: jobs.length, lastJobId, invalid, parked: parked.length };
}
