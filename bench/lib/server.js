/**
 * Runs the built Snag as a user would (`node bin/snag.js serve`) in its own process, on a free
 * loopback port with a throwaway data dir, and reads its DSN from stdout. The load generator
 * stays in another process so the server's CPU and memory figures are its own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Buffer } from 'node:buffer';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
/** A graceful stop commits the queue and waits for the digest worker's batch (its own cap is 10 s). */
const STOP_TIMEOUT_MS = 15_000;
const HEALTH_TIMEOUT_MS = 10_000;
/** Keep the tail of the server's output for error messages, not all of it. */
const MAX_OUTPUT_CHARS = 16_384;
const PROBE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'http-thread-probe.js');
const PROBE_LINE = /^SNAG_BENCH_PROBE (\{.*\})$/gm;
/** Servers started and not yet stopped, for the exit handler. */
const unstopped = new Set();

function findFreePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function waitForDsn(child, readOutput) {
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`Snag ${why}:\n${readOutput()}`));
    };
    const timer = setTimeout(
      () => fail(`did not print its DSN within ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', () => {
      const match = /DSN:\s+(\S+)/.exec(readOutput());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => fail(`exited during start (code ${code}, signal ${signal})`));
  });
}

/** `NAME=VALUE` items of `list`, split on `separator`, as an object (values may hold `=`). */
export function parseAssignments(list, separator) {
  return Object.fromEntries(
    list
      .split(separator)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/**
 * Node flags and environment to start `repoRoot`'s server with: what its `snag serve` wants of its
 * process (dist/cli/serve-launch.js, when the build has it), so the pid watched is the server and
 * not a parent waiting for it. BENCH_SERVER_NODE_ARGS ("--flag=1 --flag=2") and BENCH_SERVER_ENV
 * ("NAME=VALUE NAME=VALUE") come first and win: experiments with start-up settings (V8 flags,
 * MALLOC_ARENA_MAX) need no code change.
 */
async function serveSettings(repoRoot, callArgs, callEnv) {
  const nodeArgs = [...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), ...callArgs];
  const benchEnv = parseAssignments(process.env.BENCH_SERVER_ENV ?? '', ' ');
  const env = { ...benchEnv, ...callEnv };
  const launch = path.join(repoRoot, 'dist/cli/serve-launch.js');
  if (!fs.existsSync(launch)) return { nodeArgs, env };
  const wanted = (await import(pathToFileURL(launch).href)).serveProcessSettings(nodeArgs, env);
  return { nodeArgs: [...nodeArgs, ...wanted.nodeArgs], env: { ...env, ...wanted.env } };
}

/**
 * Starts a server; `nodeArgs` go before the script (e.g. --cpu-prof), `probe` preloads
 * http-thread-probe.js, `dataDir` serves pre-seeded data (bench/ui-list.js), `env` adds SNAG_*
 * settings (the mixed kind's SNAG_MCP_TOKEN). The caller must `stop()` it, which also removes the
 * data dir.
 */
export async function startServer({ repoRoot, nodeArgs = [], probe = false, dataDir: seeded, env = {} }) {
  const dataDir = seeded ?? fs.mkdtempSync(path.join(os.tmpdir(), 'snag-bench-'));
  const port = await findFreePort();
  const probeArgs = probe ? ['--import', pathToFileURL(PROBE_FILE).href] : [];
  const settings = await serveSettings(repoRoot, [...nodeArgs, ...probeArgs], env);
  const child = spawn(process.execPath, [...settings.nodeArgs, path.join(repoRoot, 'bin/snag.js'), 'serve'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      SNAG_DATA_DIR: dataDir,
      SNAG_PORT: String(port),
      SNAG_HOST: HOST,
      SNAG_LOG_LEVEL: 'warn',
      ...settings.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const server = {
    child,
    pid: child.pid,
    probed: probe,
    dataDir,
    url: `http://${HOST}:${port}`,
    port,
    output: () => output,
    stop: () => stopServer(server),
  };
  // Registered before the DSN arrives, so a Ctrl-C during start-up still cleans it up.
  unstopped.add(server);
  try {
    const dsn = new URL(await waitForDsn(child, () => output));
    return { ...server, publicKey: dsn.username, projectId: Number(dsn.pathname.slice(1)) };
  } catch (err) {
    await stopServer(server);
    throw err;
  }
}

/**
 * SIGTERM, as a service manager would, and SIGKILL if the server has not exited after
 * STOP_TIMEOUT_MS; then deletes the data dir. Returns whether the stop was graceful and how long it
 * took, because a server that ignores SIGTERM is a finding in itself.
 */
export async function stopServer(server) {
  const startedAt = performance.now();
  let graceful = true;
  if (!(await waitForExit(server.child, 0))) {
    server.child.kill('SIGTERM');
    if (!(await waitForExit(server.child, STOP_TIMEOUT_MS))) {
      graceful = false;
      server.child.kill('SIGKILL');
      await waitForExit(server.child, STOP_TIMEOUT_MS);
    }
  }
  fs.rmSync(server.dataDir, { recursive: true, force: true });
  unstopped.delete(server);
  return { graceful, seconds: (performance.now() - startedAt) / 1000 };
}

/** How long the exit handler waits for a SIGKILLed server to die before deleting its files. */
const KILL_WAIT_MS = 2_000;

/** True once the process is gone or a zombie (its files are closed). */
function isDead(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * Last resort on process exit (error, Ctrl-C): synchronous, because an 'exit' handler cannot
 * await. Waits for each killed server to die so it cannot write into the dir being deleted.
 */
export function killServersNow() {
  for (const server of unstopped) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      const tick = new Int32Array(new SharedArrayBuffer(4));
      for (let waited = 0; waited < KILL_WAIT_MS && !isDead(server.pid); waited += 10)
        Atomics.wait(tick, 0, 0, 10);
    }
    fs.rmSync(server.dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
  unstopped.clear();
}

/** The last window the probe printed (the sending window), or undefined without --probe. */
export function readProbe(server) {
  const lines = [...server.output().matchAll(PROBE_LINE)];
  return lines.length > 0 ? JSON.parse(lines.at(-1)[1]) : undefined;
}

/** Sizes of the SQLite files (and their WALs) in the data dir, in bytes. */
export function readDataFileSizes(dataDir) {
  const sizes = {};
  for (const name of fs.readdirSync(dataDir)) sizes[name] = fs.statSync(path.join(dataDir, name)).size;
  return sizes;
}

/** A separate one-socket agent, so health polls never queue behind the load's requests. */
const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** GET /_health; it answers 503 with the same JSON when the queue is past its critical depth. */
export function readHealth(server) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${server.url}/_health`,
      { agent: healthAgent, timeout: HEALTH_TIMEOUT_MS },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(new Error(`/_health answered ${res.statusCode} with non-JSON: ${err.message}`));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`/_health took over ${HEALTH_TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

export function closeHealthAgent() {
  healthAgent.destroy();
}
