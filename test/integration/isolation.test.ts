/**
 * Issue 9's cross-project isolation: a key or token for project A can never write to or read from
 * project B, on every surface: Sentry ingest, OTLP, the JSON API and MCP. Login is on (an issuer
 * that is never contacted: no sign-in happens here), so the JSON API is reached with tokens minted
 * by the real CLI, one scoped to each project. Each project holds an error, a transaction and a
 * log record of its own, and every read route is tried with A's token on B's identifiers.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { buildEnvelope, eventEnvelope, FIXTURES_DIR, postRaw, sdkEvent } from '../helpers/ingest.js';
import { REPO_ROOT, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const run = promisify(execFile);

interface ProjectUnderTest {
  slug: string;
  id: number;
  key: string;
  token: string;
  eventId: string;
  spanId: string;
  word: string;
  issueId?: number;
  logId?: string;
}

const TRANSACTION_ITEM = (() => {
  const lines = fs
    .readFileSync(path.join(FIXTURES_DIR, 'apm/node-static-transaction.bin'), 'utf8')
    .split('\n');
  return JSON.parse(lines[2]!) as Record<string, unknown> & {
    contexts: { trace: { span_id: string } };
    spans: { parent_span_id?: string }[];
    start_timestamp: number;
    timestamp: number;
  };
})();

describe('cross-project isolation', () => {
  let snag: RunningSnag;
  const projects: Record<'a' | 'b', ProjectUnderTest> = {} as never;

  const cli = async (...args: string[]) =>
    (
      await run(process.execPath, [path.join(REPO_ROOT, 'bin/snag.js'), ...args], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: snag.dataDir, SNAG_LOG_LEVEL: 'warn' },
      })
    ).stdout;
  const get = (token: string, p: string) =>
    fetch(`${snag.url}${p}`, { headers: { authorization: `Bearer ${token}` } });

  async function sendAll(p: ProjectUnderTest) {
    const envelopePath = `/api/${p.id}/envelope/?sentry_key=${p.key}`;
    const event = sdkEvent({ event_id: p.eventId, message: `isolation ${p.word}` });
    expect((await postRaw(snag.url, envelopePath, eventEnvelope(event))).status).toBe(200);

    const t = structuredClone(TRANSACTION_ITEM);
    const oldRoot = t.contexts.trace.span_id;
    const shift = Date.now() / 1000 - t.timestamp;
    t.contexts.trace.span_id = p.spanId;
    t['event_id'] = p.eventId.replace(/^./, 'f');
    t.start_timestamp += shift;
    t.timestamp += shift;
    for (const s of t.spans as { parent_span_id?: string; start_timestamp: number; timestamp: number }[]) {
      if (s.parent_span_id === oldRoot) s.parent_span_id = p.spanId;
      s.start_timestamp += shift;
      s.timestamp += shift;
    }
    const tx = buildEnvelope({ event_id: t['event_id'] }, [{ headers: { type: 'transaction' }, payload: t }]);
    expect((await postRaw(snag.url, envelopePath, tx)).status).toBe(200);

    const nanos = `${BigInt(Date.now()) * 1_000_000n}`;
    const otlp = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'isolation' } }] },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: nanos, severityNumber: 9, body: { stringValue: `hello ${p.word}` } },
              ],
            },
          ],
        },
      ],
    };
    const res = await postRaw(snag.url, '/v1/logs', Buffer.from(JSON.stringify(otlp)), {
      'content-type': 'application/json',
      authorization: `Bearer ${p.key}`,
    });
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    snag = await startSnag({
      env: {
        SNAG_OIDC_ISSUER: 'https://login.example.com',
        SNAG_OIDC_CLIENT_ID: 'snag',
        SNAG_OIDC_CLIENT_SECRET: 'not-used-here',
        SNAG_ALLOWED_DOMAINS: 'example.com',
      },
    });
    for (const [name, i] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      const created = JSON.parse(await cli('project', 'create', `isolated ${name}`, '--json')) as {
        id: number;
        slug: string;
        public_key: string;
      };
      const { token } = JSON.parse(
        await cli(
          'token',
          'create',
          '--name',
          `only-${name}`,
          '--scope',
          'read,write',
          '--project',
          created.slug,
          '--json',
        ),
      ) as { token: string };
      projects[name] = {
        slug: created.slug,
        id: created.id,
        key: created.public_key,
        token,
        eventId: `${i}`.repeat(32),
        spanId: `${i}`.repeat(16),
        word: `isolationword${name}`,
      };
    }
    for (const p of Object.values(projects)) await sendAll(p);
    // Each project's own token finds its own data once digested.
    for (const p of Object.values(projects)) {
      await waitFor(
        async () => {
          const [issues, tx, logs] = await Promise.all([
            get(p.token, `/api/v1/projects/${p.slug}/issues?status=all`).then(
              (r) => r.json() as Promise<{ issues: { id: number }[] }>,
            ),
            get(p.token, `/api/v1/projects/${p.slug}/transactions/${p.spanId}`),
            get(p.token, `/api/v1/projects/${p.slug}/logs?q=${p.word}`).then(
              (r) => r.json() as Promise<{ logs: { id: string }[] }>,
            ),
          ]);
          if (issues.issues.length !== 1 || tx.status !== 200 || logs.logs.length !== 1) return false;
          p.issueId = issues.issues[0]!.id;
          p.logId = logs.logs[0]!.id;
          return true;
        },
        20_000,
        `project ${p.slug}'s data`,
      );
    }
  });
  afterAll(() => stopAndRemove(snag));

  it('ingest: A’s key cannot write to B (envelope, store, OTLP on Sentry’s path), and OTLP lands in A', async () => {
    const { a, b } = projects;
    const event = eventEnvelope(sdkEvent({ message: 'cross-project attempt' }));
    const envelope = await postRaw(snag.url, `/api/${b.id}/envelope/?sentry_key=${a.key}`, event);
    expect([envelope.status, envelope.json?.['code']]).toEqual([403, 'project_mismatch']);
    const store = await postRaw(
      snag.url,
      `/api/${b.id}/store/?sentry_key=${a.key}`,
      Buffer.from(JSON.stringify(sdkEvent({ message: 'cross-project store' }))),
      { 'content-type': 'application/json' },
    );
    expect(store.status).toBe(403);
    const otlp = await postRaw(
      snag.url,
      `/api/${b.id}/integration/otlp/v1/logs`,
      Buffer.from('{"resourceLogs":[]}'),
      {
        'content-type': 'application/json',
        'x-sentry-auth': `Sentry sentry_key=${a.key}`,
      },
    );
    expect(otlp.status).toBe(403);
    // A's OTLP record is in A only.
    const inB = (await (await get(b.token, `/api/v1/projects/${b.slug}/logs?q=${a.word}`)).json()) as {
      logs: unknown[];
    };
    expect(inB.logs).toEqual([]);
  });

  it('JSON API: A’s token reaches none of B’s routes, by slug or by id, and reads its own', async () => {
    const { a, b } = projects;
    const routesOf = (p: ProjectUnderTest) => [
      `/api/v1/projects/${p.slug}`,
      `/api/v1/projects/${p.slug}/issues?status=all`,
      `/api/v1/projects/${p.slug}/events/${p.eventId}`,
      `/api/v1/issues/${p.issueId}`,
      `/api/v1/issues/${p.issueId}/events`,
      `/api/v1/issues/${p.issueId}/status-changes`,
      `/api/v1/projects/${p.slug}/performance`,
      `/api/v1/projects/${p.slug}/transactions`,
      `/api/v1/projects/${p.slug}/transactions/${p.spanId}`,
      `/api/v1/projects/${p.slug}/performance/n-plus-one`,
      `/api/v1/projects/${p.slug}/logs?q=${p.word}`,
      `/api/v1/projects/${p.slug}/logs/histogram`,
      `/api/v1/projects/${p.slug}/logs/facets`,
      `/api/v1/projects/${p.slug}/logs/${p.logId}`,
      `/api/v1/projects/${p.slug}/releases`,
    ];
    for (const route of routesOf(b)) {
      const res = await get(a.token, route);
      expect([route, res.status]).toEqual([route, 403]);
      const body = await res.text();
      // B's data (its event message, its log body), never echoed back, whatever the refusal says.
      expect(body).not.toContain(`isolation ${b.word}`);
      expect(body).not.toContain(`hello ${b.word}`);
    }
    for (const route of routesOf(a)) {
      const res = await get(a.token, route);
      expect([route, res.status]).toEqual([route, 200]);
    }
    // Changing B with A's (write) token: refused, and B's issue stays open.
    const patch = await fetch(`${snag.url}/api/v1/issues/${b.issueId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'resolved' }),
    });
    expect(patch.status).toBe(403);
    const issue = (await (await get(b.token, `/api/v1/issues/${b.issueId}`)).json()) as { status: string };
    expect(issue.status).toBe('open');
  });

  it('sentry-cli release API: A’s token creates and deploys A’s releases, never B’s', async () => {
    const { a, b } = projects;
    const send = (method: string, p: string, body: unknown) =>
      fetch(`${snag.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const org = '/api/0/organizations/any-org/releases/';
    expect((await send('POST', org, { version: 'iso@1', projects: [a.slug] })).status).toBe(201);
    expect((await send('POST', org, { version: 'iso@1', projects: [b.slug] })).status).toBe(403);
    expect((await send('POST', org, { version: 'iso@2', projects: [a.slug, b.slug] })).status).toBe(403);
    expect(
      (await send('POST', `/api/0/projects/any-org/${b.slug}/releases/`, { version: 'iso@3' })).status,
    ).toBe(403);
    expect((await send('POST', `${org}iso@1/deploys/`, { environment: 'production' })).status).toBe(201);
    const bReleases = (await (await get(b.token, `/api/v1/projects/${b.slug}/releases`)).json()) as {
      releases: { version: string }[];
    };
    expect(bReleases.releases.map((r) => r.version)).not.toContain('iso@1');
    expect(bReleases.releases.map((r) => r.version)).not.toContain('iso@2');
  });

  it('MCP: a project-scoped token is refused on /mcp (tools reach every project)', async () => {
    const res = await fetch(`${snag.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${projects.a.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('list_issues');
  });
});
