/**
 * The durable queue on a real queue.db: grouped deletes of digested jobs, and a WAL that restarts
 * while commits keep coming (the HTTP thread's connection never checkpoints on its own).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueue, DELETE_INTERVAL_MS } from '../../src/queue/queue.js';
import { migrate, openSqlite, type Db } from '../../src/storage/sqlite.js';
import { QUEUE_MIGRATIONS } from '../../src/storage/migrations/queue.js';
import { checkpointQueue } from '../../src/storage/queue-checkpoint.js';
import { createQueueStore, type NewJob } from '../../src/storage/queue-store.js';
import { tempDataDir } from '../helpers/snag.js';

const KINDS = ['event'] as const;
const silent = { error: () => {} };

let dir: string;
let writerDb: Db;
let readerDb: Db;

beforeEach(() => {
  dir = tempDataDir('queue');
  const file = path.join(dir, 'queue.db');
  // As storage/index.ts opens them: the HTTP thread's writer never checkpoints, a worker reads.
  writerDb = openSqlite(file, { synchronous: 'FULL', cacheKiB: 2048, autoCheckpoint: false });
  migrate(writerDb, 'queue', QUEUE_MIGRATIONS);
  readerDb = openSqlite(file, { synchronous: 'FULL', cacheKiB: 2048 });
});

afterEach(() => {
  writerDb.close();
  readerDb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A gzip envelope's worth of bytes: about one 4-KiB overflow page per job, as in production. */
function jobs(count: number): NewJob[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'event',
    projectId: 1,
    receivedAt: Date.now(),
    meta: '{}',
    payload: Buffer.alloc(4400, i),
  }));
}

/** Frames the WAL file has room for (32-byte file header, 24-byte frame headers, 4-KiB pages). */
function walFileFrames(): number {
  return (fs.statSync(path.join(dir, 'queue.db-wal')).size - 32) / (24 + 4096);
}

/**
 * The state the checkpoint thread leaves under load: everything copied except what was committed
 * while it ran (here: while another reader still held an older snapshot). Returns its report.
 */
function checkpointRacedByCommits(options: { keepReading?: boolean } = {}) {
  const writer = createQueueStore(writerDb);
  for (let i = 0; i < 90; i++) writer.insertJobs(jobs(50));
  const snapshot = readerDb.prepare('SELECT id FROM jobs').iterate();
  snapshot.next();
  const stopReading = () => void snapshot.return?.();
  writer.insertJobs(jobs(10));
  const other = openSqlite(path.join(dir, 'queue.db'), { synchronous: 'FULL' });
  try {
    const wal = checkpointQueue(other);
    expect(wal.left).toBeGreaterThan(0);
    expect(wal.frames).toBeGreaterThan(4096);
    return { wal, stopReading };
  } finally {
    other.close();
    if (!options.keepReading) stopReading();
  }
}

/**
 * The POSIX locks this process holds on `file` (/proc/locks: "1: POSIX ADVISORY READ 123 08:01:456
 * 128 128"; the device and inode identify the file).
 */
function locksHeldOn(file: string): string[] {
  const { ino } = fs.statSync(file);
  return fs
    .readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .filter((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === 'POSIX' && f[4] === String(process.pid) && f[5]?.split(':')[2] === String(ino);
    });
}

describe('acknowledge', () => {
  it('deletes at once, then at most once per DELETE_INTERVAL_MS, keeping the depth in step', async () => {
    const store = createQueueStore(writerDb);
    const queue = createQueue(store, { maxDepth: 100, log: silent });
    await queue.enqueue(jobs(3));
    expect(queue.depth()).toBe(3);

    queue.acknowledge(KINDS, 1);
    expect(store.countJobs()).toBe(2);
    expect(queue.depth()).toBe(2);

    queue.acknowledge(KINDS, 2);
    queue.acknowledge(KINDS, 3);
    expect(store.countJobs()).toBe(2);
    await sleep(DELETE_INTERVAL_MS + 50);
    expect(store.countJobs()).toBe(0);
    expect(queue.depth()).toBe(0);
  });

  it('deletes without changing how enqueues are synced', async () => {
    const store = createQueueStore(writerDb);
    const queue = createQueue(store, { maxDepth: 100, log: silent });
    await queue.enqueue(jobs(2));
    queue.acknowledge(KINDS, 2);
    expect(store.countJobs()).toBe(0);
    // 2 = FULL: the next 200 still waits for an fsync.
    expect(writerDb.pragma('synchronous', { simple: true })).toBe(2);
  });
});

describe('WAL restart', () => {
  it('restarts once the writer copies what a raced checkpoint left', () => {
    const { wal } = checkpointRacedByCommits();
    const writer = createQueueStore(writerDb);
    expect(walFileFrames()).toBeGreaterThan(4096);
    expect(writer.restartWalIfCaughtUp(wal)).toEqual({ frames: wal.frames, left: 0 });
    const frames = walFileFrames();
    writer.insertJobs(jobs(10));
    // Written over the start of the WAL, not appended to it.
    expect(walFileFrames()).toBe(frames);
  });

  it('looks again after a report while a reader keeps the copy from finishing', async () => {
    const { wal, stopReading } = checkpointRacedByCommits({ keepReading: true });
    const store = createQueueStore(writerDb);
    const queue = createQueue(store, { maxDepth: 100_000, log: silent });
    queue.finishCheckpoint(wal);
    const frames = walFileFrames();
    await sleep(15);
    stopReading();
    await sleep(50);
    await queue.enqueue(jobs(10));
    expect(walFileFrames()).toBe(frames);
  });

  it('keeps appending without it', () => {
    checkpointRacedByCommits();
    const frames = walFileFrames();
    createQueueStore(writerDb).insertJobs(jobs(10));
    expect(walFileFrames()).toBeGreaterThan(frames);
  });

  it('copies only a small tail: what the last pass left plus what was committed since it began', () => {
    const writer = createQueueStore(writerDb);
    for (let i = 0; i < 90; i++) writer.insertJobs(jobs(50));
    const frames = walFileFrames();
    expect(frames).toBeGreaterThan(4096);
    // Much left to copy: the periodic checkpoint's job.
    expect(writer.restartWalIfCaughtUp({ frames, left: frames })).toBeNull();
    expect(writer.restartWalIfCaughtUp({ frames: frames - 1000, left: 0 })).toBeNull();
    // A WAL too small to bother.
    expect(writer.restartWalIfCaughtUp({ frames: 1000, left: 10 })).toBeNull();
    // Said to be all copied: nothing to do now, another look later.
    expect(writer.restartWalIfCaughtUp({ frames, left: 0 })).toEqual({ frames, left: 0 });
    expect(walFileFrames()).toBe(frames);
    // 100 frames committed after the last pass began: the writer copies (here: everything).
    expect(writer.restartWalIfCaughtUp({ frames: frames - 100, left: 0 })).toEqual({ frames, left: 0 });
    writer.insertJobs(jobs(10));
    expect(walFileFrames()).toBe(frames);
    // Restarted: fewer frames than the report saw, nothing more to do.
    expect(writer.restartWalIfCaughtUp({ frames, left: 0 })).toBeNull();
  });

  // Closing any descriptor of a file drops every POSIX lock the process holds on it. Once Snag's
  // locks on queue.db-shm were gone, the next process to open queue.db (`snag backup`) took the
  // WAL index for unused and truncated it under Snag's mapping: the server died of SIGBUS.
  it.runIf(fs.existsSync('/proc/locks'))("keeps this process's locks on queue.db and queue.db-shm", () => {
    const { wal } = checkpointRacedByCommits();
    const files = ['queue.db', 'queue.db-shm'].map((f) => path.join(dir, f));
    const snapshot = readerDb.prepare('SELECT id FROM jobs').iterate();
    snapshot.next();
    const before = files.map(locksHeldOn);
    expect(before[0]!.length).toBeGreaterThan(0);
    expect(before[1]!.length).toBeGreaterThan(0);
    // With a reader open, the writer's copy cannot finish; it still reads the WAL's frames.
    createQueueStore(writerDb).restartWalIfCaughtUp(wal);
    expect(files.map(locksHeldOn)).toEqual(before);
    snapshot.return?.();
  });
});

describe('disk reserve', () => {
  it('refuses with 503 + Retry-After once free space, minus what it has written since, is under the reserve', async () => {
    const store = createQueueStore(writerDb);
    let free = 100_000;
    let spent = 0;
    const queue = createQueue(store, {
      maxDepth: 100,
      log: silent,
      diskReserveBytes: 60_000,
      freeSpace: { free: () => free - spent, spend: (bytes) => (spent += bytes) },
    });
    await queue.enqueue(jobs(2)); // 2 × 4,402 bytes, counted twice (WAL, then the file)
    expect(spent).toBe(2 * 2 * (4400 + 2));
    await queue.enqueue(jobs(2));
    await queue.enqueue(jobs(2)); // 100,000 − 52,824 < 60,000: the next one is refused
    const refused = await queue.enqueue(jobs(1)).catch((err: unknown) => err);
    expect(refused).toMatchObject({ status: 503, code: 'disk_full', expose: true });
    expect((refused as { headers: Record<string, string> }).headers['Retry-After']).toBe('30');
    expect(store.countJobs()).toBe(6);

    free = 1_000_000; // space returned
    await queue.enqueue(jobs(1));
    expect(store.countJobs()).toBe(7);
  });
});

describe('refusal', () => {
  it('names the 429 enqueue would answer, counting jobs still waiting for their group commit', async () => {
    const store = createQueueStore(writerDb);
    const queue = createQueue(store, { maxDepth: 3, log: silent });
    expect(queue.refusal()).toBeUndefined();
    const pending = queue.enqueue(jobs(3)); // not committed until the next turn
    expect(queue.refusal()).toMatchObject({ status: 429, code: 'queue_full' });
    await pending;
    const refused = await queue.enqueue(jobs(1)).catch((err: unknown) => err);
    expect(refused).toMatchObject({ status: 429, code: 'queue_full' });
    expect(queue.refusal()?.headers).toEqual(expect.objectContaining({ 'Retry-After': '5' }));

    queue.acknowledge(KINDS, Number.MAX_SAFE_INTEGER);
    expect(queue.depth()).toBe(0);
    expect(queue.refusal()).toBeUndefined();
  });
});
