/**
 * `snag <command>`: one file per command. Exit codes: 0 ok, 1 failure, 2 usage error.
 */
import { runBackupCommand } from './backup.js';
import { runMcpCommand } from './mcp.js';
import { runProjectCommand } from './project.js';
import { runRestoreCommand } from './restore.js';
import { runServe } from './serve.js';
import { runTokenCommand } from './token.js';

const USAGE = `Usage: snag <command>

Commands:
  serve                          Start Snag (HTTP, queue, workers) — what \`npm start\` runs
  project create <name> [--json] Create a project and print its DSN
  project list [--json]          List projects with their DSNs
  token create --name <n> [--json]  Mint a bearer token for MCP clients (shown once)
  token list [--json]            List tokens (never their secret)
  token revoke <id|name>         Revoke a token at once
  mcp [--url <url> --token <t>]  MCP over stdio: the local data dir, or a proxy to a remote Snag
  backup <dir>                   Consistent copy of every database, also while Snag runs
  restore <dir> [--force]        Put a backup into the data dir (Snag must be stopped)

Configuration comes from SNAG_* environment variables (see README.md).`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest);
      case 'project':
        return runProjectCommand(rest);
      case 'token':
        return runTokenCommand(rest);
      case 'mcp':
        return await runMcpCommand(rest);
      case 'backup':
        return await runBackupCommand(rest);
      case 'restore':
        return runRestoreCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`snag: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    console.error(`snag: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
