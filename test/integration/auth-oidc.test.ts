/**
 * Login against a real OpenID Connect provider (oidc-provider, test/helpers/oidc-provider.ts) and a
 * real Snag process, driven like a browser with a cookie jar and redirects followed by hand: the
 * full sign-in, the allowlist, tampered state / nonce / PKCE / ID token, CSRF, logout (RP-initiated
 * and back-channel), session expiry, misconfigured mode and the sign-in rate limit.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { startSnagWithOidc, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import type { IssueList, SessionInfo } from '../../src/api/types.js';

const ACCOUNTS = [
  { sub: 'alice', email: 'alice@example.com', email_verified: true, name: 'Alice' },
  { sub: 'bob', email: 'bob@corp.example', email_verified: true },
  { sub: 'carol', email: 'carol@eu.corp.example', email_verified: true },
  { sub: 'dave', email: 'dave@x.partner.example', email_verified: true },
  { sub: 'erin', email: 'erin@partner.example', email_verified: true },
  { sub: 'mallory', email: 'mallory@badcorp.example', email_verified: true },
  { sub: 'frank', email: 'frank@corp.example', email_verified: false },
];
const ALLOWLIST = {
  SNAG_ALLOWED_USERS: 'Alice@Example.com',
  SNAG_ALLOWED_DOMAINS: 'corp.example,*.partner.example',
};
const RETURN_TO = '/projects/default/issues?status=all';

interface SignInResult {
  status: number;
  location: string | null;
  body: string;
}

/** Snag → provider → (login form) → Snag callback, with hooks to alter the two URLs in between. */
async function signIn(
  jar: CookieJar,
  snagUrl: string,
  email: string,
  hooks: { authUrl?: (u: URL) => void; callbackUrl?: (u: URL) => void } = {},
  returnTo = RETURN_TO,
): Promise<SignInResult> {
  const start = await jar.fetch(`${snagUrl}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const authUrl = new URL(start.headers.get('location')!);
  hooks.authUrl?.(authUrl);
  const isCallback = (u: URL) => u.href.startsWith(`${snagUrl}/auth/callback`);
  let hop = await jar.follow(authUrl.href, isCallback);
  if (!hop.next) {
    // The provider's sign-in form (no provider session yet in this jar).
    const html = await hop.response.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (!action)
      throw new Error(`no sign-in form at ${hop.url}: ${hop.response.status} ${html.slice(0, 300)}`);
    const posted = await jar.fetch(new URL(action, hop.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }),
    });
    expect(posted.status).toBe(303);
    hop = await jar.follow(new URL(posted.headers.get('location')!, hop.url).href, isCallback);
  }
  if (!hop.next) throw new Error(`the provider did not redirect back: ${hop.response.status} at ${hop.url}`);
  hooks.callbackUrl?.(hop.next);
  const done = await jar.fetch(hop.next.href);
  return { status: done.status, location: done.headers.get('location'), body: await done.text() };
}

const session = async (jar: CookieJar, url: string) =>
  (await (await jar.fetch(`${url}/api/v1/session`)).json()) as SessionInfo;

describe('login with OpenID Connect', () => {
  let snag: RunningSnag;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    ({ snag, idp } = await startSnagWithOidc({ ...ALLOWLIST, SNAG_LOGIN_RATE_LIMIT_PER_MINUTE: '1000' }));
    for (const a of ACCOUNTS) idp.addAccount(a);
  });
  afterAll(async () => {
    await stopAndRemove(snag);
    await idp?.close();
  });

  it('keeps the API and UI behind the login, and ingest and /_health open', async () => {
    const jar = new CookieJar();
    expect((await jar.fetch(`${snag.url}/api/v1/projects`)).status).toBe(401);
    const page = await jar.fetch(`${snag.url}/projects/default/issues?status=all`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/auth/login?return_to=${encodeURIComponent(RETURN_TO)}`);
    expect((await jar.fetch(`${snag.url}/_health`)).status).toBe(200);
    const ingest = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent({ message: 'behind login' })),
    );
    expect(ingest.status).toBe(200);
    expect(await session(jar, snag.url)).toMatchObject({
      mode: 'oidc',
      user: null,
      provider_name: 'Test IdP',
    });
  });

  it('signs in with the authorization code flow and a session cookie', async () => {
    const jar = new CookieJar();
    const result = await signIn(jar, snag.url, 'alice@example.com');
    expect(result.status).toBe(302);
    expect(result.location).toBe(RETURN_TO);
    const cookie = jar.get(snag.url, 'snag_session');
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await session(jar, snag.url);
    expect(me.user).toMatchObject({ email: 'alice@example.com', name: 'Alice' });
    expect(me.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await jar.fetch(`${snag.url}/api/v1/projects`)).status).toBe(200);
    const ui = await jar.fetch(`${snag.url}/projects/default/issues`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax (not Secure on http)', async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${snag.url}/auth/login`);
    const login = start.headers.getSetCookie().find((c) => c.startsWith('snag_login='));
    expect(login).toMatch(/HttpOnly/);
    expect(login).toMatch(/SameSite=Lax/);
    expect(login).not.toMatch(/Secure/);
  });

  it.each([
    ['a listed user, case-insensitively', 'alice@example.com'],
    ['a listed domain', 'bob@corp.example'],
    ['a subdomain of a listed domain', 'carol@eu.corp.example'],
    ['a subdomain matching *.partner.example', 'dave@x.partner.example'],
  ])('admits %s', async (_what, email) => {
    const result = await signIn(new CookieJar(), snag.url, email);
    expect(result.status).toBe(302);
    expect(result.location).toBe(RETURN_TO);
  });

  it.each([
    ['the bare domain of a *.domain entry', 'erin@partner.example', /not allowed to sign in/],
    ['a domain that only ends like a listed one', 'mallory@badcorp.example', /not allowed to sign in/],
    ['an unverified email', 'frank@corp.example', /not verified/],
  ])('refuses %s', async (_what, email, message) => {
    const jar = new CookieJar();
    const result = await signIn(jar, snag.url, email);
    expect(result.status).toBe(403);
    expect(result.body).toMatch(message);
    expect(jar.get(snag.url, 'snag_session')).toBeUndefined();
  });

  describe('refuses a tampered sign-in', () => {
    const refused = async (jar: CookieJar, result: SignInResult) => {
      expect(result.status).toBe(400);
      expect(result.body).toMatch(/refused/);
      expect(jar.get(snag.url, 'snag_session')).toBeUndefined();
    };

    it('state changed on the way back', async () => {
      const jar = new CookieJar();
      await refused(
        jar,
        await signIn(jar, snag.url, 'alice@example.com', {
          callbackUrl: (u) => u.searchParams.set('state', 'forged-state'),
        }),
      );
    });

    it('nonce changed on the way out (the ID token carries another one)', async () => {
      const jar = new CookieJar();
      await refused(
        jar,
        await signIn(jar, snag.url, 'alice@example.com', {
          authUrl: (u) => u.searchParams.set('nonce', 'attacker-chosen-nonce'),
        }),
      );
    });

    it('PKCE challenge replaced (Snag then sends a verifier that does not match)', async () => {
      const jar = new CookieJar();
      const otherChallenge = createHash('sha256').update('attacker verifier '.repeat(3)).digest('base64url');
      await refused(
        jar,
        await signIn(jar, snag.url, 'alice@example.com', {
          authUrl: (u) => u.searchParams.set('code_challenge', otherChallenge),
        }),
      );
    });

    it('ID token altered after signing', async () => {
      const jar = new CookieJar();
      idp.tamper.idToken = true;
      try {
        await refused(jar, await signIn(jar, snag.url, 'alice@example.com'));
      } finally {
        idp.tamper.idToken = false;
      }
    });

    it('callback opened in a browser that did not start the sign-in', async () => {
      const jar = new CookieJar();
      const result = await signIn(jar, snag.url, 'alice@example.com', {
        callbackUrl: () => jar.set(snag.url, 'snag_login', 'someone-elses-login'),
      });
      expect(result.status).toBe(400);
      expect(result.body).toMatch(/another browser/);
    });
  });

  it('requires the CSRF token for changes, and records the signed-in email as the actor', async () => {
    const jar = new CookieJar();
    await signIn(jar, snag.url, 'alice@example.com');
    const { csrf_token } = await session(jar, snag.url);
    await waitForDigest(snag, 1);
    const list = (await (await jar.fetch(`${snag.url}/api/v1/projects/default/issues`)).json()) as IssueList;
    const id = list.issues[0]!.id;
    const patch = (headers: Record<string, string>) =>
      jar.fetch(`${snag.url}/api/v1/issues/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ status: 'resolved' }),
      });

    const noToken = await patch({});
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { code: string }).code).toBe('csrf_token');
    const otherSite = await patch({ 'x-snag-csrf': csrf_token!, origin: 'https://evil.example' });
    expect(otherSite.status).toBe(403);
    expect(((await otherSite.json()) as { code: string }).code).toBe('csrf_origin');
    const ok = await patch({ 'x-snag-csrf': csrf_token!, origin: snag.url });
    expect(ok.status).toBe(200);

    const changes = (await (await jar.fetch(`${snag.url}/api/v1/issues/${id}/status-changes`)).json()) as {
      status_changes: { actor: string; to_status: string }[];
    };
    expect(changes.status_changes.at(-1)).toMatchObject({
      actor: 'alice@example.com',
      to_status: 'resolved',
    });
  });

  it('logs out: the session row is revoked and the provider is asked to end its session', async () => {
    const jar = new CookieJar();
    await signIn(jar, snag.url, 'bob@corp.example');
    const cookie = jar.get(snag.url, 'snag_session')!;
    const { csrf_token } = await session(jar, snag.url);

    expect((await jar.fetch(`${snag.url}/auth/logout`, { method: 'POST' })).status).toBe(403);
    const out = await jar.fetch(`${snag.url}/auth/logout`, {
      method: 'POST',
      headers: { 'x-snag-csrf': csrf_token! },
    });
    expect(out.status).toBe(200);
    const { redirect_url } = (await out.json()) as { redirect_url: string };
    const endSession = new URL(redirect_url);
    expect(endSession.origin).toBe(idp.issuer);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${snag.url}/auth/logged-out`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(jar.get(snag.url, 'snag_session')).toBeUndefined();

    // The old cookie, replayed, is refused: logout is server-side, not just a cleared cookie.
    const replay = await fetch(`${snag.url}/api/v1/projects`, {
      headers: { cookie: `snag_session=${cookie}` },
    });
    expect(replay.status).toBe(401);
    // The provider shows its sign-out page and comes back to Snag's signed-out page.
    const ended = await jar.follow(redirect_url);
    expect(ended.response.status).toBe(200);
  });

  it('ends the Snag session when the provider sends a back-channel logout', async () => {
    const jar = new CookieJar();
    await signIn(jar, snag.url, 'carol@eu.corp.example');
    expect((await session(jar, snag.url)).user?.email).toBe('carol@eu.corp.example');

    // Signing out at the provider (as from another app): its page, then "Yes, sign me out".
    const page = await jar.follow(`${idp.issuer}/session/end`);
    const html = await page.response.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /action="([^"]+)"/.exec(html)?.[1];
    expect(xsrf && action).toBeTruthy();
    const before = idp.backchannel.ok;
    await jar.fetch(new URL(action!, page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
    });
    expect(idp.backchannel.failed).toEqual([]);
    expect(idp.backchannel.ok).toBe(before + 1);
    expect((await session(jar, snag.url)).user).toBeNull();
    expect((await jar.fetch(`${snag.url}/api/v1/projects`)).status).toBe(401);
  });

  it('refuses a forged back-channel logout token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'test-key-1' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({
        iss: idp.issuer,
        aud: idp.clientId,
        iat: Math.floor(Date.now() / 1000),
        sub: 'alice',
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      }),
    ).toString('base64url');
    const res = await fetch(`${snag.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: `${header}.${claims}.${'A'.repeat(342)}` }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('never redirects a sign-in off this Snag', async () => {
    for (const evil of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const result = await signIn(new CookieJar(), snag.url, 'alice@example.com', {}, evil);
      expect(result.status).toBe(302);
      expect(result.location).toBe('/');
    }
  });
});

describe('sessions expire', () => {
  let snag: RunningSnag;
  let idp: TestOidcProvider;
  const IDLE_S = 2;
  const MAX_AGE_S = 4;

  beforeAll(async () => {
    ({ snag, idp } = await startSnagWithOidc({
      ...ALLOWLIST,
      SNAG_SESSION_IDLE_TIMEOUT_SECONDS: String(IDLE_S),
      SNAG_SESSION_MAX_AGE_SECONDS: String(MAX_AGE_S),
      SNAG_LOGIN_RATE_LIMIT_PER_MINUTE: '5',
    }));
    for (const a of ACCOUNTS) idp.addAccount(a);
  });
  afterAll(async () => {
    await stopAndRemove(snag);
    await idp?.close();
  });

  it('after the idle timeout without requests', async () => {
    const jar = new CookieJar();
    await signIn(jar, snag.url, 'alice@example.com');
    expect((await jar.fetch(`${snag.url}/api/v1/projects`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000 + 500));
    expect((await jar.fetch(`${snag.url}/api/v1/projects`)).status).toBe(401);
  });

  it('at the absolute lifetime however active the session is', async () => {
    const jar = new CookieJar();
    const signedInAt = Date.now();
    await signIn(jar, snag.url, 'bob@corp.example');
    // Used every 400 ms: the idle timeout never hits, the absolute one does.
    const status = await waitFor(
      async () => {
        const s = (await jar.fetch(`${snag.url}/api/v1/projects`)).status;
        if (s === 200) await new Promise((r) => setTimeout(r, 400));
        return s === 401 ? s : null;
      },
      (MAX_AGE_S + 3) * 1000,
      'the session to reach its absolute lifetime',
    );
    expect(status).toBe(401);
    expect(Date.now() - signedInAt).toBeGreaterThanOrEqual(MAX_AGE_S * 1000 - 200);
  });

  it('rate limits sign-in requests per client address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${snag.url}/auth/login`, { redirect: 'manual' });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});

describe('misconfigured login', () => {
  let snag: RunningSnag;

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_OIDC_ISSUER: 'https://login.example.com' } });
  });
  afterAll(() => stopAndRemove(snag));

  it('answers 503 naming what is missing, and keeps ingest, /_health and /mcp working', async () => {
    const api = await fetch(`${snag.url}/api/v1/projects`);
    expect(api.status).toBe(503);
    const detail = ((await api.json()) as { detail: string }).detail;
    expect(detail).toMatch(/SNAG_OIDC_CLIENT_ID/);
    expect(detail).toMatch(/SNAG_OIDC_CLIENT_SECRET/);
    const ui = await fetch(`${snag.url}/`);
    expect(ui.status).toBe(503);
    expect(await ui.text()).toMatch(/SNAG_OIDC_CLIENT_ID/);

    expect((await fetch(`${snag.url}/_health`)).status).toBe(200);
    const ingest = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent()),
    );
    expect(ingest.status).toBe(200);
    // /mcp has its own auth: it answers 401 for a missing token, not the login's 503.
    const mcp = await fetch(`${snag.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(401);
  });
});

describe('open mode on a network address', () => {
  let snag: RunningSnag;

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_HOST: '0.0.0.0' } });
  });
  afterAll(() => stopAndRemove(snag));

  it('warns loudly at start and tells the UI to show a banner, changing nothing else', async () => {
    expect(snag.output()).toMatch(/SNAG IS OPEN TO THE NETWORK/);
    const info = (await (await fetch(`${snag.url}/api/v1/session`)).json()) as SessionInfo;
    expect(info).toMatchObject({ mode: 'open', user: null, csrf_token: null, login_url: null });
    expect(info.banner).toMatch(/without login/);
    expect((await fetch(`${snag.url}/api/v1/projects`)).status).toBe(200);
  });
});
