/**
 * API tokens in Settings: list, create (the token is in this one answer only), revoke. Behind the
 * guard with the admin scope (auth/guard.ts): whoever can mint tokens can do anything. A token
 * made by a signed-in person records them (a personal token); `snag token create` makes ones
 * that belong to nobody.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SnagCaller } from '../auth/guard.js';
import { parseLifetime } from '../domain/tokens/expiry.js';
import type { TokenService } from '../domain/tokens/service.js';
import { badRequest } from '../errors.js';
import { bodyObject, pathId } from './params.js';
import type { CreatedToken, TokenList, TokenView } from './types.js';

export interface TokenApiDeps {
  tokens: TokenService;
}

function userIdOf(request: FastifyRequest): number | null {
  const caller: SnagCaller | undefined = request.snagCaller;
  if (caller?.kind === 'session') return caller.user.id;
  if (caller?.kind === 'token') return caller.userId;
  return null;
}

export function registerTokenApiRoutes(app: FastifyInstance, deps: TokenApiDeps): void {
  app.get('/api/v1/tokens', async (): Promise<TokenList> => ({ tokens: deps.tokens.listActiveTokens() }));

  app.post('/api/v1/tokens', async (request, reply): Promise<CreatedToken> => {
    const body = bodyObject(request.body);
    const { name, scopes, project, expires_in: expiresIn } = body;
    if (typeof name !== 'string')
      throw badRequest(
        'Send {"name": "<token name>", "scopes": ["read"], "project": null, "expires_in": "30d"}.',
      );
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string')))
      throw badRequest('scopes must be a list such as ["read"] or ["read", "write"].');
    if (project !== undefined && project !== null && typeof project !== 'string')
      throw badRequest('project must be a project slug, or null for every project.');
    if (expiresIn !== undefined && expiresIn !== null && typeof expiresIn !== 'string')
      throw badRequest('expires_in must be like "30d", or null for a token that does not expire.');
    const created = deps.tokens.createToken(name, {
      scopes: scopes as string[] | undefined,
      project: project as string | null | undefined,
      userId: userIdOf(request),
      lifetimeMs: typeof expiresIn === 'string' && expiresIn !== '' ? parseLifetime(expiresIn) : null,
    });
    void reply.code(201).header('cache-control', 'no-store');
    return created;
  });

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', async (request): Promise<TokenView> => {
    return deps.tokens.revokeTokenById(pathId(request.params.id, 'Token'));
  });
}
