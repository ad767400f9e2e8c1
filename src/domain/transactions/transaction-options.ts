/**
 * What the APM digest is configured with. It arrives as arguments (the domain never reads config),
 * and the defaults here are the ones config.ts should document.
 */
import type { ScrubOptions } from '../events/scrub.js';
import { DEFAULT_N_PLUS_ONE_DENYLIST, DEFAULT_N_PLUS_ONE_THRESHOLD } from './n-plus-one.js';
import { SPAN_CAP } from './span-tree.js';

export interface TransactionOptions {
  /** A query pattern run more than this many times in one transaction is an N+1. */
  nPlusOneThreshold: number;
  /** Patterns matching this are plumbing and never flagged. */
  nPlusOneDenylist: RegExp;
  /** Children kept per transaction (the earliest). */
  maxSpans: number;
  /** The errors' scrubbing options; when absent, the defaults of config.ts (scrubbing on, IPs kept). */
  scrub?: ScrubOptions;
}

export const DEFAULT_SCRUB_OPTIONS: ScrubOptions = {
  enabled: true,
  ipAddresses: false,
  extraKeys: [],
  safeKeys: [],
};

export const DEFAULT_TRANSACTION_OPTIONS: TransactionOptions = {
  nPlusOneThreshold: DEFAULT_N_PLUS_ONE_THRESHOLD,
  nPlusOneDenylist: DEFAULT_N_PLUS_ONE_DENYLIST,
  maxSpans: SPAN_CAP,
  scrub: DEFAULT_SCRUB_OPTIONS,
};

/** The payload cannot be a transaction (bad input, not a bug): count it and drop it, never park it. */
export class InvalidTransactionError extends Error {
  override name = 'InvalidTransactionError';
}
