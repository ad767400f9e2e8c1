/**
 * Entry point of the digest worker thread: the second core. It owns errors.db writes and only
 * reads queue.db; it tells the main thread how far it got so the main thread (queue.db's only
 * writer) can delete digested jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.js';
import { openWorkerStorage } from '../storage/index.js';
import { drainErrorsOnce, ERRORS_CONSUMER, ERRORS_JOB_KINDS } from './errors-consumer.js';
import type { WorkerOptions, WorkerToMain, MainToWorker } from './messages.js';

/** Backstop poll in case a wake message is missed (the queue is also written by nobody else). */
const IDLE_POLL_MS = 500;

const options = workerData as WorkerOptions;
const log = createLogger(options.logLevel, 'digest');
const port = parentPort!;
const storage = openWorkerStorage(options.dataDir);
let stopping = false;
let wake: (() => void) | null = null;

const send = (m: WorkerToMain) => port.postMessage(m);

port.on('message', (m: MainToWorker) => {
  if (m.type === 'stop') stopping = true;
  wake?.();
});

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

async function run(): Promise<void> {
  send({
    type: 'progress',
    consumer: ERRORS_CONSUMER,
    kinds: [...ERRORS_JOB_KINDS],
    upTo: storage.digest.readCursor(ERRORS_CONSUMER),
    stored: 0,
  });
  while (!stopping) {
    let result;
    try {
      result = drainErrorsOnce(storage, {
        batchSize: options.batchSize,
        scrub: options.scrub,
        maxDecompressedBytes: options.maxDecompressedBytes,
        log,
      });
    } catch (err) {
      // A failure of the batch as a whole (database locked, disk full): nothing was committed, so
      // the same jobs are retried after a pause instead of being lost or spinning.
      log.error({ err }, 'digest batch failed; retrying');
      await sleepUntilWoken(IDLE_POLL_MS);
      continue;
    }
    if (result) {
      maybeCheckpointQueue();
      send({
        type: 'progress',
        consumer: ERRORS_CONSUMER,
        kinds: [...ERRORS_JOB_KINDS],
        upTo: result.lastJobId,
        stored: result.stored,
      });
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
