/**
 * Fuzz: the write routes of the JSON API (issue status single and bulk, projects, tokens, alert
 * channels and rules, deploys, retention, maintenance, MCP clients) and sentry-cli's release API,
 * against a Snag with two projects holding real data. Never a 5xx; a refused request changes
 * nothing: the rows of app.db (but the scheduler's and alert evaluator's own bookkeeping) and every
 * issue's status are read from the files after each request and compared; an accepted bulk change
 * on a project's route never touches another project's issues.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { fuzzApiWrite, type WriteIds } from '../helpers/fuzz/api-writes.js';
import { runFuzz, startFuzzTarget, type FuzzRequest, type FuzzTarget } from '../helpers/fuzz/harness.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { seedRealData } from '../helpers/fuzz/seed-data.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { getJson, waitFor } from '../helpers/snag.js';

const settings = fuzzSettings(300);
/** Created, No Content, Already Reported (sentry-cli's "release exists"), Conflict. */
const WRITE_STATUSES = [201, 204, 208, 409];
/** Rows the server writes on its own schedule, whatever the requests: not the requests' doing. */
const VOLATILE_TABLES = new Set([
  'leases',
  'alert_cooldowns',
  'alert_cursors',
  'alert_deliveries',
  'sessions',
  'sqlite_sequence',
]);

let target: FuzzTarget | undefined;
let ids: WriteIds;

interface Project {
  id: number;
  slug: string;
  dsn: string;
}

beforeAll(async () => {
  target = await startFuzzTarget({}, { extraStatuses: WRITE_STATUSES });
  const snag = target.snag;
  await seedRealData(snag);
  const b = (
    await postRaw(snag.url, '/api/v1/projects', Buffer.from('{"name":"b-project"}'), {
      'content-type': 'application/json',
    })
  ).json as unknown as Project;
  const bKey = new URL(b.dsn).username;
  for (let i = 0; i < 3; i++) {
    const res = await postRaw(
      snag.url,
      `/api/${b.id}/envelope/?sentry_key=${bKey}`,
      eventEnvelope(sdkEvent({ fingerprint: [`b-project error ${i}`] })),
    );
    expect(res.status, res.text).toBe(200);
  }
  const issuesOf = async (slug: string) =>
    (
      await getJson<{ issues: { id: number }[] }>(`${snag.url}/api/v1/projects/${slug}/issues?status=all`)
    ).issues.map((i) => i.id);
  await waitFor(async () => (await issuesOf('b-project')).length >= 3, 15_000, "project b's issues");
  const channel = await postRaw(
    snag.url,
    '/api/v1/alert-channels',
    Buffer.from(JSON.stringify({ name: 'hook', type: 'slack', config: { url: 'http://127.0.0.1:1/hook' } })),
    { 'content-type': 'application/json' },
  );
  expect(channel.status, channel.text).toBe(201);
  const channelId = (channel.json as { id: number }).id;
  const rule = await postRaw(
    snag.url,
    '/api/v1/projects/default/alert-rules',
    Buffer.from(JSON.stringify({ trigger: 'new_issue', channel_ids: [channelId] })),
    { 'content-type': 'application/json' },
  );
  expect(rule.status, rule.text).toBe(201);
  const token = await postRaw(snag.url, '/api/v1/tokens', Buffer.from('{"name":"fuzz-writes"}'), {
    'content-type': 'application/json',
  });
  expect(token.status, token.text).toBe(201);
  const storage = await getJson<{ scheduler: { tasks: { name: string }[] } }>(
    `${snag.url}/api/v1/settings/storage`,
  );
  const releases = await getJson<{ releases: { version: string }[] }>(
    `${snag.url}/api/v1/projects/default/releases`,
  );
  ids = {
    projects: [
      { id: snag.projectId, slug: 'default', issues: await issuesOf('default') },
      { id: b.id, slug: 'b-project', issues: await issuesOf('b-project') },
    ],
    tokens: [(token.json as { id: number }).id],
    channels: [channelId],
    rules: [(rule.json as { id: number }).id],
    releases: releases.releases.map((r) => r.version),
    maintenanceTasks: storage.scheduler.tasks.map((t) => t.name),
  };
});

afterAll(async () => {
  await target?.stop();
  await stopAndRemove(target?.snag);
});

interface Snapshot {
  app: Record<string, unknown[]>;
  issues: { id: number; project_id: number; status: string }[];
  statusChanges: number;
}

/** The state a write could change, read from the files beside the running server. */
function readState(dataDir: string): Snapshot {
  const app = new Database(path.join(dataDir, 'app.db'), { readonly: true, fileMustExist: true });
  const errors = new Database(path.join(dataDir, 'errors.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = (
      app.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    )
      .map((t) => t.name)
      .filter((t) => !VOLATILE_TABLES.has(t));
    const rows: Record<string, unknown[]> = {};
    for (const t of tables) {
      // Sorted as text: some tables are WITHOUT ROWID, and only the set of rows matters.
      rows[t] = (app.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[])
        // When a token was last used is bookkeeping of a read, not a write.
        .map(({ last_used_at: _used, ...row }) => JSON.stringify(row))
        .sort();
    }
    return {
      app: rows,
      issues: errors
        .prepare('SELECT id, project_id, status FROM issues ORDER BY id')
        .all() as Snapshot['issues'],
      statusChanges: (errors.prepare('SELECT count(*) AS n FROM issue_status_changes').get() as { n: number })
        .n,
    };
  } finally {
    app.close();
    errors.close();
  }
}

test(
  `JSON API writes: ${settings.iterations} hostile requests, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 300 },
  async () => {
    const t = target!;
    const tally = new Map<string, number>();
    let state = readState(t.snag.dataDir);
    await runFuzz('api-writes', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`api-writes:${i}`);
      const { route, request } = fuzzApiWrite(rng, ids);
      const res = await t.send(request, where);
      const key = `${route.name} ${res?.status ?? 'closed'}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      const after = readState(t.snag.dataDir);
      if (!res || res.status >= 400) {
        expect(res?.json ?? {}, `${where}: a ${res?.status} without a JSON body: ${res?.text}`).toBeTypeOf(
          'object',
        );
        expect(
          after,
          `${where}: ${request.method} ${request.path} was refused (${res?.status}) but changed the data: ${res?.text.slice(0, 200)}`,
        ).toEqual(state);
      } else if (route.name === 'bulk issue status') {
        const projectIds = new Set(
          after.issues
            .filter((row) => state.issues.find((b) => b.id === row.id)?.status !== row.status)
            .map((row) => row.project_id),
        );
        expect(
          projectIds.size,
          `${where}: one bulk change touched ${projectIds.size} projects`,
        ).toBeLessThanOrEqual(1);
        const named = decodeURIComponent(request.path.split('/')[4]!);
        const project = ids.projects.find((p) => p.slug === named || String(p.id) === named);
        for (const id of projectIds)
          expect(id, `${where}: a bulk change on ${named} changed another project's issues`).toBe(
            project?.id,
          );
      }
      state = after;
    });
    // Rotating the default project's key is a legal write: the known-good event needs the new one.
    const dsn = (await getJson<{ dsn: string }>(`${t.snag.url}/api/v1/projects/default`)).dsn;
    t.snag.publicKey = new URL(dsn).username;
    await t.finish(`[fuzz api-writes seed=${settings.seed}]`);
    const refused = [...tally].filter(([k]) => /\s4\d\d$/.test(k)).reduce((a, [, n]) => a + n, 0);
    // Both sides must be reached: refusals, and writes that get through to the data.
    expect(refused).toBeGreaterThan(settings.iterations / 4);
    expect(settings.iterations - refused).toBeGreaterThan(settings.iterations / 10);
    console.log(
      `fuzz api-writes: seed ${settings.seed}, ${JSON.stringify(Object.fromEntries([...tally].sort()))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);

/** Fuzzing findings 7–9 (docs/reliability.md), replayed exactly: each a 400 that changes nothing. */
test('findings: deep values, booleans as ids and times past Date are refused', async () => {
  const t = target!;
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const [issue] = ids.projects[0]!.issues;
  const cases: [FuzzRequest['method'], string, string][] = [
    ['PATCH', `/api/v1/alert-rules/${ids.rules[0]}`, `{"enabled":true,"channel_ids":${deep(10_000)}}`],
    ['PATCH', `/api/v1/alert-rules/${ids.rules[0]}`, '{"channel_ids":[true]}'],
    [
      'POST',
      '/api/v1/projects/default/alert-rules',
      `{"trigger":"new_issue","channel_ids":[[${ids.channels[0]}]]}`,
    ],
    ['PATCH', `/api/v1/issues/${issue}`, `{"status":${deep(10_000)}}`],
    ['PATCH', '/api/v1/projects/default/issues', `{"ids":[${issue}],"status":${deep(10_000)}}`],
    ['POST', '/api/v1/projects/default/releases/fuzz@9/deploys', '{"environment":"production","time":1e15}'],
    [
      'POST',
      '/api/v1/projects/default/releases/fuzz@9/deploys',
      `{"environment":"production","time":${deep(10_000)}}`,
    ],
  ];
  for (const [method, path, body] of cases) {
    const before = readState(t.snag.dataDir);
    const res = await t.send(
      { method, path, body: Buffer.from(body), headers: { 'content-type': 'application/json' } },
      `${method} ${path}`,
    );
    expect(res?.status, `${method} ${path} ${body.slice(0, 80)}: ${res?.text}`).toBe(400);
    expect(readState(t.snag.dataDir)).toEqual(before);
  }
});

/** Finding 10: a project named "1" took slug "1", and `/api/v1/projects/1/…` then meant it, not project 1. */
test('finding: a project name that slugs to digits is refused', async () => {
  const t = target!;
  for (const name of ['1', ' 2 ', '-3', '007']) {
    const before = readState(t.snag.dataDir);
    const res = await t.send(
      {
        path: '/api/v1/projects',
        body: Buffer.from(JSON.stringify({ name })),
        headers: { 'content-type': 'application/json' },
      },
      `create project ${JSON.stringify(name)}`,
    );
    expect(res?.status, `${name}: ${res?.text}`).toBe(400);
    expect(readState(t.snag.dataDir)).toEqual(before);
  }
  const project = await getJson<{ id: number; slug: string }>(
    `${t.snag.url}/api/v1/projects/${t.snag.projectId}`,
  );
  expect(project).toMatchObject({ id: t.snag.projectId, slug: 'default' });
});
