/**
 * Entry point of a digest worker thread. The main thread starts one per consumer group
 * (runner.ts): `errors`, `transactions` and `logs` each have a thread, a database and a cursor of
 * their own, so a flood of one kind neither delays the others nor caps them at a shared thread's
 * CPU. Each thread only reads queue.db and tells the main thread how far it got, so the main
 * thread (queue.db's only writer) can delete digested jobs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scheduleFirstFullGc } from '../first-full-gc.js';
import { createLogger } from '../log.js';
import { buildConsumerGroup, type Consumer } from './consumer-groups.js';
import type { DigestThreadOptions, MainToWorker, WorkerToMain } from './messages.js';
import { DIGEST_THREAD_NICE, lowerThisThreadPriority } from './thread-priority.js';
import type { TaskRun } from '../domain/maintenance/thread-tasks.js';

/** Backstop poll in case a wake message is missed; it also lets orphan spans time out when idle. */
const IDLE_POLL_MS = 500;
/** After a failed batch (database locked, disk full) that consumer pauses this long. */
const RETRY_DELAY_MS = 500;
/** How often the thread's periodic chores (checkpoints, pruning, training) are offered a turn. */
const CHORE_INTERVAL_MS = 1000;
/**
 * Operations (issue 8, H5): maintenance tasks (retention, vacuum…) run in slices of at most this
 * long between digest batches; each step inside is one short transaction.
 */
const TASK_SLICE_MS = 50;
/**
 * A thread with nothing to do for `options.restAfterIdleMs` offers to stop (runner.ts starts it
 * again on its next job or task). Each idle thread is an isolate of ~22 MiB; a Snag that receives
 * only errors, or nothing, should not carry the transactions and logs threads (issue 9: idle RSS
 * ≤ 150 MB).
 *
 * A thread that has digested nothing since it started, only run tasks (the scheduler's start-up
 * tasks, a minutely one that found it resting), offers after TASK_ONLY_REST_MS instead: waiting
 * the full minute kept all three isolates up for the first minute of every start, 172–183 MiB
 * before any load, so errors alone peaked at 333 MiB (issue 2: < 300). The scheduler sends its
 * start-up tasks together, so a few seconds covers them without a stop and start between two.
 */
const TASK_ONLY_REST_MS = 3000;

const options = workerData as DigestThreadOptions;
const log = createLogger(options.logLevel, `digest:${options.group}`);
const lowered = lowerThisThreadPriority(DIGEST_THREAD_NICE);
if (lowered) log.debug({ reason: lowered }, 'digest thread keeps the process priority');
scheduleFirstFullGc();
const port = parentPort!;
// Messages sent meanwhile wait in the port: it starts delivering when the listener below is added.
const group = await buildConsumerGroup(options, log);
let stopping = false;
let wake: (() => void) | null = null;

const send = (m: WorkerToMain) => port.postMessage(m);

// Operations (issue 8, H5): tasks the scheduler sent, run a slice at a time, oldest first.
const tasks: { id: number; kind: string; run: TaskRun; startedAt: number }[] = [];

port.on('message', (m: MainToWorker) => {
  if (m.type === 'stop') stopping = true;
  if (m.type === 'task') {
    const run = group.runTask(m.task);
    if (run) tasks.push({ id: m.id, kind: m.task.kind, run, startedAt: performance.now() });
    else
      send({
        type: 'task-done',
        id: m.id,
        kind: m.task.kind,
        ok: false,
        error: 'not run by this thread',
        ms: 0,
      });
  }
  wake?.();
});

/** Runs task steps for up to TASK_SLICE_MS; true when some task has steps left. */
function runTaskSlice(): boolean {
  const deadline = performance.now() + TASK_SLICE_MS;
  while (tasks.length > 0 && performance.now() < deadline && !stopping) {
    const t = tasks[0]!;
    try {
      const step = t.run.next();
      if (!step.done) continue;
      send({
        type: 'task-done',
        id: t.id,
        kind: t.kind,
        ok: true,
        result: step.value,
        ms: performance.now() - t.startedAt,
      });
    } catch (err) {
      log.warn({ err, task: t.kind }, 'maintenance task failed; the next scheduled run retries it');
      send({
        type: 'task-done',
        id: t.id,
        kind: t.kind,
        ok: false,
        error: String(err),
        ms: performance.now() - t.startedAt,
      });
    }
    tasks.shift();
  }
  return tasks.length > 0;
}

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

function progress(c: Consumer, upTo: number, stored: number, batchMs?: number): void {
  send({ type: 'progress', consumer: c.name, kinds: [...c.kinds], upTo, stored, batchMs });
}

async function run(): Promise<void> {
  for (const c of group.consumers) progress(c, c.readCursor(), 0);
  let idleSince = Date.now();
  let restOffered = false;
  let digestedSinceStart = false;
  /** When the last task slice ran (0: none yet); see TASK_ONLY_REST_MS. */
  let tasksIdleSince = 0;
  while (!stopping) {
    let worked = false;
    let digested = false;
    for (const c of group.consumers) {
      if (stopping) break;
      if (Date.now() < c.retryAt) continue;
      let result;
      const started = performance.now();
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
        digested = true;
        progress(c, result.lastJobId, result.stored, performance.now() - started);
      }
    }
    if (digested) digestedSinceStart = true;
    maybeRunChores();
    const ranTasks = tasks.length > 0;
    if (runTaskSlice()) worked = true;
    if (ranTasks) tasksIdleSince = Date.now();
    // Only digesting, or a task still under way, keeps a thread from resting: the scheduler's
    // minutely log maintenance would otherwise keep the logs thread up for good.
    if (digested || tasks.length > 0) idleSince = Date.now();
    // After a task the offer is made again: the runner ignores one made while a task was on its way.
    if (worked || ranTasks) restOffered = false;
    if (worked) {
      // Let a stop message in between batches.
      await new Promise((r) => setImmediate(r));
    } else {
      const restAfter = options.restAfterIdleMs;
      const taskOnly = tasksIdleSince > 0 && !digestedSinceStart;
      const due = taskOnly
        ? Date.now() - tasksIdleSince >= Math.min(TASK_ONLY_REST_MS, restAfter)
        : Date.now() - idleSince >= restAfter;
      if (!restOffered && restAfter > 0 && due && group.mayRest()) {
        restOffered = true;
        send({ type: 'resting' });
      }
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
