/**
 * queue.db's checkpoint thread (src/queue/checkpointer.ts, the compiled dist/ thread: run
 * `npm run build` first): with the HTTP thread's connection never checkpointing, the thread copies
 * what commits leave in the WAL, rests once commits stop, and starts again with the next one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_MIGRATIONS } from '../../src/storage/migrations/queue.js';
import { createQueueStore, type NewJob } from '../../src/storage/queue-store.js';
import { migrate, openSqlite, type Db } from '../../src/storage/sqlite.js';
import { tempDataDir, waitFor } from '../helpers/snag.js';

const CHECKPOINTER_URL = new URL('../../dist/queue/checkpointer.js', import.meta.url);
type Checkpointer = typeof import('../../src/queue/checkpointer.js');
const TIMING = { intervalMs: 50, restAfterIdleMs: 400 };
const silent = { error: () => {} };

let dir: string;
let file: string;
let writerDb: Db;

beforeEach(() => {
  dir = tempDataDir('checkpointer');
  file = path.join(dir, 'queue.db');
  // As storage/index.ts opens the HTTP thread's connection: it never checkpoints on commit.
  writerDb = openSqlite(file, { synchronous: 'FULL', cacheKiB: 2048, autoCheckpoint: false });
  migrate(writerDb, 'queue', QUEUE_MIGRATIONS);
});

afterEach(() => {
  writerDb.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function jobs(count: number): NewJob[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'event',
    projectId: 1,
    receivedAt: Date.now(),
    meta: '{}',
    payload: Buffer.alloc(4400, i),
  }));
}

/** mxFrame and nBackfill from the WAL-index header (https://www.sqlite.org/walformat.html). */
function walProgress(): { frames: number; backfilled: number } {
  const header = fs.readFileSync(`${file}-shm`).subarray(0, 100);
  return { frames: header.readUInt32LE(16), backfilled: header.readUInt32LE(96) };
}

describe('queue checkpoint thread', () => {
  it('copies the WAL into queue.db, rests when commits stop and starts again with the next', async () => {
    expect(fs.existsSync(CHECKPOINTER_URL), 'dist/ is built').toBe(true);
    const { startQueueCheckpointer } = (await import(CHECKPOINTER_URL.href)) as Checkpointer;
    const store = createQueueStore(writerDb);
    const checkpointer = startQueueCheckpointer(file, silent, TIMING);
    try {
      for (let i = 0; i < 20; i++) {
        store.insertJobs(jobs(10));
        checkpointer.noteCommit();
      }
      expect(checkpointer.running()).toBe(true);
      const before = walProgress();
      expect(before.frames - before.backfilled).toBeGreaterThan(200);
      await waitFor(
        () => Promise.resolve(walProgress().backfilled === walProgress().frames),
        10_000,
        'WAL copied',
      );

      // Copied to the end: the writer's next commit restarts the WAL from its first frame.
      store.insertJobs(jobs(1));
      expect(walProgress().frames).toBeLessThan(before.frames);

      checkpointer.noteCommit();
      await waitFor(() => Promise.resolve(!checkpointer.running()), 10_000, 'thread resting');
      await sleep(TIMING.intervalMs * 3);
      expect(checkpointer.running()).toBe(false);

      store.insertJobs(jobs(10));
      checkpointer.noteCommit();
      expect(checkpointer.running()).toBe(true);
      await waitFor(
        () => Promise.resolve(walProgress().backfilled === walProgress().frames),
        10_000,
        'copied again',
      );
    } finally {
      await checkpointer.stop();
    }
    expect(checkpointer.running()).toBe(false);
  });
});
