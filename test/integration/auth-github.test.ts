/**
 * GitHub login. GitHub itself cannot be reached from the test machines, so this runs against a
 * LOCAL STAND-IN of the GitHub endpoints Snag uses (authorize, access_token, /user, /user/emails,
 * /user/orgs), written from GitHub's documentation: it checks the client secret, the redirect URI
 * and the PKCE verifier as GitHub does, and answers token errors with 200 + `error` as GitHub does.
 * Snag reaches it through SNAG_GITHUB_URL / SNAG_GITHUB_API_URL, the GitHub Enterprise settings.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { startSnag, type RunningSnag } from '../helpers/snag.js';
import type { SessionInfo } from '../../src/api/types.js';

interface StandInUser {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
  orgs: string[];
}

const CLIENT_ID = 'Iv1.standin';
const CLIENT_SECRET = 'standin-secret';
const USERS: Record<string, StandInUser> = {
  octocat: {
    id: 583231,
    login: 'octocat',
    name: 'The Octocat',
    emails: [
      { email: 'old@other.example', primary: false, verified: true },
      { email: 'octo@corp.example', primary: true, verified: true },
    ],
    orgs: ['Acme'],
  },
  unverified: {
    id: 2,
    login: 'unverified',
    name: null,
    emails: [{ email: 'new@corp.example', primary: true, verified: false }],
    orgs: ['acme'],
  },
  outsider: {
    id: 3,
    login: 'outsider',
    name: null,
    emails: [{ email: 'out@corp.example', primary: true, verified: true }],
    orgs: ['other-org'],
  },
};

async function startGithubStandIn() {
  const codes = new Map<string, { user: StandInUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, StandInUser>();
  const state = { currentUser: 'octocat' };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url!, 'http://standin');
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/login/oauth/authorize') {
        const q = url.searchParams;
        if (q.get('client_id') !== CLIENT_ID || q.get('code_challenge_method') !== 'S256')
          return json(400, {});
        // The person is signed in to GitHub and has authorized the app already: straight back.
        const code = randomBytes(10).toString('hex');
        codes.set(code, {
          user: USERS[state.currentUser]!,
          challenge: q.get('code_challenge')!,
          redirectUri: q.get('redirect_uri')!,
        });
        const back = new URL(q.get('redirect_uri')!);
        back.search = new URLSearchParams({ code, state: q.get('state')! }).toString();
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += String(chunk);
        const f = new URLSearchParams(body);
        const grant = codes.get(f.get('code') ?? '');
        codes.delete(f.get('code') ?? '');
        if (f.get('client_id') !== CLIENT_ID || f.get('client_secret') !== CLIENT_SECRET) {
          return json(200, { error: 'incorrect_client_credentials' });
        }
        const verifier = f.get('code_verifier') ?? '';
        if (!grant || grant.redirectUri !== f.get('redirect_uri'))
          return json(200, { error: 'bad_verification_code' });
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return json(200, { error: 'bad_verification_code', error_description: 'PKCE verification failed' });
        }
        const token = `gho_${randomBytes(16).toString('hex')}`;
        tokens.set(token, grant.user);
        return json(200, {
          access_token: token,
          token_type: 'bearer',
          scope: 'read:org,read:user,user:email',
        });
      }
      const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!user) return json(401, { message: 'Bad credentials' });
      if (url.pathname === '/api/v3/user')
        return json(200, { id: user.id, login: user.login, name: user.name });
      if (url.pathname === '/api/v3/user/emails') return json(200, user.emails);
      if (url.pathname === '/api/v3/user/orgs')
        return json(
          200,
          user.orgs.map((login) => ({ login })),
        );
      return json(404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('login with GitHub (against a local stand-in of GitHub)', () => {
  let github: Awaited<ReturnType<typeof startGithubStandIn>>;
  let snag: RunningSnag;

  beforeAll(async () => {
    github = await startGithubStandIn();
    snag = await startSnag({
      env: {
        SNAG_GITHUB_CLIENT_ID: CLIENT_ID,
        SNAG_GITHUB_CLIENT_SECRET: CLIENT_SECRET,
        SNAG_GITHUB_URL: github.url,
        SNAG_GITHUB_API_URL: `${github.url}/api/v3`,
        SNAG_ALLOWED_GITHUB_ORGS: 'ACME',
        SNAG_ALLOWED_DOMAINS: 'corp.example',
      },
    });
  });
  afterAll(async () => {
    await stopAndRemove(snag);
    await github?.close();
  });

  async function signInAs(login: string, tamperState = false) {
    github.state.currentUser = login;
    const jar = new CookieJar();
    const hop = await jar.follow(`${snag.url}/auth/login?return_to=%2Fsettings`, (next) =>
      next.pathname.startsWith('/auth/callback'),
    );
    const callback = hop.next!;
    expect(callback.searchParams.get('code')).toBeTruthy();
    if (tamperState) callback.searchParams.set('state', 'forged');
    const done = await jar.fetch(callback.href);
    return { jar, status: done.status, location: done.headers.get('location'), body: await done.text() };
  }

  it('asks GitHub for the email and org scopes with PKCE', async () => {
    const start = await fetch(`${snag.url}/auth/login`, { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email read:org');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${snag.url}/auth/callback`);
  });

  it('signs in a member of an allowed org with a verified primary email', async () => {
    const { jar, status, location } = await signInAs('octocat');
    expect(status).toBe(302);
    expect(location).toBe('/settings');
    const me = (await (await jar.fetch(`${snag.url}/api/v1/session`)).json()) as SessionInfo;
    expect(me).toMatchObject({
      mode: 'github',
      provider_name: 'GitHub',
      user: { email: 'octo@corp.example', name: 'The Octocat', provider: 'github' },
    });
    expect((await jar.fetch(`${snag.url}/api/v1/projects`)).status).toBe(200);
  });

  it('refuses an unverified primary email', async () => {
    const { status, body } = await signInAs('unverified');
    expect(status).toBe(403);
    expect(body).toMatch(/not verified/);
  });

  it('refuses someone outside SNAG_ALLOWED_GITHUB_ORGS', async () => {
    const { status, body } = await signInAs('outsider');
    expect(status).toBe(403);
    expect(body).toMatch(/not a member of acme/);
  });

  it('refuses a callback whose state was changed', async () => {
    const { status, jar } = await signInAs('octocat', true);
    expect(status).toBe(400);
    expect(jar.get(snag.url, 'snag_session')).toBeUndefined();
  });
});
