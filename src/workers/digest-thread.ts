/**
 * Entry point of a digest worker thread. The main thread starts one per consumer group
 * (runner.ts): `errors`, `transactions` and `logs` each have a thread, a database and a cursor of
 * their own, so a flood of one kind neither delays the others nor caps them at a shared thread's
 * CPU. Each thread only reads queue.db and tells the main thread how far it got, so the main
 * thread (queue.db's only writer) can delete digested jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log.js';
import { buildConsumerGroup, type Consumer } from './consumer-groups.js';
import type { DigestThreadOptions, MainToWorker, WorkerToMain } from './messages.js';

/** Backstop poll in case a wake message is missed; it also lets orphan spans time out when idle. */
const IDLE_POLL_MS = 500;
/** After a failed batch (database locked, disk full) that consumer pauses this long. */
const RETRY_DELAY_MS = 500;
/** How often the thread's periodic chores (checkpoints, pruning, training) are offered a turn. */
const CHORE_INTERVAL_MS = 1000;

const options = workerData as DigestThreadOptions;
const log = createLogger(options.logLevel, `digest:${options.group}`);
const port = parentPort!;
const group = buildConsumerGroup(options, log);
let stopping = false;
let wake: (() => void) | null = null;

const send = (m: WorkerToMain) => port.postMessage(m);

port.on('message', (m: MainToWorker) => {
  if (m.type === 'stop') stopping = true;
  wake?.();
});

let lastChores = 0;
function maybeRunChores(): void {
  const now = Date.now();
  if (now - lastChores < CHORE_INTERVAL_MS) return;
  lastChores = now;
  for (const chore of group.chores) {
    try {
      chore.run(now);
    } catch (err) {
      log.warn({ err, chore: chore.name }, 'periodic chore failed; it will be retried');
    }
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
  for (const c of group.consumers) progress(c, c.readCursor(), 0);
  while (!stopping) {
    let worked = false;
    for (const c of group.consumers) {
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
    maybeRunChores();
    if (worked) {
      // Let a stop message in between batches.
      await new Promise((r) => setImmediate(r));
    } else {
      await sleepUntilWoken(IDLE_POLL_MS);
    }
  }
  group.close();
  send({ type: 'stopped' });
  // An open port keeps this thread (and so the whole process) alive.
  port.close();
}

run().catch((err: unknown) => {
  log.error({ err }, 'digest worker crashed');
  process.exit(1);
});
