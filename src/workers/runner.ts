/**
 * Main-thread side of the workers: starts one digest thread per consumer group (errors,
 * transactions, logs), wakes them when the queue commits, stops idle ones and starts them again
 * on demand, deletes what they report digested, and restarts a thread that dies (a crash loses
 * nothing: the jobs stay in the queue until their results are committed).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { Queue } from '../queue/queue.js';
import {
  CONSUMER_GROUPS,
  GROUP_KINDS,
  type ConsumerGroupName,
  type DigestThreadOptions,
  type MainToWorker,
  type WorkerOptions,
  type WorkerToMain,
} from './messages.js';
import type { ThreadTask } from '../domain/maintenance/thread-tasks.js';

const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 10_000;

export interface Workers {
  stop(): Promise<void>;
  /** Operations (issue 8, H5): runs a maintenance task on the thread owning its file. */
  runTask(group: ConsumerGroupName, task: ThreadTask): Promise<TaskDone>;
}

// Operations (issue 8, H5): what the scheduler and /metrics learn from the threads.
export type TaskDone = Extract<WorkerToMain, { type: 'task-done' }>;
export interface WorkerHooks {
  onBatch?(group: ConsumerGroupName, consumer: string, ms: number, stored: number): void;
}
/** A task whose thread died or never answered is given up after this long (the next run retries). */
const TASK_TIMEOUT_MS = 30 * 60_000;

interface DigestThread {
  post(m: MainToWorker): void;
  stop(): Promise<void>;
}

export function startWorkers(
  options: WorkerOptions,
  queue: Queue,
  log: Logger,
  hooks: WorkerHooks = {},
): Workers {
  const pending = new Map<number, { group: ConsumerGroupName; resolve: (done: TaskDone) => void }>();
  let nextTaskId = 1;
  const onTaskDone = (done: TaskDone) => {
    pending.get(done.id)?.resolve(done);
    pending.delete(done.id);
  };
  // A thread that died took its tasks with it: they fail now, and run again at their next time.
  const onThreadExit = (group: ConsumerGroupName) => {
    for (const [id, p] of pending)
      if (p.group === group)
        onTaskDone({ type: 'task-done', id, kind: 'lost', ok: false, error: 'digest thread exited', ms: 0 });
  };
  // Every thread starts with the process (streamed spans may be waiting for their orphan
  // timeout, the scheduler's start-up tasks need them); one that has been idle for a minute with
  // nothing owed says so and is stopped, and starts again for its next job or task. Never two
  // threads of one group at once: a new one waits until the resting one has stopped.
  const threads = new Map<ConsumerGroupName, DigestThread>();
  const resting = new Map<ConsumerGroupName, Promise<void>>();
  let stopped = false;
  const ensure = (group: ConsumerGroupName): DigestThread => {
    let t = threads.get(group);
    if (!t) {
      t = startThread({ ...options, group }, queue, log, hooks, onTaskDone, onThreadExit, () => rest(group));
      threads.set(group, t);
    }
    return t;
  };
  const withThread = (group: ConsumerGroupName, use: (t: DigestThread) => void): void => {
    const stopping = resting.get(group);
    if (stopping) void stopping.then(() => !stopped && use(ensure(group)));
    else use(ensure(group));
  };
  function rest(group: ConsumerGroupName): void {
    const t = threads.get(group);
    if (!t || stopped || resting.has(group)) return;
    for (const p of pending.values()) if (p.group === group) return; // a task is on its way to it
    threads.delete(group);
    const done = t.stop().then(() => {
      resting.delete(group);
      // Jobs committed while it was stopping start it again.
      if (!stopped && queue.hasUndigested(GROUP_KINDS[group])) ensure(group).post({ type: 'wake' });
    });
    resting.set(group, done);
  }
  for (const group of CONSUMER_GROUPS) ensure(group);
  // Only the threads whose kinds were committed: a wake costs an idle thread a queue read, and
  // waking all three on every commit cost ~0.1 core under an errors-only load (bench, 11:08). A
  // resting thread's group is checked again once it has stopped (rest above).
  queue.onCommit((kinds) => {
    for (const group of CONSUMER_GROUPS) {
      if (!GROUP_KINDS[group].some((k) => kinds.has(k)) || resting.has(group)) continue;
      ensure(group).post({ type: 'wake' });
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(resting.values());
      await Promise.all([...threads.values()].map((t) => t.stop()));
      for (const [id, p] of pending)
        p.resolve({ type: 'task-done', id, kind: 'stopped', ok: false, error: 'workers stopped', ms: 0 });
      pending.clear();
    },
    runTask: (group, task) =>
      new Promise<TaskDone>((resolve) => {
        const id = nextTaskId++;
        const timer = setTimeout(
          () =>
            onTaskDone({
              type: 'task-done',
              id,
              kind: task.kind,
              ok: false,
              error: 'timed out',
              ms: TASK_TIMEOUT_MS,
            }),
          TASK_TIMEOUT_MS,
        );
        timer.unref();
        pending.set(id, {
          group,
          resolve: (done) => {
            clearTimeout(timer);
            resolve(done);
          },
        });
        withThread(group, (t) => t.post({ type: 'task', id, task }));
      }),
  };
}

function startThread(
  options: DigestThreadOptions,
  queue: Queue,
  parentLog: Logger,
  hooks: WorkerHooks,
  onTaskDone: (done: TaskDone) => void,
  onThreadExit: (group: ConsumerGroupName) => void,
  onResting: () => void,
): DigestThread {
  const group: ConsumerGroupName = options.group;
  const log = parentLog.child({ thread: group });
  let worker: Worker;
  let stopping = false;
  let onStopped: (() => void) | null = null;

  function spawn(): void {
    worker = new Worker(new URL('./digest-thread.js', import.meta.url), { workerData: options });
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'progress') {
        if (m.batchMs !== undefined) hooks.onBatch?.(group, m.consumer, m.batchMs, m.stored);
        try {
          queue.acknowledge(m.kinds, m.upTo);
        } catch (err) {
          // The jobs stay queued and are deleted with the next acknowledgement.
          log.error({ err, upTo: m.upTo }, 'could not delete digested jobs');
        }
      } else if (m.type === 'resting') {
        onResting();
      } else if (m.type === 'stopped') {
        onStopped?.();
      } else if (m.type === 'task-done') {
        onTaskDone(m);
      }
    });
    worker.on('error', (err) => log.error({ err }, 'digest worker failed'));
    worker.on('exit', (code) => {
      onStopped?.();
      // Stopped on purpose (rest, shutdown): its tasks were none, or are settled by stop().
      if (stopping) return;
      onThreadExit(group);
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
