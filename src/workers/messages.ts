/** What the main thread and the digest worker threads say to each other. */
import { JOB_KINDS, type JobKind } from '../queue/jobs.js';
import type { ScrubOptions } from './jobs/digest-event.js';
import type { ThreadTask } from '../domain/maintenance/thread-tasks.js';

export const CONSUMER_GROUPS = ['errors', 'transactions', 'logs'] as const;
export type ConsumerGroupName = (typeof CONSUMER_GROUPS)[number];

/** The job kinds each group's thread digests (its consumers read exactly these). */
export const GROUP_KINDS: Record<ConsumerGroupName, readonly JobKind[]> = {
  errors: [JOB_KINDS.event],
  transactions: [JOB_KINDS.transaction, JOB_KINDS.span],
  logs: [JOB_KINDS.log, JOB_KINDS.otlpLog],
};

export interface WorkerOptions {
  dataDir: string;
  batchSize: number;
  /** Idle this long, a thread offers to stop (0: never; SNAG_WORKER_REST_AFTER_IDLE_SECONDS). */
  restAfterIdleMs: number;
  /** Cap when unpacking envelopes queued compressed (SNAG_MAX_DECOMPRESSED_BYTES). */
  maxDecompressedBytes: number;
  scrub: ScrubOptions;
  apm: {
    nPlusOneThreshold: number;
    /** RegExp source; undefined = the built-in denylist. */
    nPlusOneDenylist: string | undefined;
    spanOrphanTimeoutMs: number;
  };
  logs: {
    /** Log records older than this are deleted (SNAG_LOG_RETENTION_DAYS). */
    retentionMs: number;
  };
  logLevel: string;
}

/** One thread's options: the shared ones plus which consumers it runs. */
export interface DigestThreadOptions extends WorkerOptions {
  group: ConsumerGroupName;
}

export type MainToWorker =
  | { type: 'wake' }
  | { type: 'stop' }
  // Operations (issue 8, H5): maintenance the scheduler asks of the thread that owns the file.
  | { type: 'task'; id: number; task: ThreadTask };

export type WorkerToMain =
  // batchMs (issue 8, H5): the batch's wall time, for /metrics.
  | { type: 'progress'; consumer: string; kinds: string[]; upTo: number; stored: number; batchMs?: number }
  | { type: 'stopped' }
  // Idle for REST_AFTER_IDLE_MS with nothing owed: the runner may stop it (and start it on demand).
  | { type: 'resting' }
  // Operations (issue 8, H5): a task finished (ok) or failed (error), with its result.
  | {
      type: 'task-done';
      id: number;
      kind: string;
      ok: boolean;
      /** Not run: its thread rests and nothing changed since its last run (runner.ts skipKey). */
      skipped?: boolean;
      result?: unknown;
      error?: string;
      ms: number;
    };
