/**
 * The BearerVerifier over real stores (app.db in a temp dir): every kind of token, each refusal
 * reason, the audiences, and the OAuth service's code, refresh and revocation rules with a clock
 * the test controls.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBearerVerifier, type BearerVerifier } from '../../../src/auth/bearer.js';
import { createProjectService } from '../../../src/domain/projects/service.js';
import { OAuthError } from '../../../src/domain/tokens/oauth-error.js';
import {
  ACCESS_TOKEN_TTL_MS,
  createOAuthService,
  type OAuthService,
  type TokenResponse,
} from '../../../src/domain/tokens/oauth-service.js';
import { createTokenService, type TokenService } from '../../../src/domain/tokens/service.js';
import { migrateAll, openStorage, type Storage } from '../../../src/storage/index.js';

const RESOURCE = 'http://127.0.0.1:8000/mcp';
const REDIRECT = 'http://127.0.0.1:33418/callback';
const ENV_TOKEN = randomBytes(32).toString('hex');

let dir: string;
let storage: Storage;
let tokens: TokenService;
let oauth: OAuthService;
let resource: string;
let verifier: BearerVerifier;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-tokens-'));
  migrateAll(dir);
  storage = openStorage(dir);
  const projects = createProjectService(storage.app, 'http://127.0.0.1:8000');
  projects.ensureDefaultProject('default');
  tokens = createTokenService(storage.tokens, projects);
  oauth = createOAuthService(storage.oauth);
  resource = RESOURCE;
  verifier = createBearerVerifier({ envToken: ENV_TOKEN, tokens, oauth, mcpResource: () => resource });
});
afterEach(() => {
  storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function pkce() {
  const v = randomBytes(32).toString('base64url');
  return { verifier: v, challenge: createHash('sha256').update(v).digest('base64url') };
}

/** Registration, consent and code exchange, as the routes drive them. */
function grant(scope = 'read write', now = Date.now()): { clientId: string; tokens: TokenResponse } {
  const { client_id: clientId } = oauth.registerClient(
    { client_name: 'Agent', redirect_uris: [REDIRECT] },
    now,
  );
  const { verifier: v, challenge } = pkce();
  const params = {
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope,
  };
  const req = oauth.checkAuthorization(params, oauth.checkClient(params), RESOURCE);
  const code = oauth.issueCode(req, 7, now);
  const t = oauth.exchangeToken(
    { grant_type: 'authorization_code', code, code_verifier: v, client_id: clientId, redirect_uri: REDIRECT },
    RESOURCE,
    now,
  );
  return { clientId, tokens: t };
}

const refusal = (fn: () => unknown): OAuthError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof OAuthError) return err;
    throw err;
  }
  throw new Error('no OAuthError');
};

describe('BearerVerifier', () => {
  it('needs a Bearer header', () => {
    expect(verifier.verify(undefined, 'api')).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifier.verify('Basic abc', 'mcp')).toMatchObject({ ok: false, reason: 'missing' });
    expect(verifier.verify('Bearer snag_nope', 'mcp')).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('SNAG_MCP_TOKEN has full access on both audiences', () => {
    expect(verifier.verify(`Bearer ${ENV_TOKEN}`, 'api')).toMatchObject({
      ok: true,
      caller: { actor: 'token:SNAG_MCP_TOKEN', scopes: ['read', 'write', 'admin'], projectId: null },
    });
    expect(verifier.verify(`Bearer ${ENV_TOKEN}`, 'mcp')).toMatchObject({
      ok: true,
      caller: { actor: 'mcp:SNAG_MCP_TOKEN' },
    });
  });

  it('minted tokens carry their scopes, project and creator; actors keep the mcp: prefix on /mcp', () => {
    const t = tokens.createToken('ci', { scopes: 'read', project: 'default', userId: 3 });
    expect(verifier.verify(`Bearer ${t.token}`, 'api')).toEqual({
      ok: true,
      caller: {
        kind: 'token',
        tokenId: t.id,
        actor: 'token:ci',
        scopes: ['read'],
        projectId: t.project!.id,
        userId: 3,
      },
    });
    // MCP tools reach every project: a project token would escape its project there.
    expect(verifier.verify(`Bearer ${t.token}`, 'mcp')).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    });
    const agent = tokens.createToken('agent');
    expect(verifier.verify(`Bearer ${agent.token}`, 'mcp')).toMatchObject({
      ok: true,
      caller: { actor: 'mcp:agent', scopes: ['read', 'write'] },
    });
  });

  it('says whether a minted token expired or was revoked', () => {
    const now = Date.now();
    const t = tokens.createToken('short', { lifetimeMs: 60_000 }, now - 120_000);
    expect(verifier.verify(`Bearer ${t.token}`, 'api')).toMatchObject({ ok: false, reason: 'expired' });
    const r = tokens.createToken('gone');
    tokens.revokeTokenById(r.id);
    expect(verifier.verify(`Bearer ${r.token}`, 'api')).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('OAuth access tokens work on /mcp only, and only for the resource they were issued for', () => {
    const { tokens: t } = grant();
    expect(verifier.verify(`Bearer ${t.access_token}`, 'mcp')).toMatchObject({
      ok: true,
      caller: { actor: 'oauth:Agent', scopes: ['read', 'write'], userId: 7, projectId: null },
    });
    expect(verifier.verify(`Bearer ${t.access_token}`, 'api')).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    });
    resource = 'https://snag.example.com/mcp';
    expect(verifier.verify(`Bearer ${t.access_token}`, 'mcp')).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    });
    // A refresh token is not an access token.
    resource = RESOURCE;
    expect(verifier.verify(`Bearer ${t.refresh_token}`, 'mcp')).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });
});

describe('OAuth service', () => {
  it('access tokens expire after an hour', () => {
    const issued = Date.now() - ACCESS_TOKEN_TTL_MS - 1;
    const { tokens: t } = grant('read write', issued);
    expect(oauth.checkAccessToken(t.access_token, RESOURCE)).toEqual({ ok: false, reason: 'expired' });
  });

  it('a read-only request gets read; write brings read; unknown scopes are dropped', () => {
    expect(grant('read').tokens.scope).toBe('read');
    expect(grant('write').tokens.scope).toBe('read write');
    expect(grant('openid read').tokens.scope).toBe('read');
    expect(refusal(() => grant('admin')).error).toBe('invalid_scope');
  });

  it('refresh rotates; reuse of a rotated token revokes the grant; a refresh cannot widen it', () => {
    const { clientId, tokens: first } = grant('read');
    const refresh = (rt: string, extra: Record<string, string> = {}) =>
      oauth.exchangeToken(
        { grant_type: 'refresh_token', refresh_token: rt, client_id: clientId, ...extra },
        RESOURCE,
      );
    expect(refusal(() => refresh(first.refresh_token, { scope: 'read write' })).error).toBe('invalid_scope');
    const second = refresh(first.refresh_token);
    expect(second.scope).toBe('read');
    expect(oauth.checkAccessToken(second.access_token, RESOURCE).ok).toBe(true);
    expect(refusal(() => refresh(first.refresh_token)).description).toContain('already used');
    expect(oauth.checkAccessToken(second.access_token, RESOURCE)).toEqual({ ok: false, reason: 'revoked' });
    expect(refusal(() => refresh(second.refresh_token)).error).toBe('invalid_grant');
  });

  it('refuses a refresh token presented by another client', () => {
    const a = grant();
    const b = grant();
    const err = refusal(() =>
      oauth.exchangeToken(
        { grant_type: 'refresh_token', refresh_token: a.tokens.refresh_token, client_id: b.clientId },
        RESOURCE,
      ),
    );
    expect(err.error).toBe('invalid_grant');
    expect(oauth.checkAccessToken(a.tokens.access_token, RESOURCE).ok).toBe(true);
  });

  it('an expired code is refused', () => {
    const { client_id: clientId } = oauth.registerClient({ redirect_uris: [REDIRECT] });
    const { verifier: v, challenge } = pkce();
    const params = {
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const code = oauth.issueCode(
      oauth.checkAuthorization(params, oauth.checkClient(params), RESOURCE),
      null,
      Date.now() - 120_000,
    );
    const err = refusal(() =>
      oauth.exchangeToken(
        { grant_type: 'authorization_code', code, code_verifier: v, client_id: clientId },
        RESOURCE,
      ),
    );
    expect(err.description).toContain('expired');
  });

  it('accepts a matching client ID metadata document and refuses one naming another client_id', () => {
    const url = 'https://agent.example/oauth/client.json';
    const client = oauth.acceptMetadataDocument(url, {
      client_id: url,
      client_name: 'Doc agent',
      redirect_uris: [REDIRECT],
    });
    expect(client).toMatchObject({ client_id: url, name: 'Doc agent', source: 'metadata_document' });
    expect(
      refusal(() =>
        oauth.acceptMetadataDocument(url, { client_id: 'https://evil.example/x', redirect_uris: [REDIRECT] }),
      ).error,
    ).toBe('invalid_client');
    expect(
      refusal(() =>
        oauth.acceptMetadataDocument(url, {
          client_id: url,
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'private_key_jwt',
        }),
      ).description,
    ).toContain('public clients only');
  });
});
