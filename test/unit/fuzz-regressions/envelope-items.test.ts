// Fuzzing finding 5 (docs/reliability.md): an envelope of 2,000 span containers (20 MB) queued
// 2,000 jobs in one request and took the server past 530 MB RSS. Real SQLite files, real queue.
import fs from 'node:fs';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { acceptEnvelope, type AcceptDeps } from '../../../src/ingest/sentry/accept.js';
import { createIngestStats } from '../../../src/ingest/stats.js';
import { createQueue } from '../../../src/queue/queue.js';
import { migrateAll, openStorage, type Storage } from '../../../src/storage/index.js';
import { tempDataDir } from '../../helpers/snag.js';

const KEY = 'b'.repeat(32);
let dir: string;
let storage: Storage;
let deps: AcceptDeps;
let projectId: number;

beforeEach(() => {
  dir = tempDataDir('envelope-items');
  migrateAll(dir);
  storage = openStorage(dir);
  projectId = storage.app.insertProject({
    slug: 'p',
    name: 'P',
    public_key: KEY,
    platform: null,
    created_at: Date.now(),
  }).id;
  deps = {
    findProjectByKey: (key) => storage.app.findProjectByKey(key),
    queue: createQueue(storage.queue, { maxDepth: 100_000, log: { error: () => {} } }),
    stats: createIngestStats(),
    maxEventBytes: 1 << 20,
  };
});

afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function envelopeOf(items: number, type: string): Buffer {
  const item = `{"type":"${type}","item_count":1}\n{"items":[]}`;
  return Buffer.from(['{}', ...Array.from({ length: items }, () => item)].join('\n'));
}

function request(body: Buffer) {
  return {
    projectId: String(projectId),
    query: { sentry_key: KEY },
    headers: {},
    body,
    clientIp: '127.0.0.1',
  };
}

test('more than 100 digested items in one envelope is a 413 and queues nothing', async () => {
  const err = await acceptEnvelope(request(envelopeOf(101, 'span')), deps).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(413);
  expect(storage.queue.countJobs()).toBe(0);
  await acceptEnvelope(request(envelopeOf(100, 'span')), deps);
  expect(storage.queue.countJobs()).toBe(100);
});

test('items Snag does not digest (attachments, sessions) are not limited by that count', async () => {
  await acceptEnvelope(request(envelopeOf(500, 'session')), deps);
  expect(storage.queue.countJobs()).toBe(0);
});

// Fuzzing finding 6: `item_count` taken as sent made /_health report 1e308 accepted events.
test('item_count cannot inflate the counters: an event is one, a container at most 1,000', async () => {
  const body = Buffer.from(
    [
      '{}',
      '{"type":"event","item_count":1e308}',
      '{"message":"x"}',
      '{"type":"span","item_count":1000000000}',
      '{"items":[]}',
      '{"type":"session","item_count":1e300}',
      '{}',
    ].join('\n'),
  );
  await acceptEnvelope(request(body), deps);
  const { accepted, dropped } = deps.stats.snapshot();
  expect(accepted).toEqual({ event: 1, span: 1000, session: 1000 });
  expect(dropped).toEqual({ session: 1000 });
});
