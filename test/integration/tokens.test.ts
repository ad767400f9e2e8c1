/**
 * API tokens end to end: `snag token create` with scopes, project and expiry (the real CLI on the
 * data dir of a running Snag), the Settings API (create shown once, list, revoke), tokens minted
 * before scopes existed, and, with login on against a real OIDC provider, what each scope may do on
 * the JSON API (a read token cannot change an issue's status; admin alone manages tokens; a project
 * token stays in its project).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken, TokenList, TokenView } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { snagCli } from '../helpers/mcp.js';
import { postInitialize } from '../helpers/mcp-oauth.js';
import { startSnagWithOidc, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startSnag, waitForDigest, type RunningSnag } from '../helpers/snag.js';

const DAY_MS = 86_400_000;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** `snag token create --json`: the project as its slug. */
type CliToken = Omit<CreatedToken, 'project'> & { project: string | null };

async function cliCreate(snag: RunningSnag, args: string[]): Promise<CliToken> {
  return JSON.parse(await snagCli(snag.dataDir, ['token', 'create', ...args, '--json'])) as CliToken;
}

/** The CLI's failure message (it exits 1 on a refused value). */
async function cliError(snag: RunningSnag, args: string[]): Promise<string> {
  try {
    await snagCli(snag.dataDir, args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  throw new Error(`snag ${args.join(' ')} succeeded`);
}

function editAppDb(snag: RunningSnag, sql: string, ...params: unknown[]): void {
  const db = new Database(path.join(snag.dataDir, 'app.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe('API tokens in open mode', () => {
  let snag: RunningSnag;
  beforeAll(async () => {
    snag = await startSnag();
  });
  afterAll(async () => {
    await stopAndRemove(snag);
  });

  it('snag token create takes scopes, a project and an expiry', async () => {
    const before = Date.now();
    const t = await cliCreate(snag, [
      '--name',
      'ci',
      '--scope',
      'read',
      '--project',
      'default',
      '--expires-in',
      '30d',
    ]);
    expect(t.token).toMatch(/^snag_/);
    expect(t.scopes).toEqual(['read']);
    expect(t.project).toBe('default');
    const expires = Date.parse(t.expires_at!);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(expires).toBeLessThan(Date.now() + 30 * DAY_MS + 1000);

    const admin = await cliCreate(snag, ['--name', 'ops', '--scope', 'admin']);
    expect(admin.scopes).toEqual(['read', 'write', 'admin']);
    const plain = await cliCreate(snag, ['--name', 'agent']);
    expect(plain.scopes).toEqual(['read', 'write']);
    expect(plain.expires_at).toBeNull();

    expect(await cliError(snag, ['token', 'create', '--name', 'x', '--scope', 'root'])).toContain(
      'use read, write or admin',
    );
    expect(await cliError(snag, ['token', 'create', '--name', 'x', '--expires-in', '3 weeks'])).toContain(
      '30d',
    );
    expect(await cliError(snag, ['token', 'create', '--name', 'x', '--project', 'nope'])).toContain(
      'No project "nope"',
    );

    const listed = JSON.parse(await snagCli(snag.dataDir, ['token', 'list', '--json'])) as TokenView[];
    expect(listed.find((l) => l.name === 'ci')).toMatchObject({
      scopes: ['read'],
      project: { slug: 'default' },
    });
    expect(JSON.stringify(listed)).not.toContain(t.token);
    const text = await snagCli(snag.dataDir, ['token', 'list']);
    expect(text).toMatch(/ci\s+snag_\S+\s+read, project default, expires/);
  });

  it('Settings API: create shows the token once, list never does, revoke stops it at once', async () => {
    const res = await fetch(`${snag.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'from-settings', scopes: ['read', 'write'], expires_in: '90d' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = (await res.json()) as CreatedToken;
    expect(created.token).toMatch(/^snag_/);
    expect((await postInitialize(snag.url, `Bearer ${created.token}`)).status).toBe(200);

    const listRaw = await (await fetch(`${snag.url}/api/v1/tokens`)).text();
    expect(listRaw).not.toContain(created.token);
    const list = JSON.parse(listRaw) as TokenList;
    const row = list.tokens.find((t) => t.name === 'from-settings')!;
    expect(row.last_used_at).not.toBeNull();
    expect(row.expires_at).not.toBeNull();

    const bad = await fetch(`${snag.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bad', scopes: ['superuser'] }),
    });
    expect(bad.status).toBe(400);

    const del = await fetch(`${snag.url}/api/v1/tokens/${created.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(((await del.json()) as TokenView).revoked_at).not.toBeNull();
    const refused = await postInitialize(snag.url, `Bearer ${created.token}`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('revoked');
    expect((await fetch(`${snag.url}/api/v1/tokens/${created.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('tokens from before scopes keep working on /mcp as read+write; expired and project tokens are refused there', async () => {
    const legacy = await cliCreate(snag, ['--name', 'old-agent']);
    editAppDb(snag, 'UPDATE access_tokens SET scopes = NULL WHERE id = ?', legacy.id);
    expect((await postInitialize(snag.url, `Bearer ${legacy.token}`)).status).toBe(200);
    const listed = JSON.parse(await snagCli(snag.dataDir, ['token', 'list', '--json'])) as TokenView[];
    expect(listed.find((t) => t.name === 'old-agent')).toMatchObject({
      legacy: true,
      scopes: ['read', 'write'],
    });

    const expiring = await cliCreate(snag, ['--name', 'short', '--expires-in', '1h']);
    expect((await postInitialize(snag.url, `Bearer ${expiring.token}`)).status).toBe(200);
    editAppDb(snag, 'UPDATE access_tokens SET expires_at = ? WHERE id = ?', Date.now() - 1000, expiring.id);
    const expired = await postInitialize(snag.url, `Bearer ${expiring.token}`);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('The token expired');

    const scoped = await cliCreate(snag, ['--name', 'proj', '--project', 'default']);
    const mcp = await postInitialize(snag.url, `Bearer ${scoped.token}`);
    expect(mcp.status).toBe(401);
    expect(((await mcp.json()) as { error: { message: string } }).error.message).toContain(
      'scoped to project default',
    );
  });
});

describe('API token scopes with login on (OIDC)', () => {
  let snag: RunningSnag;
  let idp: TestOidcProvider;
  const envToken = randomBytes(32).toString('hex');
  let issueId: number;

  beforeAll(async () => {
    ({ snag, idp } = await startSnagWithOidc({
      SNAG_ALLOWED_USERS: 'ada@example.com',
      SNAG_MCP_TOKEN: envToken,
    }));
    const ingest = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent()),
    );
    expect(ingest.status).toBe(200);
    await waitForDigest(snag, 1);
    const issues = (await (
      await fetch(`${snag.url}/api/v1/projects/default/issues`, { headers: bearer(envToken) })
    ).json()) as { issues: { id: number }[] };
    issueId = issues.issues[0]!.id;
  });
  afterAll(async () => {
    await stopAndRemove(snag);
    await idp?.close();
  });

  const setStatus = (token: string, status: string) =>
    fetch(`${snag.url}/api/v1/issues/${issueId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ status }),
    });

  it('without a token or session the JSON API answers 401', async () => {
    expect((await fetch(`${snag.url}/api/v1/projects`)).status).toBe(401);
    expect((await fetch(`${snag.url}/api/v1/projects`, { headers: bearer('snag_wrong') })).status).toBe(401);
  });

  it('a read token reads but cannot change an issue status; a write token can, and is the audit actor', async () => {
    const read = await cliCreate(snag, ['--name', 'reader', '--scope', 'read']);
    expect(
      (await fetch(`${snag.url}/api/v1/issues/${issueId}`, { headers: bearer(read.token) })).status,
    ).toBe(200);
    const refused = await setStatus(read.token, 'resolved');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toContain('needs write');

    const write = await cliCreate(snag, ['--name', 'ci-deploy', '--scope', 'write']);
    expect((await setStatus(write.token, 'resolved')).status).toBe(200);
    const changes = (await (
      await fetch(`${snag.url}/api/v1/issues/${issueId}/status-changes`, { headers: bearer(read.token) })
    ).json()) as { status_changes: { actor: string; to_status?: string }[] };
    expect(changes.status_changes.at(-1)!.actor).toBe('token:ci-deploy');
  });

  it('only admin tokens manage tokens', async () => {
    const write = await cliCreate(snag, ['--name', 'writer', '--scope', 'write']);
    const admin = await cliCreate(snag, ['--name', 'root', '--scope', 'admin']);
    const create = (token: string) =>
      fetch(`${snag.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ name: `made-by-${token.slice(5, 10)}`, scopes: ['read'] }),
      });
    expect((await create(write.token)).status).toBe(403);
    expect((await fetch(`${snag.url}/api/v1/tokens`, { headers: bearer(write.token) })).status).toBe(403);
    expect((await create(admin.token)).status).toBe(201);
  });

  it('a project token reaches its own project only', async () => {
    const other = await fetch(`${snag.url}/api/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(envToken) },
      body: JSON.stringify({ name: 'Billing' }),
    });
    expect(other.status).toBe(201);
    const scoped = await cliCreate(snag, ['--name', 'billing-ci', '--scope', 'read', '--project', 'billing']);
    expect(
      (await fetch(`${snag.url}/api/v1/projects/billing/issues`, { headers: bearer(scoped.token) })).status,
    ).toBe(200);
    expect(
      (await fetch(`${snag.url}/api/v1/projects/default/issues`, { headers: bearer(scoped.token) })).status,
    ).toBe(403);
    expect(
      (await fetch(`${snag.url}/api/v1/issues/${issueId}`, { headers: bearer(scoped.token) })).status,
    ).toBe(403);
  });
});
