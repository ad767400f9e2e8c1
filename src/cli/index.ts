/**
 * `snag <command>`: one file per command. Exit codes: 0 ok, 1 failure, 2 usage error.
 */
import { runProjectCommand } from './project.js';
import { runServe } from './serve.js';

const USAGE = `Usage: snag <command>

Commands:
  serve                          Start Snag (HTTP, queue, workers) — what \`npm start\` runs
  project create <name> [--json] Create a project and print its DSN
  project list [--json]          List projects with their DSNs

Configuration comes from SNAG_* environment variables (see README.md).`;

export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest);
      case 'project':
        return runProjectCommand(rest);
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
