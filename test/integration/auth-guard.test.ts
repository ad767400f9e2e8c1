/**
 * The guard with API tokens while login is on: tokens minted with the real CLI (`snag token
 * create`, on the running server's data dir) reach the JSON API by scope — read for GET, write for
 * changes, admin for settings — and a project-scoped token only its own project. No CSRF token is
 * needed with a bearer token (browsers never attach one by themselves); a bad token is 401.
 * Login is configured with an issuer that is never contacted: no sign-in happens here.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { REPO_ROOT, startSnag, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import type { IssueList } from '../../src/api/types.js';

const run = promisify(execFile);

describe('API tokens through the guard, with login on', () => {
  let snag: RunningSnag;
  const tokens: Record<string, string> = {};
  let issueId: number;

  const snagCli = async (...args: string[]) =>
    (
      await run(process.execPath, [path.join(REPO_ROOT, 'bin/snag.js'), ...args], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: snag.dataDir, SNAG_LOG_LEVEL: 'warn' },
      })
    ).stdout;
  const call = (token: string | undefined, method: string, p: string, body?: unknown) =>
    fetch(`${snag.url}${p}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    snag = await startSnag({
      env: {
        SNAG_OIDC_ISSUER: 'https://login.example.com',
        SNAG_OIDC_CLIENT_ID: 'snag',
        SNAG_OIDC_CLIENT_SECRET: 'not-used-here',
        SNAG_ALLOWED_DOMAINS: 'example.com',
      },
    });
    await snagCli('project', 'create', 'other');
    for (const [name, args] of [
      ['reader', ['--scope', 'read']],
      ['writer', ['--scope', 'read,write']],
      ['admin', ['--scope', 'admin']],
      ['other-writer', ['--scope', 'read,write', '--project', 'other']],
    ] as const) {
      tokens[name] = (
        JSON.parse(await snagCli('token', 'create', '--name', name, ...args, '--json')) as { token: string }
      ).token;
    }
    const sent = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent({ message: 'guarded' })),
    );
    expect(sent.status).toBe(200);
    await waitForDigest(snag, 1);
    const list = (await (
      await call(tokens['reader'], 'GET', '/api/v1/projects/default/issues')
    ).json()) as IssueList;
    issueId = list.issues[0]!.id;
  });
  afterAll(() => stopAndRemove(snag));

  it('refuses requests without a session or token (401), and unknown tokens (401)', async () => {
    expect((await call(undefined, 'GET', '/api/v1/projects')).status).toBe(401);
    const bad = await call('snag_not-a-real-token', 'GET', '/api/v1/projects');
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('lets a read token read but not change', async () => {
    expect((await call(tokens['reader'], 'GET', `/api/v1/issues/${issueId}`)).status).toBe(200);
    const patch = await call(tokens['reader'], 'PATCH', `/api/v1/issues/${issueId}`, { status: 'ignored' });
    expect(patch.status).toBe(403);
    expect(((await patch.json()) as { code: string }).code).toBe('insufficient_scope');
  });

  it('lets a write token change without any CSRF header, recorded under the token', async () => {
    const patch = await call(tokens['writer'], 'PATCH', `/api/v1/issues/${issueId}`, { status: 'resolved' });
    expect(patch.status).toBe(200);
    const changes = (await (
      await call(tokens['writer'], 'GET', `/api/v1/issues/${issueId}/status-changes`)
    ).json()) as {
      status_changes: { actor: string }[];
    };
    expect(changes.status_changes.at(-1)!.actor).toMatch(/writer/);
  });

  it('keeps settings for admin tokens', async () => {
    expect((await call(tokens['writer'], 'GET', '/api/v1/settings/mcp')).status).toBe(403);
    expect((await call(tokens['admin'], 'GET', '/api/v1/settings/mcp')).status).toBe(200);
  });

  it('keeps a project-scoped token inside its project', async () => {
    expect((await call(tokens['other-writer'], 'GET', '/api/v1/projects/other/issues')).status).toBe(200);
    const elsewhere = await call(tokens['other-writer'], 'GET', '/api/v1/projects/default/issues');
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { code: string }).code).toBe('wrong_project');
    expect((await call(tokens['other-writer'], 'GET', `/api/v1/issues/${issueId}`)).status).toBe(403);
  });
});
