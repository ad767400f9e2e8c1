/**
 * OAuth for MCP clients against a real Snag in open mode on a loopback bind (the consent page alone
 * is the human step there). The MCP SDK's own client-side OAuth (`authProvider` on the Streamable
 * HTTP transport) discovers, registers, is sent to the consent page (answered over HTTP with a
 * cookie jar, as the browser would), exchanges the code and calls tools. Hand-made requests then
 * check what a well-behaved SDK never sends: missing PKCE, a wrong verifier, a foreign resource, a
 * replayed code or refresh token, revoked and wrong-audience tokens.
 */
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpSettings } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { connectClient } from '../helpers/mcp.js';
import {
  approveOnConsentPage,
  authorizeUrl,
  consentFields,
  grantByHand,
  newPkce,
  postInitialize,
  postToken,
  REDIRECT_URI,
  registerClient,
  submitConsent,
  TestOAuthProvider,
} from '../helpers/mcp-oauth.js';
import { getJson, startSnag, type RunningSnag } from '../helpers/snag.js';

const bearer = (token: string) => `Bearer ${token}`;

describe('MCP OAuth in open mode on a loopback bind', () => {
  let snag: RunningSnag;

  beforeAll(async () => {
    snag = await startSnag();
  });
  afterAll(async () => {
    await stopAndRemove(snag);
  });

  it('a 401 from /mcp names the resource metadata, which names Snag as the authorization server', async () => {
    const res = await postInitialize(snag.url);
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer /);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1]!;
    expect(metadataUrl).toBe(`${snag.url}/.well-known/oauth-protected-resource/mcp`);

    const prm = await getJson<{
      resource: string;
      authorization_servers: string[];
      scopes_supported: string[];
    }>(metadataUrl);
    expect(prm).toMatchObject({ resource: `${snag.url}/mcp`, authorization_servers: [snag.url] });
    expect(prm.scopes_supported).toEqual(['read', 'write']);
    expect(await getJson(`${snag.url}/.well-known/oauth-protected-resource`)).toEqual(prm);

    const as = await getJson<Record<string, unknown>>(`${snag.url}/.well-known/oauth-authorization-server`);
    expect(as).toMatchObject({
      issuer: snag.url,
      authorization_endpoint: `${snag.url}/oauth/authorize`,
      token_endpoint: `${snag.url}/oauth/token`,
      registration_endpoint: `${snag.url}/oauth/register`,
      revocation_endpoint: `${snag.url}/oauth/revoke`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      client_id_metadata_document_supported: true,
    });
  });

  it('the SDK client discovers, registers, is approved, exchanges the code and calls tools', async () => {
    const provider = new TestOAuthProvider();
    const mcpUrl = new URL('/mcp', snag.url);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(connectClient(first)).rejects.toThrow(UnauthorizedError);

    const authUrl = provider.authorizationUrl!;
    expect(authUrl.origin + authUrl.pathname).toBe(`${snag.url}/oauth/authorize`);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('resource')).toBe(`${snag.url}/mcp`);
    expect(authUrl.searchParams.get('client_id')).toBe(provider.clientInformation()!.client_id);

    const back = await approveOnConsentPage(authUrl);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe(provider.lastState);
    expect(back.searchParams.get('iss')).toBe(snag.url);
    await first.finishAuth(back.searchParams.get('code')!);

    const tokens = provider.tokens()!;
    expect(tokens.access_token).toMatch(/^snag_at_/);
    expect(tokens.refresh_token).toMatch(/^snag_rt_/);
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope).toBe('read write');

    const client = await connectClient(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    const projects = (await client.callTool({ name: 'list_projects', arguments: {} })) as CallToolResult;
    expect(projects.isError ?? false).toBe(false);
    expect(JSON.stringify(projects.structuredContent)).toContain('"slug":"default"');
    // Write scope granted: the call reaches the tool, which answers that the issue does not exist.
    const resolve = (await client.callTool({
      name: 'resolve_issue',
      arguments: { issue_id: 987654 },
    })) as CallToolResult;
    expect(resolve.isError).toBe(true);
    await client.close();

    const settings = await getJson<McpSettings>(`${snag.url}/api/v1/settings/mcp`);
    expect(settings.oauth.available).toBe(true);
    const listed = settings.oauth_clients.find(
      (c) => c.client_id === provider.clientInformation()!.client_id,
    );
    expect(listed).toMatchObject({
      name: 'Snag test agent',
      redirect_uris: [REDIRECT_URI],
      active_grants: 1,
    });
    expect(listed!.last_used_at).not.toBeNull();
  });

  it('the consent page names the client and scopes, cannot be framed, and honours Deny', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const url = authorizeUrl(snag.url, {
      client_id: clientId,
      code_challenge: newPkce().challenge,
      scope: 'read',
    });
    const jar = new CookieJar();
    const page = await jar.fetch(url.href);
    const html = await page.text();
    expect(html).toContain('Hand-made client');
    expect(html).toContain('Read issues, events');
    expect(html).not.toContain('Resolve, ignore and reopen');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');

    const denied = await submitConsent(jar, snag.url, consentFields(html), 'deny');
    expect(denied.status).toBe(303);
    const back = new URL(denied.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-123');
  });

  it('refuses an approval without the consent page’s CSRF cookie, or from another site', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const url = authorizeUrl(snag.url, { client_id: clientId, code_challenge: newPkce().challenge });
    const jar = new CookieJar();
    const fields = consentFields(await (await jar.fetch(url.href)).text());

    const noCookie = await submitConsent(new CookieJar(), snag.url, fields, 'approve');
    expect(noCookie.status).toBe(403);
    const forged = await submitConsent(jar, snag.url, { ...fields, csrf: 'x'.repeat(43) }, 'approve');
    expect(forged.status).toBe(403);
    const crossSite = await jar.fetch(`${snag.url}/oauth/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ ...fields, decision: 'approve' }),
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('location')).toBeNull();
  });

  it('requires PKCE S256 and a resource of this server; unknown clients and redirects are shown, never followed', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const { challenge } = newPkce();

    const noPkce = await fetch(authorizeUrl(snag.url, { client_id: clientId }), { redirect: 'manual' });
    expect(noPkce.status).toBe(302);
    const noPkceBack = new URL(noPkce.headers.get('location')!);
    expect(noPkceBack.searchParams.get('error')).toBe('invalid_request');
    expect(noPkceBack.searchParams.get('state')).toBe('st-123');

    const plain = await fetch(
      authorizeUrl(snag.url, {
        client_id: clientId,
        code_challenge: challenge,
        code_challenge_method: 'plain',
      }),
      { redirect: 'manual' },
    );
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');

    const foreign = await fetch(
      authorizeUrl(snag.url, {
        client_id: clientId,
        code_challenge: challenge,
        resource: 'https://other.example/mcp',
      }),
      { redirect: 'manual' },
    );
    expect(new URL(foreign.headers.get('location')!).searchParams.get('error')).toBe('invalid_target');

    const unknownClient = await fetch(
      authorizeUrl(snag.url, { client_id: 'mcp_nope', code_challenge: challenge }),
      {
        redirect: 'manual',
      },
    );
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.headers.get('location')).toBeNull();

    const otherRedirect = await fetch(
      authorizeUrl(snag.url, {
        client_id: clientId,
        code_challenge: challenge,
        redirect_uri: 'https://evil.example/cb',
      }),
      { redirect: 'manual' },
    );
    expect(otherRedirect.status).toBe(400);
    expect(otherRedirect.headers.get('location')).toBeNull();
  });

  it('loopback redirect URIs match on any port (RFC 8252 §7.3)', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const url = authorizeUrl(snag.url, {
      client_id: clientId,
      code_challenge: newPkce().challenge,
      redirect_uri: 'http://127.0.0.1:49152/callback',
    });
    const back = await approveOnConsentPage(url);
    expect(back.origin).toBe('http://127.0.0.1:49152');
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('a code needs its verifier, is used once, and a replay revokes what it gave', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const { verifier, challenge } = newPkce();
    const back = await approveOnConsentPage(
      authorizeUrl(snag.url, { client_id: clientId, code_challenge: challenge }),
    );
    const code = back.searchParams.get('code')!;
    const exchange = (params: Record<string, string>) =>
      postToken(snag.url, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
        client_id: clientId,
        ...params,
      });

    const wrongVerifier = await exchange({ code_verifier: newPkce().verifier });
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({ resource: 'https://other.example/mcp' })).status).toBe(400);

    const ok = await exchange({});
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const tokens = (await ok.json()) as { access_token: string };
    expect((await postInitialize(snag.url, bearer(tokens.access_token))).status).toBe(200);

    const replay = await exchange({});
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    const after = await postInitialize(snag.url, bearer(tokens.access_token));
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refresh tokens rotate; presenting a used one revokes the whole grant', async () => {
    const { clientId, tokens } = await grantByHand(snag.url);
    const refresh = (token: string) =>
      postToken(snag.url, { grant_type: 'refresh_token', refresh_token: token, client_id: clientId });

    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    expect((await postInitialize(snag.url, bearer(second.access_token))).status).toBe(200);

    const reuse = await refresh(tokens.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    // The thief's replay cost the legitimate holder too: every token of the grant is dead.
    expect((await postInitialize(snag.url, bearer(second.access_token))).status).toBe(401);
    expect((await postInitialize(snag.url, bearer(tokens.access_token))).status).toBe(401);
    expect((await refresh(second.refresh_token)).status).toBe(400);
  });

  it('revocation (RFC 7009) and Settings → revoke stop a client’s tokens at once', async () => {
    const a = await grantByHand(snag.url);
    const revoke = await fetch(`${snag.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: a.tokens.refresh_token, client_id: a.clientId }),
    });
    expect(revoke.status).toBe(200);
    const refused = await postInitialize(snag.url, bearer(a.tokens.access_token));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('revoked');

    const b = await grantByHand(snag.url);
    expect((await postInitialize(snag.url, bearer(b.tokens.access_token))).status).toBe(200);
    const settings = await getJson<McpSettings>(`${snag.url}/api/v1/settings/mcp`);
    const row = settings.oauth_clients.find((c) => c.client_id === b.clientId)!;
    expect(row.active_grants).toBe(1);
    const del = await fetch(`${snag.url}/api/v1/settings/mcp/clients/${row.id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect((await postInitialize(snag.url, bearer(b.tokens.access_token))).status).toBe(401);
    const after = await getJson<McpSettings>(`${snag.url}/api/v1/settings/mcp`);
    expect(after.oauth_clients.map((c) => c.client_id)).not.toContain(b.clientId);
    // A revoked registration cannot start over: the client must register anew (and be approved).
    const again = await fetch(
      authorizeUrl(snag.url, { client_id: b.clientId, code_challenge: newPkce().challenge }),
      {
        redirect: 'manual',
      },
    );
    expect(again.status).toBe(400);
  });

  it('a read-only grant is refused write tools with 403 insufficient_scope', async () => {
    const { tokens } = await grantByHand(snag.url, { scope: 'read' });
    expect(tokens.scope).toBe('read');
    const call = (name: string, args: Record<string, unknown>) =>
      fetch(`${snag.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: bearer(tokens.access_token),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name, arguments: args },
        }),
      });
    const write = await call('resolve_issue', { issue_id: 1 });
    expect(write.status).toBe(403);
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect((await call('list_projects', {})).status).toBe(200);
  });

  it('registration accepts https and loopback redirect URIs only', async () => {
    const bad = await registerClient(snag.url, { redirect_uris: ['http://evil.example/cb'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    expect((await registerClient(snag.url, { redirect_uris: ['https://app.example/cb#frag'] })).status).toBe(
      400,
    );
    const good = await registerClient(snag.url, {
      redirect_uris: ['https://app.example/cb', 'http://[::1]/cb'],
    });
    expect(good.status).toBe(201);
    expect(await good.json()).toMatchObject({ token_endpoint_auth_method: 'none' });
  });

  it('a token bound to another resource is refused: the same data dir served at a new address', async () => {
    const { clientId, tokens } = await grantByHand(snag.url);
    expect((await postInitialize(snag.url, bearer(tokens.access_token))).status).toBe(200);
    await stopAndRemove(snag, { keepData: true });
    // A new port: the public URL, and so the MCP resource, is another one.
    snag = await startSnag({ dataDir: snag.dataDir });
    const res = await postInitialize(snag.url, bearer(tokens.access_token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('for another resource');
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'another resource',
    );
    const refresh = await postToken(snag.url, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
    });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_target' });
  });
});

describe('MCP OAuth in open mode on a network address', () => {
  let snag: RunningSnag;
  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_HOST: '0.0.0.0' } });
  });
  afterAll(async () => {
    await stopAndRemove(snag);
  });

  it('refuses the consent step and says to turn on login', async () => {
    const { client_id: clientId } = (await (await registerClient(snag.url)).json()) as { client_id: string };
    const res = await fetch(
      authorizeUrl(snag.url, { client_id: clientId, code_challenge: newPkce().challenge }),
      {
        redirect: 'manual',
      },
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Turn on login');
    const settings = await getJson<McpSettings>(`${snag.url}/api/v1/settings/mcp`);
    expect(settings.oauth.available).toBe(false);
  });
});
