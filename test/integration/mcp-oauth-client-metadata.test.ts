/**
 * Client ID metadata documents: the MCP client's client_id is an https URL serving its metadata,
 * so it needs no registration. The document is served here over real https by a local server with
 * a certificate made for the test (openssl); Snag trusts it through NODE_EXTRA_CA_CERTS, as an
 * operator would trust an internal CA. (The network here reaches only this machine, hence
 * localhost; Snag itself accepts https client IDs only.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpSettings } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { connectClient } from '../helpers/mcp.js';
import {
  approveOnConsentPage,
  authorizeUrl,
  newPkce,
  REDIRECT_URI,
  TestOAuthProvider,
} from '../helpers/mcp-oauth.js';
import { getJson, startSnag, type RunningSnag } from '../helpers/snag.js';

describe('MCP OAuth with a client ID metadata document', () => {
  let certDir: string;
  let docServer: https.Server;
  let docBase: string;
  let snag: RunningSnag;
  const documents = new Map<string, object>();

  beforeAll(async () => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-cimd-'));
    const cert = path.join(certDir, 'cert.pem');
    const key = path.join(certDir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    docServer = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
      const doc = documents.get(req.url ?? '');
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc ?? { error: 'not found' }));
    });
    await new Promise<void>((resolve) => docServer.listen(0, '127.0.0.1', resolve));
    docBase = `https://localhost:${(docServer.address() as AddressInfo).port}`;
    snag = await startSnag({ env: { NODE_EXTRA_CA_CERTS: cert } });
  });
  afterAll(async () => {
    await stopAndRemove(snag);
    await new Promise<void>((resolve) => docServer?.close(() => resolve()));
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  it('the SDK client uses its URL as client_id; Snag fetches the document and names the client from it', async () => {
    const clientId = `${docBase}/oauth/agent.json`;
    documents.set('/oauth/agent.json', {
      client_id: clientId,
      client_name: 'Metadata doc agent',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    const provider = new TestOAuthProvider({}, clientId);
    const mcpUrl = new URL('/mcp', snag.url);
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
    await expect(connectClient(first)).rejects.toThrow(UnauthorizedError);
    expect(provider.authorizationUrl!.searchParams.get('client_id')).toBe(clientId);

    const back = await approveOnConsentPage(provider.authorizationUrl!);
    await first.finishAuth(back.searchParams.get('code')!);
    const client = await connectClient(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    const status = (await client.callTool({ name: 'get_status', arguments: {} })) as CallToolResult;
    expect(status.isError ?? false).toBe(false);
    await client.close();

    const settings = await getJson<McpSettings>(`${snag.url}/api/v1/settings/mcp`);
    expect(settings.oauth_clients.find((c) => c.client_id === clientId)).toMatchObject({
      name: 'Metadata doc agent',
      source: 'metadata_document',
      active_grants: 1,
    });
  });

  it('refuses a document that names another client_id, or that is missing', async () => {
    const clientId = `${docBase}/oauth/liar.json`;
    documents.set('/oauth/liar.json', {
      client_id: 'https://someone-else.example/x',
      redirect_uris: [REDIRECT_URI],
    });
    const liar = await fetch(
      authorizeUrl(snag.url, { client_id: clientId, code_challenge: newPkce().challenge }),
      {
        redirect: 'manual',
      },
    );
    expect(liar.status).toBe(400);
    expect(await liar.text()).toContain('different client_id');

    const missing = await fetch(
      authorizeUrl(snag.url, {
        client_id: `${docBase}/oauth/none.json`,
        code_challenge: newPkce().challenge,
      }),
      { redirect: 'manual' },
    );
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('HTTP 404');
  });
});
