/**
 * Bearer authentication for /mcp, through the one BearerVerifier (auth/bearer.ts): SNAG_MCP_TOKEN,
 * minted API tokens, or OAuth access tokens issued to MCP clients. RFC 6750 §3 and the MCP
 * authorization spec say how to answer a missing or bad token: 401 with `WWW-Authenticate: Bearer`
 * naming the protected resource metadata (RFC 9728 §5.1) so an OAuth-capable client can discover
 * where to sign in, plus `error="invalid_token"` when one was sent. The body is a JSON-RPC error
 * (-32001, as Splat and the SDK examples use) an MCP client can show.
 */
import type { BearerResult, BearerVerifier, TokenCaller, TokenScope } from '../auth/bearer.js';
import type { Caller } from './deps.js';

export type AuthResult =
  | { ok: true; caller: Caller; token: TokenCaller }
  | { ok: false; status: 401 | 403; headers: Record<string, string>; body: object };

export const UNAUTHORIZED_CODE = -32001;

type BearerRefusal = Extract<BearerResult, { ok: false }>['reason'];

const REALM = 'snag';
/** What /mcp offers OAuth clients, sent in challenges so a client asks for it (MCP SEP-835). */
const MCP_SCOPES = 'read write';

const MISSING_MESSAGE =
  "Snag's MCP endpoint needs an `Authorization: Bearer <token>` header. MCP clients that support OAuth sign in by themselves; otherwise create a token on the Snag server with `snag token create --name <client>` (or set SNAG_MCP_TOKEN there) and add the header to this client's MCP configuration (Snag's Settings page shows it ready to paste).";

const CHALLENGE_DESCRIPTIONS: Record<Exclude<BearerRefusal, 'missing'>, string> = {
  invalid: 'The token is unknown or revoked',
  revoked: 'The token was revoked',
  expired: 'The token expired',
  wrong_audience: 'The token is for another resource',
};

const jsonRpcError = (message: string) => ({
  jsonrpc: '2.0',
  error: { code: UNAUTHORIZED_CODE, message },
  id: null,
});

/** RFC 7230 quoted-string: no quotes or backslashes inside, Latin-1 only. */
const quoted = (s: string) => `"${s.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?')}"`;

export function createBearerAuth(opts: {
  verifier: BearerVerifier;
  /** `<public URL>/.well-known/oauth-protected-resource/mcp`: a function, the port is known once listening. */
  resourceMetadataUrl: () => string;
}) {
  const challenge = (params: Record<string, string>) =>
    `Bearer ${Object.entries({ realm: REALM, ...params, resource_metadata: opts.resourceMetadataUrl() })
      .map(([k, v]) => `${k}=${quoted(v)}`)
      .join(', ')}`;

  return {
    authenticate(authorization: string | undefined): AuthResult {
      const result = opts.verifier.verify(authorization, 'mcp');
      if (result.ok) return { ok: true, caller: { actor: result.caller.actor }, token: result.caller };
      const sent = result.reason !== 'missing';
      return {
        ok: false,
        status: 401,
        headers: {
          'www-authenticate': sent
            ? challenge({
                error: 'invalid_token',
                error_description: CHALLENGE_DESCRIPTIONS[result.reason as Exclude<BearerRefusal, 'missing'>],
              })
            : challenge({ scope: MCP_SCOPES }),
        },
        body: jsonRpcError(sent ? result.message : MISSING_MESSAGE),
      };
    },

    /** 403 for a valid token without the scope a request needs (RFC 6750 §3.1, MCP step-up). */
    insufficientScope(needed: TokenScope): AuthResult & { ok: false } {
      return {
        ok: false,
        status: 403,
        headers: {
          'www-authenticate': challenge({
            error: 'insufficient_scope',
            scope: MCP_SCOPES,
            error_description: `This call needs the ${needed} scope`,
          }),
        },
        body: jsonRpcError(
          `This token does not have the "${needed}" scope this call needs: use a token with ${needed} access (\`snag token create --scope read,write\`), or authorize the MCP client again granting it.`,
        ),
      };
    },
  };
}

export type BearerAuth = ReturnType<typeof createBearerAuth>;
