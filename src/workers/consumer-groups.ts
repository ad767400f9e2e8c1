/**
 * What each digest thread runs: its consumers (one per database: errors, transactions, logs), its
 * periodic chores (the alert outbox prune) and the maintenance tasks the scheduler sends it (retention,
 * pruning, FTS merges, vacuum, dictionary training), with the storage it opens. digest-thread.ts
 * runs any group the same way.
 */
// Each thread imports only its own group's code (dynamic imports below), not every consumer:
// 1–3 MiB less heap per thread (heapUsed 14 vs 15–17 MiB, bench/memory.js, 2026-11-22). Most of
// the rest is storage/index.js (every store, kysely), which all groups need.
// Operations (issue 8, H5): retention, fine-rollup pruning, log maintenance and dictionary training
// run when the scheduler (scheduler/) asks, as tasks of the thread owning the file.
import type { TaskRun, ThreadTask } from '../domain/maintenance/thread-tasks.js';
import type { Logger } from '../log.js';
import type { DigestThreadOptions } from './messages.js';

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
   * task): not while it owes work to a timer (streamed spans waiting for their orphan timeout).
   */
  mayRest(): boolean;
  close(): void;
}

export function buildConsumerGroup(options: DigestThreadOptions, log: Logger): Promise<ConsumerGroup> {
  if (options.group === 'logs') return buildLogsGroup(options, log);
  if (options.group === 'errors') return buildErrorsGroup(options, log);
  return buildTransactionsGroup(options, log);
}

async function buildErrorsGroup(options: DigestThreadOptions, log: Logger): Promise<ConsumerGroup> {
  const [{ openWorkerStorage }, { mergeSketchBlobs }, tasks, consumer, { createAlertOutboxPrune }] =
    await Promise.all([
      import('../storage/index.js'),
      import('../domain/transactions/latency-sketch.js'),
      import('../domain/maintenance/thread-tasks.js'),
      import('./errors-consumer.js'),
      import('./alerts-outbox-prune.js'), // Alerts (issue 8, H3)
    ]);
  const { drainErrorsOnce, ERRORS_CONSUMER, ERRORS_JOB_KINDS } = consumer;
  const storage = openWorkerStorage(options.dataDir, { mergeSketch: mergeSketchBlobs });
  const common = {
    batchSize: options.batchSize,
    scrub: options.scrub,
    maxDecompressedBytes: options.maxDecompressedBytes,
    log,
  };
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
    // queue.db is checkpointed by a thread of its own (queue/checkpointer.ts).
    chores: [createAlertOutboxPrune(storage)],
    // Nothing waits on a timer here: its outbox rows are written in the digest transaction, the
    // alerts loop reads them from the main thread, and the outbox prune can wait for the next start.
    mayRest: () => true,
    runTask: tasks.errorsThreadTasks(
      { retention: storage.errorsRetention, errorsFile: storage.errorsFile },
      options.dataDir,
    ),
    close: () => storage.close(),
  };
}

async function buildTransactionsGroup(options: DigestThreadOptions, log: Logger): Promise<ConsumerGroup> {
  const [
    { openWorkerStorage },
    { mergeSketchBlobs },
    tasks,
    consumer,
    { DEFAULT_N_PLUS_ONE_DENYLIST },
    { SPAN_CAP },
  ] = await Promise.all([
    import('../storage/index.js'),
    import('../domain/transactions/latency-sketch.js'),
    import('../domain/maintenance/thread-tasks.js'),
    import('./transactions-consumer.js'),
    import('../domain/transactions/n-plus-one.js'),
    import('../domain/transactions/span-tree.js'),
  ]);
  const { drainTransactionsOnce, TRANSACTIONS_CONSUMER, TRANSACTIONS_JOB_KINDS } = consumer;
  const storage = openWorkerStorage(options.dataDir, { mergeSketch: mergeSketchBlobs });
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
            batchSize: options.batchSize,
            scrub: options.scrub,
            maxDecompressedBytes: options.maxDecompressedBytes,
            log,
            transactions: transactionOptions,
            orphanTimeoutMs: options.apm.spanOrphanTimeoutMs,
          }),
        retryAt: 0,
      },
    ],
    chores: [],
    mayRest: () => storage.transactions.oldestPendingReceivedAt() === null,
    runTask: tasks.transactionsThreadTasks(
      { retention: storage.transactionsRetention, transactionsFile: storage.transactionsFile },
      options.dataDir,
    ),
    close: () => storage.close(),
  };
}

async function buildLogsGroup(options: DigestThreadOptions, log: Logger): Promise<ConsumerGroup> {
  const [{ openLogsWorkerStorage }, tasks, consumer, { trainDictionary }, { buildSearchDocument }] =
    await Promise.all([
      import('../storage/index.js'),
      import('../domain/maintenance/thread-tasks.js'),
      import('./logs-consumer.js'),
      import('../domain/logs/dictionary-trainer.js'),
      import('../domain/logs/fts-text.js'),
    ]);
  const { drainLogsOnce, LOGS_CONSUMER, LOGS_JOB_KINDS } = consumer;
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
    runTask: tasks.logsThreadTasks(storage, options.dataDir, options.logs.retentionMs),
    close: () => storage.close(),
  };
}
