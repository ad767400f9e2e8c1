/**
 * `snag token create|list|revoke`: API tokens for the JSON API and MCP clients. Works on the data
 * dir directly, also while a server runs on it (the server looks tokens up on every request, so a
 * revoked token stops working at once).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createProjectService } from '../domain/projects/service.js';
import { parseLifetime } from '../domain/tokens/expiry.js';
import { createTokenService, type TokenView } from '../domain/tokens/service.js';
import { migrateAll, openStorage } from '../storage/index.js';

const USAGE = `usage: snag token create --name <name> [--scope read,write,admin] [--project <slug>] [--expires-in 30d] [--json]
       snag token list [--json]
       snag token revoke <id|name>

Scopes nest: admin includes write, write includes read. Default: read,write (what MCP clients need).`;

export function runTokenCommand(args: string[]): number {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      json: { type: 'boolean' },
      scope: { type: 'string' },
      project: { type: 'string' },
      'expires-in': { type: 'string' },
    },
    allowPositionals: true,
  });
  const config = loadConfig();
  migrateAll(config.dataDir);
  const storage = openStorage(config.dataDir);
  try {
    const tokens = createTokenService(storage.tokens, createProjectService(storage.app, config.publicUrl));
    if (sub === 'create') {
      const name = values.name ?? positionals.join(' ');
      if (!name) {
        console.error(USAGE);
        return 2;
      }
      const expiresIn = values['expires-in'];
      const t = tokens.createToken(name, {
        scopes: values.scope,
        project: values.project,
        lifetimeMs: expiresIn === undefined ? null : parseLifetime(expiresIn),
      });
      if (values.json) {
        const { id, name: n, token, scopes, project, created_at, expires_at } = t;
        console.log(
          JSON.stringify({
            id,
            name: n,
            token,
            scopes,
            project: project?.slug ?? null,
            created_at,
            expires_at,
          }),
        );
      } else {
        const url = `${config.publicUrl}/mcp`;
        console.log(
          [
            `Created token "${t.name}" (id ${t.id}; ${describe(t)}). Copy it now: Snag keeps only its hash and cannot show it again.`,
            '',
            `  ${t.token}`,
            '',
            'JSON API:',
            `  curl -H "Authorization: Bearer ${t.token}" ${config.publicUrl}/api/v1/projects`,
            ...(t.project
              ? []
              : [
                  '',
                  'Claude Code:',
                  `  claude mcp add --transport http snag ${url} --header "Authorization: Bearer ${t.token}"`,
                  '',
                  'Other clients: send "Authorization: Bearer <token>" to ' +
                    url +
                    ' (docs/mcp.md, Settings → MCP).',
                ]),
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
      console.log(`Revoked token "${t.name}" (id ${t.id}): API and MCP calls with it now get 401.`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    storage.close();
  }
}

function describe(t: TokenView): string {
  const scope = t.legacy ? 'read,write (MCP token from before scopes)' : t.scopes.join(',');
  const where = t.project ? `project ${t.project.slug}` : 'all projects';
  const until = t.expires_at ? `expires ${t.expires_at}` : 'no expiry';
  return `${scope}, ${where}, ${until}`;
}

function formatToken(t: TokenView): string {
  const state = t.revoked_at ? `revoked ${t.revoked_at}` : `last used ${t.last_used_at ?? 'never'}`;
  return `${String(t.id).padStart(4)}  ${t.name.padEnd(24)}  ${t.prefix.padEnd(14)}  ${describe(t).padEnd(48)}  created ${t.created_at}  ${state}`;
}
