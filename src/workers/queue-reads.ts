/**
 * How digest threads read queue.db: a few jobs per query, only as a batch asks for them, each read
 * its own short read transaction (so the queue's WAL can restart in between).
 *
 * A job's payload is its compressed body as sent, a Buffer outside V8's heap. Read a whole batch
 * up front, the payloads outlived a few scavenges, were promoted with their batch and waited as
 * garbage for the next full GC, which V8 starts only after 64 MiB more of such memory: the
 * transactions thread held 27–46 MiB of them under a mixed backlog (docs/benchmarks.md, session
 * 8). Read a few at a time and dropped once parsed, they die young.
 */
import type { Job, QueueStore } from '../storage/index.js';

/** A job without its payload: what a batch keeps of it once parsed. */
export type JobRef = Omit<Job, 'payload'>;

/** Jobs after `cursor` in queue order, at most `maxJobs`, `perRead` rows per query. */
export function* jobsAfter(
  queue: Pick<QueueStore, 'readJobsAfter'>,
  kinds: readonly string[],
  cursor: number,
  maxJobs: number,
  perRead: number,
): Generator<Job> {
  let after = cursor;
  let read = 0;
  while (read < maxJobs) {
    const want = Math.min(perRead, maxJobs - read);
    const chunk = queue.readJobsAfter(kinds, after, want);
    for (const job of chunk) {
      read++;
      yield job;
    }
    if (chunk.length < want) return;
    after = chunk[chunk.length - 1]!.id;
  }
}

export function refOf(job: Job): JobRef {
  return { id: job.id, kind: job.kind, projectId: job.projectId, receivedAt: job.receivedAt, meta: job.meta };
}

/**
 * A job of this batch read again, payload and all, to park it: the batch let go of its payload
 * once parsed. The consumer's cursor has not passed it, so it is still in the queue.
 */
export function rereadJob(
  queue: Pick<QueueStore, 'readJobsAfter'>,
  kinds: readonly string[],
  id: number,
): Job {
  const [job] = queue.readJobsAfter(kinds, id - 1, 1);
  if (!job || job.id !== id) throw new Error(`queue job ${id} is gone before it could be parked`);
  return job;
}
