/**
 * Snag as the OAuth authorization server of its own /mcp (the MCP authorization spec,
 * docs/auth.md "OAuth for MCP clients"): discovery documents, registration, the consent step,
 * tokens and revocation, in one Fastify scope with its own form parser. The discovery documents
 * and the token endpoints answer any origin (`Access-Control-Allow-Origin: *`): browser-based MCP
 * clients call them with fetch, and they carry no cookies. /oauth/authorize is a page, not an API.
 */
import type { FastifyInstance } from 'fastify';
import type { OAuthService } from '../../domain/tokens/oauth-service.js';
import { createRateLimiter } from '../rate-limit.js';
import { registerAuthorizeRoutes } from './authorize-route.js';
import {
  AUTHORIZATION_SERVER_PATH,
  buildAuthorizationServerMetadata,
  buildProtectedResourceMetadata,
  PROTECTED_RESOURCE_PATH,
} from './metadata.js';
import { registerTokenRoutes } from './token-routes.js';

export { mcpResourceOf, resourceMetadataUrlOf } from './metadata.js';

export interface McpOAuthDeps {
  oauth: OAuthService;
  /** A function: the port (and so every URL here) is known only once the server listens. */
  publicUrl: () => string;
  host: string;
}

/** Registration and token calls per client address: an agent refreshes hourly; guessing needs thousands. */
const TOKEN_RATE_LIMIT = { burst: 60, perMinute: 60 };
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, authorization, mcp-protocol-version',
  'access-control-max-age': '600',
};
const CORS_PATHS = /^\/(\.well-known\/|oauth\/(register|token|revoke)(\?|$))/;

export function registerMcpOAuthRoutes(app: FastifyInstance, deps: McpOAuthDeps): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of new URLSearchParams(body as string)) {
          const prev = out[k];
          out[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
        }
        done(null, out);
      },
    );
    scope.addHook('onSend', async (request, reply) => {
      if (CORS_PATHS.test(request.url)) reply.headers(CORS);
    });

    const metadataJson = (build: (url: string) => object) => async () => build(deps.publicUrl());
    for (const path of [PROTECTED_RESOURCE_PATH, `${PROTECTED_RESOURCE_PATH}/mcp`])
      scope.get(path, metadataJson(buildProtectedResourceMetadata));
    scope.get(AUTHORIZATION_SERVER_PATH, metadataJson(buildAuthorizationServerMetadata));
    scope.options('/.well-known/*', async (_request, reply) => reply.code(204).send());
    scope.options('/oauth/:endpoint', async (_request, reply) => reply.code(204).send());

    const limiter = createRateLimiter(TOKEN_RATE_LIMIT);
    void scope.register(async (limited) => {
      limited.addHook('onRequest', limiter.hook);
      registerTokenRoutes(limited, deps);
    });
    registerAuthorizeRoutes(scope, deps);
  });
}
