/**
 * The transactions consumer with an orphan segment (streamed spans whose root never came) whose
 * row SQLite refuses when it is finalized: a trigger aborts the insert of incomplete transactions.
 * The segment comes from no queue job of its own, so it is parked under its first pending row's id
 * negated; the transaction in the same batch is stored; the cursor moves on and the next batch is
 * not tried again on the same segment. Real SQLite files, spans captured from @sentry/node.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_TRANSACTION_OPTIONS } from '../../../src/domain/transactions/from-event.js';
import { mergeSketchBlobs } from '../../../src/domain/transactions/latency-sketch.js';
import { migrateAll, openStorage, openWorkerStorage } from '../../../src/storage/index.js';
import { openSqlite } from '../../../src/storage/sqlite.js';
import { drainTransactionsOnce, TRANSACTIONS_CONSUMER } from '../../../src/workers/transactions-consumer.js';
import { tempDataDir } from '../../helpers/snag.js';
import { readFixtureItems, readFixturePayload } from './apm-fixtures.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const ORPHAN_TIMEOUT_MS = 30_000;

let dir: string;
beforeEach(() => {
  dir = tempDataDir('tx-poison');
  migrateAll(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('parks an orphan segment whose row is refused and stores the rest of the batch', () => {
  const now = Date.now();
  const main = openStorage(dir);
  const worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
  const messages: string[] = [];
  const options = {
    batchSize: 100,
    maxDecompressedBytes: 1 << 20,
    scrub: SCRUB,
    transactions: DEFAULT_TRANSACTION_OPTIONS,
    orphanTimeoutMs: ORPHAN_TIMEOUT_MS,
    log: { error: (_: object, m: string) => messages.push(m) },
  };
  try {
    // Releases seen are recorded against the project (app.db).
    main.app.insertProject({
      slug: 'p',
      name: 'P',
      public_key: 'a'.repeat(32),
      platform: null,
      created_at: now,
    });
    // The children of a captured segment, without their root: they wait in pending_spans.
    const container = readFixtureItems('node-stream-spans-1.bin').find((i) => i.type === 'span')!.payload as {
      items: { is_segment?: boolean }[];
    };
    const children = { ...container, items: container.items.filter((s) => !s.is_segment) };
    expect(children.items.length).toBeGreaterThan(0);
    main.queue.insertJobs([
      {
        kind: 'span',
        projectId: 1,
        receivedAt: now,
        meta: '{}',
        payload: Buffer.from(JSON.stringify(children)),
      },
    ]);
    expect(drainTransactionsOnce(worker, { ...options, now: () => now })).toMatchObject({ stored: 0 });

    const db = openSqlite(path.join(dir, 'transactions.db'), { synchronous: 'NORMAL' });
    db.exec(`CREATE TRIGGER poison BEFORE INSERT ON transactions WHEN NEW.incomplete = 1
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;`);
    const transaction = readFixturePayload('node-static-transaction.bin', 'transaction');
    main.queue.insertJobs([
      {
        kind: 'transaction',
        projectId: 1,
        receivedAt: now,
        meta: JSON.stringify({ event_id: transaction['event_id'] }),
        payload: Buffer.from(JSON.stringify(transaction)),
      },
    ]);
    const later = () => now + ORPHAN_TIMEOUT_MS + 1;
    expect(drainTransactionsOnce(worker, { ...options, now: later })).toMatchObject({
      jobs: 1,
      stored: 1,
      parked: 1,
      lastJobId: 2,
    });
    expect(messages).toContain('orphan span segment could not be stored; parked');
    expect(worker.transactions.readCursor(TRANSACTIONS_CONSUMER)).toBe(2);
    const parked = db.prepare('SELECT job_id, kind, project_id, error FROM parked_jobs').all() as {
      job_id: number;
      kind: string;
      error: string;
    }[];
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ kind: 'span', project_id: 1 });
    expect(parked[0]!.job_id).toBeLessThan(0);
    expect(parked[0]!.error).toMatch(/poisoned row/);
    expect(db.prepare('SELECT count(*) FROM pending_spans').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM transactions').pluck().get()).toBe(1);
    db.close();
    // Nothing is left to retry.
    expect(drainTransactionsOnce(worker, { ...options, now: later })).toBeNull();
  } finally {
    worker.close();
    main.close();
  }
});
