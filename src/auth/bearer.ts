/**
 * Who is calling with `Authorization: Bearer …`: the one check behind the JSON API guard and /mcp.
 * Three kinds of token verify here: SNAG_MCP_TOKEN (full access), tokens minted with
 * `snag token create` or in Settings (their scopes, maybe one project), and OAuth access tokens
 * issued to MCP clients (read/write, bound to this server's /mcp resource by RFC 8707, so they are
 * refused anywhere else, the JSON API included).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ACCESS_TOKEN_PREFIX, type OAuthService } from '../domain/tokens/oauth-service.js';
import { expandScopes, type TokenScope } from '../domain/tokens/scopes.js';
import type { TokenService } from '../domain/tokens/service.js';

export type { TokenScope } from '../domain/tokens/scopes.js';

export interface TokenCaller {
  kind: 'token';
  tokenId: number | string;
  /** e.g. 'token:ci-deploy' or 'oauth:<client name>' */
  actor: string;
  scopes: TokenScope[];
  projectId: number | null;
  userId: number | null;
}

export type BearerResult =
  | { ok: true; caller: TokenCaller }
  | {
      ok: false;
      reason: 'missing' | 'invalid' | 'expired' | 'revoked' | 'wrong_audience';
      message: string;
    };

export interface BearerVerifier {
  /** audience 'api' = the JSON API (and sentry-cli routes), 'mcp' = /mcp. */
  verify(authorizationHeader: string | undefined, audience: 'api' | 'mcp'): BearerResult;
}

export type Audience = 'api' | 'mcp';

export interface BearerVerifierDeps {
  envToken: string | undefined;
  tokens: TokenService;
  oauth: OAuthService;
  /** This server's MCP resource (`<public URL>/mcp`): a function, the port is known once listening. */
  mcpResource: () => string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const ALL_SCOPES: TokenScope[] = ['read', 'write', 'admin'];

const REFUSALS: Record<Extract<BearerResult, { ok: false }>['reason'], string> = {
  missing: 'An `Authorization: Bearer <token>` header is required.',
  invalid:
    'This bearer token is not valid for this Snag: it is mistyped, revoked, or from another server. `snag token list` shows the active tokens; `snag token create --name <client>` makes a new one.',
  expired:
    'This bearer token is not valid any more: it expired. Create a new one (`snag token create`, or Settings → API tokens); an MCP client using OAuth refreshes or signs in again.',
  revoked:
    'This bearer token is not valid any more: it was revoked. Create a new one (`snag token create`, or Settings → API tokens); an MCP client using OAuth signs in again.',
  wrong_audience: 'This token is not meant for this endpoint.',
};

function refuse(reason: keyof typeof REFUSALS, message = REFUSALS[reason]): BearerResult {
  return { ok: false, reason, message };
}

export function createBearerVerifier(deps: BearerVerifierDeps): BearerVerifier {
  // Hashing both sides gives equal lengths for timingSafeEqual whatever was sent.
  const envDigest = deps.envToken ? sha256(deps.envToken) : undefined;

  function verifyOAuth(token: string, audience: Audience): BearerResult | undefined {
    const check = deps.oauth.checkAccessToken(token, deps.mcpResource());
    if (!check.ok) {
      if (check.reason === 'invalid') return undefined;
      if (check.reason === 'wrong_audience')
        return refuse(
          'wrong_audience',
          `This OAuth access token was issued for another resource than ${deps.mcpResource()} (the server's address changed?): sign in again from the MCP client.`,
        );
      return refuse(check.reason);
    }
    if (audience !== 'mcp')
      return refuse(
        'wrong_audience',
        'This OAuth access token was issued to an MCP client for /mcp only: the JSON API takes API tokens (Settings → API tokens or `snag token create`).',
      );
    return {
      ok: true,
      caller: {
        kind: 'token',
        tokenId: `oauth:${check.grant.id}`,
        actor: `oauth:${check.clientName}`,
        scopes: expandScopes(check.scopes),
        projectId: null,
        userId: check.grant.user_id,
      },
    };
  }

  return {
    verify(header, audience) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      if (!m) return refuse('missing');
      const token = m[1]!;
      if (envDigest && timingSafeEqual(sha256(token), envDigest))
        return {
          ok: true,
          caller: {
            kind: 'token',
            tokenId: 'SNAG_MCP_TOKEN',
            actor: audience === 'mcp' ? 'mcp:SNAG_MCP_TOKEN' : 'token:SNAG_MCP_TOKEN',
            scopes: [...ALL_SCOPES],
            projectId: null,
            userId: null,
          },
        };
      if (token.startsWith(ACCESS_TOKEN_PREFIX)) {
        const viaOAuth = verifyOAuth(token, audience);
        if (viaOAuth) return viaOAuth;
      }
      const check = deps.tokens.checkToken(token);
      if (!check.ok) return refuse(check.reason);
      const t = check.token;
      if (audience === 'mcp' && t.project)
        return refuse(
          'wrong_audience',
          `Token "${t.name}" is scoped to project ${t.project.slug}, and MCP tools reach every project: use a token without a project for MCP.`,
        );
      return {
        ok: true,
        caller: {
          kind: 'token',
          tokenId: t.id,
          // MCP status changes were audited as mcp:<name> before the JSON API took tokens: kept.
          actor: `${audience === 'mcp' ? 'mcp' : 'token'}:${t.name}`,
          scopes: t.scopes,
          projectId: t.project?.id ?? null,
          userId: t.user_id,
        },
      };
    },
  };
}
