/**
 * The errors thread with its helper (workers/errors-pipeline.ts, the compiled dist/ helper: run
 * `npm run build` first) stores exactly what the errors thread alone stores: the same events in
 * the same order (row ids), issues with the same first/last seen, counts and regressions, the
 * same duplicates, invalid and parked jobs. Two data dirs get the same queue; one is drained
 * without a helper, one with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, expect, it, vi } from 'vitest';
import { mergeSketchBlobs } from '../../src/domain/transactions/latency-sketch.js';
import { migrateAll, openStorage, openWorkerStorage, type NewJob } from '../../src/storage/index.js';
import { drainErrorsOnce } from '../../src/workers/errors-consumer.js';
import { createErrorsPipeline, type ErrorsPipeline } from '../../src/workers/errors-pipeline.js';
import { tempDataDir } from '../helpers/snag.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const silent = { error: () => {} };
const BATCH = 500;
const HELPER_URL = new URL('../../dist/workers/errors-helper.js', import.meta.url);
const FIXTURE = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/node-sdk-envelope.bin'));

/** One clock for both data dirs, an hour back, so stored times match. */
const T0 = Date.now() - 3_600_000;
const dirs: string[] = [];
const pipelines: ErrorsPipeline[] = [];
afterEach(() => {
  for (const p of pipelines.splice(0)) p.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** 1,700 jobs: six issues, SDK retries within and across batches, bad input, bugs, gzip envelopes. */
function buildJobs(projectId: number): NewJob[] {
  const jobs: NewJob[] = [];
  for (let i = 0; i < 1_700; i++) {
    const eventId = (i % 97 === 5 ? i - 3 : i).toString(16).padStart(32, '0');
    const receivedAt = T0 + i * 1000;
    const meta = JSON.stringify({ event_id: eventId });
    const event = {
      platform: 'node',
      timestamp: receivedAt / 1000,
      release: `web@${1 + Math.floor(i / 400)}`,
      environment: i % 2 ? 'production' : 'staging',
      exception: {
        values: [
          {
            type: `Error${i % 6}`,
            value: `failed for order ${i}`,
            stacktrace: {
              frames: [{ filename: 'src/app.js', function: `f${i % 6}`, lineno: i, in_app: true }],
            },
          },
        ],
      },
      user: { id: `u${i % 13}` },
      extra: { password: 'hunter2', i },
    };
    if (i % 211 === 7)
      jobs.push({ kind: 'event', projectId, receivedAt, meta, payload: Buffer.from('{"exc') });
    else if (i % 223 === 9)
      jobs.push({ kind: 'event', projectId, receivedAt, meta: '{bug', payload: Buffer.from('{}') });
    else if (i % 50 === 3) {
      // As queued past the decompressed-queueing depth (ingest/sentry/accept.ts): the body as sent.
      const meta = JSON.stringify({ event_id: `${i}`.padStart(32, 'f'), encoding: 'gzip', item: 0 });
      jobs.push({ kind: 'event', projectId, receivedAt, meta, payload: gzipSync(FIXTURE) });
    } else
      jobs.push({ kind: 'event', projectId, receivedAt, meta, payload: Buffer.from(JSON.stringify(event)) });
  }
  return jobs;
}

async function digestAll(pipeline: ErrorsPipeline | null, helperStarts = pipeline !== null) {
  const dir = tempDataDir('errors-helper');
  dirs.push(dir);
  migrateAll(dir);
  const main = openStorage(dir);
  const worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
  const projectId = main.app.insertProject({
    slug: 'p',
    name: 'P',
    public_key: 'a'.repeat(32),
    platform: null,
    created_at: 0,
  }).id;
  const jobs = buildJobs(projectId);
  const drain = () =>
    drainErrorsOnce(worker, {
      batchSize: BATCH,
      scrub: SCRUB,
      maxDecompressedBytes: 1 << 24,
      log: silent,
      pipeline,
    });
  main.queue.insertJobs(jobs.slice(0, 600));
  expect(drain()!.jobs).toBe(BATCH); // a full batch starts the helper
  if (pipeline && helperStarts) {
    await vi.waitFor(() => expect(pipeline.active()).toBe(true), { timeout: 10_000 });
  }
  // Resolved before the later events: they must reopen it, with the release of the first of them.
  const first = main.issues.listIssues({ projectId, status: 'all', sort: 'last_seen', limit: 10 })[0]!;
  main.issues.setIssueStatus([first.id], 'resolved', 'tester', 'fixed', 0);
  main.queue.insertJobs(jobs.slice(600));
  while (drain());
  main.close();
  worker.close();
  return dir;
}

/** The digest stamps status changes with the time it ran, which differs between the two runs. */
function withoutWallClock(rows: unknown[]) {
  return (rows as Record<string, unknown>[]).map(({ status_changed_at, created_at, ...row }) => ({
    ...row,
    stamped: [status_changed_at, created_at].map((t) => t !== null && t !== undefined),
  }));
}

function readBack(dir: string) {
  const db = new Database(path.join(dir, 'errors.db'), { readonly: true });
  const codec = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
  try {
    const events = db.prepare('SELECT * FROM events ORDER BY id').all() as Record<string, unknown>[];
    return {
      events: events.map(({ payload, ...row }) => ({
        ...row,
        payload: codec.digest.payloadCodec.decode(payload as Buffer),
      })),
      issues: withoutWallClock(db.prepare('SELECT * FROM issues ORDER BY id').all()),
      changes: withoutWallClock(db.prepare('SELECT * FROM issue_status_changes ORDER BY id').all()),
      tags: db.prepare('SELECT * FROM issue_tags ORDER BY issue_id, key, value').all(),
      parked: db.prepare('SELECT job_id, error FROM parked_jobs ORDER BY job_id').all() as {
        error: string;
      }[],
      counters: db.prepare('SELECT * FROM counters ORDER BY 1').all(),
    };
  } finally {
    db.close();
    codec.close();
  }
}

it('stores with the helper exactly what the errors thread stores alone, in the same order', async () => {
  const pipeline = createErrorsPipeline({
    scrub: SCRUB,
    maxDecompressedBytes: 1 << 24,
    log: silent,
    helperUrl: HELPER_URL,
    // The box's idle CPU decides when a helper starts; here it must, whatever else runs.
    spareCores: () => 2,
  });
  expect(pipeline, 'dist/ is built').not.toBeNull();
  pipelines.push(pipeline!);
  const alone = readBack(await digestAll(null));
  const helped = readBack(await digestAll(pipeline));

  // Both threads take jobs from one counter, so the split depends on the box; it must take part.
  expect(pipeline!.digestedByHelper()).toBeGreaterThan(0);
  expect(alone.events.length).toBeGreaterThan(1_500);
  expect(JSON.stringify(alone.events)).not.toContain('hunter2');
  expect(helped.events).toEqual(alone.events);
  expect(helped.issues).toEqual(alone.issues);
  expect(alone.changes.length).toBeGreaterThanOrEqual(2); // resolved, then reopened by a later event
  expect(helped.changes).toEqual(alone.changes);
  expect(helped.tags).toEqual(alone.tags);
  expect(helped.counters).toEqual(alone.counters);
  // A bug parks the job with its error, whichever thread met it.
  expect(helped.parked.map((p) => p.error.split('\n')[0])).toEqual(
    alone.parked.map((p) => p.error.split('\n')[0]),
  );
  expect(helped.parked.length).toBeGreaterThan(0);
});

it('does not start the helper while the box has no idle CPU', async () => {
  const busy = createErrorsPipeline({
    scrub: SCRUB,
    maxDecompressedBytes: 1 << 24,
    log: silent,
    helperUrl: HELPER_URL,
    spareCores: () => 0,
  });
  pipelines.push(busy!);
  const alone = readBack(await digestAll(null));
  expect(readBack(await digestAll(busy, false)).events).toEqual(alone.events);
  expect(busy!.active()).toBe(false);
  expect(busy!.digestedByHelper()).toBe(0);
});
