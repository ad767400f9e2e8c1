/**
 * What each digest thread runs: its consumers (one per database: errors, transactions, logs), its
 * periodic chores (queue checkpoints) and the maintenance tasks the scheduler sends it (retention,
 * pruning, FTS merges, vacuum, dictionary training), with the storage it opens. digest-thread.ts
 * runs any group the same way.
 */
import { mergeSketchBlobs } from '../domain/transactions/latency-sketch.js';
// Operations (issue 8, H5): retention, fine-rollup pruning, log maintenance and dictionary training
// run when the scheduler (scheduler/) asks, as tasks of the thread owning the file.
import {
  errorsThreadTasks,
  logsThreadTasks,
  transactionsThreadTasks,
  type TaskRun,
  type ThreadTask,
} from '../domain/maintenance/thread-tasks.js';
import { DEFAULT_N_PLUS_ONE_DENYLIST } from '../domain/transactions/n-plus-one.js';
import { SPAN_CAP } from '../domain/transactions/span-tree.js';
import { trainDictionary } from '../domain/logs/dictionary-trainer.js';
import { buildSearchDocument } from '../domain/logs/fts-text.js';
import type { Logger } from '../log.js';
import { openLogsWorkerStorage, openWorkerStorage } from '../storage/index.js';
import { createAlertOutboxPrune } from './alerts-outbox-prune.js'; // Alerts (issue 8, H3)
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
  /** A maintenance task this thread runs in slices (null: not this thread's). */
  runTask(task: ThreadTask): TaskRun | null;
  /**
   * Whether the thread may be stopped while idle (runner.ts starts it again for the next job or
   * task): not while it owes work to a timer (the errors thread's queue checkpoints, streamed
   * spans waiting for their orphan timeout).
   */
  mayRest(): boolean;
  close(): void;
}

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
      chores: [
        { name: 'queue checkpoint', run: () => storage.queue.checkpoint() },
        createAlertOutboxPrune(storage), // Alerts (issue 8, H3)
      ],
      mayRest: () => false,
      runTask: errorsThreadTasks(
        { retention: storage.errorsRetention, errorsFile: storage.errorsFile },
        options.dataDir,
      ),
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
    chores: [],
    mayRest: () => storage.transactions.oldestPendingReceivedAt() === null,
    runTask: transactionsThreadTasks(
      { retention: storage.transactionsRetention, transactionsFile: storage.transactionsFile },
      options.dataDir,
    ),
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
    chores: [],
    mayRest: () => true,
    runTask: logsThreadTasks(storage, options.dataDir, options.logs.retentionMs),
    close: () => storage.close(),
  };
}
