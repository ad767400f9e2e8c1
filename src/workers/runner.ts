/**
 * Main-thread side of the workers: starts the digest thread, wakes it when the queue commits,
 * deletes what it reports digested, and restarts it if it dies (a crash loses nothing: the jobs
 * stay in the queue until their results are committed).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { Queue } from '../queue/queue.js';
import type { MainToWorker, WorkerOptions, WorkerToMain } from './messages.js';

const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 10_000;

export interface Workers {
  stop(): Promise<void>;
  /** Events stored since start (for /_health rates). */
  storedTotal(): number;
}

export function startWorkers(options: WorkerOptions, queue: Queue, log: Logger): Workers {
  let worker: Worker;
  let stopping = false;
  let wakePending = false;
  let stored = 0;
  let onStopped: (() => void) | null = null;

  function spawn(): void {
    worker = new Worker(new URL('./digest-thread.js', import.meta.url), { workerData: options });
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'progress') {
        wakePending = false;
        stored += m.stored;
        try {
          queue.acknowledge(m.kinds, m.upTo);
        } catch (err) {
          // The jobs stay queued and are deleted with the next acknowledgement.
          log.error({ err, upTo: m.upTo }, 'could not delete digested jobs');
        }
      } else if (m.type === 'stopped') {
        onStopped?.();
      }
    });
    worker.on('error', (err) => log.error({ err }, 'digest worker failed'));
    worker.on('exit', (code) => {
      onStopped?.();
      if (stopping) return;
      log.error({ code }, `digest worker exited; restarting in ${RESTART_DELAY_MS} ms`);
      setTimeout(spawn, RESTART_DELAY_MS).unref();
    });
  }

  const post = (m: MainToWorker) => worker.postMessage(m);
  spawn();
  queue.onCommit(() => {
    if (wakePending) return;
    wakePending = true;
    post({ type: 'wake' });
  });

  return {
    storedTotal: () => stored,
    async stop() {
      stopping = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log.warn('digest worker did not stop in time; terminating it');
          void worker.terminate().then(() => resolve());
        }, STOP_TIMEOUT_MS);
        onStopped = () => {
          clearTimeout(timer);
          // The thread has closed its files; make sure nothing of it outlives stop().
          void worker.terminate().then(() => resolve());
        };
        post({ type: 'stop' });
      });
    },
  };
}
