/**
 * `node bench/transactions-digest.js` (after `npm run build`): what the transactions consumer
 * costs per transaction, as the digest thread runs it (`drainTransactionsOnce`: queue read, unpack,
 * parse, domain, payload encoding, transactions.db batch with rollups, cursor), on real SQLite
 * files in a temp dir, in one thread, with no HTTP. The CPU figure is this thread's own
 * (/proc/thread-self/stat), as the server bench reports the digest worker's.
 *
 * Jobs are what ingest queues for the bench corpus (bench/lib/transactions.js, the same envelopes
 * `npm run bench -- --kind transactions|spans` sends): the item's JSON for a plain body, the
 * whole envelope as sent with `encoding` for a gzip one. They are queued before the clock starts.
 *
 * `--dist DIR` (repeatable) times other builds of src/ instead of ./dist, round by round in turn so
 * the box's load hits them alike; the last column is each build's median over the first build's.
 * `--stages` times the consumer's in-memory stages instead, per transaction, and `normalizeSql` per
 * statement (bench/lib/transaction-stages.js).
 *
 * A build outside the repo needs node_modules next to its dist/ (a symlink is enough), e.g.:
 *
 *   mkdir -p /tmp/snag-base && git archive HEAD | tar -x -C /tmp/snag-base
 *   ln -s "$PWD/node_modules" /tmp/snag-base/node_modules
 *   npx tsc -p /tmp/snag-base/tsconfig.build.json
 *   node bench/transactions-digest.js --dist /tmp/snag-base/dist --dist dist
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { measureStages, STAGES } from './lib/transaction-stages.js';
import { buildTransactionCorpus, createTransactionSource } from './lib/transactions.js';
import { median } from './lib/stats.js';

const PROJECT_KEY = 'bench';
/** Snag's defaults: SNAG_WORKER_BATCH_SIZE, SNAG_SCRUB_PII (IPs kept), the 30 s orphan timeout. */
const BATCH_SIZE = 500;
const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const ORPHAN_TIMEOUT_MS = 30_000;
const MAX_DECOMPRESSED_BYTES = 20 * 2 ** 20;
/** Linux reports thread CPU in clock ticks; 100 per second on every kernel Node supports here. */
const TICKS_PER_SECOND = 100;

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', multiple: true },
    kind: { type: 'string', default: 'transactions' },
    count: { type: 'string', default: '6000' },
    rounds: { type: 'string', default: '5' },
    pool: { type: 'string', default: '1000' },
    // Jobs per batch: 500 under a backlog; a worker that keeps up digests a few at a time.
    batch: { type: 'string', default: String(BATCH_SIZE) },
    stages: { type: 'boolean', default: false },
  },
});
const dists = args.dist?.length ? args.dist : ['dist'];
const count = Number(args.count);
const rounds = Number(args.rounds);

/** utime + stime of the calling thread, in ms. */
function threadCpuMs() {
  const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function loadBuild(dist) {
  const load = (file) => import(pathToFileURL(path.resolve(dist, file)).href);
  return {
    name: dist,
    ...(await load('storage/index.js')),
    ...(await load('workers/transactions-consumer.js')),
    ...(await load('domain/transactions/latency-sketch.js')),
    ...(await load('domain/transactions/from-event.js')),
    ...(await load('domain/projects/service.js')),
  };
}

/** The jobs ingest would queue for `n` requests of the corpus (accept.ts: plain item, or as sent). */
function buildJobs(corpus, n, projectId, receivedAt) {
  const source = createTransactionSource(corpus, PROJECT_KEY);
  const kind = corpus.kind === 'spans' ? 'span' : 'transaction';
  const jobs = [];
  for (let i = 0; i < n; i++) {
    const { body, headers } = source.next();
    if (headers['content-encoding']) {
      const meta = corpus.kind === 'spans' ? {} : { event_id: crypto.randomUUID().replaceAll('-', '') };
      jobs.push({
        kind,
        projectId,
        receivedAt,
        meta: JSON.stringify({ ...meta, encoding: 'gzip', item: 0 }),
        payload: body,
      });
      continue;
    }
    const headerEnd = body.indexOf(10);
    const itemStart = body.indexOf(10, headerEnd + 1) + 1;
    const header = JSON.parse(body.subarray(0, headerEnd).toString('utf8'));
    const meta = header.event_id ? { event_id: header.event_id } : {};
    jobs.push({ kind, projectId, receivedAt, meta: JSON.stringify(meta), payload: body.subarray(itemStart) });
  }
  return jobs;
}

function runRound(build, jobs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-bench-digest-'));
  try {
    build.migrateAll(dir);
    const storage = build.openWorkerStorage(dir, { mergeSketch: build.mergeSketchBlobs });
    try {
      const project = build
        .createProjectService(storage.app, 'http://127.0.0.1')
        .ensureDefaultProject('default');
      for (let i = 0; i < jobs.length; i += 1000)
        storage.queue.insertJobs(jobs.slice(i, i + 1000).map((j) => ({ ...j, projectId: project.id })));
      const options = {
        batchSize: Number(args.batch),
        maxDecompressedBytes: MAX_DECOMPRESSED_BYTES,
        scrub: SCRUB,
        transactions: { ...build.DEFAULT_TRANSACTION_OPTIONS, scrub: SCRUB },
        orphanTimeoutMs: ORPHAN_TIMEOUT_MS,
        log: { error: (obj, msg) => console.error(msg, obj) },
      };
      let stored = 0;
      const cpu0 = threadCpuMs();
      const t0 = performance.now();
      for (;;) {
        const result = build.drainTransactionsOnce(storage, options);
        if (!result) break;
        stored += result.stored;
      }
      const wallMs = performance.now() - t0;
      const cpuMs = threadCpuMs() - cpu0;
      return { stored, cpuUsPerTx: (cpuMs * 1000) / stored, wallUsPerTx: (wallMs * 1000) / stored };
    } finally {
      storage.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function printStages() {
  const corpus = buildTransactionCorpus(Number(args.pool), args.kind);
  const results = await measureStages(dists, corpus, rounds);
  const us = (v) => v.toFixed(1);
  console.log(
    `${args.kind}: ${corpus.entries.length} payloads, ${rounds} rounds, ${results[0].statementsPerTransaction.toFixed(1)} SQL statements per transaction, load average ${os.loadavg()[0].toFixed(2)}\n`,
  );
  console.log(`| build | ${STAGES.join(' | ')} | all four | normalizeSql per statement |`);
  console.log(`|---|${STAGES.map(() => '---|').join('')}---|---|`);
  for (const r of results) {
    const all = STAGES.reduce((a, s) => a + r[s], 0);
    console.log(
      `| ${r.name} | ${STAGES.map((s) => us(r[s])).join(' | ')} | ${us(all)} | ${us(r.sqlPerStatement)} |`,
    );
  }
  console.log('\nµs of CPU per transaction (medians of the rounds), normalizeSql in µs per statement.');
}

async function main() {
  if (args.stages) return printStages();
  const builds = [];
  for (const dist of dists) builds.push(await loadBuild(dist));
  const corpus = buildTransactionCorpus(Number(args.pool), args.kind);
  const jobs = buildJobs(corpus, count, 0, Date.now());
  const results = builds.map(() => []);
  // A first, untimed pass per build: JIT, zstd contexts, page cache.
  for (const build of builds) runRound(build, jobs.slice(0, 1000));
  for (let r = 0; r < rounds; r++) {
    builds.forEach((build, i) => {
      const res = runRound(build, jobs);
      if (res.stored !== jobs.length) throw new Error(`${build.name} stored ${res.stored} of ${jobs.length}`);
      results[i].push(res);
      process.stderr.write(
        `round ${r + 1}/${rounds} ${build.name}: ${res.cpuUsPerTx.toFixed(0)} µs CPU, ${res.wallUsPerTx.toFixed(0)} µs wall per transaction\n`,
      );
    });
  }
  const base = median(results[0].map((r) => r.cpuUsPerTx));
  console.log(
    `${args.kind}: ${count} jobs per round in batches of ${args.batch}, ${rounds} rounds, load average ${os.loadavg()[0].toFixed(2)}\n`,
  );
  console.log('| build | CPU µs per transaction, median (min–max) | wall µs, median | ÷ first |');
  console.log('|---|---|---|---|');
  builds.forEach((build, i) => {
    const cpu = results[i].map((r) => r.cpuUsPerTx);
    const wall = results[i].map((r) => r.wallUsPerTx);
    console.log(
      `| ${build.name} | ${median(cpu).toFixed(0)} (${Math.min(...cpu).toFixed(0)}–${Math.max(...cpu).toFixed(0)}) | ${median(wall).toFixed(0)} | ${(median(cpu) / base).toFixed(2)} |`,
    );
  });
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
