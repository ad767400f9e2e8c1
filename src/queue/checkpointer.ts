/**
 * queue.db's periodic checkpoints, on a thread of their own (checkpoint-thread.ts). The HTTP
 * thread's queue connection never checkpoints on commit (storage/index.ts); something must copy
 * the WAL into the file so it can restart. Two places were wrong for it:
 * - the errors digest thread, which did it for every consumer: 21–29 µs of its time per event
 *   (docs/benchmarks.md, session 5), on the thread that bounds errors throughput;
 * - the HTTP thread: under issue 9's overload it already waits for a CPU about half its wall time
 *   (bench/stall-report.js), and a checkpoint's copy and fsync would stall the UI's reads behind it.
 * The thread starts with the first commit and exits once commits stop (`restAfterIdleMs`), so an
 * idle server does not keep its isolate. Each checkpoint's report goes to `onCheckpointed`: the
 * writer finishes a small tail itself (queue.ts finishCheckpoint), since its own commits cannot
 * land during its own checkpoint.
 */
import { Worker } from 'node:worker_threads';
import type { WalProgress } from '../storage/index.js';
import type { QueueLogger } from './queue.js';

export type CheckpointRequest = { type: 'checkpoint' } | { type: 'stop' };
export type CheckpointReply =
  | { type: 'checkpointed'; wal: WalProgress; priorityRefusal: string | null }
  | { type: 'failed'; message: string };

/** As often as the errors thread checkpointed (digest-thread.ts chores). */
export const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * Without a commit for this long, and checkpointed since the last one, the thread exits (0: never).
 * The server passes SNAG_WORKER_REST_AFTER_IDLE_SECONDS, so it rests with the digest threads.
 */
const DEFAULT_REST_AFTER_IDLE_MS = 30_000;
/** A stopping thread finishing a checkpoint gets this long before it is terminated. */
const STOP_TIMEOUT_MS = 5_000;

export interface QueueCheckpointer {
  /** Called after each queue commit: starts the thread if it rests. */
  noteCommit(): void;
  /** Whether the thread is up (tests, health). */
  running(): boolean;
  stop(): Promise<void>;
}

export function startQueueCheckpointer(
  file: string,
  log: QueueLogger,
  timing = { intervalMs: CHECKPOINT_INTERVAL_MS, restAfterIdleMs: DEFAULT_REST_AFTER_IDLE_MS },
  onCheckpointed: (wal: WalProgress) => void = () => {},
): QueueCheckpointer {
  let worker: Worker | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastCommitAt = 0;
  let lastRequestAt = 0;
  let inFlight = false;
  let stopped = false;
  let saidPriority = false;

  function spawn(): void {
    const thread = new Worker(new URL('./checkpoint-thread.js', import.meta.url), {
      workerData: { file },
    });
    thread.on('message', (reply: CheckpointReply) => {
      inFlight = false;
      if (reply.type === 'failed') {
        log.error(
          { reason: reply.message },
          'queue checkpoint failed; the WAL keeps growing until one succeeds',
        );
        return;
      }
      if (reply.priorityRefusal && !saidPriority) {
        saidPriority = true;
        log.info?.({ reason: reply.priorityRefusal }, 'queue checkpoint thread runs at normal priority');
      }
      onCheckpointed(reply.wal);
    });
    thread.on('error', (err) =>
      log.error({ err }, 'queue checkpoint thread failed; the next commit starts another'),
    );
    thread.on('exit', () => {
      if (worker !== thread) return;
      worker = undefined;
      inFlight = false;
    });
    worker = thread;
    timer ??= setInterval(tick, timing.intervalMs).unref();
  }

  function tick(): void {
    if (!worker) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    if (inFlight) return;
    const now = Date.now();
    const idle = timing.restAfterIdleMs > 0 && now - lastCommitAt >= timing.restAfterIdleMs;
    if (idle && lastRequestAt > lastCommitAt) {
      // Never rejects; the next commit starts a new thread whether or not this one has exited.
      void rest();
      return;
    }
    inFlight = true;
    lastRequestAt = now;
    worker.postMessage({ type: 'checkpoint' } satisfies CheckpointRequest);
  }

  /** The thread closes its connection and exits once its message port is closed. */
  function rest(): Promise<void> {
    const thread = worker;
    worker = undefined;
    clearInterval(timer);
    timer = undefined;
    if (!thread) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => void thread.terminate(), STOP_TIMEOUT_MS).unref();
      thread.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      thread.postMessage({ type: 'stop' } satisfies CheckpointRequest);
    });
  }

  return {
    noteCommit() {
      lastCommitAt = Date.now();
      if (!worker && !stopped) spawn();
    },
    running: () => worker !== undefined,
    stop() {
      stopped = true;
      return rest();
    },
  };
}
