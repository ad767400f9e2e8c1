/**
 * `npm run bench`: end-to-end ingest throughput of a real Snag process, per kind (`--kind`):
 *
 * - errors: a pool of realistic gzip @sentry/node error envelopes; first the ceilings on the same
 *   payloads (bare SQLite inserts, JSON.parse);
 * - transactions / spans: a pool of ~30-span transactions as @sentry/node sends them (classic
 *   `transaction` items, or span v2 envelopes), after the in-process digest floor
 *   (bench/lib/transactions-bench.js);
 * - stats: 30 days of endpoint rollups seeded through Snag's storage code, then the performance
 *   API timed on them (bench/lib/endpoint-stats.js);
 * - logs: OTLP/HTTP protobuf bodies of 100–1,000 records, and search (bench/lib/logs-bench.js);
 * - mixed (not in the default run): errors, transactions and logs at once on one server, at half
 *   of each target and at full speed, with ingest → queryable probes and UI/MCP reads alongside,
 *   for `--duration` (10 minutes) per mode (bench/lib/mixed-bench.js).
 *
 * Load kinds start `node bin/snag.js serve` (fresh data dir per mode) and load it from this
 * process over keep-alive HTTP: full speed (closed loop) and/or a fixed rate (open loop), then
 * wait for the queue to drain, sampling the server's RSS and CPU from /proc. Everything expensive
 * is built before any clock starts. Prints Markdown tables (medians over --repeat) and saves them
 * to .bench/last-run.md. Figures and their reading live in docs/benchmarks.md.
 */
import path from 'node:path';
import { measureBareInserts, measureJsonParse, removeBaselineFilesNow } from './lib/baseline.js';
import { buildCorpus, createEnvelopeSource, describeCorpus } from './lib/corpus.js';
import { formatProfileSummaries, perItemOf, summarizeCpuProfiles } from './lib/cpu-profile.js';
import { removeStatsFilesNow, runEndpointStats } from './lib/endpoint-stats.js';
import { parseFlags, USAGE } from './lib/flags.js';
import { createProfileDir, note, REPO_ROOT, withServer } from './lib/harness.js';
import { runFixedRate, runFullSpeed } from './lib/load.js';
import { runLogsKind } from './lib/logs-bench.js';
import { runMixedKind } from './lib/mixed-bench.js';
import {
  buildRows,
  describeMachine,
  renderMachine,
  renderTable,
  renderTargets,
  writeLastRun,
} from './lib/report.js';
import { closeHealthAgent, killServersNow } from './lib/server.js';
import { runTransactionsKind } from './lib/transactions-bench.js';

/** The command as the user typed it, for the report. */
function describeCommand(argv) {
  const args = argv.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node bench/errors.js${args ? ` ${args}` : ''}`;
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
    const profileDir = flags.cpuProf && runIndex === 0 ? createProfileDir(`errors-${mode}`) : undefined;
    const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    run[mode] = await withServer({ nodeArgs, probe: flags.probe }, (server) => {
      const options = {
        server,
        source: createEnvelopeSource(corpus, server.publicKey),
        seconds: flags.seconds,
        storedCount: (health) => health.event_count,
      };
      const label = `${mode}${tag}`;
      return mode === 'full'
        ? runFullSpeed({ ...options, concurrency: flags.concurrency, label })
        : runFixedRate({ ...options, rate: flags.rate, concurrency: flags.concurrency, label });
    });
    if (profileDir)
      profiles.push(
        `#### ${mode === 'full' ? 'Full speed' : 'Fixed rate'} (${path.relative(REPO_ROOT, profileDir)})\n\n${formatProfileSummaries(summarizeCpuProfiles(profileDir), perItemOf(run[mode], 'event'))}`,
      );
  }
  return run;
}

async function runErrorsKind(flags) {
  note(`[errors] building ${flags.pool} envelopes…`);
  const corpus = buildCorpus(flags.pool);
  const runs = [];
  const profiles = [];
  for (let i = 0; i < flags.repeat; i++) runs.push(await runOnce(flags, corpus, i, profiles));
  return {
    title: 'Errors',
    table: renderTable(buildRows(runs), flags.repeat),
    targets: renderTargets(runs),
    profile: profiles.length > 0 ? profiles.join('\n') : undefined,
    runs,
  };
}

const RUN_KIND = {
  errors: runErrorsKind,
  transactions: (flags) => runTransactionsKind(flags, 'transactions'),
  spans: (flags) => runTransactionsKind(flags, 'spans'),
  stats: runEndpointStats,
  logs: runLogsKind,
  mixed: runMixedKind,
};

async function main() {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  const machine = describeMachine();
  const sections = [];
  for (const kind of flags.kinds) {
    const section = await RUN_KIND[kind](flags);
    sections.push(section);
    // Printed as each kind finishes, so a long run shows its first figures early.
    console.log(`## ${section.title}\n\n${section.table}\n`);
    if (section.targets) console.log(`${section.targets}\n`);
    if (section.profile) console.log(`${section.profile}\n`);
  }
  console.log(renderMachine(machine));
  const file = writeLastRun(REPO_ROOT, {
    command: describeCommand(argv),
    startedAt,
    machine,
    sections,
    runs: Object.fromEntries(flags.kinds.map((k, i) => [k, sections[i].runs])),
  });
  note(`saved ${path.relative(REPO_ROOT, file)}`);
}

// Whatever happens (an error, Ctrl-C), no server process or temp dir is left behind.
process.on('exit', () => {
  killServersNow();
  removeBaselineFilesNow();
  removeStatsFilesNow();
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
