/** What the main thread and the digest worker threads say to each other. */
import type { ScrubOptions } from './jobs/digest-event.js';

export const CONSUMER_GROUPS = ['errors', 'transactions', 'logs'] as const;
export type ConsumerGroupName = (typeof CONSUMER_GROUPS)[number];

export interface WorkerOptions {
  dataDir: string;
  batchSize: number;
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

export type MainToWorker = { type: 'wake' } | { type: 'stop' };

export type WorkerToMain =
  { type: 'progress'; consumer: string; kinds: string[]; upTo: number; stored: number } | { type: 'stopped' };
