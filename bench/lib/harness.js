/** What every bench stage shares: progress notes, a server per load run, profile directories. */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { readProbe, startServer } from './server.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const benchStartedAt = performance.now();

/** A progress line on stderr (stdout is kept for the tables), stamped with seconds since start. */
export const note = (message) =>
  process.stderr.write(`[+${((performance.now() - benchStartedAt) / 1000).toFixed(1)}s] ${message}\n`);

/** Starts a server, runs `load` against it, and always stops it (and deletes its data dir). */
export async function withServer({ nodeArgs, probe, dataDir, env }, load) {
  const server = await startServer({ repoRoot: REPO_ROOT, nodeArgs, probe, dataDir, env });
  note(`server pid ${server.pid} listening on ${server.url}`);
  let result;
  try {
    result = await load(server);
  } finally {
    note('stopping the server (SIGTERM)…');
    const stop = await server.stop();
    if (result) Object.assign(result, { stop, probe: readProbe(server) });
  }
  return result;
}

/** .bench/cpu-prof-<label>-<time>/, for `node --cpu-prof --cpu-prof-dir`. */
export function createProfileDir(label) {
  const dir = path.join(
    REPO_ROOT,
    '.bench',
    `cpu-prof-${label}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
