/**
 * Rollup resolutions on real SQLite files: a data dir written by schema version 1 (hourly and
 * 5-minute rows per environment and release only) is upgraded, gets live writes while its daily,
 * 6-hourly and total rows are rebuilt, and must answer every performance view exactly as it did
 * from the hourly rows: counts and percentiles equal, float sums equal to the last rounded digit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TRANSACTION_OPTIONS,
  transactionFromEvent,
} from '../../../src/domain/transactions/from-event.js';
import { mergeSketchBlobs } from '../../../src/domain/transactions/latency-sketch.js';
import { createPerformanceService } from '../../../src/domain/transactions/performance-service.js';
import { advanceRollupBackfill } from '../../../src/domain/transactions/rollup-backfill.js';
import { RollupAccumulator } from '../../../src/domain/transactions/rollup.js';
import type { TransactionRecord } from '../../../src/domain/transactions/types.js';
import { migrateAll, openStorage, openWorkerStorage } from '../../../src/storage/index.js';
import { TRANSACTIONS_MIGRATIONS } from '../../../src/storage/migrations/transactions.js';
import { migrate, openSqlite } from '../../../src/storage/sqlite.js';
import { readFixturePayload } from './apm-fixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Mid-afternoon, so the 30-day release arms and the 24-hour card start mid-day. */
const NOW = Date.parse('2026-11-20T14:37:12Z');
const NAMES = ['GET /orders', 'GET /users/:id', 'POST /checkout', 'GET /search', 'GET /healthz'];
const ENVIRONMENTS = ['production', 'staging'];
const RELEASES = ['shop@1.0.0', 'shop@1.1.0', null];

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Records shaped like the captured @sentry/node transaction (its fields, breakdown and N+1
 * analysis), moved in time and spread over endpoints, environments, releases and projects.
 */
function makeRecords(count: number, seed: number, from: number, to: number): TransactionRecord[] {
  const base = transactionFromEvent(readFixturePayload('node-static-transaction.bin', 'transaction'), {
    projectId: 1,
    eventId: '826cab2c212d490dadbfb05594e9fbf3',
    receivedAt: Date.parse('2026-11-22T07:04:00Z'),
    options: DEFAULT_TRANSACTION_OPTIONS,
  });
  const random = mulberry32(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, () => {
    const durationMs = Math.round(Math.exp(1 + random() * 6) * 1000) / 1000;
    const scale = durationMs / Math.max(base.durationMs, 1);
    const end = from + Math.floor(random() * (to - from));
    const nPlusOne = random() < 0.3;
    return {
      ...base,
      projectId: random() < 0.9 ? 1 : 2,
      name: pick(NAMES),
      environment: pick(ENVIRONMENTS),
      release: pick(RELEASES),
      end,
      start: end - durationMs,
      durationMs,
      isError: random() < 0.05,
      breakdown: {
        db: base.breakdown.db * scale,
        view: base.breakdown.view * scale,
        http: base.breakdown.http * scale,
        cache: base.breakdown.cache * scale,
        queue: base.breakdown.queue * scale,
        other: base.breakdown.other * scale,
      },
      queryCount: Math.floor(random() * 30),
      nPlusOne,
      nPlusOneMs: nPlusOne ? durationMs * random() : 0,
    } as TransactionRecord;
  });
}

/** What schema version 1's worker wrote for `records`: hourly and 5-minute rows per key, nothing else. */
function writeVersion1Rollups(file: string, records: TransactionRecord[]): void {
  const db = openSqlite(file, { synchronous: 'NORMAL' });
  migrate(db, 'transactions', TRANSACTIONS_MIGRATIONS.slice(0, 1));
  const acc = new RollupAccumulator();
  for (const r of records) acc.add(r);
  const insert = db.prepare(
    `INSERT INTO endpoint_rollups (project_id, minutes, bucket, name, environment, release, op, count, errors,
       sum_ms, min_ms, max_ms, db_ms, view_ms, http_ms, cache_ms, queue_ms, other_ms, queries, max_queries,
       n_plus_one_count, n_plus_one_ms, sketch) VALUES (${Array(23).fill('?').join(', ')})`,
  );
  db.transaction(() => {
    for (const f of acc.folds()) {
      if ((f.minutes !== 60 && f.minutes !== 5) || f.environment === '') continue;
      const b = f.breakdown;
      insert.run(
        f.projectId,
        f.minutes,
        f.bucket,
        f.name,
        f.environment,
        f.release,
        f.op,
        f.count,
        f.errors,
        f.sumMs,
        f.minMs,
        f.maxMs,
        b.db,
        b.view,
        b.http,
        b.cache,
        b.queue,
        b.other,
        f.queries,
        f.maxQueries,
        f.nPlusOneCount,
        f.nPlusOneMs,
        f.sketch.encode(),
      );
    }
  })();
  db.close();
}

/** Equal, but for float sums summed in another order: within one unit of the last rounded digit. */
function expectSameAnswers(actual: unknown, expected: unknown, where = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (actual !== expected) expect(Math.abs(actual - expected), where).toBeLessThanOrEqual(0.001);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(typeof actual, where).toBe('object');
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys) {
      expectSameAnswers(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${where}.${k}`,
      );
    }
    return;
  }
  expect(actual, where).toEqual(expected);
}

describe('rollup resolutions: daily, 6-hourly and endpoint totals', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-rollup-levels-'));
  const old = makeRecords(4_000, 1, NOW - 35 * DAY, NOW);
  // Written after the upgrade, before the rebuild is done: some late (old buckets), some now.
  const live = [
    ...makeRecords(300, 2, NOW - 29 * DAY, NOW - 2 * DAY),
    ...makeRecords(300, 3, NOW - 3 * HOUR, NOW),
  ];
  let worker: ReturnType<typeof openWorkerStorage>;
  let reader: ReturnType<typeof openStorage>;
  let performance: ReturnType<typeof createPerformanceService>;

  const views = () => {
    const releases = performance.overview('a', { range: '30d' }).releases;
    return {
      overview30d: performance.overview('a', { range: '30d' }),
      overview30dProduction: performance.overview('a', { range: '30d', environment: 'production' }),
      overview30dRelease: performance.overview('a', { range: '30d', release: 'shop@1.1.0' }),
      overview7d: performance.overview('a', { range: '7d' }),
      overview24h: performance.overview('a', { range: '24h' }),
      overview6h: performance.overview('a', { range: '6h' }),
      overview1hStaging: performance.overview('a', { range: '1h', environment: 'staging' }),
      endpoint30d: performance.endpoint('a', 'GET /orders', { range: '30d' }),
      endpoint7dStaging: performance.endpoint('a', 'POST /checkout', { range: '7d', environment: 'staging' }),
      nPlusOne30d: performance.nPlusOne('a', { range: '30d' }),
      // Release arms start at the hour 30 days before the next one: hourly rows, then days.
      compareReleases: performance.compare('a', { a: releases[1]!, b: releases[0]! }),
      compareReleasesOneEndpoint: performance.compare('a', {
        a: 'shop@1.0.0',
        b: 'shop@1.1.0',
        name: 'GET /search',
      }),
      compareAt: performance.compare('a', { at: NOW - 9 * DAY - 5 * HOUR - 17_000, windowRange: '7d' }),
      projects: [...performance.projectsLast24h()],
      rows30d: performance.rollupRowCount('a', { range: '30d' }),
    };
  };

  beforeAll(() => {
    writeVersion1Rollups(path.join(dir, 'transactions.db'), old);
    migrateAll(dir);
    worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
    reader = openStorage(dir);
    performance = createPerformanceService({
      transactions: reader.transactions,
      issues: { listTraceEvents: () => [] },
      releases: { listReleasesStartedSince: () => [], listDeploysBetween: () => [] },
      logs: reader.logs,
      getProject: (slug) => ({ id: slug === 'b' ? 2 : 1, slug, name: slug }),
      now: () => NOW,
    });
  });

  afterAll(() => {
    worker.close();
    reader.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeLive = (records: TransactionRecord[]) =>
    worker.transactions.writeBatch('test', 1, (batch) => {
      const acc = new RollupAccumulator();
      for (const r of records) acc.add(r);
      for (const f of acc.folds()) batch.addRollup({ ...f, sketch: f.sketch.encode() });
    });

  let fromHourlyRows: ReturnType<typeof views>;

  it('schedules the rebuild on upgrade and answers from the rows version 1 had meanwhile', () => {
    expect(worker.transactions.rollupBackfills().map((b) => b.minutes)).toEqual([1440, 360, 60, 5]);
    writeLive(live);
    fromHourlyRows = views();
    expect(fromHourlyRows.overview30d.headline.count).toBeGreaterThan(3_000);
    // Every 30-day row is an hourly one until the daily ones are complete.
    expect(fromHourlyRows.rows30d).toBeGreaterThan(2_000);
    expect(fromHourlyRows.overview30d.environments).toEqual(['production', 'staging']);
  });

  it('answers the same halfway through the rebuild, and after it, from far fewer rows', () => {
    for (let i = 0; i < 5; i++) expect(advanceRollupBackfill(worker.transactions)).toBe(true);
    expectSameAnswers(views(), fromHourlyRows);
    let slices = 5;
    while (advanceRollupBackfill(worker.transactions)) slices++;
    expect(slices).toBeGreaterThan(40);
    expect(worker.transactions.rollupBackfills()).toEqual([]);
    const after = views();
    expectSameAnswers({ ...after, rows30d: 0 }, { ...fromHourlyRows, rows30d: 0 });
    // 30 daily totals (+ the partial day) per endpoint instead of every hour of every key.
    expect(after.rows30d).toBeLessThanOrEqual(NAMES.length * 31);
  });

  it('keeps the levels equal under live writes after the rebuild', () => {
    const more = makeRecords(500, 4, NOW - 20 * DAY, NOW);
    writeLive(more);
    const totals = (minutes: number, total: boolean) =>
      reader.transactions
        .rollups({ projectId: 1, minutes, fromBucket: 0, toBucket: Number.MAX_SAFE_INTEGER, total })
        .reduce((n, r) => n + r.count, 0);
    const expected = [...old, ...live, ...more].filter((r) => r.projectId === 1).length;
    for (const minutes of [60, 360, 1440]) {
      expect(totals(minutes, false), `${minutes} per key`).toBe(expected);
      expect(totals(minutes, true), `${minutes} totals`).toBe(expected);
    }
  });
});
