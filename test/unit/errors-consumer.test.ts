/**
 * drainErrorsOnce reads a batch in slices (so a batch's queued bytes are never all in memory at
 * once) but still stores it, and moves its cursor, as one batch. Real SQLite files.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mergeSketchBlobs } from '../../src/domain/transactions/latency-sketch.js';
import {
  migrateAll,
  openStorage,
  openWorkerStorage,
  type Storage,
  type WorkerStorage,
} from '../../src/storage/index.js';
import { drainErrorsOnce, ERRORS_CONSUMER } from '../../src/workers/errors-consumer.js';
import { tempDataDir } from '../helpers/snag.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const silent = { error: () => {} };

let dir: string;
let main: Storage;
let worker: WorkerStorage;

beforeEach(() => {
  dir = tempDataDir('errors-consumer');
  migrateAll(dir);
  main = openStorage(dir);
  worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
});

afterEach(() => {
  main.close();
  worker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function queueEvents(count: number, firstId: number): void {
  main.queue.insertJobs(
    Array.from({ length: count }, (_, i) => {
      const eventId = (firstId + i).toString(16).padStart(32, '0');
      return {
        kind: 'event',
        projectId: 1,
        receivedAt: Date.now(),
        meta: JSON.stringify({ event_id: eventId }),
        payload: Buffer.from(JSON.stringify({ message: `event ${i}`, platform: 'node' })),
      };
    }),
  );
}

it('stores a batch read in several slices as one, and stops at the batch size', () => {
  queueEvents(250, 1);
  // Jobs of another kind in between are not the errors consumer's.
  main.queue.insertJobs([
    { kind: 'transaction', projectId: 1, receivedAt: 0, meta: '{}', payload: Buffer.from('{}') },
  ]);
  queueEvents(10, 1000);
  const drain = () =>
    drainErrorsOnce(worker, { batchSize: 230, scrub: SCRUB, maxDecompressedBytes: 1 << 20, log: silent });

  expect(drain()).toMatchObject({ jobs: 230, stored: 230, lastJobId: 230 });
  expect(worker.digest.readCursor(ERRORS_CONSUMER)).toBe(230);
  expect(drain()).toMatchObject({ jobs: 30, stored: 30, lastJobId: 261 });
  expect(drain()).toBeNull();
  expect(main.issues.readCounters()['events']).toBe(260);
});

it('parks an event whose row SQLite refuses, stores the rest of its batch, and moves on', async () => {
  // A real row-level failure: a trigger aborts the insert of one event, as a value SQLite cannot
  // bind or a constraint would. Retrying the batch whole would fail forever.
  const { openSqlite } = await import('../../src/storage/sqlite.js');
  const poisonId = (1 + 5).toString(16).padStart(32, '0');
  const db = openSqlite(`${dir}/errors.db`, { synchronous: 'NORMAL' });
  db.exec(`CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.event_id = '${poisonId}'
           BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;`);
  db.close();
  queueEvents(20, 1);
  const errors: string[] = [];
  const log = { error: (_: object, msg: string) => errors.push(msg) };
  const result = drainErrorsOnce(worker, {
    batchSize: 100,
    scrub: SCRUB,
    maxDecompressedBytes: 1 << 20,
    log,
  });

  expect(result).toMatchObject({ jobs: 20, stored: 19, parked: 1, lastJobId: 20 });
  expect(worker.digest.readCursor(ERRORS_CONSUMER)).toBe(20);
  expect(main.issues.countParkedJobs()).toBe(1);
  expect(main.issues.readCounters()['events']).toBe(19);
  expect(main.issues.getEvent(1, poisonId)).toBeUndefined();
  expect(main.issues.getEvent(1, (1 + 6).toString(16).padStart(32, '0'))).toBeDefined();
  expect(errors).toContain('event could not be stored; job parked');
  // The next batch is written whole again.
  queueEvents(5, 100);
  expect(
    drainErrorsOnce(worker, { batchSize: 100, scrub: SCRUB, maxDecompressedBytes: 1 << 20, log }),
  ).toMatchObject({ jobs: 5, stored: 5, parked: 0 });
});
