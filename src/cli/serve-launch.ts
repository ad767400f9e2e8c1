/**
 * How `snag serve`'s process wants to be started. Settings that cut its memory under load and can
 * only be given before a process starts (docs/benchmarks.md, sessions 7 and 8):
 *
 * - `MALLOC_ARENA_MAX=4` (glibc, Linux): each thread that mallocs gets an arena of its own (up to
 *   eight per core), and glibc gives an arena's pages back only from its top, so every digest
 *   thread's SQLite page cache, row Buffers and zstd buffers leave a high-water mark behind: the
 *   threads of a mixed backlog held 140–165 MiB of arenas. Two arenas held ~45 MiB less, but the
 *   HTTP thread, the errors thread and its helper then wait for each other's arena locks (8–25 %
 *   more CPU per event, errors alone below 2,000/s in 4 of 6 runs); four keep the rate and give
 *   back ~100 MiB with the semi-space below (~33 MiB less than two under a mixed backlog).
 * - `--max-semi-space-size`: the young generation of every isolate in the process. V8 reads the
 *   flag for worker threads too, and it wins over their `resourceLimits`, so this is the one place
 *   it is set. V8's default semi-space (16 MiB on 64-bit) let the HTTP thread's heap reach 52 MiB
 *   while it did next to nothing (30 at 4 MiB). With four arenas, errors at full speed peaked at
 *   238–268 MiB instead of 308–354, at 2,102–2,259 stored/s.
 * - `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` at 1 MiB (glibc): by default glibc raises
 *   its mmap threshold to the size of each large block freed (up to 32 MiB), after which request
 *   bodies, decompressed payloads and zlib's output land in the arenas and stay there as their
 *   high-water mark. Fixed at 1 MiB, larger blocks go back to the system when freed and an arena's
 *   free top is returned past 1 MiB: the mixed half load's steady RSS fell 394 → 344 MiB at the same
 *   throughput (at 128 KiB, glibc's initial value, it fell to 353 but cost ~10 % of it).
 * - `--heap-growing-percent=50`: V8 lets an isolate's old generation grow to 1.5 × what the last
 *   full GC left live before the next one, where its own factor (1.1–4, from GC and allocation
 *   speeds) let a digest thread's heap reach 55 MiB with 30 live, and let the Buffers of garbage
 *   batches wait for it in the arenas. With it the mixed half load peaked at 339 MiB instead of
 *   415 (150 s); 25 (1.25 ×) held the same (333–336) but cost the logs thread ~10 % more CPU per
 *   record, its batches of parsed records being promoted and collected more often.
 * - `--expose-gc`: every thread runs one full GC when its heap first passes 64 MiB
 *   (first-full-gc.ts): until its first full GC, V8 sizes an isolate's old generation from a large
 *   initial limit, not from what is live.
 *
 * `bin/snag.js serve` started without them starts itself again with them: in place with
 * `process.execve` where Node has it (22.15+), else as a child process it waits for (Node 20: the
 * waiting parent holds ~7 MiB of its own), passing SIGTERM/SIGHUP on; the child stops when the
 * parent dies (serve.ts). What the user set wins: each variable in the environment, each flag on
 * node's command line or in NODE_OPTIONS. Test and bench helpers start the server with
 * `serveProcessSettings()`, so the process they watch is the server itself.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

/** Every isolate's semi-space (MiB): 2 measured the same RSS, 6 and 8 more (docs/benchmarks.md). */
export const SEMI_SPACE_MB = 4;
/** glibc malloc arenas for the process (docs/benchmarks.md, session 7). */
export const MALLOC_ARENAS = 4;
/** glibc's mmap and trim thresholds, fixed (docs/benchmarks.md, session 8). */
export const MALLOC_THRESHOLD_BYTES = 1024 * 1024;
/** Every isolate's old-generation growth between full GCs, in percent (docs/benchmarks.md, session 8). */
export const HEAP_GROWING_PERCENT = 50;
/** Variables glibc reads at start, and the value `snag serve` wants for each. */
const GLIBC_MALLOC_ENV: Record<string, string> = {
  MALLOC_ARENA_MAX: String(MALLOC_ARENAS),
  MALLOC_MMAP_THRESHOLD_: String(MALLOC_THRESHOLD_BYTES),
  MALLOC_TRIM_THRESHOLD_: String(MALLOC_THRESHOLD_BYTES),
};

export interface ServeProcessSettings {
  /** Node flags to put before the script. */
  nodeArgs: string[];
  /** Variables to add to the environment. */
  env: Record<string, string>;
}

/** What a process started with `execArgv` and `env` still lacks; empty when nothing. */
export function serveProcessSettings(
  execArgv: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  platform: NodeJS.Platform = process.platform,
): ServeProcessSettings {
  // V8 takes `_` and `-` alike in a flag's name: compare names with dashes only.
  const given = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)].map((arg) =>
    arg.split('=')[0]!.replace(/_/g, '-'),
  );
  const has = (flag: string) => given.some((name) => name.startsWith(flag));
  const nodeArgs: string[] = [];
  if (!has('--max-semi-space-size')) nodeArgs.push(`--max-semi-space-size=${SEMI_SPACE_MB}`);
  if (!has('--heap-growing-percent')) nodeArgs.push(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!has('--expose-gc')) nodeArgs.push('--expose-gc');
  const missingEnv =
    platform === 'linux' ? Object.entries(GLIBC_MALLOC_ENV).filter(([name]) => env[name] === undefined) : [];
  return { nodeArgs, env: Object.fromEntries(missingEnv) };
}

/**
 * Null when this process already runs as `snag serve` wants; otherwise starts it again with the
 * settings and resolves to the exit code to leave with (only reached without process.execve).
 */
export function relaunchServe(): Promise<number> | null {
  const missing = serveProcessSettings(process.execArgv, process.env);
  if (missing.nodeArgs.length === 0 && Object.keys(missing.env).length === 0) return null;
  const args = [...missing.nodeArgs, ...process.execArgv, ...process.argv.slice(1)];
  const env = { ...process.env, ...missing.env };
  const node = process as NodeJS.Process & {
    execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never;
  };
  if (node.execve) node.execve(process.execPath, [process.execPath, ...args], env);
  return new Promise((resolve) => {
    // The IPC channel closes when this parent dies, however it dies: the child stops then (serve.ts).
    const child = spawn(process.execPath, args, { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    // Ctrl-C reaches the child from the terminal itself; a second SIGINT would make it exit at once.
    process.on('SIGINT', () => {});
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
    child.on('error', (err) => {
      console.error(`snag: could not start serve: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}
