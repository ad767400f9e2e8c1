/**
 * `--kind logs`: OTLP/HTTP protobuf log bodies (logs-corpus.js: 100–1,000 records each, checked
 * against Snag's parser first) POSTed to /v1/logs of a real server, full speed and/or a fixed rate
 * of records (load.js; `--log-rate`, default TARGET_RECORDS_PER_SECOND, sent as whole bodies), each
 * on a fresh data dir. Stored counts come from /_health `log_count`, accepted records from its
 * `items_accepted.otlp_log`; while the load runs a probe measures ingest → searchable
 * (logs-probe.js); once drained, logs.db is read (logs-db.js) and the search API timed on what was
 * just stored (logs-search.js).
 *
 * `--kind logs --log-rows N` instead seeds N records through Snag's storage code (seed-logs.js) and
 * times the search API on them: the "search over 10 million records" target.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatProfileSummaries, perItemOf, summarizeCpuProfiles } from './cpu-profile.js';
import { createProfileDir, note, REPO_ROOT, withServer } from './harness.js';
import { runFixedRate, runFullSpeed } from './load.js';
import { buildLogCorpus, createLogSource, describeLogCorpus } from './logs-corpus.js';
import { inspectLogsDb, readLogsDb } from './logs-db.js';
import { startQueryableProbe } from './logs-probe.js';
import { renderLogsTable, renderLogsTargets, renderSeededSearch } from './logs-report.js';
import { describeSearches, pickSearchTerms, timeSearches } from './logs-search.js';
import { verifyLogCorpus } from './logs-verify.js';
import { SEED_DAYS, seedLogs } from './seed-logs.js';

/** load.js lets the server settle this long before its clock starts; the probe starts with it. */
const LOAD_SETTLE_MS = 1000;

/** One load run on `server`; the probe and the searches are part of it. */
async function loadOnce(server, { mode, corpus, flags, terms, label, requestRate }) {
  const source = createLogSource(corpus, server.publicKey);
  const probe = startQueryableProbe(server, { delayMs: LOAD_SETTLE_MS, windowMs: flags.seconds * 1000 });
  const options = {
    server,
    source,
    seconds: flags.seconds,
    concurrency: flags.concurrency,
    label,
    storedCount: (health) => health.log_count,
    inspect: inspectLogsDb,
  };
  let result;
  try {
    result =
      mode === 'full' ? await runFullSpeed(options) : await runFixedRate({ ...options, rate: requestRate });
  } finally {
    const queryable = await probe.stop();
    if (result) result.queryable = queryable;
  }
  result.recordsSent = source.records;
  // The probe's one-record bodies are counted by the server too.
  result.acceptedRecords = (result.health.items_accepted?.otlp_log ?? 0) - result.queryable.sent;
  if (mode === 'rate') result.recordsRate = flags.logRate;
  // The box is shared: how busy it was is part of every figure.
  result.loadAverage = os.loadavg()[0];
  note(`[${label}] timing searches on the ${result.stored.toLocaleString('en-US')} records just stored…`);
  result.search = await timeSearches(server, terms);
  return result;
}

export async function runLogsKind(flags) {
  if (flags.logRows > 0) return runSeededSearch(flags);
  note(`[logs] building ${flags.logPool} OTLP protobuf bodies…`);
  const corpus = buildLogCorpus(flags.logPool);
  note('[logs] checking every body against Snag’s parser (dist/domain/logs/otlp.js)…');
  const sizes = await verifyLogCorpus(corpus, REPO_ROOT);
  const corpusFacts = { ...describeLogCorpus(corpus), ...sizes };
  const terms = pickSearchTerms(corpus.entries.flatMap((e) => e.records));
  const requestRate = flags.logRate / corpusFacts.recordsPerBodyMean;
  const modes = flags.mode === 'both' ? ['full', 'rate'] : [flags.mode];
  const runs = [];
  const profiles = [];
  for (let i = 0; i < flags.repeat; i++) {
    const tag = flags.repeat > 1 ? ` ${i + 1}/${flags.repeat}` : '';
    const run = { corpus: corpusFacts };
    for (const mode of modes) {
      // Profiling slows the server a little, so only the first run of a --cpu-prof invocation is profiled.
      const profileDir = flags.cpuProf && i === 0 ? createProfileDir(`logs-${mode}`) : undefined;
      const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
      const label = `logs ${mode}${tag}`;
      run[mode] = await withServer({ nodeArgs, probe: flags.probe }, (server) =>
        loadOnce(server, { mode, corpus, flags, terms, label, requestRate }),
      );
      if (profileDir) {
        const summaries = summarizeCpuProfiles(profileDir);
        profiles.push(
          `#### ${mode === 'full' ? 'Full speed' : 'Fixed rate'} (${path.relative(REPO_ROOT, profileDir)})\n\n${formatProfileSummaries(summaries, perItemOf(run[mode], 'record'))}`,
        );
      }
    }
    runs.push(run);
  }
  const searchLabels = describeSearches(terms).map(([label]) => label);
  return {
    title: 'Logs (OTLP/HTTP protobuf, 100–1,000 records a request)',
    table: renderLogsTable(runs, flags.repeat, searchLabels),
    targets: renderLogsTargets(runs),
    profile: profiles.length > 0 ? profiles.join('\n') : undefined,
    runs,
  };
}

/** The seeded dir until a server owns it, so an interrupted seeding can still delete it. */
let seedingDir;

/** For the process's 'exit' event: synchronous, a no-op unless seeding is under way. */
function removeLogSeedFilesNow() {
  if (seedingDir) fs.rmSync(seedingDir, { recursive: true, force: true });
}

async function runSeededSearch(flags) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-bench-logs-'));
  seedingDir = dataDir;
  process.once('exit', removeLogSeedFilesNow);
  note(
    `[logs] seeding ${flags.logRows.toLocaleString('en-US')} records over ${SEED_DAYS} days through dist/storage…`,
  );
  const seeded = await seedLogs(REPO_ROOT, dataDir, flags.logRows, note);
  const sizes = fs.readdirSync(dataDir).filter((f) => f.startsWith('logs.db'));
  seeded.bytesPerRecord =
    sizes.reduce((s, f) => s + fs.statSync(path.join(dataDir, f)).size, 0) / flags.logRows;
  const pages = readLogsDb(dataDir);
  seeded.indexShare = pages.indexBytes / (pages.rowBytes + pages.indexBytes + pages.otherBytes);
  seeded.payloadBytesPerRecord = pages.payloadBytes / pages.rows;
  seedingDir = undefined;
  seeded.results = await withServer({ dataDir }, async (server) => {
    const results = [];
    for (const range of [`${SEED_DAYS}d`, '24h']) {
      note(`[logs] timing searches over range=${range}…`);
      for (const r of await timeSearches(server, seeded.terms, { extra: `&range=${range}` }))
        results.push({ ...r, range });
    }
    return results;
  });
  const { table, targets } = renderSeededSearch(seeded);
  return {
    title: `Logs search over ${flags.logRows.toLocaleString('en-US')} seeded records`,
    table,
    targets,
    runs: [seeded],
  };
}
