/**
 * One scheduler per data dir: two scheduler instances, each with its own connection to the same
 * app.db (as two Snag processes have), run their every-second task; only the lease holder's runs.
 * When it stops, the other takes over; a holder that dies without releasing is replaced once its
 * lease expires.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startScheduler, SCHEDULER_LEASE, type Scheduler } from '../../src/scheduler/scheduler.js';
import { migrateAll } from '../../src/storage/index.js';
import { createLeaseStore } from '../../src/storage/scheduler-lease-store.js';
import { openSqlite, type Db } from '../../src/storage/sqlite.js';
import { tempDataDir, waitFor } from '../helpers/snag.js';

const log = createLogger('silent');
const opened: Db[] = [];
const schedulers: Scheduler[] = [];

function instance(dataDir: string, runs: { n: number }, leaseTtlMs = 1500) {
  const db = openSqlite(path.join(dataDir, 'app.db'), { synchronous: 'NORMAL' });
  opened.push(db);
  const s = startScheduler({
    leases: createLeaseStore(db),
    log,
    leaseTtlMs,
    renewMs: 200,
    tasks: [{ name: 'tick', cron: '* * * * * *', run: async () => void runs.n++ }],
  });
  schedulers.push(s);
  return { s, db };
}

afterEach(() => {
  schedulers.splice(0).forEach((s) => s.stop());
  opened.splice(0).forEach((db) => db.close());
});

describe('scheduler lease', () => {
  it('runs tasks on one instance only, and hands over when it stops', async () => {
    const dataDir = tempDataDir('snag-lease');
    migrateAll(dataDir);
    const a = { n: 0 };
    const b = { n: 0 };
    const first = instance(dataDir, a);
    const second = instance(dataDir, b);
    await new Promise((r) => setTimeout(r, 3200));
    expect(first.s.isLeader()).toBe(true);
    expect(second.s.isLeader()).toBe(false);
    expect(a.n).toBeGreaterThanOrEqual(2);
    expect(b.n).toBe(0);

    first.s.stop();
    await waitFor(() => second.s.isLeader(), 2000, 'second instance takes the lease');
    const before = a.n;
    await waitFor(() => b.n >= 2, 4000, 'second instance runs the task');
    expect(a.n).toBe(before);
  }, 15_000);

  it('takes a lease at once from a process of this host that is gone (kill -9)', async () => {
    const dataDir = tempDataDir('snag-lease');
    migrateAll(dataDir);
    const db = openSqlite(path.join(dataDir, 'app.db'), { synchronous: 'NORMAL' });
    opened.push(db);
    const leases = createLeaseStore(db);
    // A real process that held the lease and was killed: its pid no longer exists.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((r) => child.once('spawn', r));
    const deadHolder = `${os.hostname()}:${child.pid}:dead`;
    expect(leases.tryAcquire(SCHEDULER_LEASE, deadHolder, 60_000)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const survivor = instance(dataDir, { n: 0 }, 60_000);
    expect(survivor.s.isLeader()).toBe(true);
    expect(leases.read(SCHEDULER_LEASE)?.holder).toBe(survivor.s.holder);
  });

  it('takes over a lease its holder stopped renewing, once it expires', async () => {
    const dataDir = tempDataDir('snag-lease');
    migrateAll(dataDir);
    const db = openSqlite(path.join(dataDir, 'app.db'), { synchronous: 'NORMAL' });
    opened.push(db);
    const leases = createLeaseStore(db);
    const t0 = Date.now();
    // A process that died holding the lease: nobody renews it.
    expect(leases.tryAcquire(SCHEDULER_LEASE, 'dead-host:1:x', 1000, t0)).toBe(true);
    const b = { n: 0 };
    const survivor = instance(dataDir, b);
    expect(survivor.s.isLeader()).toBe(false);
    await waitFor(() => survivor.s.isLeader(), 3000, 'lease taken after expiry');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(leases.read(SCHEDULER_LEASE)?.holder).toBe(survivor.s.holder);
    await waitFor(() => b.n >= 1, 3000, 'task runs on the new holder');
  }, 10_000);
});
