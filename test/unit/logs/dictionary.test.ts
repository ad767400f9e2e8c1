import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compressor, Decompressor } from 'zstd-napi';
import { trainDictionary } from '../../../src/domain/logs/dictionary-trainer.js';
import { parseSearchQuery } from '../../../src/domain/logs/search-query.js';
import type { LogRecord } from '../../../src/domain/logs/types.js';
import { logRecord, NOW, openLogsFixture, type LogsFixture } from './storage-helpers.js';

/** Structured records like a web service's logs: shared keys and templates, varying ids and numbers. */
function webRecord(i: number): LogRecord {
  return logRecord({
    timeUs: (NOW - 3_600_000) * 1000 + i * 1000,
    body: `GET /api/orders/${(i * 7919) % 100_000} completed in ${(i * 31) % 900}ms status=${i % 7 === 0 ? 500 : 200}`,
    attributes: {
      'http.method': 'GET',
      'http.route': '/api/orders/:id',
      'http.status_code': i % 7 === 0 ? 500 : 200,
      'user.id': `u_${(i * 104729) % 50_000}`,
      'thread.id': i % 32,
    },
    resource: { 'service.name': 'checkout', 'telemetry.sdk.language': 'nodejs' },
  });
}

/** A different application: other keys, other words. */
function jobRecord(i: number): LogRecord {
  return logRecord({
    timeUs: (NOW - 1_800_000) * 1000 + i * 1000,
    body: `worker picked job ${i} from queue invoices-${i % 5} after ${(i * 13) % 400} s of backlog`,
    logger: 'jobs.runner',
    attributes: {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': `invoices-${i % 5}`,
      attempt: i % 3,
    },
  });
}

const bytesOf = (records: LogRecord[]) => records.map((r) => Buffer.from(JSON.stringify(r)));

function compressedSize(samples: Buffer[], dictionary: Buffer | null): number {
  const c = new Compressor();
  c.setParameters({ compressionLevel: 3 });
  if (dictionary) c.loadDictionary(dictionary);
  return samples.reduce((sum, s) => sum + c.compress(s).length, 0);
}

describe('trainDictionary (COVER, raw content)', () => {
  const training = bytesOf(Array.from({ length: 3000 }, (_, i) => webRecord(i)));
  const heldOut = bytesOf(Array.from({ length: 500 }, (_, i) => webRecord(100_000 + i)));

  it('builds a dictionary zstd loads and that compresses unseen records far better than none', () => {
    const dict = trainDictionary(training, { dictBytes: 64 * 1024 });
    expect(dict.length).toBeGreaterThan(16 * 1024);
    expect(dict.length).toBeLessThanOrEqual(64 * 1024);
    const plain = compressedSize(heldOut, null);
    const withDict = compressedSize(heldOut, dict);
    expect(withDict).toBeLessThan(plain * 0.5);

    const c = new Compressor();
    c.setParameters({ compressionLevel: 3 });
    c.loadDictionary(dict);
    const d = new Decompressor();
    d.loadDictionary(dict);
    for (const sample of heldOut.slice(0, 50)) expect(d.decompress(c.compress(sample))).toEqual(sample);
  });

  it('is deterministic, and returns small inputs whole', () => {
    const a = trainDictionary(training.slice(0, 500), { dictBytes: 8 * 1024 });
    expect(trainDictionary(training.slice(0, 500), { dictBytes: 8 * 1024 })).toEqual(a);
    const small = training.slice(0, 3);
    expect(trainDictionary(small, { dictBytes: 64 * 1024 })).toEqual(Buffer.concat(small));
  });

  it('puts the most valuable content last, where zstd reaches it cheapest', () => {
    const dict = trainDictionary(training, { dictBytes: 32 * 1024 }).toString('utf8');
    const tail = dict.slice(-4096);
    expect(tail).toMatch(/"http\.route":"\/api\/orders\/:id"/);
  });
});

describe('dictionary training in logs.db: when due, promotion, old rows', () => {
  let f: LogsFixture;
  let db: Database.Database;
  const dictIds = () =>
    (
      db.prepare(`SELECT dict_id, count(*) AS n FROM (${tables()}) GROUP BY dict_id`).all() as {
        dict_id: number;
        n: number;
      }[]
    ).map((r) => [r.dict_id, r.n]);
  const tables = () =>
    (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'logs_[0-9]*'")
        .pluck()
        .all() as string[]
    )
      .map((t) => `SELECT dict_id FROM ${t}`)
      .join(' UNION ALL ');

  beforeAll(() => {
    f = openLogsFixture('snag-logs-dict');
    db = new Database(path.join(f.dir, 'logs.db'), { readonly: true });
  });
  afterAll(() => {
    db.close();
    f.close();
  });

  it('is not due before enough records exist', () => {
    f.write(Array.from({ length: 500 }, (_, i) => webRecord(i)));
    expect(f.writer.trainDictionaryIfDue(NOW)).toBeNull();
  });

  it('trains the first dictionary once enough records exist, and uses it for new rows', () => {
    f.write(Array.from({ length: 2500 }, (_, i) => webRecord(500 + i)));
    expect(f.writer.trainDictionaryIfDue(NOW + 1_000)).toBeNull(); // checked a minute at most
    const outcome = f.writer.trainDictionaryIfDue(NOW + 61_000)!;
    expect(outcome).toMatchObject({ promoted: true, dictId: 1 });
    expect(outcome.evalCandidateBytes).toBeLessThan(outcome.evalBeforeBytes * 0.95);
    expect(outcome.samples).toBeGreaterThan(2500);
    f.write(Array.from({ length: 100 }, (_, i) => webRecord(3000 + i)));
    expect(dictIds()).toEqual([
      [0, 3000],
      [1, 100],
    ]);
    expect(f.writer.trainDictionaryIfDue(NOW + 62_000 + 3_600_000)).toBeNull(); // next one a day later
  });

  it('keeps the current dictionary when a new one is not better by the margin', () => {
    const outcome = f.writer.trainDictionaryIfDue(NOW + 200_000, { force: true })!;
    expect(outcome.promoted).toBe(false);
    expect(outcome.dictId).toBe(1);
    expect(f.reader.counters().dictionaries).toBe(1);
  });

  it('promotes a dictionary trained on what the application logs now; older rows stay readable', () => {
    f.write(Array.from({ length: 4000 }, (_, i) => jobRecord(i)));
    const outcome = f.writer.trainDictionaryIfDue(NOW + 300_000, { force: true })!;
    expect(outcome).toMatchObject({ promoted: true, dictId: 2 });
    f.write(Array.from({ length: 10 }, (_, i) => jobRecord(10_000 + i)));
    expect(dictIds().map(([id]) => id)).toEqual([0, 1, 2]);
    expect(f.reader.counters().dictionaries).toBe(2);

    // A reader opened before either dictionary existed decodes rows of all three.
    const found = (phrase: string) =>
      f.reader.search(
        { projectId: 1, query: parseSearchQuery(`"${phrase}"`) },
        { limit: 10, budgetMs: 10_000 },
      ).logs;
    expect(found('GET /api/orders/0 completed').map((l) => l.record)).toEqual([webRecord(0)]);
    expect(found(`GET /api/orders/${(3000 * 7919) % 100_000} completed`).map((l) => l.record)).toEqual([
      webRecord(3000),
    ]);
    expect(found('picked job 0 from').map((l) => l.record)).toEqual([jobRecord(0)]);
    expect(found('picked job 10009 from').map((l) => l.record)).toEqual([jobRecord(10_009)]);
    expect(f.reader.counters().rows).toBe(7110);
  });

  // Random letters and digits (6 bits a character, one index token): a dictionary cannot predict
  // them, only the JSON around them. Random hex will not do: a 110 KB dictionary holds most 4-digit runs.
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const randomText = (chars: number) => [...randomBytes(chars)].map((b) => ALNUM[b % 62]).join('');

  it('does not promote a first dictionary that barely beats none', () => {
    const g = openLogsFixture('snag-logs-nodict');
    try {
      const noise = Array.from({ length: 2100 }, (_, i) =>
        logRecord({ timeUs: (NOW - 600_000) * 1000 + i * 1000, body: randomText(10_000) }),
      );
      g.write(noise);
      const outcome = g.writer.trainDictionaryIfDue(NOW)!;
      expect(outcome.promoted).toBe(false);
      expect(outcome.dictId).toBe(0);
      expect(outcome.evalCandidateBytes).toBeGreaterThan(outcome.evalBeforeBytes * 0.95);
      expect(g.reader.counters().dictionaries).toBe(0);
    } finally {
      g.close();
    }
  }, 30_000);
});
