/**
 * GET /api/v1/settings/mcp: what the Settings page needs to show MCP setup. Whether
 * SNAG_MCP_TOKEN is set, never its value; minted tokens are named, never shown. MCP clients
 * signed in with OAuth are listed with their active grants; DELETE …/clients/<id> revokes one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopbackHost } from '../domain/tokens/redirect-uris.js';
import type { OAuthService } from '../domain/tokens/oauth-service.js';
import type { TokenService } from '../domain/tokens/service.js';
import { notFound } from '../errors.js';
import { buildClientSetups } from './mcp-setup.js';
import { pathId } from './params.js';
import type { McpSettings, OAuthClientView } from './types.js';

export interface SettingsDeps {
  /** A function: the port (and so the URL) is known only once the server listens. */
  publicUrl: () => string;
  dataDir: string;
  mcpEnvTokenConfigured: boolean;
  tokens: TokenService;
  oauth: OAuthService;
  /** The bind address: MCP OAuth without login needs a loopback one. */
  host: string;
}

/** Whether an MCP client can complete OAuth here, and if not, why (the consent step's rule). */
function oauthAvailability(
  request: FastifyRequest,
  host: string,
): { available: boolean; note: string | null } {
  const auth = request.server.snagAuth;
  const mode = auth?.mode ?? 'open';
  if (mode === 'misconfigured')
    return {
      available: false,
      note: 'Login is misconfigured: nobody can approve an MCP client until it is fixed.',
    };
  if (mode === 'open' && !(auth?.config.loopbackBind ?? isLoopbackHost(host)))
    return {
      available: false,
      note: 'Snag listens on a network address without login, so it cannot tell who approves an MCP client: turn on login, or use tokens.',
    };
  return { available: true, note: null };
}

export function registerSettingsRoutes(app: FastifyInstance, deps: SettingsDeps): void {
  app.get('/api/v1/settings/mcp', async (request): Promise<McpSettings> => {
    const base = deps.publicUrl();
    return {
      url: `${base}/mcp`,
      env_token_configured: deps.mcpEnvTokenConfigured,
      tokens: deps.tokens.listActiveTokens().map(({ id, name, created_at, last_used_at }) => ({
        id,
        name,
        created_at,
        last_used_at,
      })),
      oauth: {
        ...oauthAvailability(request, deps.host),
        resource_metadata_url: `${base}/.well-known/oauth-protected-resource/mcp`,
      },
      oauth_clients: deps.oauth.listClients(),
      setups: buildClientSetups(base, deps.dataDir),
    };
  });

  app.delete<{ Params: { id: string } }>(
    '/api/v1/settings/mcp/clients/:id',
    async (request): Promise<OAuthClientView> => {
      const revoked = deps.oauth.revokeClient(pathId(request.params.id, 'MCP client'));
      if (!revoked) throw notFound('No such MCP client: it was revoked already.', 'client_not_found');
      return revoked;
    },
  );
}
