/** What the main thread and the digest worker say to each other. */
import type { ScrubOptions } from './jobs/digest-event.js';

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
  logLevel: string;
}

export type MainToWorker = { type: 'wake' } | { type: 'stop' };

export type WorkerToMain =
  { type: 'progress'; consumer: string; kinds: string[]; upTo: number; stored: number } | { type: 'stopped' };
