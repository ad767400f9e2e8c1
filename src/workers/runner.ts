/**
 * Main-thread side of the workers: starts one digest thread per consumer group (errors,
 * transactions, logs), wakes them when the queue commits, deletes what they report digested, and
 * restarts a thread that dies (a crash loses nothing: the jobs stay in the queue until their
 * results are committed).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { Queue } from '../queue/queue.js';
import {
  CONSUMER_GROUPS,
  type ConsumerGroupName,
  type DigestThreadOptions,
  type MainToWorker,
  type WorkerOptions,
  type WorkerToMain,
} from './messages.js';

const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 10_000;

export interface Workers {
  stop(): Promise<void>;
}

interface DigestThread {
  post(m: MainToWorker): void;
  stop(): Promise<void>;
}

export function startWorkers(options: WorkerOptions, queue: Queue, log: Logger): Workers {
  const threads = CONSUMER_GROUPS.map((group) => startThread({ ...options, group }, queue, log));
  queue.onCommit(() => threads.forEach((t) => t.post({ type: 'wake' })));
  return {
    stop: async () => {
      await Promise.all(threads.map((t) => t.stop()));
    },
  };
}

function startThread(options: DigestThreadOptions, queue: Queue, parentLog: Logger): DigestThread {
  const group: ConsumerGroupName = options.group;
  const log = parentLog.child({ thread: group });
  let worker: Worker;
  let stopping = false;
  let onStopped: (() => void) | null = null;

  function spawn(): void {
    worker = new Worker(new URL('./digest-thread.js', import.meta.url), { workerData: options });
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'progress') {
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

  spawn();
  return {
    // A wake per queue commit and thread: commits are grouped per event-loop turn, so this is a
    // few hundred small messages a second at most, and a thread that is busy ignores them.
    post: (m) => worker.postMessage(m),
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
        worker.postMessage({ type: 'stop' } satisfies MainToWorker);
      });
    },
  };
}
