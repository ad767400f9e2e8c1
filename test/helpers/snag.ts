/**
 * Starts a real Snag (the built `bin/snag.js serve`) on a free port with its own data dir, the way a
 * user would, and waits until it prints its DSN. Tests talk to it over real HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveProcessSettings } from '../../src/cli/serve-launch.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 20_000;

export interface RunningSnag {
  url: string;
  dsn: string;
  publicKey: string;
  projectId: number;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown code runs. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDataDir(label = 'snag'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
}

export async function startSnag(
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<RunningSnag> {
  const dataDir = options.dataDir ?? tempDataDir();
  const port = await freePort();
  // Started as `snag serve` wants its process (serve-launch.ts), so `proc` is the server itself and
  // kill() crashes it, not a waiting parent.
  const settings = serveProcessSettings();
  const proc = spawn(process.execPath, [...settings.nodeArgs, path.join(REPO_ROOT, 'bin/snag.js'), 'serve'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...settings.env,
      SNAG_DATA_DIR: dataDir,
      SNAG_PORT: String(port),
      SNAG_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  // A server that dies on its own fails some later request with ECONNREFUSED; say why right away.
  proc.once('exit', (code, signal) => {
    if (!proc.killed)
      process.stderr.write(
        `Snag (${dataDir}) exited unexpectedly (code ${code}, signal ${signal}):\n${out}\n`,
      );
  });

  const dsn = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Snag did not start within ${START_TIMEOUT_MS} ms:\n${out}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const m = /DSN:\s+(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Snag exited during start:\n${out}`));
    });
  });
  const parsed = new URL(dsn);
  return {
    url: `http://127.0.0.1:${port}`,
    dsn,
    publicKey: parsed.username,
    projectId: Number(parsed.pathname.slice(1)),
    dataDir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Waits until the queue is empty and at least `events` events are stored. */
export async function waitForDigest(snag: RunningSnag, events: number, timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const h = await getJson<{ queue_depth: number; event_count: number }>(`${snag.url}/_health`);
      return h.queue_depth === 0 && h.event_count >= events ? h : null;
    },
    timeoutMs,
    `${events} events digested`,
  );
}
