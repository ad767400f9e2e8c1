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
