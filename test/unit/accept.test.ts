/**
 * What acceptEnvelope puts in the queue for a compressed envelope, on real SQLite files: error
 * events decompressed while the backlog is short, the body as sent once it is long (and for other
 * kinds always), and either form digests to the same stored event.
 */
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeSketchBlobs } from '../../src/domain/transactions/latency-sketch.js';
import { acceptEnvelope, type AcceptDeps } from '../../src/ingest/sentry/accept.js';
import { createIngestStats } from '../../src/ingest/stats.js';
import { createQueue } from '../../src/queue/queue.js';
import { decodePayload } from '../../src/storage/payload-codec.js';
import { migrateAll, openStorage, openWorkerStorage, type Storage } from '../../src/storage/index.js';
import { drainErrorsOnce } from '../../src/workers/errors-consumer.js';
import { tempDataDir } from '../helpers/snag.js';

const KEY = 'a'.repeat(32);
const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const silent = { error: () => {} };

let dir: string;
let storage: Storage;
let deps: AcceptDeps;
let projectId: number;

beforeEach(() => {
  dir = tempDataDir('accept');
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
    queue: createQueue(storage.queue, { maxDepth: 100_000, log: silent }),
    stats: createIngestStats(),
    maxEventBytes: 1 << 20,
  };
});

afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function gzipEnvelope(eventId: string, type: 'event' | 'transaction', payload: object) {
  const body = Buffer.from(
    `{"event_id":"${eventId}"}\n{"type":"${type}"}\n${JSON.stringify(payload)}\n`,
    'utf8',
  );
  const raw = gzipSync(body);
  return {
    projectId: String(projectId),
    query: { sentry_key: KEY },
    headers: {},
    body,
    sent: { raw, encoding: 'gzip' },
    clientIp: '127.0.0.1',
  };
}

const EVENT = {
  timestamp: Date.now() / 1000,
  platform: 'node',
  level: 'error',
  // Long enough that gzip shrinks it, as it does every real event.
  message: 'checkout failed for cart '.repeat(20),
  exception: { values: [{ type: 'Error', value: 'boom' }] },
};

function lastJob() {
  const [job] = storage.queue.readJobsAfter(['event', 'transaction'], 0, 100_000).slice(-1);
  return { job: job!, meta: JSON.parse(job!.meta) as Record<string, unknown> };
}

/** Fills the queue to `depth` with jobs no consumer reads, in one commit. */
async function fillQueue(depth: number) {
  const filler = { kind: 'filler', projectId, receivedAt: Date.now(), meta: '{}', payload: Buffer.alloc(1) };
  await deps.queue.enqueue(Array.from({ length: depth }, () => filler));
}

describe('acceptEnvelope: what a compressed envelope becomes in the queue', () => {
  it('queues an error event decompressed while the backlog is short', async () => {
    await acceptEnvelope(gzipEnvelope('1'.repeat(32), 'event', EVENT), deps);
    const { job, meta } = lastJob();
    expect(meta['encoding']).toBeUndefined();
    expect(JSON.parse(job.payload.toString('utf8'))).toEqual(EVENT);
  });

  it('queues it as sent once 10,000 jobs wait, and keeps other kinds as sent', async () => {
    const transaction = { type: 'transaction', transaction: 'GET /checkout '.repeat(20) };
    await acceptEnvelope(gzipEnvelope('2'.repeat(32), 'transaction', transaction), deps);
    expect(lastJob().meta).toMatchObject({ encoding: 'gzip', item: 0 });

    await fillQueue(9_999);
    await acceptEnvelope(gzipEnvelope('3'.repeat(32), 'event', EVENT), deps);
    const { job, meta } = lastJob();
    expect(meta).toMatchObject({ encoding: 'gzip', item: 0, event_id: '3'.repeat(32) });
    // gzip's magic number: the body exactly as the SDK sent it.
    expect([job.payload[0], job.payload[1]]).toEqual([0x1f, 0x8b]);
  });

  it('digests both forms to the same stored event', async () => {
    await acceptEnvelope(gzipEnvelope('4'.repeat(32), 'event', EVENT), deps);
    await fillQueue(10_000);
    await acceptEnvelope(gzipEnvelope('5'.repeat(32), 'event', EVENT), deps);
    const worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
    try {
      const opts = { batchSize: 20_000, scrub: SCRUB, maxDecompressedBytes: 1 << 24, log: silent };
      expect(drainErrorsOnce(worker, opts)).toMatchObject({ stored: 2, invalid: 0, parked: 0 });
    } finally {
      worker.close();
    }
    const [a, b] = ['4'.repeat(32), '5'.repeat(32)].map((id) => {
      const stored = storage.issues.getEvent(projectId, id);
      expect(stored).toBeDefined();
      const payload = decodePayload(stored!.payload) as Record<string, unknown>;
      // Apart from its id and receive time, which differ by construction.
      return { ...payload, event_id: undefined, received: undefined };
    });
    expect(a).toEqual(b);
  });
});
