/**
 * `node bench/backlog-memory.js --root DIR [--root DIR]…`: what a backlog costs in memory, without
 * a load generator. A data dir is seeded once with a queue.db holding `--seconds` of the mixed half
 * load as ingest queues it under a backlog (per second: 1,000 error events queued as their gzip
 * envelopes, 500 @sentry/node transactions, 10,000 OTLP log records in bodies of 100–1,000), then
 * each root's `bin/snag.js serve` digests a fresh copy of it with nothing else to do, all three
 * digest threads on full batches, as in the mixed run once the queue is long (issue 9). Sampled
 * every 500 ms until the queue is empty: peak RSS (and VmHWM), the smaps split at the peak
 * (bench/lib/smaps.js), and the server's CPU per job.
 *
 * Unlike `--kind mixed`, the figures do not depend on how much CPU the load generator got on a
 * busy box: the backlog is the same for every root. Rounds alternate between roots.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildCorpus, createEnvelopeSource } from './lib/corpus.js';
import { REPO_ROOT } from './lib/harness.js';
import { buildLogCorpus, stampBody } from './lib/logs-corpus.js';
import { closeHealthAgent, killServersNow, parseAssignments, readHealth, startServer } from './lib/server.js';
import { formatBreakdown, readSmapsBreakdown } from './lib/smaps.js';
import { buildTransactionCorpus, createTransactionSource } from './lib/transactions.js';

const PROBE_FILE = path.join(import.meta.dirname, 'lib', 'thread-heap-probe.js');

const { values: args } = parseArgs({
  options: {
    root: { type: 'string', multiple: true },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '1' },
    'seed-dist': { type: 'string', default: path.join(REPO_ROOT, 'dist') },
  },
});
// `--root DIR` or `--root 'DIR:NAME=VALUE,NAME=VALUE'`: the server started with those variables
// (say MALLOC_ARENA_MAX=2, which glibc reads only at process start); NODE_ARGS=… (space-separated)
// goes on node's command line instead.
const roots = (args.root ?? [REPO_ROOT]).map((spec) => {
  const [dir, vars = ''] = spec.split(':');
  const { NODE_ARGS = '', ...env } = parseAssignments(vars, ',');
  return { label: spec, dir: path.resolve(dir), env, nodeArgs: NODE_ARGS.split(' ').filter(Boolean) };
});
const PER_SECOND = { errors: 1000, transactions: 500, logRecords: 10_000 };
const SAMPLE_MS = 500;
const DRAIN_TIMEOUT_MS = 600_000;
const TICKS_PER_SECOND = 100;
const MIB = 1024 * 1024;

async function seed(dir) {
  const load = (file) => import(pathToFileURL(path.resolve(args['seed-dist'], file)).href);
  const { migrateAll, openWorkerStorage } = await load('storage/index.js');
  const { createProjectService } = await load('domain/projects/service.js');
  migrateAll(dir);
  const storage = openWorkerStorage(dir, { mergeSketch: (a) => a });
  const project = createProjectService(storage.app, 'http://127.0.0.1').ensureDefaultProject('default');
  const errors = createEnvelopeSource(buildCorpus(), 'a'.repeat(32));
  const transactions = createTransactionSource(buildTransactionCorpus(300, 'transactions'), 'a'.repeat(32));
  const logs = buildLogCorpus(120);
  const now = Date.now();
  let jobCount = 0;
  let logIndex = 0;
  for (let s = 0; s < Number(args.seconds); s++) {
    const receivedAt = now - (Number(args.seconds) - s) * 1000;
    const jobs = [];
    for (let i = 0; i < PER_SECOND.errors; i++) {
      const { body, eventId } = errors.next();
      const meta = { event_id: eventId, client_ip: '127.0.0.1', encoding: 'gzip', item: 0 };
      jobs.push({ kind: 'event', receivedAt, meta: JSON.stringify(meta), payload: body });
      if (i % 2 === 0) jobs.push(transactionJob(transactions.next(), receivedAt));
    }
    for (let records = 0; records < PER_SECOND.logRecords; logIndex++) {
      const entry = logs.entries[logIndex % logs.entries.length];
      const payload = Buffer.from(stampBody(entry, receivedAt * 1000));
      const meta = { client_ip: '127.0.0.1', format: 'protobuf' };
      jobs.push({ kind: 'otlp_log', receivedAt, meta: JSON.stringify(meta), payload });
      records += entry.records.length;
    }
    for (let i = 0; i < jobs.length; i += 500)
      storage.queue.insertJobs(jobs.slice(i, i + 500).map((j) => ({ ...j, projectId: project.id })));
    jobCount += jobs.length;
  }
  storage.close();
  return jobCount;
}

/** As accept.ts queues a transaction: the item's JSON, or a gzip envelope whole as sent. */
function transactionJob({ body, headers }, receivedAt) {
  if (headers['content-encoding']) {
    const meta = { event_id: crypto.randomUUID().replaceAll('-', ''), encoding: 'gzip', item: 0 };
    return { kind: 'transaction', receivedAt, meta: JSON.stringify(meta), payload: body };
  }
  const headerEnd = body.indexOf(10);
  const itemStart = body.indexOf(10, headerEnd + 1) + 1;
  const header = JSON.parse(body.subarray(0, headerEnd).toString('utf8'));
  return {
    kind: 'transaction',
    receivedAt,
    meta: JSON.stringify(header.event_id ? { event_id: header.event_id } : {}),
    payload: body.subarray(itemStart),
  };
}

/** Each thread's largest heapTotal + external (MiB), from bench/lib/thread-heap-probe.js. */
function readPeakHeaps(heapFile) {
  const peaks = {};
  const text = fs.existsSync(heapFile) ? fs.readFileSync(heapFile, 'utf8') : '';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const l = JSON.parse(line);
    const p = (peaks[l.thread] ??= { heap: 0, external: 0 });
    p.heap = Math.max(p.heap, l.heapTotal);
    p.external = Math.max(p.external, l.external);
  }
  return Object.entries(peaks)
    .map(([t, p]) => `${t} ${p.heap.toFixed(0)}+${p.external.toFixed(0)}`)
    .join(', ');
}

function readCpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function readHwm(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)[1]) * 1024;
}

async function drainOnce(root, env, extraNodeArgs, template, jobs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-backlog-'));
  execFileSync('cp', ['-r', `${template}/.`, dir]);
  const heapFile = path.join(dir, '..', `${path.basename(dir)}-heaps.jsonl`);
  const server = await startServer({
    repoRoot: root,
    dataDir: dir,
    nodeArgs: [...extraNodeArgs, '--import', PROBE_FILE],
    env: { ...env, BENCH_HEAP_FILE: heapFile },
  });
  const startedAt = Date.now();
  let peak = readSmapsBreakdown(server.pid);
  let depth = jobs;
  try {
    while (depth > 0 && Date.now() - startedAt < DRAIN_TIMEOUT_MS) {
      await sleep(SAMPLE_MS);
      const b = readSmapsBreakdown(server.pid);
      if (b.total > peak.total) peak = b;
      depth = (await readHealth(server)).queue_depth;
    }
    return {
      drainSeconds: (Date.now() - startedAt) / 1000,
      drained: depth === 0,
      hwm: readHwm(server.pid),
      peak,
      cpuMsPerJob: (readCpuSeconds(server.pid) * 1000) / jobs,
      heaps: readPeakHeaps(heapFile),
    };
  } finally {
    await server.stop();
    fs.rmSync(heapFile, { force: true });
  }
}

process.on('exit', killServersNow);
process.on('SIGINT', () => process.exit(130));
const template = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-backlog-seed-'));
try {
  const jobs = await seed(template);
  console.error(`seeded ${jobs} jobs (${args.seconds} s of the mix) in ${template}`);
  const results = new Map(roots.map((r) => [r.label, []]));
  for (let round = 0; round < Number(args.rounds); round++)
    for (const root of roots) {
      const r = await drainOnce(root.dir, root.env, root.nodeArgs, template, jobs);
      results.get(root.label).push(r);
      console.error(
        `${root.label}: peak ${(r.peak.total / MIB).toFixed(0)} MiB (VmHWM ${(r.hwm / MIB).toFixed(0)}), ` +
          `drained ${r.drained} in ${r.drainSeconds.toFixed(0)} s, ${r.cpuMsPerJob.toFixed(3)} ms CPU/job; ${formatBreakdown(r.peak)}`,
      );
    }
  console.log(
    `\nnode bench/backlog-memory.js ${process.argv.slice(2).join(' ')} (${new Date().toISOString()})\n`,
  );
  console.log(
    '| root | VmHWM (MiB) | smaps at the peak | peak heapTotal+external per thread (MiB) | drain (s) | CPU per job (ms) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [root, list] of results)
    for (const r of list)
      console.log(
        `| \`${root}\` | ${(r.hwm / MIB).toFixed(0)} | ${formatBreakdown(r.peak)} | ${r.heaps} | ${r.drainSeconds.toFixed(0)} | ${r.cpuMsPerJob.toFixed(3)} |`,
      );
} finally {
  closeHealthAgent();
  fs.rmSync(template, { recursive: true, force: true });
}
