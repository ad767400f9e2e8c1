/**
 * Snag as the OAuth 2.1 authorization server of its own /mcp (the MCP authorization spec):
 * authorization requests checked in two steps (who the client is and where the code may go — a
 * failure there is shown, never redirected; then the rest, whose failures go back to the client),
 * one-time codes bound to a PKCE challenge and a resource (RFC 8707), short-lived access tokens and
 * rotating refresh tokens. A grant is one consent and the chain of refresh tokens descending from
 * it: presenting a refresh token that was already rotated, or a code already exchanged, means it
 * leaked, and the whole grant is revoked (OAuth 2.1 §4.3.1, RFC 6749 §4.1.2).
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClient, OAuthGrant, OAuthStore } from '../../storage/index.js';
import { createClientRegistry } from './oauth-clients.js';
import { OAuthError } from './oauth-error.js';
import { isCodeChallenge, verifyPkce } from './pkce.js';
import { matchRedirectUri } from './redirect-uris.js';
import { hashToken } from './service.js';
import type { OAuthClientView, TokenScope } from './views.js';

/** ms: short, so a leaked access token is worth little; the refresh token renews it silently. */
export const ACCESS_TOKEN_TTL_MS = 60 * 60_000;
/** ms: an agent unused for a month authorizes again. Each rotation starts a new 30 days. */
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
/** ms: a code travels in one redirect; OAuth 2.1 §4.1.2 recommends at most 10 minutes. */
const CODE_TTL_MS = 60_000;
/** ms: expired rows stay this long so a late caller hears "expired" rather than "unknown". */
const EXPIRED_ROW_GRACE_MS = 86_400_000;
/** ms: last-use times are rewritten at most this often. */
const TOUCH_INTERVAL_MS = 60_000;
const TOKEN_RANDOM_BYTES = 32;
export const ACCESS_TOKEN_PREFIX = 'snag_at_';
const REFRESH_TOKEN_PREFIX = 'snag_rt_';

/** MCP clients get read and write; admin (settings, tokens) is not offered over OAuth. */
export const OAUTH_SCOPES: readonly TokenScope[] = ['read', 'write'];

export interface AuthorizationRequest {
  client: OAuthClient;
  redirectUri: string;
  state: string | undefined;
  scopes: TokenScope[];
  codeChallenge: string;
  resource: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export type AccessCheck =
  | { ok: true; grant: OAuthGrant; clientName: string; scopes: TokenScope[] }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'wrong_audience' };

type Params = Record<string, string | undefined>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const newSecret = (prefix = '') => prefix + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url');

/** RFC 8707 resource indicators compared as parsed URLs, a trailing slash aside. */
export function normalizeResource(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.hash !== '') return undefined;
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return undefined;
  }
}

function parseRequestedScopes(raw: string | undefined): TokenScope[] {
  if (raw === undefined || raw.trim() === '') return [...OAUTH_SCOPES];
  // RFC 6749 §3.3 lets the server grant less than asked: scopes of other servers are dropped.
  const granted = OAUTH_SCOPES.filter((s) => raw.split(/\s+/).includes(s));
  if (granted.length === 0)
    throw new OAuthError(
      'invalid_scope',
      `Snag offers the scopes ${OAUTH_SCOPES.join(' and ')}; none was asked for.`,
    );
  // write without read would be a token that can resolve an issue it cannot see.
  return granted.includes('write') ? [...OAUTH_SCOPES] : granted;
}

export function createOAuthService(store: OAuthStore) {
  const clients = createClientRegistry(store);
  const listClients = listClientsOf(store);

  /**
   * One write transaction in which a refusal (OAuthError) still commits what was written before
   * it: the revocation of a grant whose code or refresh token was replayed must outlive the refusal.
   */
  function decide<T>(fn: () => T): T {
    const outcome = store.inTransaction((): { value: T } | { refusal: OAuthError } => {
      try {
        return { value: fn() };
      } catch (err) {
        if (err instanceof OAuthError) return { refusal: err };
        throw err;
      }
    });
    if ('refusal' in outcome) throw outcome.refusal;
    return outcome.value;
  }

  function issueTokens(grant: OAuthGrant, now: number): TokenResponse {
    const access = newSecret(ACCESS_TOKEN_PREFIX);
    const refresh = newSecret(REFRESH_TOKEN_PREFIX);
    store.insertToken({
      token_hash: hashToken(access),
      grant_id: grant.id,
      kind: 'access',
      created_at: now,
      expires_at: now + ACCESS_TOKEN_TTL_MS,
    });
    store.insertToken({
      token_hash: hashToken(refresh),
      grant_id: grant.id,
      kind: 'refresh',
      created_at: now,
      expires_at: now + REFRESH_TOKEN_TTL_MS,
    });
    store.touchClient(grant.client_id, now);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_MS / 1000,
      refresh_token: refresh,
      scope: grant.scopes,
    };
  }

  function requireClientId(params: Params): string {
    const clientId = params['client_id'];
    if (!clientId)
      throw new OAuthError(
        'invalid_request',
        'client_id is required: Snag issues public clients only, which name themselves.',
      );
    return clientId;
  }

  function exchangeCode(params: Params, resource: string, now: number): TokenResponse {
    const clientId = requireClientId(params);
    const code = params['code'];
    const verifier = params['code_verifier'];
    if (!code || !verifier)
      throw new OAuthError('invalid_request', 'code and code_verifier are required (PKCE is mandatory).');
    return decide(() => {
      const row = store.findCode(hashToken(code));
      if (!row || row.expires_at <= now)
        throw new OAuthError(
          'invalid_grant',
          'The authorization code is unknown or expired: authorize again.',
        );
      if (row.grant_id !== null) {
        store.revokeGrant(row.grant_id, now, 'authorization code used twice');
        throw new OAuthError(
          'invalid_grant',
          'The authorization code was already used: the tokens issued for it are revoked. Authorize again.',
        );
      }
      if (row.client_id !== clientId)
        throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
      if (params['redirect_uri'] !== undefined && params['redirect_uri'] !== row.redirect_uri)
        throw new OAuthError(
          'invalid_grant',
          'redirect_uri differs from the one of the authorization request.',
        );
      if (!verifyPkce(verifier, row.code_challenge))
        throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge (PKCE S256).');
      checkResourceParam(params['resource'], row.resource);
      if (row.resource !== resource)
        throw new OAuthError(
          'invalid_target',
          `This code is for ${row.resource}, not this server's ${resource}.`,
        );
      if (clients.findClient(clientId)?.revoked_at != null)
        throw new OAuthError('invalid_grant', "This client's access was revoked in Snag's Settings.");
      const grant = store.insertGrant({
        client_id: clientId,
        user_id: row.user_id,
        scopes: row.scopes,
        resource: row.resource,
        created_at: now,
      });
      store.setCodeGrant(row.code_hash, grant.id);
      return issueTokens(grant, now);
    });
  }

  function refresh(params: Params, resource: string, now: number): TokenResponse {
    const clientId = requireClientId(params);
    const presented = params['refresh_token'];
    if (!presented) throw new OAuthError('invalid_request', 'refresh_token is required.');
    return decide(() => {
      const t = store.findToken(hashToken(presented));
      if (!t || t.kind !== 'refresh' || t.grant.client_id !== clientId)
        throw new OAuthError('invalid_grant', 'The refresh token is unknown: authorize again.');
      if (t.grant.revoked_at !== null || t.revoked_at !== null)
        throw new OAuthError('invalid_grant', 'This authorization was revoked: authorize again.');
      if (t.expires_at <= now)
        throw new OAuthError('invalid_grant', 'The refresh token expired: authorize again.');
      checkResourceParam(params['resource'], t.grant.resource);
      if (t.grant.resource !== resource)
        throw new OAuthError(
          'invalid_target',
          `These tokens are for ${t.grant.resource}, not this server's ${resource}.`,
        );
      const scope = params['scope'];
      const granted = t.grant.scopes.split(' ');
      if (scope !== undefined && scope.split(/\s+/).some((s) => s !== '' && !granted.includes(s)))
        throw new OAuthError('invalid_scope', `A refresh may not widen the grant (${t.grant.scopes}).`);
      if (t.rotated_at !== null || !store.markRotated(t.token_hash, now)) {
        store.revokeGrant(t.grant.id, now, 'refresh token reused');
        throw new OAuthError(
          'invalid_grant',
          'This refresh token was already used, so it may have leaked: every token of this authorization is now revoked. Authorize again.',
        );
      }
      return issueTokens(t.grant, now);
    });
  }

  function checkResourceParam(raw: string | undefined, bound: string): void {
    if (raw !== undefined && normalizeResource(raw) !== bound)
      throw new OAuthError(
        'invalid_target',
        `resource must be ${bound}, the resource this grant is bound to.`,
      );
  }

  return {
    registerClient: clients.registerClient,
    acceptMetadataDocument: clients.acceptMetadataDocument,

    /**
     * Step 1 of an authorization request: the client and its redirect URI. A failure here must
     * not redirect (RFC 6749 §4.1.2.1): the redirect target itself is what is in doubt.
     */
    checkClient(params: Params): { client: OAuthClient; redirectUri: string } {
      const clientId = requireClientId(params);
      const client = clients.findClient(clientId);
      if (!client)
        throw new OAuthError(
          'invalid_client',
          `No client "${clientId}" is registered with this Snag: remove the server from your MCP client and add it again so it registers.`,
        );
      if (client.revoked_at !== null && client.source === 'registration')
        throw new OAuthError(
          'invalid_client',
          "This client's access was revoked in Snag's Settings: remove the server from your MCP client and add it again so it registers anew.",
        );
      const registered = JSON.parse(client.redirect_uris) as string[];
      const requested = params['redirect_uri'];
      const redirectUri =
        requested === undefined
          ? registered.length === 1
            ? registered[0]
            : undefined
          : matchRedirectUri(registered, requested);
      if (!redirectUri)
        throw new OAuthError(
          'invalid_request',
          `redirect_uri ${requested === undefined ? 'is required' : `${JSON.stringify(requested)} is not one this client registered`}.`,
        );
      return { client, redirectUri };
    },

    /** Step 2: the rest of the request. Failures here are sent back to the client's redirect URI. */
    checkAuthorization(
      params: Params,
      target: { client: OAuthClient; redirectUri: string },
      resource: string,
    ): AuthorizationRequest {
      if (params['response_type'] !== 'code')
        throw new OAuthError('unsupported_response_type', 'response_type must be "code".');
      const challenge = params['code_challenge'];
      if (params['code_challenge_method'] !== 'S256' || !challenge || !isCodeChallenge(challenge))
        throw new OAuthError(
          'invalid_request',
          'PKCE is required: send code_challenge (43 base64url characters) with code_challenge_method=S256.',
        );
      // The MCP spec makes clients send `resource`; an older client that does not still gets a
      // token bound to this server, which is all the indicator would have asked for.
      const asked = params['resource'];
      if (asked !== undefined && normalizeResource(asked) !== resource)
        throw new OAuthError(
          'invalid_target',
          `resource ${JSON.stringify(asked)} is not served by this Snag: its MCP resource is ${resource}.`,
        );
      return {
        ...target,
        state: params['state'],
        scopes: parseRequestedScopes(params['scope']),
        codeChallenge: challenge,
        resource,
      };
    },

    /** The user approved: a one-time code for the client's redirect. */
    issueCode(req: AuthorizationRequest, userId: number | null, now = Date.now()): string {
      const code = newSecret();
      if (req.client.revoked_at !== null) store.setClientRevoked(req.client.client_id, null);
      store.insertCode({
        code_hash: hashToken(code),
        client_id: req.client.client_id,
        redirect_uri: req.redirectUri,
        code_challenge: req.codeChallenge,
        scopes: req.scopes.join(' '),
        resource: req.resource,
        user_id: userId,
        created_at: now,
        expires_at: now + CODE_TTL_MS,
        grant_id: null,
      });
      return code;
    },

    /** POST /oauth/token. `resource`: this server's MCP resource, which every token must be bound to. */
    exchangeToken(params: Params, resource: string, now = Date.now()): TokenResponse {
      store.deleteExpired(now - EXPIRED_ROW_GRACE_MS);
      switch (params['grant_type']) {
        case 'authorization_code':
          return exchangeCode(params, resource, now);
        case 'refresh_token':
          return refresh(params, resource, now);
        default:
          throw new OAuthError(
            'unsupported_grant_type',
            'grant_type must be authorization_code or refresh_token.',
          );
      }
    },

    /**
     * RFC 7009: always "done", known token or not. A refresh token takes its whole grant with it
     * (§2.1 "SHOULD also invalidate all access tokens based on the same authorization grant").
     */
    revokeToken(params: Params, now = Date.now()): void {
      const token = params['token'];
      if (!token) throw new OAuthError('invalid_request', 'token is required.');
      const t = store.findToken(hashToken(token));
      if (!t || (params['client_id'] !== undefined && params['client_id'] !== t.grant.client_id)) return;
      if (t.kind === 'refresh') store.revokeGrant(t.grant.id, now, 'revoked by the client');
      else store.revokeToken(t.token_hash, now);
    },

    /** An access token presented to /mcp. `resource`: this server's MCP resource. */
    checkAccessToken(token: string, resource: string, now = Date.now()): AccessCheck {
      const t = store.findToken(hashToken(token));
      if (!t || t.kind !== 'access') return { ok: false, reason: 'invalid' };
      if (t.revoked_at !== null || t.grant.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (t.expires_at <= now) return { ok: false, reason: 'expired' };
      if (t.grant.resource !== resource) return { ok: false, reason: 'wrong_audience' };
      if (t.grant.last_used_at === null || now - t.grant.last_used_at >= TOUCH_INTERVAL_MS) {
        store.touchGrant(t.grant.id, now);
        store.touchClient(t.grant.client_id, now);
      }
      return {
        ok: true,
        grant: t.grant,
        clientName: t.client_name,
        scopes: t.grant.scopes.split(' ') as TokenScope[],
      };
    },

    listClients,

    /** Settings → revoke: every token of the client stops working at once. */
    revokeClient(id: number, now = Date.now()): OAuthClientView | undefined {
      const client = store.findClientById(id);
      if (!client || client.revoked_at !== null) return undefined;
      const view = listClients(now).find((c) => c.id === id);
      store.inTransaction(() => {
        store.setClientRevoked(client.client_id, now);
        store.revokeClientGrants(client.client_id, now, 'client revoked in Settings');
      });
      return view;
    },
  };
}

function listClientsOf(store: OAuthStore) {
  return (now = Date.now()): OAuthClientView[] =>
    store.listClients(now).map((c) => ({
      id: c.id,
      client_id: c.client_id,
      name: c.name,
      redirect_uris: JSON.parse(c.redirect_uris) as string[],
      client_uri: c.client_uri,
      source: c.source as OAuthClientView['source'],
      created_at: iso(c.created_at)!,
      last_used_at: iso(c.last_used_at),
      active_grants: c.active_grants,
    }));
}

export type OAuthService = ReturnType<typeof createOAuthService>;
