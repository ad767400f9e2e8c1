/**
 * The logs consumer with a job whose rows SQLite refuses (a trigger aborts the insert of one
 * project's records, as a value it cannot bind or a constraint would): the batch is written job by
 * job, that job is parked, every other job's records are stored, and the cursor moves past all.
 * Retrying the batch whole, as before, would have failed forever and stopped every project's logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { trainDictionary } from '../../../src/domain/logs/dictionary-trainer.js';
import { buildSearchDocument } from '../../../src/domain/logs/fts-text.js';
import { migrateAll, openLogsWorkerStorage, openStorage } from '../../../src/storage/index.js';
import { dayOfMs, logsTable } from '../../../src/storage/logs-partitions.js';
import { openSqlite } from '../../../src/storage/sqlite.js';
import { drainLogsOnce, LOGS_CONSUMER } from '../../../src/workers/logs-consumer.js';
import { tempDataDir } from '../../helpers/snag.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };

let dir: string;
beforeEach(() => {
  dir = tempDataDir('logs-poison');
  migrateAll(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A Sentry `log` item as @sentry/node sends it (the captured fixture's first record, re-stamped). */
function logJob(projectId: number, body: string, now: number) {
  const lines = fs
    .readFileSync(path.join(__dirname, '../../fixtures/logs/node-sdk-logs.bin'), 'utf8')
    .split('\n');
  const container = JSON.parse(lines[2]!) as { items: Record<string, unknown>[] };
  const item = { ...container.items[0]!, timestamp: now / 1000, body };
  return {
    kind: 'log',
    projectId,
    receivedAt: now,
    meta: '{}',
    payload: Buffer.from(JSON.stringify({ items: [item] })),
  };
}

it('parks the job whose rows are refused and stores the rest of the batch', () => {
  const now = Date.now();
  const main = openStorage(dir);
  const worker = openLogsWorkerStorage(dir, { searchDocument: buildSearchDocument, trainDictionary });
  try {
    // Create today's partition, then make SQLite refuse project 2's rows in it.
    main.queue.insertJobs([logJob(1, 'warm-up line', now)]);
    const options = { batchSize: 100, scrub: SCRUB, maxDecompressedBytes: 1 << 20, log: { error: () => {} } };
    expect(drainLogsOnce(worker, options)).toMatchObject({ stored: 1 });
    const db = openSqlite(path.join(dir, 'logs.db'), { synchronous: 'NORMAL' });
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON ${logsTable(dayOfMs(now))} WHEN NEW.project_id = 2
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;`);
    db.close();

    main.queue.insertJobs([
      logJob(1, 'first good line', now),
      logJob(2, 'poisoned line', now),
      logJob(1, 'second good line', now),
    ]);
    const messages: string[] = [];
    const result = drainLogsOnce(worker, {
      ...options,
      log: { error: (_: object, m: string) => messages.push(m) },
    });
    expect(result).toMatchObject({ jobs: 3, stored: 2, parked: 1, lastJobId: 4 });
    expect(worker.logs.readCursor(LOGS_CONSUMER)).toBe(4);
    expect(messages).toContain('log records could not be stored; job parked');
    expect(drainLogsOnce(worker, options)).toBeNull();
    const check = openSqlite(path.join(dir, 'logs.db'), { synchronous: 'NORMAL' });
    expect(check.prepare('SELECT count(*) FROM parked_jobs').pluck().get()).toBe(1);
    check.close();
  } finally {
    worker.close();
    main.close();
  }
});
