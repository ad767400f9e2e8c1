/**
 * `snag <command>`: one file per command. Exit codes: 0 ok, 1 failure, 2 usage error.
 */
// Each command is imported when run: `serve` alone then skips the MCP SDK, zod and the backup
// code, ~18 MiB of the HTTP thread's heap and ~28 MiB of RSS at start (bench/memory.js, issue 9).

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
        return await (await import('./serve.js')).runServe(rest);
      case 'project':
        return (await import('./project.js')).runProjectCommand(rest);
      case 'token':
        return (await import('./token.js')).runTokenCommand(rest);
      case 'mcp':
        return await (await import('./mcp.js')).runMcpCommand(rest);
      case 'backup':
        return await (await import('./backup.js')).runBackupCommand(rest);
      case 'restore':
        return (await import('./restore.js')).runRestoreCommand(rest);
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
