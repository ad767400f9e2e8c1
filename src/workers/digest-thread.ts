/**
 * Entry point of the digest worker thread: the second core. It owns errors.db and
 * transactions.db writes and only reads queue.db; it tells the main thread how far each consumer
 * got so the main thread (queue.db's only writer) can delete digested jobs.
 *
 * Consumers take turns, one batch each, so a backlog of one kind (a burst of transactions) delays
 * the other (errors) by one batch at most.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mergeSketchBlobs } from '../domain/transactions/latency-sketch.js';
import { bucketOf, FINE_ROLLUP_RETENTION_MS } from '../domain/transactions/rollup.js';
import { DEFAULT_N_PLUS_ONE_DENYLIST } from '../domain/transactions/n-plus-one.js';
import { SPAN_CAP } from '../domain/transactions/span-tree.js';
import { createLogger } from '../log.js';
import { openWorkerStorage } from '../storage/index.js';
import { drainErrorsOnce, ERRORS_CONSUMER, ERRORS_JOB_KINDS } from './errors-consumer.js';
import type { WorkerOptions, WorkerToMain, MainToWorker } from './messages.js';
import {
  drainTransactionsOnce,
  TRANSACTIONS_CONSUMER,
  TRANSACTIONS_JOB_KINDS,
} from './transactions-consumer.js';

/** Backstop poll in case a wake message is missed; it also lets orphan spans time out when idle. */
const IDLE_POLL_MS = 500;
/** After a failed batch (database locked, disk full) that consumer pauses this long. */
const RETRY_DELAY_MS = 500;

const options = workerData as WorkerOptions;
const log = createLogger(options.logLevel, 'digest');
const port = parentPort!;
const storage = openWorkerStorage(options.dataDir, { mergeSketch: mergeSketchBlobs });
let stopping = false;
let wake: (() => void) | null = null;

const send = (m: WorkerToMain) => port.postMessage(m);

port.on('message', (m: MainToWorker) => {
  if (m.type === 'stop') stopping = true;
  wake?.();
});

interface Consumer {
  name: string;
  kinds: readonly string[];
  readCursor(): number;
  /** One batch; null when there was nothing to do. */
  drainOnce(): { lastJobId: number; stored: number } | null;
  retryAt: number;
}

const transactionOptions = {
  nPlusOneThreshold: options.apm.nPlusOneThreshold,
  nPlusOneDenylist: options.apm.nPlusOneDenylist
    ? new RegExp(options.apm.nPlusOneDenylist, 'i')
    : DEFAULT_N_PLUS_ONE_DENYLIST,
  maxSpans: SPAN_CAP,
  scrub: options.scrub,
};

const consumers: Consumer[] = [
  {
    name: ERRORS_CONSUMER,
    kinds: ERRORS_JOB_KINDS,
    readCursor: () => storage.digest.readCursor(ERRORS_CONSUMER),
    drainOnce: () =>
      drainErrorsOnce(storage, {
        batchSize: options.batchSize,
        scrub: options.scrub,
        maxDecompressedBytes: options.maxDecompressedBytes,
        log,
      }),
    retryAt: 0,
  },
  {
    name: TRANSACTIONS_CONSUMER,
    kinds: TRANSACTIONS_JOB_KINDS,
    readCursor: () => storage.transactions.readCursor(TRANSACTIONS_CONSUMER),
    drainOnce: () =>
      drainTransactionsOnce(storage, {
        batchSize: options.batchSize,
        scrub: options.scrub,
        maxDecompressedBytes: options.maxDecompressedBytes,
        transactions: transactionOptions,
        orphanTimeoutMs: options.apm.spanOrphanTimeoutMs,
        log,
      }),
    retryAt: 0,
  },
];

/** The HTTP thread's queue connection never checkpoints (storage/index.ts): this thread does. */
const CHECKPOINT_INTERVAL_MS = 1000;
let lastCheckpoint = 0;
function maybeCheckpointQueue(): void {
  const now = Date.now();
  if (now - lastCheckpoint < CHECKPOINT_INTERVAL_MS) return;
  lastCheckpoint = now;
  try {
    storage.queue.checkpoint();
  } catch (err) {
    log.warn({ err }, 'queue checkpoint failed; retrying in a second');
  }
}

/** 5-minute rollups serve the 1 h and 6 h views only; older ones are deleted here, hourly ones stay. */
const PRUNE_INTERVAL_MS = 10 * 60_000;
let lastPrune = 0;
function maybePruneFineRollups(): void {
  const now = Date.now();
  if (now - lastPrune < PRUNE_INTERVAL_MS) return;
  lastPrune = now;
  try {
    storage.transactions.pruneRollups(5, bucketOf(now - FINE_ROLLUP_RETENTION_MS, 5));
  } catch (err) {
    log.warn({ err }, 'pruning 5-minute rollups failed; retrying in ten minutes');
  }
}

function sleepUntilWoken(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      wake = null;
      resolve();
    }
    wake = finish;
  });
}

function progress(c: Consumer, upTo: number, stored: number): void {
  send({ type: 'progress', consumer: c.name, kinds: [...c.kinds], upTo, stored });
}

async function run(): Promise<void> {
  for (const c of consumers) progress(c, c.readCursor(), 0);
  while (!stopping) {
    let worked = false;
    for (const c of consumers) {
      if (stopping) break;
      if (Date.now() < c.retryAt) continue;
      let result;
      try {
        result = c.drainOnce();
      } catch (err) {
        // A failure of the batch as a whole: nothing was committed, so the same jobs are retried
        // after a pause instead of being lost or spinning.
        log.error({ err, consumer: c.name }, 'digest batch failed; retrying');
        c.retryAt = Date.now() + RETRY_DELAY_MS;
        continue;
      }
      if (result) {
        worked = true;
        progress(c, result.lastJobId, result.stored);
      }
    }
    maybePruneFineRollups();
    if (worked) {
      maybeCheckpointQueue();
      // Let a stop message in between batches.
      await new Promise((r) => setImmediate(r));
    } else {
      await sleepUntilWoken(IDLE_POLL_MS);
    }
  }
  storage.close();
  send({ type: 'stopped' });
  // An open port keeps this thread (and so the whole process) alive.
  port.close();
}

run().catch((err: unknown) => {
  log.error({ err }, 'digest worker crashed');
  process.exit(1);
});
