/**
 * `node bin/snag.js serve` started plainly, as a user would, runs the server with the process
 * settings serve-launch.ts asks for (malloc arenas and thresholds, every isolate's semi-space, gc):
 * in place on Node ≥ 22.15 (process.execve), else in a child the command waits for. The child must
 * never outlive the command: SIGTERM is passed on (exit 0), and a command killed with SIGKILL takes
 * the server down with it instead of leaving it holding the port and the data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HEAP_GROWING_PERCENT,
  MALLOC_ARENAS,
  MALLOC_THRESHOLD_BYTES,
  SEMI_SPACE_MB,
} from '../../src/cli/serve-launch.js';
import { REPO_ROOT, freePort, tempDataDir, waitFor } from '../helpers/snag.js';

const procFile = (pid: number, name: string) => fs.readFileSync(`/proc/${pid}/${name}`, 'utf8').split('\0');
/** Running (not gone, not a zombie awaiting its reaper). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('snag serve started without its process settings', () => {
  let command: ChildProcess | undefined;
  let dataDir: string | undefined;
  afterEach(() => {
    command?.kill('SIGKILL');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function startPlain() {
    dataDir = tempDataDir('snag-launch');
    const port = await freePort();
    command = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/snag.js'), 'serve'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        SNAG_DATA_DIR: dataDir,
        SNAG_PORT: String(port),
        SNAG_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    command.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    command.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => /DSN:\s+\S+/.test(out), 30_000, `the DSN line:\n${out}`);
    const pid = command.pid!;
    const server = procFile(pid, 'cmdline').some((a) => a.startsWith('--max-semi-space-size'))
      ? pid
      : childrenOf(pid)[0]!;
    const exited = new Promise<number | null>((resolve) => command!.once('exit', (code) => resolve(code)));
    return { url: `http://127.0.0.1:${port}`, pid, server, exited };
  }

  it('runs the server with them and passes SIGTERM on', async () => {
    const { url, server, exited } = await startPlain();
    expect(procFile(server, 'cmdline')).toContain(`--max-semi-space-size=${SEMI_SPACE_MB}`);
    expect(procFile(server, 'cmdline')).toContain(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(procFile(server, 'cmdline')).toContain('--expose-gc');
    const environ = procFile(server, 'environ');
    expect(environ).toContain(`MALLOC_ARENA_MAX=${MALLOC_ARENAS}`);
    expect(environ).toContain(`MALLOC_MMAP_THRESHOLD_=${MALLOC_THRESHOLD_BYTES}`);
    expect(environ).toContain(`MALLOC_TRIM_THRESHOLD_=${MALLOC_THRESHOLD_BYTES}`);
    expect((await fetch(`${url}/_health`)).status).toBe(200);
    command!.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor(() => !alive(server), 15_000, 'the server to exit');
  });

  it('takes the server down when the waiting command is killed', async () => {
    const { url, pid, server } = await startPlain();
    if (server === pid) return; // process.execve: the command is the server, nothing waits.
    command!.kill('SIGKILL');
    await waitFor(() => !alive(server), 15_000, 'the orphaned server to stop');
    await expect(fetch(`${url}/_health`)).rejects.toThrow();
  });
});
