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
  runTask(group: ConsumerGroupName, task: ThreadTask, options?: RunTaskOptions): Promise<TaskDone>;
}

export interface RunTaskOptions {
  /**
   * Names what the task would do (its kind, and settings it depends on). When given, a resting
   * thread that has digested nothing since this key last ran well on it (a task kind not run yet
   * in this process: since the process started), less than RESTING_TASK_INTERVAL_MS ago, is not
   * started for it: the task is answered `skipped`.
   */
  skipKey?: string;
}

// Operations (issue 8, H5): what the scheduler and /metrics learn from the threads.
export type TaskDone = Extract<WorkerToMain, { type: 'task-done' }>;
export interface WorkerHooks {
  onBatch?(group: ConsumerGroupName, consumer: string, ms: number, stored: number): void;
}
/** A task whose thread died or never answered is given up after this long (the next run retries). */
const TASK_TIMEOUT_MS = 30 * 60_000;
/**
 * A resting thread is started for a repeated task (skipKey) at most this often when nothing new
 * reached its file: enough for what only the clock makes due (rows ageing past retention), while
 * minutely log maintenance and 5-minute retention on an idle Snag no longer start a ~20 MiB
 * isolate each time (issue 9: idle RSS ≤ 150 MB).
 */
const RESTING_TASK_INTERVAL_MS = 60 * 60_000;
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
  /** Batches each group has digested: a task's skipKey remembers the count it last ran at. */
  const batches = new Map<ConsumerGroupName, number>();
  const lastRuns = new Map<string, { batches: number; at: number }>();
  /**
   * A task kind not run yet on a group in this process counts as run well at the start: a thread
   * that rested after its start-up tasks, with nothing digested since, is not started for a
   * timetable's first minutely or 5-minutely run (the logs thread's dictionary training,
   * checkpoints, vacuum). They started each isolate again within the first minutes, ~25 MiB each,
   * in the middle of a load of the other kinds. By kind, not key: a retention key with changed
   * settings still runs at once.
   */
  const startedAt = Date.now();
  const kindsRun = new Set<string>();
  let stopped = false;
  const onActivity = (group: ConsumerGroupName, digested: boolean) => {
    if (digested) batches.set(group, (batches.get(group) ?? 0) + 1);
  };
  const ensure = (group: ConsumerGroupName): DigestThread => {
    let t = threads.get(group);
    if (!t) {
      const threadHooks = { ...hooks, onActivity, onTaskDone, onThreadExit, onResting: () => rest(group) };
      t = startThread({ ...options, group }, queue, log, threadHooks);
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
    runTask: (group, task, { skipKey } = {}) =>
      new Promise<TaskDone>((resolve) => {
        const digested = batches.get(group) ?? 0;
        const kindKey = `${group} ${task.kind}`;
        const neverRun = kindsRun.has(kindKey) ? undefined : { batches: 0, at: startedAt };
        const last = skipKey === undefined ? undefined : (lastRuns.get(`${group} ${skipKey}`) ?? neverRun);
        if (
          last &&
          !threads.has(group) &&
          last.batches === digested &&
          Date.now() - last.at < RESTING_TASK_INTERVAL_MS
        ) {
          resolve({ type: 'task-done', id: 0, kind: task.kind, ok: true, skipped: true, ms: 0 });
          return;
        }
        kindsRun.add(kindKey);
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
            if (done.ok && skipKey !== undefined)
              lastRuns.set(`${group} ${skipKey}`, { batches: digested, at: Date.now() });
            resolve(done);
          },
        });
        withThread(group, (t) => t.post({ type: 'task', id, task }));
      }),
  };
}

interface ThreadHooks extends WorkerHooks {
  /** A batch (digested) or a task ran: digested batches count for tasks' skipKey. */
  onActivity(group: ConsumerGroupName, digested: boolean): void;
  onTaskDone(done: TaskDone): void;
  onThreadExit(group: ConsumerGroupName): void;
  onResting(): void;
}

function startThread(
  options: DigestThreadOptions,
  queue: Queue,
  parentLog: Logger,
  hooks: ThreadHooks,
): DigestThread {
  const group: ConsumerGroupName = options.group;
  const log = parentLog.child({ thread: group });
  let worker: Worker;
  let stopping = false;
  let onStopped: (() => void) | null = null;

  function spawn(): void {
    // Its young generation is the process's (cli/serve-launch.ts): V8's flag wins over resourceLimits.
    worker = new Worker(new URL('./digest-thread.js', import.meta.url), { workerData: options });
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'progress') {
        if (m.batchMs !== undefined) {
          hooks.onBatch?.(group, m.consumer, m.batchMs, m.stored);
          hooks.onActivity(group, true);
        }
        try {
          queue.acknowledge(m.kinds, m.upTo);
        } catch (err) {
          // The jobs stay queued and are deleted with the next acknowledgement.
          log.error({ err, upTo: m.upTo }, 'could not delete digested jobs');
        }
      } else if (m.type === 'resting') {
        hooks.onResting();
      } else if (m.type === 'stopped') {
        onStopped?.();
      } else if (m.type === 'task-done') {
        hooks.onActivity(group, false);
        hooks.onTaskDone(m);
      }
    });
    worker.on('error', (err) => log.error({ err }, 'digest worker failed'));
    worker.on('exit', (code) => {
      onStopped?.();
      // Stopped on purpose (rest, shutdown): its tasks were none, or are settled by stop().
      if (stopping) return;
      hooks.onThreadExit(group);
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
