/**
 * No secret reaches the log. A Snag at debug level, with every secret setting given a recognisable
 * value (OIDC client secret — deliberately not the one the real provider expects, so the code
 * exchange fails —, SMTP password — refused by a real SMTP server —, webhook secret, ntfy token,
 * MCP and metrics tokens, a self-monitoring DSN), is driven through the failure paths where
 * errors get logged: a sign-in whose token exchange is refused, callbacks with forged state,
 * alert deliveries that fail, wrong bearer tokens, a minted token used and revoked. Then its whole
 * output is searched for each secret as is, URL-encoded and base64-encoded (HTTP Basic and SMTP
 * AUTH PLAIN carry them so).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { mintToken, snagCli } from '../helpers/mcp.js';
import { startSnagWithOidc, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startSmtpReceiver, type SmtpReceiver } from '../helpers/smtp-receiver.js';
import { freePort, waitFor, type RunningSnag } from '../helpers/snag.js';

const secret = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;
const SECRETS = {
  SNAG_OIDC_CLIENT_SECRET: secret('oidc'),
  SNAG_SMTP_PASSWORD: secret('smtp'),
  SNAG_WEBHOOK_SECRET: secret('webhook'),
  SNAG_NTFY_TOKEN: secret('ntfy'),
  SNAG_MCP_TOKEN: secret('mcp'),
  SNAG_METRICS_TOKEN: secret('metrics'),
  /** The key of the DSN Snag reports its own errors to. */
  SELF_DSN_KEY: randomBytes(16).toString('hex'),
};

let snag: RunningSnag;
let idp: TestOidcProvider;
let smtp: SmtpReceiver;
let minted: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  const closed = await freePort(); // nothing listens: every delivery there fails
  ({ snag, idp } = await startSnagWithOidc({
    SNAG_LOG_LEVEL: 'debug',
    SNAG_ALLOWED_USERS: 'alice@example.com',
    SNAG_OIDC_CLIENT_SECRET: SECRETS.SNAG_OIDC_CLIENT_SECRET,
    SNAG_SMTP_HOST: '127.0.0.1',
    SNAG_SMTP_PORT: String(smtp.port),
    SNAG_SMTP_USER: smtp.user,
    SNAG_SMTP_PASSWORD: SECRETS.SNAG_SMTP_PASSWORD,
    SNAG_SMTP_FROM: 'Snag <snag@example.com>',
    SNAG_ALERT_EMAILS: 'ops@example.com',
    SNAG_WEBHOOK_URL: `http://127.0.0.1:${closed}/hook`,
    SNAG_WEBHOOK_SECRET: SECRETS.SNAG_WEBHOOK_SECRET,
    SNAG_NTFY_URL: `http://127.0.0.1:${closed}/alerts`,
    SNAG_NTFY_TOKEN: SECRETS.SNAG_NTFY_TOKEN,
    SNAG_ALERT_EVALUATE_SECONDS: '1',
    SNAG_ALERT_RETRY_SECONDS: '1',
    SNAG_MCP_TOKEN: SECRETS.SNAG_MCP_TOKEN,
    SNAG_METRICS_TOKEN: SECRETS.SNAG_METRICS_TOKEN,
    SNAG_SENTRY_DSN: `http://${SECRETS.SELF_DSN_KEY}@127.0.0.1:${closed}/1`,
  }));
  idp.addAccount({ sub: 'alice', email: 'alice@example.com', email_verified: true });
  minted = await mintToken(snag, 'logged-agent');
});

afterAll(async () => {
  await stopAndRemove(snag);
  await idp?.close();
  await smtp?.close();
});

/** Each secret as it could appear in a log line. */
function forms(value: string): string[] {
  return [
    value,
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    Buffer.from(`${idp.clientId}:${value}`).toString('base64'), // client_secret_basic
    Buffer.from(`\u0000${smtp.user}\u0000${value}`).toString('base64'), // AUTH PLAIN
  ];
}

test('secrets never reach the log on failure paths', { timeout: 60_000 }, async () => {
  // A sign-in whose code exchange the provider refuses (wrong client secret).
  const jar = new CookieJar();
  const start = await jar.fetch(`${snag.url}/auth/login`);
  expect(start.status).toBe(302);
  const isCallback = (u: URL) => u.href.startsWith(`${snag.url}/auth/callback`);
  let hop = await jar.follow(start.headers.get('location')!, isCallback);
  if (!hop.next) {
    const html = await hop.response.text();
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const posted = await jar.fetch(new URL(action, hop.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'alice@example.com' }),
    });
    hop = await jar.follow(new URL(posted.headers.get('location')!, hop.url).href, isCallback);
  }
  expect(hop.next, 'the provider redirects back with a code').toBeDefined();
  const callback = await jar.fetch(hop.next!.href);
  expect(callback.status, 'the code exchange fails: Snag has the wrong client secret').toBeGreaterThanOrEqual(
    400,
  );
  // Forged callbacks.
  for (const q of ['code=x&state=y', 'error=access_denied&state=z', '']) {
    const res = await fetch(`${snag.url}/auth/callback?${q}`, { redirect: 'manual' });
    expect(res.status).toBeGreaterThanOrEqual(400);
  }

  // Wrong and right bearer tokens on every bearer edge; a minted token used, then revoked.
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  expect((await fetch(`${snag.url}/metrics`, { headers: bearer('wrong') })).status).toBe(401);
  expect((await fetch(`${snag.url}/metrics`, { headers: bearer(SECRETS.SNAG_METRICS_TOKEN) })).status).toBe(
    200,
  );
  const mcp = (token: string) =>
    postRaw(
      snag.url,
      '/mcp', // A tool call logs at debug level, with its caller.
      Buffer.from(
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_projects","arguments":{}}}',
      ),
      {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...bearer(token),
      },
    );
  expect((await mcp(`${SECRETS.SNAG_MCP_TOKEN}x`)).status).toBe(401);
  expect((await mcp(SECRETS.SNAG_MCP_TOKEN)).status).toBe(200);
  expect((await mcp(minted)).status).toBe(200);
  expect((await fetch(`${snag.url}/api/v1/projects`, { headers: bearer(minted) })).status).toBe(200);
  await snagCli(snag.dataDir, ['token', 'revoke', 'logged-agent']);
  expect((await fetch(`${snag.url}/api/v1/projects`, { headers: bearer(minted) })).status).toBe(401);

  // A new issue: the zero-config rules deliver by email (login refused), webhook and ntfy (nothing listens).
  const sent = await postRaw(
    snag.url,
    `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
    eventEnvelope(sdkEvent({ fingerprint: ['secrets-in-logs'] })),
  );
  expect(sent.status).toBe(200);
  let deliveries = '';
  await waitFor(
    async () => {
      const res = await fetch(`${snag.url}/api/v1/alert-deliveries`, {
        headers: bearer(SECRETS.SNAG_MCP_TOKEN),
      });
      deliveries = await res.text();
      const d = JSON.parse(deliveries) as { deliveries: { status: string; attempts: number }[] };
      // Every channel tried at least twice: the retry path logs too.
      return d.deliveries.length >= 3 && d.deliveries.every((x) => x.attempts >= 2);
    },
    30_000,
    'three alert deliveries tried twice',
  );
  expect(smtp.mails).toHaveLength(0);

  // The delivery log's errors are shown in Settings: they are output too.
  const out = snag.output() + deliveries;
  // The failures were logged, so the search below means something.
  expect(out).toContain('sign-in refused');
  expect(out).toMatch(/SMTP[^\n]*Invalid login[^\n]*alert delivery failed/);
  expect(out).toMatch(/"level":20[^\n]*MCP tool call/); // debug lines are there too
  for (const [name, value] of Object.entries(SECRETS))
    for (const form of forms(value))
      expect(out.includes(form), `${name} is in the log (as ${form})`).toBe(false);
  // A token presented is a secret too, even a wrong one.
  for (const form of forms(minted))
    expect(out.includes(form), 'a minted API token is in the log').toBe(false);
});
