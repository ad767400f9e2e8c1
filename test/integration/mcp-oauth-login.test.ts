/**
 * OAuth for MCP clients with login on: the human step is Snag's normal sign-in against a real
 * OpenID Connect provider (`oidc-provider`, test/helpers/oidc-provider.ts) followed by the consent
 * page. The MCP SDK client discovers, registers and gets its authorization URL; the browser part
 * (Snag → login → IdP form → callback → consent) runs over HTTP with a cookie jar. The grant
 * records the person, the client's status changes are audited under its name, and its token is
 * refused by the JSON API (another audience).
 */
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { connectClient } from '../helpers/mcp.js';
import {
  authorizeUrl,
  consentFields,
  newPkce,
  registerClient,
  submitConsent,
  TestOAuthProvider,
} from '../helpers/mcp-oauth.js';
import { startSnagWithOidc, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { waitForDigest, type RunningSnag } from '../helpers/snag.js';

const EMAIL = 'ada@example.com';

/** From Snag's authorize URL through the IdP's sign-in form back to Snag's consent page. */
async function signInToConsent(
  jar: CookieJar,
  authorizationUrl: URL,
  idp: TestOidcProvider,
): Promise<string> {
  const toLogin = await jar.follow(authorizationUrl.href);
  expect(toLogin.url.startsWith(`${idp.issuer}/interaction/`), toLogin.url).toBe(true);
  await toLogin.response.text();
  const posted = await jar.fetch(`${toLogin.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: EMAIL }),
  });
  const back = await jar.follow(new URL(posted.headers.get('location')!, toLogin.url).href);
  expect(back.url.startsWith(`${authorizationUrl.origin}/oauth/authorize?`), back.url).toBe(true);
  expect(back.response.status).toBe(200);
  return back.response.text();
}

describe('MCP OAuth through the OIDC login', () => {
  let snag: RunningSnag;
  let idp: TestOidcProvider;

  beforeAll(async () => {
    ({ snag, idp } = await startSnagWithOidc({ SNAG_ALLOWED_USERS: EMAIL }));
    idp.addAccount({ sub: 'ada', email: EMAIL, email_verified: true, name: 'Ada Lovelace' });
    const ingest = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent()),
    );
    expect(ingest.status).toBe(200);
    await waitForDigest(snag, 1);
  });
  afterAll(async () => {
    await stopAndRemove(snag);
    await idp?.close();
  });

  it('without a session the consent page sends the browser to the login, and refuses a bare POST', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const url = authorizeUrl(snag.url, { client_id: clientId, code_challenge: newPkce().challenge });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const login = new URL(res.headers.get('location')!, snag.url);
    expect(login.pathname).toBe('/auth/login');
    expect(login.searchParams.get('return_to')).toBe(url.pathname + url.search);

    const post = await submitConsent(
      new CookieJar(),
      snag.url,
      { client_id: clientId, csrf: 'x' },
      'approve',
    );
    expect(post.status).toBe(403);
  });

  it('discover, register, sign in, consent, exchange, call tools; the token is for /mcp only', async () => {
    const provider = new TestOAuthProvider();
    const mcpUrl = new URL('/mcp', snag.url);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(connectClient(first)).rejects.toThrow(UnauthorizedError);

    const jar = new CookieJar();
    const html = await signInToConsent(jar, provider.authorizationUrl!, idp);
    expect(html).toContain('Snag test agent');
    expect(html).toContain(`Ada Lovelace &#60;${EMAIL}&#62;`);
    const answer = await submitConsent(jar, snag.url, consentFields(html), 'approve');
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe(provider.lastState);
    await first.finishAuth(back.searchParams.get('code')!);

    const client = await connectClient(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    const recent = (await client.callTool({ name: 'list_recent_issues', arguments: {} })) as CallToolResult;
    const issueId = (recent.structuredContent as { issues: { id: number }[] }).issues[0]!.id;
    const resolved = (await client.callTool({
      name: 'resolve_issue',
      arguments: { issue_id: issueId },
    })) as CallToolResult;
    expect(resolved.isError ?? false).toBe(false);
    const issue = (await client.callTool({
      name: 'get_issue',
      arguments: { issue_id: issueId },
    })) as CallToolResult;
    const changes = (issue.structuredContent as { status_changes: { actor: string }[] }).status_changes;
    expect(changes.at(-1)!.actor).toBe('oauth:Snag test agent');
    await client.close();

    const api = await fetch(`${snag.url}/api/v1/projects`, {
      headers: { authorization: `Bearer ${provider.tokens()!.access_token}` },
    });
    expect(api.status).toBe(401);
    expect(((await api.json()) as { detail: string }).detail).toContain('/mcp only');
  });
});
