/**
 * The client side of MCP OAuth for tests: an OAuthClientProvider as an agent implements it (kept in
 * memory; a real agent keeps it on disk), the person on Snag's consent page driven over plain HTTP
 * with a cookie jar (no script on that page, so a form post is exactly what a browser sends), and
 * hand-made PKCE requests for the cases the SDK would never send.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { expect } from 'vitest';
import { CookieJar } from './cookie-jar.js';

/** Where the agent's loopback listener would be: the code arrives in the redirect's Location. */
export const REDIRECT_URI = 'http://127.0.0.1:33418/callback';

export class TestOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  lastState: string | undefined;
  private info: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier: string | undefined;

  constructor(
    private readonly metadata: Partial<OAuthClientMetadata> = {},
    readonly clientMetadataUrl?: string,
  ) {}

  get redirectUrl(): string {
    return REDIRECT_URI;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Snag test agent',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...this.metadata,
    };
  }

  state(): string {
    return (this.lastState = randomBytes(16).toString('hex'));
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
}

const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The hidden fields of the consent form, as a browser would submit them. */
export function consentFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[unescapeHtml(m[1]!)] = unescapeHtml(m[2]!);
  return fields;
}

/** Posts the consent form (Allow or Deny) the way the browser does: same origin, the jar's cookies. */
export async function submitConsent(
  jar: CookieJar,
  snagUrl: string,
  fields: Record<string, string>,
  decision: 'approve' | 'deny',
): Promise<Response> {
  return jar.fetch(`${snagUrl}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: snagUrl },
    body: new URLSearchParams({ ...fields, decision }),
  });
}

/**
 * Open mode on loopback: the consent page alone. Returns the URL the browser is sent back to
 * (the client's redirect URI with `code` and `state`, or an `error`).
 */
export async function approveOnConsentPage(
  authorizationUrl: URL,
  decision: 'approve' | 'deny' = 'approve',
  jar = new CookieJar(),
): Promise<URL> {
  const page = await jar.fetch(authorizationUrl.href);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const res = await submitConsent(jar, authorizationUrl.origin, consentFields(html), decision);
  expect(res.status, await res.clone().text()).toBe(303);
  return new URL(res.headers.get('location')!);
}

export function newPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function registerClient(snagUrl: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${snagUrl}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Hand-made client',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      ...body,
    }),
  });
}

export function authorizeUrl(snagUrl: string, params: Record<string, string | undefined>): URL {
  const url = new URL('/oauth/authorize', snagUrl);
  const all: Record<string, string | undefined> = {
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    code_challenge_method: 'S256',
    resource: `${snagUrl}/mcp`,
    state: 'st-123',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

export async function postToken(snagUrl: string, params: Record<string, string>): Promise<Response> {
  return fetch(`${snagUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

/** Register, approve and exchange by hand: a fresh grant for the tests that then abuse it. */
export async function grantByHand(
  snagUrl: string,
  options: { scope?: string } = {},
): Promise<{ clientId: string; tokens: Tokens }> {
  const { client_id: clientId } = (await (await registerClient(snagUrl)).json()) as { client_id: string };
  const { verifier, challenge } = newPkce();
  const back = await approveOnConsentPage(
    authorizeUrl(snagUrl, { client_id: clientId, code_challenge: challenge, scope: options.scope }),
  );
  const res = await postToken(snagUrl, {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
    client_id: clientId,
    resource: `${snagUrl}/mcp`,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return { clientId, tokens: (await res.json()) as Tokens };
}

/** An MCP initialize request, to see how /mcp answers a given Authorization header. */
export function postInitialize(snagUrl: string, authorization?: string): Promise<Response> {
  return fetch(`${snagUrl}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '0' } },
    }),
  });
}
