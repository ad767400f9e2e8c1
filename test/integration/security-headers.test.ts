/**
 * Security headers on a real Snag: UI pages and assets carry the UI's strict CSP (no inline
 * script, no third-party origin, not framable), nosniff and a referrer policy; every other answer
 * (JSON API, errors, 404s, /_health, ingest, /mcp, discovery) gets nosniff, a CSP that loads
 * nothing and forbids framing, X-Frame-Options and no referrer (src/http/security-headers.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { REPO_ROOT, startSnag, type RunningSnag } from '../helpers/snag.js';

const MCP_TOKEN = 'f'.repeat(64);
let snag: RunningSnag;

beforeAll(async () => {
  snag = await startSnag({ env: { SNAG_MCP_TOKEN: MCP_TOKEN } });
});

afterAll(async () => {
  await stopAndRemove(snag);
});

type Headers = Record<string, string | string[] | undefined>;

function expectUiHeaders(headers: Headers, what: string): void {
  const csp = String(headers['content-security-policy']);
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toMatch(/^(same-origin|no-referrer|strict-origin)/);
}

function expectApiHeaders(headers: Headers, what: string): void {
  expect(headers['content-security-policy'], what).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
}

const get = (p: string, headers: Record<string, string> = {}) =>
  postRaw(snag.url, p, Buffer.alloc(0), headers, 'GET');

test('UI pages and assets', async () => {
  const asset = fs.readdirSync(path.join(REPO_ROOT, 'dist/web/assets')).find((f) => f.endsWith('.js'))!;
  for (const p of ['/', '/projects/default/issues', `/assets/${asset}`]) {
    const res = await get(p);
    expect(res.status, p).toBe(200);
    expectUiHeaders(res.headers, p);
  }
});

test('a hashed asset this build does not have is a 404, not index.html served as a script', async () => {
  const res = await get('/assets/index-00000000.js');
  expect(res.status).toBe(404);
  expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
  expectUiHeaders(res.headers, 'missing asset');
});

test('JSON API, errors, health, ingest, MCP and discovery', async () => {
  const answers = {
    'GET /api/v1/projects': await get('/api/v1/projects'),
    'GET /api/v1/issues/abc (400)': await get('/api/v1/issues/abc'),
    'GET /api/v1/nope (404)': await get('/api/v1/nope'),
    'GET /_health': await get('/_health'),
    'POST envelope': await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent()),
    ),
    'POST /mcp without a token (401)': await postRaw(snag.url, '/mcp', Buffer.from('{}'), {
      'content-type': 'application/json',
    }),
    'POST /mcp tools/list': await postRaw(
      snag.url,
      '/mcp',
      Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/list"}'),
      {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${MCP_TOKEN}`,
      },
    ),
    'GET protected resource metadata': await get('/.well-known/oauth-protected-resource/mcp'),
  };
  for (const [what, res] of Object.entries(answers)) {
    expect(res.status, what).toBeLessThan(500);
    expectApiHeaders(res.headers, what);
  }
  expect(answers['POST /mcp tools/list'].status).toBe(200);
});
