/**
 * The queue → digest → errors.db path in-process, on real SQLite files: what the worker thread runs,
 * driven one batch at a time with drainErrorsOnce.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeSketchBlobs } from '../../src/domain/transactions/latency-sketch.js';
import { createQueue } from '../../src/queue/queue.js';
import { decodePayload as decode } from '../../src/storage/payload-codec.js';
import {
  migrateAll,
  openStorage,
  openWorkerStorage,
  type Storage,
  type WorkerStorage,
} from '../../src/storage/index.js';
import { drainErrorsOnce, ERRORS_JOB_KINDS } from '../../src/workers/errors-consumer.js';
import { tempDataDir } from '../helpers/snag.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const silent = { error: () => {} };

let dir: string;
let main: Storage;
let worker: WorkerStorage;
let projectId: number;

beforeEach(() => {
  dir = tempDataDir('digest');
  migrateAll(dir);
  main = openStorage(dir);
  worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
  projectId = main.app.insertProject({
    slug: 'p',
    name: 'P',
    public_key: 'a'.repeat(32),
    platform: null,
    created_at: Date.now(),
  }).id;
});

afterEach(() => {
  main.close();
  worker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
function eventJob(overrides: Record<string, unknown> = {}, meta: string | null = null) {
  seq++;
  const eventId = seq.toString(16).padStart(32, '0');
  const payload = {
    platform: 'node',
    release: 'web@1',
    exception: {
      values: [
        {
          type: 'TypeError',
          value: `Cannot read properties of undefined (user ${seq})`,
          stacktrace: { frames: [{ filename: 'src/app.js', function: 'handle', lineno: seq, in_app: true }] },
        },
      ],
    },
    user: { id: `u${seq % 3}` },
    ...overrides,
  };
  return {
    eventId,
    job: {
      kind: 'event',
      projectId,
      receivedAt: Date.now(),
      meta: meta ?? JSON.stringify({ event_id: eventId }),
      payload: Buffer.from(JSON.stringify(payload)),
    },
  };
}

const drain = () =>
  drainErrorsOnce(worker, { batchSize: 100, scrub: SCRUB, maxDecompressedBytes: 1 << 24, log: silent });
const listAll = () => main.issues.listIssues({ projectId, status: 'all', sort: 'last_seen', limit: 100 });

describe('digest pipeline', () => {
  it('groups events that differ only by line number and ids into one issue with counts and users', () => {
    main.queue.insertJobs([eventJob().job, eventJob().job, eventJob().job, eventJob().job]);
    const result = drain();
    expect(result).toMatchObject({ jobs: 4, stored: 4, duplicates: 0, invalid: 0, parked: 0 });
    expect(result!.newIssueIds).toHaveLength(1);
    const [issue] = listAll();
    expect(issue).toMatchObject({ event_count: 4, user_count: 3, status: 'open', first_release: 'web@1' });
    expect(drain()).toBeNull();
  });

  it('is exactly-once: jobs already digested are not redelivered, and a resent event id is stored once', () => {
    const first = eventJob();
    main.queue.insertJobs([first.job]);
    const r1 = drain()!;
    // Crash before the queue deleted the job: the cursor still skips it.
    expect(drain()).toBeNull();
    expect(main.queue.countJobs()).toBe(1);
    const queue = createQueue(main.queue, { maxDepth: 10, log: silent });
    queue.acknowledge(ERRORS_JOB_KINDS, r1.lastJobId);
    expect(main.queue.countJobs()).toBe(0);
    // The SDK retries the same event (same id): stored once.
    main.queue.insertJobs([first.job, first.job]);
    expect(drain()).toMatchObject({ stored: 0, duplicates: 2 });
    expect(listAll()[0]!.event_count).toBe(1);
    expect(main.issues.readCounters()['events']).toBe(1);
  });

  it('parks a job that hits a bug, counts unparseable JSON, and stores the rest of the batch', () => {
    const good = eventJob();
    const poisoned = eventJob({}, '{not json meta');
    const garbage = { ...eventJob().job, payload: Buffer.from('{"exception": [') };
    main.queue.insertJobs([poisoned.job, garbage, good.job]);
    expect(drain()).toMatchObject({ jobs: 3, stored: 1, invalid: 1, parked: 1 });
    expect(main.issues.countParkedJobs()).toBe(1);
    expect(main.issues.readCounters()['invalid_events']).toBe(1);
    expect(main.issues.getEvent(projectId, good.eventId)).toBeDefined();
  });

  it('reopens a resolved issue on a new event and records the regression; ignored stays ignored', () => {
    main.queue.insertJobs([eventJob().job]);
    drain();
    const issueId = listAll()[0]!.id;
    main.issues.setIssueStatus([issueId], 'resolved', 'tester', 'fixed in web@2', Date.now());
    main.queue.insertJobs([eventJob({ release: 'web@3' }).job]);
    expect(drain()!.regressedIssueIds).toEqual([issueId]);
    const changes = main.issues.listStatusChanges(issueId);
    expect(changes.map((c) => [c.from_status, c.to_status, c.actor])).toEqual([
      ['open', 'resolved', 'tester'],
      ['resolved', 'open', 'system'],
    ]);
    expect(changes[1]!.reason).toMatch(/regression: event [0-9a-f]{32} in release web@3/);
    expect(main.issues.getIssue(issueId)).toMatchObject({
      status: 'open',
      last_release: 'web@3',
      first_release: 'web@1',
    });

    main.issues.setIssueStatus([issueId], 'ignored', 'tester', 'noise', Date.now());
    main.queue.insertJobs([eventJob().job]);
    expect(drain()!.regressedIssueIds).toEqual([]);
    expect(main.issues.getIssue(issueId)!.status).toBe('ignored');
  });

  it('keeps per-issue tags, hourly counts and releases for filters and sparklines', () => {
    main.queue.insertJobs([
      eventJob({ environment: 'staging', tags: { browser: 'Firefox' } }).job,
      eventJob({ environment: 'production', release: 'web@2' }).job,
    ]);
    drain();
    const issueId = listAll()[0]!.id;
    const tags = main.issues.listIssueTags(issueId, 10);
    expect(
      tags
        .filter((t) => t.key === 'environment')
        .map((t) => t.value)
        .sort(),
    ).toEqual(['production', 'staging']);
    expect(tags.find((t) => t.key === 'browser')).toMatchObject({ value: 'Firefox', count: 1 });
    const filter = { projectId, status: 'all' as const, sort: 'last_seen' as const, limit: 10 };
    expect(main.issues.listIssues({ ...filter, environment: 'staging' })).toHaveLength(1);
    expect(main.issues.listIssues({ ...filter, environment: 'development' })).toHaveLength(0);
    expect(main.issues.listIssues({ ...filter, release: 'web@2' })).toHaveLength(1);
    const hour = Math.floor(Date.now() / 3_600_000);
    expect(main.issues.listIssueHourly([issueId], hour - 1).reduce((n, r) => n + r.count, 0)).toBe(2);
    expect(main.app.listProjects()).toHaveLength(1);
  });

  it('scrubs secrets before the payload is written', () => {
    const { job, eventId } = eventJob({ extra: { password: 'hunter2', note: 'card 4111 1111 1111 1111' } });
    main.queue.insertJobs([job]);
    drain();
    const stored = main.issues.getEvent(projectId, eventId)!;
    const text = JSON.stringify(decode(stored.payload));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('4111 1111 1111 1111');
    expect(text).toContain('[Filtered]');
  });
});
