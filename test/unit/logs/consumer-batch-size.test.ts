/**
 * The logs consumer fills a batch by parsed records, up to MAX_RECORDS_PER_BATCH, whatever the
 * queued bytes per record. It used to stop reading at an estimate of 150 bytes per record: a
 * Sentry `log` container of @sentry/node records (~560 B of JSON each) counted ~4 times over, so
 * batches held a quarter of the budget, and each transaction wrote one more index segment for
 * FTS5 to merge (2,500–3,600 records per batch under the mixed bench, docs/benchmarks.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { trainDictionary } from '../../../src/domain/logs/dictionary-trainer.js';
import { buildSearchDocument } from '../../../src/domain/logs/fts-text.js';
import { migrateAll, openLogsWorkerStorage, openStorage } from '../../../src/storage/index.js';
import { drainLogsOnce, LOGS_CONSUMER, MAX_RECORDS_PER_BATCH } from '../../../src/workers/logs-consumer.js';
import { tempDataDir } from '../../helpers/snag.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const RECORDS_PER_JOB = 100;

let dir: string;
beforeEach(() => {
  dir = tempDataDir('logs-batch');
  migrateAll(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A full @sentry/node `log` container: the captured fixture's records, re-stamped, 100 of them. */
function containerJob(n: number, now: number) {
  const lines = fs
    .readFileSync(path.join(__dirname, '../../fixtures/logs/node-sdk-logs.bin'), 'utf8')
    .split('\n');
  const captured = (JSON.parse(lines[2]!) as { items: Record<string, unknown>[] }).items;
  const items = Array.from({ length: RECORDS_PER_JOB }, (_, i) => ({
    ...captured[i % captured.length]!,
    timestamp: (now + i) / 1000,
    body: `line ${i} of container ${n}`,
  }));
  return {
    kind: 'log',
    projectId: 1,
    receivedAt: now,
    meta: '{}',
    payload: Buffer.from(JSON.stringify({ items })),
  };
}

it('stores MAX_RECORDS_PER_BATCH records in one batch when more are queued', () => {
  const now = Date.now();
  const main = openStorage(dir);
  const worker = openLogsWorkerStorage(dir, { searchDocument: buildSearchDocument, trainDictionary });
  try {
    const jobs = MAX_RECORDS_PER_BATCH / RECORDS_PER_JOB + 10;
    main.queue.insertJobs(Array.from({ length: jobs }, (_, n) => containerJob(n, now)));
    const options = { batchSize: 500, scrub: SCRUB, maxDecompressedBytes: 1 << 24, log: { error: () => {} } };

    const first = drainLogsOnce(worker, options);
    expect(first).toMatchObject({
      jobs: MAX_RECORDS_PER_BATCH / RECORDS_PER_JOB,
      stored: MAX_RECORDS_PER_BATCH,
    });
    expect(worker.logs.readCursor(LOGS_CONSUMER)).toBe(first!.lastJobId);
    expect(drainLogsOnce(worker, options)).toMatchObject({ jobs: 10, stored: 10 * RECORDS_PER_JOB });
    expect(drainLogsOnce(worker, options)).toBeNull();
  } finally {
    worker.close();
    main.close();
  }
});
