/** What the errors thread (workers/errors-pipeline.ts) and its helper (errors-helper.ts) say. */
import type { MessagePort } from 'node:worker_threads';
import type { ScrubOptions } from '../domain/events/scrub.js';
import type { EventToStore, Job } from '../storage/index.js';

export interface HelperData {
  port: MessagePort;
  /** Int32 counter the helper bumps and notifies after every answer. */
  signal: SharedArrayBuffer;
  scrub: ScrubOptions;
  maxDecompressedBytes: number;
}

/** A queued job as it crosses threads (its payload arrives as a Uint8Array). */
export type SentJob = Omit<Job, 'payload'> & { payload: Uint8Array };

export type HelperRequest =
  | { type: 'dictionary'; dictionary: { id: number; bytes: Uint8Array } | null }
  /** `claim`: an Int32 both threads take job indices from (workers/errors-pipeline.ts). */
  | { type: 'jobs'; seq: number; jobs: SentJob[]; claim: SharedArrayBuffer };

/** One job's digest: a row to store, bad input (counted), or a bug (parked with this text). */
export type JobOutcome =
  { event: EventToStore } | { invalid: true } | { error: { message: string; text: string } };

export type HelperResponse =
  | { type: 'ready' }
  /** Job by job, so a batch never waits for more than the one under way. */
  | { type: 'outcome'; seq: number; index: number; outcome: JobOutcome };
