/**
 * Releases in app.db and errors.db, on real SQLite files: releases created before their first
 * event, counts from the digest (an SDK retry counted once, transactions apart from errors),
 * regressions stamped with their release, the marker rule (deploys, else first events), paging,
 * and the migrations carrying older data over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseMarkers } from '../../../src/domain/releases/markers.js';
import { mergeSketchBlobs } from '../../../src/domain/transactions/latency-sketch.js';
import { APP_MIGRATIONS } from '../../../src/storage/migrations/app.js';
import { ERRORS_MIGRATIONS } from '../../../src/storage/migrations/errors.js';
import { migrate, openSqlite } from '../../../src/storage/sqlite.js';
import {
  migrateAll,
  openStorage,
  openWorkerStorage,
  type Storage,
  type WorkerStorage,
} from '../../../src/storage/index.js';
import { drainErrorsOnce } from '../../../src/workers/errors-consumer.js';
import { releasesSeen } from '../../../src/workers/releases-seen.js';
import { tempDataDir } from '../../helpers/snag.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 12);
const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const silent = { error: () => {} };
const id = (n: number) => n.toString(16).padStart(32, '0');

let dir: string;
let main: Storage;
let worker: WorkerStorage;
let projectId: number;

beforeEach(() => {
  dir = tempDataDir('releases');
  migrateAll(dir);
  main = openStorage(dir);
  worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
  projectId = main.app.insertProject({
    slug: 'shop',
    name: 'Shop',
    public_key: 'k'.repeat(32),
    platform: null,
    created_at: 0,
  }).id;
});

afterEach(() => {
  main.close();
  worker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const seen = (version: string, at: number, kind: 'events' | 'transactions' = 'events') =>
  releasesSeen([{ projectId, release: version, at }], kind);

describe('releases table', () => {
  it('keeps a release created before its first event, then fills first/last seen from events', () => {
    main.app.saveRelease(projectId, 'v1', { url: 'https://git.example/v1' }, T0);
    expect(main.app.findRelease(projectId, 'v1')).toMatchObject({
      firstSeen: null,
      lastSeen: null,
      createdAt: T0,
    });
    // A release without data is not offered as a filter nor drawn as a marker.
    expect(main.app.getRelease(projectId, 'v1')).toBeUndefined();
    expect(main.app.listReleases(projectId, 10)).toEqual([]);

    main.app.recordReleases([...seen('v1', T0 + 2 * HOUR), ...seen('v1', T0 + HOUR, 'transactions')]);
    main.app.recordReleases(seen('v1', T0 + 3 * HOUR));
    expect(main.app.findRelease(projectId, 'v1')).toEqual({
      projectId,
      version: 'v1',
      firstSeen: T0 + HOUR,
      lastSeen: T0 + 3 * HOUR,
      eventCount: 2,
      transactionCount: 1,
      createdAt: T0,
      releasedAt: null,
      url: 'https://git.example/v1',
    });
    // Finalizing later keeps the url; a later url replaces it.
    main.app.saveRelease(projectId, 'v1', { releasedAt: T0 + 4 * HOUR }, T0 + 4 * HOUR);
    expect(main.app.findRelease(projectId, 'v1')).toMatchObject({
      releasedAt: T0 + 4 * HOUR,
      url: 'https://git.example/v1',
      createdAt: T0,
    });
  });

  it('pages releases newest start first (first event, else creation)', () => {
    main.app.recordReleases([...seen('a', T0), ...seen('b', T0 + HOUR)]);
    main.app.saveRelease(projectId, 'c', {}, T0 + 2 * HOUR);
    main.app.saveRelease(projectId, 'd', {}, T0 - HOUR);
    const page1 = main.app.listReleasePage(projectId, 2);
    expect(page1.map((r) => r.version)).toEqual(['c', 'b']);
    const last = page1[1]!;
    const page2 = main.app.listReleasePage(projectId, 2, {
      startedAt: last.firstSeen!,
      version: last.version,
    });
    expect(page2.map((r) => r.version)).toEqual(['a', 'd']);
  });
});

describe('chart markers', () => {
  it('are first events until the window has a deploy, then the deploys', () => {
    main.app.recordReleases([...seen('v1', T0 + HOUR), ...seen('v2', T0 + 5 * HOUR)]);
    const window = [T0, T0 + 24 * HOUR] as const;
    expect(releaseMarkers(main.app, projectId, ...window)).toEqual([
      { version: 'v1', first_seen: new Date(T0 + HOUR).toISOString(), environment: null },
      { version: 'v2', first_seen: new Date(T0 + 5 * HOUR).toISOString(), environment: null },
    ]);

    // A deploy outside the window changes nothing; one inside replaces the first-event markers.
    const deploy = (version: string, environment: string, finishedAt: number) =>
      main.app.insertDeploy(
        { projectId, version, environment, name: null, url: null, startedAt: null, finishedAt },
        finishedAt,
      );
    deploy('v0', 'production', T0 - HOUR);
    expect(releaseMarkers(main.app, projectId, ...window)).toHaveLength(2);
    deploy('v2', 'production', T0 + 4 * HOUR);
    deploy('v2', 'staging', T0 + 3 * HOUR);
    expect(releaseMarkers(main.app, projectId, ...window)).toEqual([
      { version: 'v2', first_seen: new Date(T0 + 3 * HOUR).toISOString(), environment: 'staging' },
      { version: 'v2', first_seen: new Date(T0 + 4 * HOUR).toISOString(), environment: 'production' },
    ]);
    // A deploy of a version no event named creates the release row.
    deploy('v3', 'production', T0 + 6 * HOUR);
    expect(main.app.findRelease(projectId, 'v3')).toMatchObject({
      firstSeen: null,
      createdAt: T0 + 6 * HOUR,
    });
  });
});

describe('digest', () => {
  let nextJob = 0;
  const queueEvent = (eventId: string, release: string, message = 'Payment declined') => {
    nextJob++;
    main.queue.insertJobs([
      {
        kind: 'event',
        projectId,
        receivedAt: T0,
        meta: JSON.stringify({ event_id: eventId }),
        payload: Buffer.from(
          JSON.stringify({
            event_id: eventId,
            message,
            platform: 'node',
            release,
            timestamp: (T0 + nextJob * 1000) / 1000,
          }),
        ),
      },
    ]);
  };
  const drain = () =>
    drainErrorsOnce(worker, { batchSize: 100, scrub: SCRUB, maxDecompressedBytes: 1 << 20, log: silent });

  it('counts an event sent twice once, in the same batch or a later one', () => {
    queueEvent(id(1), 'r1');
    queueEvent(id(1), 'r1');
    queueEvent(id(2), 'r1');
    expect(drain()).toMatchObject({ stored: 2, duplicates: 1 });
    queueEvent(id(2), 'r1');
    expect(drain()).toMatchObject({ stored: 0, duplicates: 1 });
    expect(main.app.getRelease(projectId, 'r1')).toMatchObject({ count: 2 });
  });

  it('stamps a regression with the release of the event that reopened the issue', () => {
    queueEvent(id(10), 'r1');
    drain();
    const [issue] = main.issues.listIssues({ projectId, status: 'open', sort: 'last_seen', limit: 10 });
    main.issues.setIssueStatus([issue!.id], 'resolved', 'test', 'manual', T0);
    queueEvent(id(11), 'r2');
    expect(drain()).toMatchObject({ regressedIssueIds: [issue!.id] });
    expect(main.releaseIssues.countRegressionsByRelease(projectId, ['r1', 'r2'])).toEqual(
      new Map([['r2', 1]]),
    );
    expect(main.releaseIssues.listRegressionsIn(projectId, 'r2', 10)).toMatchObject([
      { issue_id: issue!.id, status: 'open', reason: `regression: event ${id(11)} in release r2` },
    ]);
    expect(main.releaseIssues.countNewIssuesByRelease(projectId, ['r1', 'r2'])).toEqual(new Map([['r1', 1]]));
  });
});

describe('migrations', () => {
  it('carry releases and regressions recorded before releases had deploys', () => {
    const old = tempDataDir('releases-old');
    try {
      const appBefore = APP_MIGRATIONS.findIndex((m) => m.includes('releases_rebuilt'));
      const errorsBefore = ERRORS_MIGRATIONS.findIndex((m) => m.includes('issue_status_changes_by_release'));
      const app = openSqlite(path.join(old, 'app.db'), { synchronous: 'NORMAL' });
      migrate(app, 'app', APP_MIGRATIONS.slice(0, appBefore));
      app.exec(`INSERT INTO projects (id, slug, name, public_key, platform, created_at) VALUES (1, 'shop', 'Shop', 'k', NULL, 0);
        INSERT INTO releases (project_id, version, first_seen, last_seen, event_count) VALUES (1, 'v9', ${T0}, ${T0 + HOUR}, 7);`);
      app.close();
      const errors = openSqlite(path.join(old, 'errors.db'), { synchronous: 'NORMAL' });
      migrate(errors, 'errors', ERRORS_MIGRATIONS.slice(0, errorsBefore));
      errors.exec(`INSERT INTO issues (id, project_id, hash, title, culprit, type, value, level, platform, first_seen, last_seen)
          VALUES (5, 1, 'h', 'Error', '', 'Error', '', 'error', 'node', ${T0}, ${T0});
        INSERT INTO issue_status_changes (issue_id, from_status, to_status, actor, reason, created_at)
          VALUES (5, 'resolved', 'open', 'system', 'regression: event ${id(3)} in release v9 (eu)', ${T0}),
                 (5, 'open', 'resolved', 'api', 'manual', ${T0});`);
      errors.close();

      migrateAll(old);
      const s = openStorage(old);
      try {
        expect(s.app.findRelease(1, 'v9')).toMatchObject({
          firstSeen: T0,
          lastSeen: T0 + HOUR,
          eventCount: 7,
          transactionCount: 0,
          createdAt: T0,
        });
        expect(s.releaseIssues.countRegressionsByRelease(1, ['v9 (eu)'])).toEqual(new Map([['v9 (eu)', 1]]));
      } finally {
        s.close();
      }
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
  });
});
