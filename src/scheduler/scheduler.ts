/**
 * The in-process scheduler: cron expressions (croner, UTC) decide when maintenance runs; the task
 * itself runs on the thread that owns the file (tasks.ts). Only one scheduler acts per data dir,
 * however many Snag processes share it: each process tries to take the `scheduler` lease in app.db
 * every LEASE_RENEW_MS; the holder renews it, the others stay idle and take over within
 * LEASE_TTL_MS of the holder's death. A cron tick on a process that does not hold the lease does
 * nothing.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { Cron } from 'croner';
import type { Logger } from '../log.js';
import type { LeaseStore } from '../storage/scheduler-lease-store.js';

export const SCHEDULER_LEASE = 'scheduler';
/** A dead holder is replaced within this; long enough that a busy event loop does not lose it. */
export const LEASE_TTL_MS = 30_000;
const LEASE_RENEW_MS = 10_000;

/**
 * Holders are `host:pid:random`. A holder on this host whose process is gone (kill -9, crash) is
 * dead now, not in LEASE_TTL_MS: its lease can be taken at once. A reused pid only means waiting
 * for the expiry, as for a holder on another host.
 */
export function isHolderDeadOnThisHost(holder: string): boolean {
  const [host, pidText] = holder.split(':');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface ScheduledTask {
  name: string;
  /** 5 fields, or 6 with seconds first; UTC. */
  cron: string;
  /** `manual`: asked for now (runNow), not by the clock; such a run is never skipped. */
  run(trigger: { manual: boolean }): Promise<unknown>;
  /** Also run as soon as this process becomes the scheduler (work missed while none ran). */
  atStart?: boolean;
}

export interface TaskRunRecord {
  name: string;
  cron: string;
  next_run: string | null;
  last_started: string | null;
  last_ms: number | null;
  last_ok: boolean | null;
  last_result: unknown;
  last_error: string | null;
  running: boolean;
}

export interface Scheduler {
  isLeader(): boolean;
  holder: string;
  /** Runs a task now (on the leader or not): tests and the Settings page's "run now". */
  runNow(name: string): Promise<unknown>;
  status(): TaskRunRecord[];
  stop(): void;
}

export function startScheduler(deps: {
  leases: LeaseStore;
  tasks: ScheduledTask[];
  log: Logger;
  leaseTtlMs?: number;
  renewMs?: number;
}): Scheduler {
  const holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const ttl = deps.leaseTtlMs ?? LEASE_TTL_MS;
  let leader = false;
  let stopped = false;
  const records = new Map<string, TaskRunRecord>();
  const running = new Map<string, Promise<unknown>>();

  async function run(task: ScheduledTask, manual = false): Promise<unknown> {
    const inFlight = running.get(task.name);
    if (inFlight) return inFlight;
    const rec = records.get(task.name)!;
    const started = Date.now();
    rec.last_started = new Date(started).toISOString();
    rec.running = true;
    const p = task
      .run({ manual })
      .then(
        (result) => {
          Object.assign(rec, { last_ok: true, last_result: result, last_error: null });
          return result;
        },
        (err: unknown) => {
          deps.log.warn({ err, task: task.name }, 'scheduled task failed; it runs again at its next time');
          Object.assign(rec, { last_ok: false, last_error: String(err) });
          return undefined;
        },
      )
      .finally(() => {
        rec.running = false;
        rec.last_ms = Date.now() - started;
        running.delete(task.name);
      });
    running.set(task.name, p);
    return p;
  }

  const crons = deps.tasks.map((task) => {
    records.set(task.name, {
      name: task.name,
      cron: task.cron,
      next_run: null,
      last_started: null,
      last_ms: null,
      last_ok: null,
      last_result: null,
      last_error: null,
      running: false,
    });
    return {
      task,
      cron: new Cron(task.cron, { timezone: 'UTC', unref: true }, () => {
        if (leader && !stopped) void run(task);
      }),
    };
  });

  function renew(): void {
    if (stopped) return;
    let acquired = false;
    try {
      acquired = deps.leases.tryAcquire(SCHEDULER_LEASE, holder, ttl);
      const current = acquired ? undefined : deps.leases.read(SCHEDULER_LEASE);
      if (current && isHolderDeadOnThisHost(current.holder))
        acquired = deps.leases.takeOver(SCHEDULER_LEASE, current.holder, holder, ttl);
    } catch (err) {
      // app.db busy past busy_timeout: keep the current role; the next renewal decides.
      deps.log.warn({ err }, 'could not renew the scheduler lease');
      return;
    }
    if (acquired && !leader) {
      leader = true;
      deps.log.info({ holder }, 'this process runs the maintenance scheduler');
      for (const { task } of crons) if (task.atStart) void run(task);
    } else if (!acquired && leader) {
      leader = false;
      deps.log.warn({ holder }, 'another process took the scheduler lease');
    }
  }

  renew();
  const timer = setInterval(renew, deps.renewMs ?? LEASE_RENEW_MS);
  timer.unref();

  return {
    isLeader: () => leader,
    holder,
    runNow(name) {
      const entry = crons.find((c) => c.task.name === name);
      if (!entry) return Promise.reject(new Error(`no scheduled task "${name}"`));
      return run(entry.task, true);
    },
    status: () =>
      crons.map(({ task, cron }) => ({
        ...records.get(task.name)!,
        next_run: cron.nextRun()?.toISOString() ?? null,
      })),
    stop() {
      stopped = true;
      clearInterval(timer);
      for (const { cron } of crons) cron.stop();
      if (leader) {
        try {
          deps.leases.release(SCHEDULER_LEASE, holder);
        } catch (err) {
          deps.log.warn({ err }, 'could not release the scheduler lease; it expires on its own');
        }
      }
      leader = false;
    },
  };
}
