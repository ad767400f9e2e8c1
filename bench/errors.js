/**
 * `npm run bench`: end-to-end error ingest throughput of a real Snag process.
 *
 * 1. Builds a pool of realistic gzip @sentry/node envelopes (before any clock starts).
 * 2. Measures the ceilings on the same payloads: bare SQLite inserts and JSON.parse.
 * 3. Starts `node bin/snag.js serve` (fresh data dir per mode) and loads it from this process over
 *    keep-alive HTTP: full speed (closed loop) and/or a fixed rate (open loop), then waits for the
 *    queue to drain, sampling the server's RSS and CPU from /proc.
 * 4. Prints a Markdown table (medians over --repeat) and saves it to .bench/last-run.md.
 * Figures and their reading live in docs/benchmarks.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { measureBareInserts, measureJsonParse, removeBaselineFilesNow } from './lib/baseline.js';
import { buildCorpus, createEnvelopeSource, describeCorpus } from './lib/corpus.js';
import { formatProfileSummaries, summarizeCpuProfiles } from './lib/cpu-profile.js';
import { parseFlags, USAGE } from './lib/flags.js';
import { runFixedRate, runFullSpeed } from './lib/load.js';
import {
  buildRows,
  describeMachine,
  renderMachine,
  renderTable,
  renderTargets,
  writeLastRun,
} from './lib/report.js';
import { closeHealthAgent, killServersNow, readProbe, startServer } from './lib/server.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const benchStartedAt = performance.now();
const note = (message) =>
  process.stderr.write(`[+${((performance.now() - benchStartedAt) / 1000).toFixed(1)}s] ${message}\n`);

/** The command as the user typed it, for the report. */
function describeCommand(argv) {
  const args = argv.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node bench/errors.js${args ? ` ${args}` : ''}`;
}

/** Starts a server, runs `load` against it, and always stops it (and deletes its data dir). */
async function withServer({ nodeArgs, probe }, load) {
  const server = await startServer({ repoRoot: REPO_ROOT, nodeArgs, probe });
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

function createProfileDir(mode) {
  const dir = path.join(
    REPO_ROOT,
    '.bench',
    `cpu-prof-${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function runOnce(flags, corpus, runIndex, profiles) {
  const tag = flags.repeat > 1 ? ` ${runIndex + 1}/${flags.repeat}` : '';
  note(`[baseline${tag}] bare SQLite inserts and JSON.parse on the same payloads…`);
  const run = {
    corpus: describeCorpus(corpus),
    baseline: { inserts: await measureBareInserts(corpus), parse: await measureJsonParse(corpus) },
  };
  const modes = flags.mode === 'both' ? ['full', 'rate'] : [flags.mode];
  for (const mode of modes) {
    // Profiling slows the server a little, so only the first run of a --cpu-prof invocation is profiled.
    const profileDir = flags.cpuProf && runIndex === 0 ? createProfileDir(mode) : undefined;
    const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    run[mode] = await withServer({ nodeArgs, probe: flags.probe }, (server) => {
      const options = {
        server,
        source: createEnvelopeSource(corpus, server.publicKey),
        seconds: flags.seconds,
      };
      const label = `${mode}${tag}`;
      return mode === 'full'
        ? runFullSpeed({ ...options, concurrency: flags.concurrency, label })
        : runFixedRate({ ...options, rate: flags.rate, concurrency: flags.concurrency, label });
    });
    if (profileDir)
      profiles.push(
        `### ${mode === 'full' ? 'Full speed' : 'Fixed rate'} (${profileDir})\n\n${formatProfileSummaries(summarizeCpuProfiles(profileDir))}`,
      );
  }
  return run;
}

async function main() {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  const machine = describeMachine();
  note(`building ${flags.pool} envelopes…`);
  const corpus = buildCorpus(flags.pool);
  const runs = [];
  const profiles = [];
  for (let i = 0; i < flags.repeat; i++) runs.push(await runOnce(flags, corpus, i, profiles));

  const table = renderTable(buildRows(runs), flags.repeat);
  const targets = renderTargets(runs);
  const profile = profiles.length > 0 ? profiles.join('\n') : undefined;
  console.log(`${table}\n\n${targets}\n`);
  if (profile) console.log(profile);
  console.log(renderMachine(machine));
  const file = writeLastRun(REPO_ROOT, {
    command: describeCommand(argv),
    startedAt,
    machine,
    table,
    targets,
    profile,
    runs,
  });
  note(`saved ${path.relative(REPO_ROOT, file)}`);
}

// Whatever happens (an error, Ctrl-C), no server process or temp dir is left behind.
process.on('exit', () => {
  killServersNow();
  removeBaselineFilesNow();
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    note(`${signal}: stopping`);
    process.exit(130);
  });
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(closeHealthAgent);
