/**
 * `node bench/logs-digest.js [--dist DIR]… [--rounds N] [--records N]` (after `npm run build`):
 * what the logs digest thread spends per record, in-process on Snag's compiled code: a queue.db
 * holding the mixed load's log requests (OTLP protobuf bodies of 100–1,000 records and @sentry/node
 * log envelopes of 100, 30 % of the records, gzipped ones queued as sent, as ingest queues them),
 * drained by `drainLogsOnce` into a logs.db exactly as the digest thread does, no HTTP.
 *
 * Each round, per build: a fresh data dir, a warm-up of ~25,000 records, a dictionary trained
 * (the server has one after its first minute), then `--records` more drained and timed: CPU
 * (user + system of this process) per stored record, and wall time. With several `--dist`, the
 * builds take turns round by round, so load from other processes on a shared box hits them alike;
 * the ratio of their medians is the figure to read.
 *
 *   node bench/logs-digest.js --dist /tmp/snag-base-s5/dist --dist dist --rounds 5
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildLogCorpus, stampBody } from './lib/logs-corpus.js';
import { buildSentryLogCorpus } from './lib/sentry-logs-corpus.js';

const { values: flags } = parseArgs({
  options: {
    dist: { type: 'string', multiple: true, default: ['dist'] },
    rounds: { type: 'string', default: '3' },
    records: { type: 'string', default: '150000' },
    pool: { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
  },
});
/** Snag's defaults: SNAG_SCRUB_PII on, SNAG_WORKER_BATCH_SIZE, SNAG_MAX_DECOMPRESSED_BYTES. */
const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const BATCH_SIZE = 500;
const MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024;
const SENTRY_SHARE = 0.3;
const WARM_UP_RECORDS = 25_000;
const SILENT_LOG = { error() {}, warn() {}, info() {}, debug() {} };

async function loadBuild(dist) {
  const at = (file) => import(pathToFileURL(path.resolve(dist, file)).href);
  const [storage, consumer, trainer, ftsText] = await Promise.all([
    at('storage/index.js'),
    at('workers/logs-consumer.js'),
    at('domain/logs/dictionary-trainer.js'),
    at('domain/logs/fts-text.js'),
  ]);
  return {
    dist,
    migrateAll: storage.migrateAll,
    open: (dir) =>
      storage.openLogsWorkerStorage(dir, {
        searchDocument: ftsText.buildSearchDocument,
        trainDictionary: trainer.trainDictionary,
      }),
    drainLogsOnce: consumer.drainLogsOnce,
  };
}

/** Jobs as ingest queues them, in the mixed sender's order (logs-corpus.js, mixed-corpus.js). */
function createJobSource(otlp, sentry) {
  let o = 0;
  let s = 0;
  let sentryRecords = 0;
  let records = 0;
  return function nextJob(nowMs) {
    const sentryBehind = sentryRecords < SENTRY_SHARE * records;
    let job;
    let n;
    if (sentryBehind) {
      const e = sentry.entries[s++ % sentry.entries.length];
      const gzip = e.headers['content-encoding'] === 'gzip';
      job = {
        kind: 'log',
        meta: JSON.stringify(
          gzip ? { client_ip: '127.0.0.1', encoding: 'gzip', item: 0 } : { client_ip: '127.0.0.1' },
        ),
        payload: Buffer.from(gzip ? e.body : e.payload),
      };
      n = e.records;
      sentryRecords += n;
    } else {
      const e = otlp.entries[o++ % otlp.entries.length];
      job = {
        kind: 'otlp_log',
        meta: JSON.stringify({ client_ip: '127.0.0.1', format: 'protobuf' }),
        payload: Buffer.from(stampBody(e, nowMs * 1000)),
      };
      n = e.records.length;
    }
    records += n;
    return { job: { ...job, projectId: 1, receivedAt: nowMs }, records: n };
  };
}

function enqueue(storage, nextJob, records, startMs, perSecond) {
  const jobs = [];
  let n = 0;
  while (n < records) {
    const { job, records: r } = nextJob(startMs + Math.floor((n / perSecond) * 1000));
    jobs.push(job);
    n += r;
  }
  for (let i = 0; i < jobs.length; i += 50) storage.queue.insertJobs(jobs.slice(i, i + 50));
  return n;
}

function drain(build, storage) {
  let stored = 0;
  let batches = 0;
  for (;;) {
    const r = build.drainLogsOnce(storage, {
      batchSize: BATCH_SIZE,
      maxDecompressedBytes: MAX_DECOMPRESSED_BYTES,
      scrub: SCRUB,
      log: SILENT_LOG,
    });
    if (!r) return { stored, batches };
    stored += r.stored;
    batches++;
  }
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function runRound(build, corpus) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-logs-digest-'));
  try {
    build.migrateAll(dir);
    const storage = build.open(dir);
    const nextJob = createJobSource(corpus.otlp, corpus.sentry);
    // Records 10,000/s apart, ending about now: the mixed load's density.
    const records = Number(flags.records);
    const startMs = Date.now() - ((WARM_UP_RECORDS + records) / 10_000) * 1000;
    const warm = enqueue(storage, nextJob, WARM_UP_RECORDS, startMs, 10_000);
    drain(build, storage);
    storage.logs.trainDictionaryIfDue(Date.now(), { force: true });
    enqueue(storage, nextJob, records, startMs + (warm / 10_000) * 1000, 10_000);
    const c0 = cpuMs();
    const t0 = performance.now();
    const { stored, batches } = drain(build, storage);
    const cpu = cpuMs() - c0;
    const wall = performance.now() - t0;
    storage.close();
    const bytes = fs.statSync(path.join(dir, 'logs.db')).size + fileSize(path.join(dir, 'logs.db-wal'));
    return {
      stored,
      batches,
      cpuUsPerRecord: (cpu * 1000) / stored,
      wallUsPerRecord: (wall * 1000) / stored,
      bytes,
    };
  } finally {
    if (!flags.keep) fs.rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
}

function fileSize(file) {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const builds = await Promise.all(flags.dist.map(loadBuild));
const pool = Number(flags.pool);
const corpus = { otlp: buildLogCorpus(pool), sentry: buildSentryLogCorpus(pool) };
const results = builds.map(() => []);
for (let round = 0; round < Number(flags.rounds); round++) {
  for (const [i, build] of builds.entries()) {
    const r = runRound(build, corpus);
    results[i].push(r);
    process.stderr.write(
      `round ${round + 1} ${build.dist}: ${r.stored} records in ${r.batches} batches, ${r.cpuUsPerRecord.toFixed(1)} µs CPU/record, ${r.wallUsPerRecord.toFixed(1)} µs wall/record, logs.db ${(r.bytes / r.stored).toFixed(0)} B/record (warm-up included)\n`,
    );
  }
}
console.log('| build | CPU µs/record, median (rounds) | wall µs/record, median | ratio to first |');
console.log('|---|---|---|---|');
const first = median(results[0].map((r) => r.cpuUsPerRecord));
for (const [i, build] of builds.entries()) {
  const cpus = results[i].map((r) => r.cpuUsPerRecord);
  const m = median(cpus);
  console.log(
    `| ${build.dist} | ${m.toFixed(1)} (${cpus.map((c) => c.toFixed(1)).join(', ')}) | ${median(results[i].map((r) => r.wallUsPerRecord)).toFixed(1)} | ${(m / first).toFixed(3)} |`,
  );
}
