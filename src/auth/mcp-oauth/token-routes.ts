/**
 * The machine-to-machine endpoints: POST /oauth/register (RFC 7591), /oauth/token (RFC 6749 §4.1.3
 * and §6) and /oauth/revoke (RFC 7009). Errors are `{"error", "error_description"}` as those RFCs
 * define them, never Snag's `{"detail"}`; token answers are never cached (RFC 6749 §5.1).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OAuthError } from '../../domain/tokens/oauth-error.js';
import type { OAuthService } from '../../domain/tokens/oauth-service.js';
import { mcpResourceOf } from './metadata.js';

export interface TokenRoutesDeps {
  oauth: OAuthService;
  publicUrl: () => string;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** Form fields, one value each: RFC 6749 §3.1 forbids repeating a parameter. */
export function formParams(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null)
    throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.');
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (Array.isArray(v)) throw new OAuthError('invalid_request', `Parameter ${k} is repeated.`);
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function sendOAuthError(reply: FastifyReply, err: unknown) {
  if (!(err instanceof OAuthError)) throw err;
  // RFC 6749 §5.2: invalid_client is 401; everything else here is 400.
  const status = err.error === 'invalid_client' ? 401 : err.status;
  return reply.code(status).headers(NO_STORE).send({ error: err.error, error_description: err.description });
}

export function registerTokenRoutes(app: FastifyInstance, deps: TokenRoutesDeps): void {
  app.post('/oauth/register', async (request, reply) => {
    try {
      return reply.code(201).headers(NO_STORE).send(deps.oauth.registerClient(request.body));
    } catch (err) {
      return sendOAuthError(reply, err);
    }
  });

  app.post('/oauth/token', async (request, reply) => {
    try {
      const answer = deps.oauth.exchangeToken(formParams(request.body), mcpResourceOf(deps.publicUrl()));
      return reply.headers(NO_STORE).send(answer);
    } catch (err) {
      return sendOAuthError(reply, err);
    }
  });

  app.post('/oauth/revoke', async (request, reply) => {
    try {
      deps.oauth.revokeToken(formParams(request.body));
      return reply.code(200).headers(NO_STORE).send();
    } catch (err) {
      return sendOAuthError(reply, err);
    }
  });
}
