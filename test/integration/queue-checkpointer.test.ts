/**
 * queue.db's checkpoint thread (src/queue/checkpointer.ts, the compiled dist/ thread: run
 * `npm run build` first): with the HTTP thread's connection never checkpointing, the thread copies
 * what commits leave in the WAL, reports how far it got, rests once commits stop, and starts again
 * with the next one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUEUE_MIGRATIONS } from '../../src/storage/migrations/queue.js';
import type { WalProgress } from '../../src/storage/queue-checkpoint.js';
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

/** Frames the WAL file has room for (32-byte file header, 24-byte frame headers, 4-KiB pages). */
function walFileFrames(): number {
  return (fs.statSync(`${file}-wal`).size - 32) / (24 + 4096);
}

describe('queue checkpoint thread', () => {
  it('copies the WAL into queue.db, rests when commits stop and starts again with the next', async () => {
    expect(fs.existsSync(CHECKPOINTER_URL), 'dist/ is built').toBe(true);
    const { startQueueCheckpointer } = (await import(CHECKPOINTER_URL.href)) as Checkpointer;
    const store = createQueueStore(writerDb);
    const reports: WalProgress[] = [];
    const checkpointer = startQueueCheckpointer(file, silent, TIMING, (wal) => reports.push(wal));
    const copiedToTheEnd = () => Promise.resolve(reports.some((r) => r.frames > 0 && r.left === 0));
    try {
      for (let i = 0; i < 20; i++) {
        store.insertJobs(jobs(10));
        checkpointer.noteCommit();
      }
      expect(checkpointer.running()).toBe(true);
      const written = walFileFrames();
      expect(written).toBeGreaterThan(200);
      await waitFor(copiedToTheEnd, 10_000, 'WAL copied');
      expect(reports.find((r) => r.left === 0)?.frames).toBe(written);

      // Copied to the end: the writer's next commit restarts the WAL from its first frame, over
      // the old frames instead of after them.
      store.insertJobs(jobs(1));
      expect(walFileFrames()).toBe(written);

      checkpointer.noteCommit();
      await waitFor(() => Promise.resolve(!checkpointer.running()), 10_000, 'thread resting');
      await sleep(TIMING.intervalMs * 3);
      expect(checkpointer.running()).toBe(false);

      reports.length = 0;
      store.insertJobs(jobs(10));
      checkpointer.noteCommit();
      expect(checkpointer.running()).toBe(true);
      await waitFor(copiedToTheEnd, 10_000, 'copied again');
      expect(walFileFrames()).toBe(written);
    } finally {
      await checkpointer.stop();
    }
    expect(checkpointer.running()).toBe(false);
  });
});
