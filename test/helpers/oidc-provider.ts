/**
 * A real OpenID Connect provider for the login tests: `oidc-provider` (the certified Node.js
 * implementation) on a random loopback port, with one confidential client for Snag (PKCE required,
 * back-channel logout, RP-initiated logout), accounts the test adds, and a plain HTML sign-in form
 * (email only) standing in for the provider's own login page. Consent is skipped for the Snag
 * client, as a company IdP does for a first-party app. `tamper.idToken` rewrites the ID token in
 * token responses (as a compromised network path would) so tests can check Snag refuses it.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContext } from 'oidc-provider';
import { freePort, startSnag } from './snag.js';

export interface TestAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  addAccount(account: TestAccount): void;
  tamper: { idToken: boolean };
  /** Back-channel logout deliveries: [status, error message] as the provider saw them. */
  backchannel: { ok: number; failed: string[] };
  close(): Promise<void>;
}

export const TEST_CLIENT_ID = 'snag-test';
export const TEST_CLIENT_SECRET = 'snag-test-secret-0123456789abcdef';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid: string, error?: string): string {
  return `<!doctype html><html><head><title>Test IdP sign-in</title></head><body>
<h1>Test IdP</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Email <input name="email" type="email" autofocus></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/** Flips the last character of the payload: the signature no longer matches. */
function tamperJwt(jwt: string): string {
  const [h, p, s] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
  payload['email'] = 'mallory@evil.example';
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
}

/** `snagUrl`: Snag's public URL (callback, logout URIs are registered under it). */
export async function startOidcProvider(snagUrl: string): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccount>();
  const tamper = { idToken: false };
  const backchannel = { ok: 0, failed: [] as string[] };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_secret: TEST_CLIENT_SECRET,
        redirect_uris: [`${snagUrl}/auth/callback`],
        post_logout_redirect_uris: [`${snagUrl}/auth/logged-out`],
        backchannel_logout_uri: `${snagUrl}/auth/backchannel-logout`,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    // oidc-provider refuses to call loopback addresses (SSRF protection through its own undici
    // dispatcher); Snag runs on 127.0.0.1 here, so back-channel logout calls go out without it.
    fetch: (url: string, options: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ssrfGuard, ...rest } = options;
      return globalThis.fetch(url, rest);
    },
    cookies: { keys: ['test-cookie-key-not-secret'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Put email in the ID token itself, as Google, Okta and Auth0 do.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ ...account }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // First-party client: grant what it asks for without a consent screen.
    loadExistingGrant: async (ctx: KoaContext) => {
      const { client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session?.grantIdFor(client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: client!.clientId,
        accountId: session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  provider.on('backchannel.success', () => backchannel.ok++);
  provider.on('backchannel.error', (_ctx, err) => backchannel.failed.push((err as Error).message));
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (tamper.idToken && ctx.path === '/token' && body?.id_token) {
      ctx.body = { ...body, id_token: tamperJwt(body.id_token) };
    }
  });

  const handle = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const m = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url ?? '');
    if (!m) return handle(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (!m[2]) {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          return res.end(loginForm(details.uid));
        }
        const email = (await readForm(req)).get('email') ?? '';
        const account = [...accounts.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());
        if (!account) {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          return res.end(loginForm(details.uid, `No account ${email}`));
        }
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: account.sub } },
          {
            mergeWithLastSubmission: false,
          },
        );
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
    })();
  });

  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    addAccount: (a) => accounts.set(a.sub, a),
    tamper,
    backchannel,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A test provider and a Snag that signs in through it. Snag's port is picked first: the provider
 * registers Snag's callback URL, and Snag needs the provider's issuer, so neither can wait for the
 * other to start.
 */
export async function startSnagWithOidc(env: Record<string, string> = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const idp = await startOidcProvider(url);
  const snag = await startSnag({
    env: {
      SNAG_PORT: String(port),
      SNAG_OIDC_ISSUER: idp.issuer,
      SNAG_OIDC_CLIENT_ID: idp.clientId,
      SNAG_OIDC_CLIENT_SECRET: idp.clientSecret,
      SNAG_OIDC_PROVIDER_NAME: 'Test IdP',
      ...env,
    },
  });
  return { snag: { ...snag, url }, idp };
}
