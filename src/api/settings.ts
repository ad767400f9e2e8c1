/**
 * GET /api/v1/settings/mcp: what the Settings page needs to show MCP setup. Whether
 * SNAG_MCP_TOKEN is set, never its value; minted tokens are counted, never listed with secrets.
 */
import type { FastifyInstance } from 'fastify';
import type { TokenService } from '../domain/tokens/service.js';
import { buildClientSetups } from './mcp-setup.js';
import type { McpSettings } from './types.js';

export interface SettingsDeps {
  /** A function: the port (and so the URL) is known only once the server listens. */
  publicUrl: () => string;
  dataDir: string;
  mcpEnvTokenConfigured: boolean;
  tokens: TokenService;
}

export function registerSettingsRoutes(app: FastifyInstance, deps: SettingsDeps): void {
  app.get('/api/v1/settings/mcp', async (): Promise<McpSettings> => {
    const tokens = deps.tokens.listTokens().filter((t) => t.revoked_at === null);
    return {
      url: `${deps.publicUrl()}/mcp`,
      env_token_configured: deps.mcpEnvTokenConfigured,
      tokens: tokens.map(({ id, name, created_at, last_used_at }) => ({
        id,
        name,
        created_at,
        last_used_at,
      })),
      setups: buildClientSetups(deps.publicUrl(), deps.dataDir),
    };
  });
}
