/**
 * Bearer authentication for /mcp: the SNAG_MCP_TOKEN shared secret, or a token minted with
 * `snag token create` (not revoked). RFC 6750 says how to answer a missing or bad token: 401 with
 * `WWW-Authenticate: Bearer`, plus `error="invalid_token"` when one was sent. The body is a
 * JSON-RPC error (-32001, as Splat and the SDK examples use) an MCP client can show.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenService } from '../domain/tokens/service.js';
import type { Caller } from './deps.js';

export type AuthResult =
  { ok: true; caller: Caller } | { ok: false; status: 401; headers: Record<string, string>; body: object };

export const UNAUTHORIZED_CODE = -32001;

const REALM = 'snag';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function unauthorized(message: string, sentToken: boolean): AuthResult {
  const challenge = sentToken
    ? `Bearer realm="${REALM}", error="invalid_token", error_description="The token is unknown or revoked"`
    : `Bearer realm="${REALM}"`;
  return {
    ok: false,
    status: 401,
    headers: { 'www-authenticate': challenge },
    body: { jsonrpc: '2.0', error: { code: UNAUTHORIZED_CODE, message }, id: null },
  };
}

export function createBearerAuth(opts: { envToken: string | undefined; tokens: TokenService }) {
  // Hashing both sides gives equal lengths for timingSafeEqual whatever was sent.
  const envDigest = opts.envToken ? sha256(opts.envToken) : undefined;

  return {
    authenticate(authorization: string | undefined): AuthResult {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!m)
        return unauthorized(
          "Snag's MCP endpoint needs an `Authorization: Bearer <token>` header. Create a token on the Snag server with `snag token create --name <client>` (or set SNAG_MCP_TOKEN there) and add the header to this client's MCP configuration (Snag's Settings page shows it ready to paste).",
          false,
        );
      const token = m[1]!;
      if (envDigest && timingSafeEqual(sha256(token), envDigest))
        return { ok: true, caller: { actor: 'mcp:SNAG_MCP_TOKEN' } };
      const minted = opts.tokens.verifyToken(token);
      if (minted) return { ok: true, caller: { actor: `mcp:${minted.name}` } };
      return unauthorized(
        'This bearer token is not valid for this Snag: it is mistyped, revoked, or from another server. `snag token list` shows the active tokens; `snag token create --name <client>` makes a new one.',
        true,
      );
    },
  };
}

export type BearerAuth = ReturnType<typeof createBearerAuth>;
