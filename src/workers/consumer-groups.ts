/**
 * What each digest thread runs: its consumers (one per database: errors, transactions, logs) and
 * its periodic chores (queue checkpoints, pruning, dictionary training), with the storage it
 * opens. digest-thread.ts runs any group the same way.
 */
import { mergeSketchBlobs } from '../domain/transactions/latency-sketch.js';
import { bucketOf, FINE_ROLLUP_RETENTION_MS } from '../domain/transactions/rollup.js';
import { DEFAULT_N_PLUS_ONE_DENYLIST } from '../domain/transactions/n-plus-one.js';
import { SPAN_CAP } from '../domain/transactions/span-tree.js';
import { trainDictionary } from '../domain/logs/dictionary-trainer.js';
import { buildSearchDocument } from '../domain/logs/fts-text.js';
import type { Logger } from '../log.js';
import { openLogsWorkerStorage, openWorkerStorage } from '../storage/index.js';
import { drainErrorsOnce, ERRORS_CONSUMER, ERRORS_JOB_KINDS } from './errors-consumer.js';
import { drainLogsOnce, LOGS_CONSUMER, LOGS_JOB_KINDS } from './logs-consumer.js';
import type { DigestThreadOptions } from './messages.js';
import {
  drainTransactionsOnce,
  TRANSACTIONS_CONSUMER,
  TRANSACTIONS_JOB_KINDS,
} from './transactions-consumer.js';

export interface Consumer {
  name: string;
  kinds: readonly string[];
  readCursor(): number;
  /** One batch; null when there was nothing to do. */
  drainOnce(): { lastJobId: number; stored: number } | null;
  retryAt: number;
}

/** Something a thread does on a timer; `run` is offered a turn about once a second. */
export interface Chore {
  name: string;
  run(now: number): void;
}

export interface ConsumerGroup {
  consumers: Consumer[];
  chores: Chore[];
  close(): void;
}

/** 5-minute rollups serve the 1 h and 6 h views only; older ones are deleted, hourly ones stay. */
const FINE_ROLLUP_PRUNE_INTERVAL_MS = 10 * 60_000;
/** Log retention runs this often, deleting at most LOG_PRUNE_ROWS_PER_RUN rows per run. */
const LOG_PRUNE_INTERVAL_MS = 60_000;
const LOG_PRUNE_ROWS_PER_RUN = 200_000;

export function buildConsumerGroup(options: DigestThreadOptions, log: Logger): ConsumerGroup {
  if (options.group === 'logs') return buildLogsGroup(options, log);
  const storage = openWorkerStorage(options.dataDir, { mergeSketch: mergeSketchBlobs });
  const common = {
    batchSize: options.batchSize,
    scrub: options.scrub,
    maxDecompressedBytes: options.maxDecompressedBytes,
    log,
  };
  if (options.group === 'errors') {
    return {
      consumers: [
        {
          name: ERRORS_CONSUMER,
          kinds: ERRORS_JOB_KINDS,
          readCursor: () => storage.digest.readCursor(ERRORS_CONSUMER),
          drainOnce: () => drainErrorsOnce(storage, common),
          retryAt: 0,
        },
      ],
      // The HTTP thread's queue connection never checkpoints (storage/index.ts); this thread,
      // which every Snag runs, does it for all consumers. PASSIVE never blocks the writer.
      chores: [{ name: 'queue checkpoint', run: () => storage.queue.checkpoint() }],
      close: () => storage.close(),
    };
  }
  const transactionOptions = {
    nPlusOneThreshold: options.apm.nPlusOneThreshold,
    nPlusOneDenylist: options.apm.nPlusOneDenylist
      ? new RegExp(options.apm.nPlusOneDenylist, 'i')
      : DEFAULT_N_PLUS_ONE_DENYLIST,
    maxSpans: SPAN_CAP,
    scrub: options.scrub,
  };
  return {
    consumers: [
      {
        name: TRANSACTIONS_CONSUMER,
        kinds: TRANSACTIONS_JOB_KINDS,
        readCursor: () => storage.transactions.readCursor(TRANSACTIONS_CONSUMER),
        drainOnce: () =>
          drainTransactionsOnce(storage, {
            ...common,
            transactions: transactionOptions,
            orphanTimeoutMs: options.apm.spanOrphanTimeoutMs,
          }),
        retryAt: 0,
      },
    ],
    chores: [
      every(FINE_ROLLUP_PRUNE_INTERVAL_MS, 'prune 5-minute rollups', (now) =>
        storage.transactions.pruneRollups(5, bucketOf(now - FINE_ROLLUP_RETENTION_MS, 5)),
      ),
    ],
    close: () => storage.close(),
  };
}

function buildLogsGroup(options: DigestThreadOptions, log: Logger): ConsumerGroup {
  const storage = openLogsWorkerStorage(options.dataDir, {
    searchDocument: buildSearchDocument,
    trainDictionary,
  });
  return {
    consumers: [
      {
        name: LOGS_CONSUMER,
        kinds: LOGS_JOB_KINDS,
        readCursor: () => storage.logs.readCursor(LOGS_CONSUMER),
        drainOnce: () =>
          drainLogsOnce(storage, {
            batchSize: options.batchSize,
            scrub: options.scrub,
            maxDecompressedBytes: options.maxDecompressedBytes,
            log,
          }),
        retryAt: 0,
      },
    ],
    chores: [
      every(LOG_PRUNE_INTERVAL_MS, 'log retention', (now) =>
        storage.logs.pruneOlderThan(now - options.logs.retentionMs, LOG_PRUNE_ROWS_PER_RUN),
      ),
      { name: 'log dictionary training', run: (now) => storage.logs.trainDictionaryIfDue(now) },
    ],
    close: () => storage.close(),
  };
}

/** A chore that runs at most once per `intervalMs` (its first turn comes right after start). */
function every(intervalMs: number, name: string, run: (now: number) => void): Chore {
  let last = 0;
  return {
    name,
    run(now) {
      if (now - last < intervalMs) return;
      last = now;
      run(now);
    },
  };
}
