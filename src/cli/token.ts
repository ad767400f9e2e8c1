/**
 * `snag token create|list|revoke`: bearer tokens for MCP clients. Works on the data dir directly,
 * also while a server runs on it (the server looks tokens up on every request, so a revoked token
 * stops working at once).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createTokenService, type TokenView } from '../domain/tokens/service.js';
import { migrateAll, openStorage } from '../storage/index.js';

const USAGE = `usage: snag token create --name <name> [--json]
       snag token list [--json]
       snag token revoke <id|name>`;

export function runTokenCommand(args: string[]): number {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const config = loadConfig();
  migrateAll(config.dataDir);
  const storage = openStorage(config.dataDir);
  try {
    const tokens = createTokenService(storage.tokens);
    if (sub === 'create') {
      const name = values.name ?? positionals.join(' ');
      if (!name) {
        console.error(USAGE);
        return 2;
      }
      const t = tokens.createToken(name);
      if (values.json) {
        console.log(JSON.stringify({ id: t.id, name: t.name, token: t.token, created_at: t.created_at }));
      } else {
        const url = `${config.publicUrl}/mcp`;
        console.log(
          [
            `Created token "${t.name}" (id ${t.id}). Copy it now: Snag keeps only its hash and cannot show it again.`,
            '',
            `  ${t.token}`,
            '',
            'Claude Code:',
            `  claude mcp add --transport http snag ${url} --header "Authorization: Bearer ${t.token}"`,
            '',
            'Other clients: send "Authorization: Bearer <token>" to ' +
              url +
              ' (docs/mcp.md, Settings → MCP).',
          ].join('\n'),
        );
      }
      return 0;
    }
    if (sub === 'list') {
      const list = tokens.listTokens();
      if (values.json) console.log(JSON.stringify(list));
      else if (list.length === 0) console.log('No tokens yet: snag token create --name <client>');
      else for (const t of list) console.log(formatToken(t));
      return 0;
    }
    if (sub === 'revoke') {
      const ref = positionals.join(' ') || values.name;
      if (!ref) {
        console.error(USAGE);
        return 2;
      }
      const t = tokens.revokeToken(ref);
      console.log(`Revoked token "${t.name}" (id ${t.id}): MCP clients using it now get 401.`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    storage.close();
  }
}

function formatToken(t: TokenView): string {
  const state = t.revoked_at ? `revoked ${t.revoked_at}` : `last used ${t.last_used_at ?? 'never'}`;
  return `${String(t.id).padStart(4)}  ${t.name.padEnd(24)}  ${t.prefix.padEnd(14)}  created ${t.created_at}  ${state}`;
}
