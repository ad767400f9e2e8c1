/**
 * Ready-to-paste MCP client configurations for this server, as the Settings page shows them (the
 * README and docs/mcp.md show the same with example URLs). `<token>` is what `snag token create`
 * prints; it is never filled in, since the server does not keep tokens.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpClientSetup } from './types.js';

/** bin/snag.js of this installation (this file is dist/api/mcp-setup.js, or src/api/ under vitest). */
export const SNAG_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/snag.js');

export function buildClientSetups(publicUrl: string, dataDir: string): McpClientSetup[] {
  const url = `${publicUrl}/mcp`;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      client: 'Claude Code',
      where: 'Shell',
      language: 'sh',
      text: `claude mcp add --transport http snag ${url} --header "Authorization: Bearer <token>"`,
    },
    {
      client: 'Cursor',
      where: '~/.cursor/mcp.json (or .cursor/mcp.json in a project)',
      language: 'json',
      text: json({ mcpServers: { snag: { url, headers: { Authorization: 'Bearer <token>' } } } }),
    },
    {
      client: 'VS Code',
      where: '.vscode/mcp.json (VS Code asks for the token once and stores it)',
      language: 'json',
      text: json({
        inputs: [{ type: 'promptString', id: 'snag-token', description: 'Snag MCP token', password: true }],
        servers: { snag: { type: 'http', url, headers: { Authorization: 'Bearer ${input:snag-token}' } } },
      }),
    },
    {
      client: 'Claude Desktop (stdio, proxying to this server)',
      where: 'claude_desktop_config.json',
      language: 'json',
      text: json({
        mcpServers: {
          snag: {
            command: 'node',
            args: [SNAG_BIN, 'mcp', '--url', publicUrl],
            env: { SNAG_MCP_TOKEN: '<token>' },
          },
        },
      }),
    },
    {
      client: 'Claude Desktop (stdio, on the machine holding the data)',
      where: 'claude_desktop_config.json',
      language: 'json',
      text: json({
        mcpServers: { snag: { command: 'node', args: [SNAG_BIN, 'mcp'], env: { SNAG_DATA_DIR: dataDir } } },
      }),
    },
  ];
}
