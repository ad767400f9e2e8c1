/**
 * `--kind mixed`: issue 9's mixed workload. One `snag serve`, loaded at once over real HTTP from
 * this process by three generators on the single kinds' pools (mixed-corpus.js): errors,
 * transactions, and logs as OTLP protobuf bodies plus Sentry log envelopes. Two modes, each on a
 * fresh data dir: `rate`, every type at its fixed rate (default half of each single-kind target,
 * `--mix-rates`), open loop; `full`, a closed loop of --concurrency requests per type. Each runs
 * `--duration` seconds (default 10 minutes, the issue's), with the queryable probes and the UI/MCP
 * readers alongside (mixed-run.js), then drains. The server gets a random SNAG_MCP_TOKEN for the
 * MCP reader.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatProfileSummaries, summarizeCpuProfiles } from './cpu-profile.js';
import { createProfileDir, note, REPO_ROOT, withServer } from './harness.js';
import { buildMixedCorpus } from './mixed-corpus.js';
import { renderMixedTable, renderMixedTargets } from './mixed-report.js';
import { runMixedOnce } from './mixed-run.js';

export const DEFAULT_MIXED_SECONDS = 600;
export const QUICK_MIXED_SECONDS = 15;
/** Half of each single-kind target of issue 9: errors 2,000/s, transactions 1,000/s, logs 20,000 records/s. */
export const DEFAULT_MIX_RATES = { errors: 1000, transactions: 500, logs: 10_000 };

const STALL_TRACE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'probe-stall-trace.js');

/**
 * With --probe: the server's stall timeline (probe-stall-trace.js) and every UI/MCP read, as JSON
 * lines in .bench/stall-trace-<label>-<time>/{server,readers}.jsonl, for bench/stall-report.js.
 */
function createStallTrace(label) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = path.join(REPO_ROOT, '.bench', `stall-trace-${label}-${stamp}`);
  fs.mkdirSync(base, { recursive: true });
  const serverFile = path.join(base, 'server.jsonl');
  const readersFile = path.join(base, 'readers.jsonl');
  note(`stall trace in ${path.relative(REPO_ROOT, base)}/`);
  return {
    nodeArgs: ['--import', `${pathToFileURL(STALL_TRACE).href}?out=${encodeURIComponent(serverFile)}`],
    onRead: (read) => fs.appendFileSync(readersFile, `${JSON.stringify(read)}\n`),
  };
}

export async function runMixedKind(flags) {
  const corpus = await buildMixedCorpus(flags, REPO_ROOT, note);
  const modes = flags.mode === 'both' ? ['rate', 'full'] : [flags.mode];
  const runs = [];
  const profiles = [];
  for (let i = 0; i < flags.repeat; i++) {
    const tag = flags.repeat > 1 ? ` ${i + 1}/${flags.repeat}` : '';
    const run = { corpus: corpus.facts };
    for (const mode of modes) {
      // Profiling slows the server a little, so only the first run of a --cpu-prof invocation is profiled.
      const profileDir = flags.cpuProf && i === 0 ? createProfileDir(`mixed-${mode}`) : undefined;
      const token = randomBytes(24).toString('hex');
      const label = `mixed ${mode}${tag}`;
      const trace = flags.probe ? createStallTrace(`${mode}${i}`) : undefined;
      const nodeArgs = [
        ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
        ...(trace?.nodeArgs ?? []),
      ];
      note(
        `[${label}] ${flags.mixedSeconds} s ${mode === 'rate' ? `at ${flags.mixRates.errors} errors, ${flags.mixRates.transactions} transactions, ${flags.mixRates.logs} log records /s` : `full speed, ${flags.concurrency} in flight per type`}…`,
      );
      // A lower cap (SNAG_QUEUE_MAX_DEPTH in the bench's environment) reaches the 429 regime of a
      // 10-minute run within a 90-s one.
      const cap = process.env.SNAG_QUEUE_MAX_DEPTH;
      const env = { SNAG_MCP_TOKEN: token, ...(cap ? { SNAG_QUEUE_MAX_DEPTH: cap } : {}) };
      run[mode] = await withServer({ nodeArgs, env }, (server) =>
        runMixedOnce(server, {
          mode,
          corpus,
          seconds: flags.mixedSeconds,
          concurrency: flags.concurrency,
          rates: mode === 'rate' ? flags.mixRates : undefined,
          token,
          label,
          onRead: trace?.onRead,
        }),
      );
      if (profileDir)
        profiles.push(
          `#### ${mode === 'full' ? 'Full speed' : 'Half load'} (${path.relative(REPO_ROOT, profileDir)})\n\n${formatProfileSummaries(summarizeCpuProfiles(profileDir))}`,
        );
    }
    runs.push(run);
  }
  return {
    title: 'Mixed load (errors, transactions and logs at once, one server)',
    table: renderMixedTable(runs, flags.repeat),
    targets: renderMixedTargets(runs),
    profile: profiles.length > 0 ? profiles.join('\n') : undefined,
    runs,
  };
}
