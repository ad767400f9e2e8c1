/**
 * Where a log probe waits under the mixed load (issue 9: logs took 23–34 s from send to searchable
 * at half load while the logs thread kept up on average). Runs the mixed kind's fixed-rate mode on
 * one server and, beside its own probe (logs-probe.js), sends a traced one-record OTLP probe a
 * second and times each stage from the send:
 *
 * - `answered`: the POST's 200 (the job is durable in queue.db then);
 * - `digested`: logs.db's `logs` consumer cursor has passed the probe's job (its id found in
 *   queue.db by its small payload);
 * - `row`: the record is in logs.db's index (a MATCH on its unique word, read directly);
 * - `byService`: the API search the probe uses (`service=…&limit=200`) returns it;
 * - `byWord`: a search for its word (`q=…`) returns it.
 *
 * It also records the record's id against the probe's clock (an id is time in ms × 64 + a
 * sequence) and the logs jobs queued behind the cursor at each send.
 *
 *   node bench/logs-probe-trace.js [--duration 90] [--mix-rates 1000,500,10000] [--repo DIR]
 *
 * `--repo` serves another checkout's build (an A/B against a baseline), loaded from this one.
 *
 * The database reads are read-only, on this process's own connections.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { parseFlags } from './lib/flags.js';
import { note, REPO_ROOT } from './lib/harness.js';
import { stampBody } from './lib/logs-corpus.js';
import { buildMixedCorpus } from './lib/mixed-corpus.js';
import { runMixedOnce } from './lib/mixed-run.js';
import { encodeLogsRequest } from './lib/otlp-logs-encode.js';
import { startServer } from './lib/server.js';
import { createSampleList } from './lib/stats.js';

const SERVICE = 'bench-trace';
const PROBE_INTERVAL_MS = 1000;
const POLL_MS = 25;
const ID_SLOTS_PER_MS = 64;
const DAY_MS = 86_400_000;
const STAGES = ['answered', 'digested', 'row', 'byService', 'byWord'];

function buildBody(word, nowUs) {
  const entry = encodeLogsRequest({ 'service.name': SERVICE }, [
    {
      name: 'bench.trace',
      version: null,
      records: [{ severityNumber: 9, severityText: 'INFO', body: `traced probe ${word}`, attributes: {} }],
    },
  ]);
  return stampBody({ ...entry, ages: new Float64Array(entry.times.length) }, nowUs);
}

function openReadOnly(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  return db;
}

function startTracer(server) {
  const queue = openReadOnly(path.join(server.dataDir, 'queue.db'));
  const logs = openReadOnly(path.join(server.dataDir, 'logs.db'));
  const cursorOf = logs.prepare("SELECT last_job_id FROM consumer_cursors WHERE consumer = 'logs'").pluck();
  const smallJobs = queue.prepare(
    "SELECT id, payload FROM jobs WHERE kind = 'otlp_log' AND id > ? AND length(payload) < 400 ORDER BY id",
  );
  const queuedLogJobs = queue
    .prepare("SELECT count(*) FROM jobs WHERE kind IN ('log', 'otlp_log') AND id > ?")
    .pluck();
  const headers = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${server.publicKey}` };
  const api = `${server.url}/api/v1/projects/default/logs`;
  const run = Math.floor(performance.now()).toString(36);
  const probes = [];
  let scannedJobId = 0;
  let running = true;

  const findRow = (word) => {
    const table = `logs_fts_${Math.floor(Date.now() / DAY_MS)}`;
    try {
      return logs.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ?`).pluck().get(`"${word}"`);
    } catch {
      return undefined;
    }
  };
  const findJob = (probe) => {
    for (const row of smallJobs.all(scannedJobId)) {
      const p = probes.find((x) => x.jobId === undefined && row.payload.includes(x.word));
      if (p) p.jobId = row.id;
    }
    return probe.jobId;
  };

  // One round per POLL_MS for all outstanding probes at once: a sequential round per probe grew
  // with the backlog (146 outstanding probes took seconds a round) and inflated every stage.
  const checkAll = async (open) => {
    const at = performance.now();
    const cursor = cursorOf.get() ?? 0;
    for (const p of open) {
      if (p.jobId === undefined && p.answered !== undefined) findJob(p);
      if (p.digested === undefined && p.jobId !== undefined && cursor >= p.jobId) p.digested = at - p.sentAt;
      if (p.row === undefined) {
        const id = findRow(p.word);
        if (id !== undefined) {
          p.row = at - p.sentAt;
          p.idLeadMs = Math.floor(id / ID_SLOTS_PER_MS) - p.clockMs;
        }
      }
    }
    const has = (page, p) => (page?.logs ?? []).some((l) => l.body === `traced probe ${p.word}`);
    const searched = open.filter((p) => p.byService === undefined);
    const byWord = open.filter((p) => p.byWord === undefined && p.row !== undefined);
    const [page, ...wordPages] = await Promise.all([
      searched.length ? fetch(`${api}?service=${SERVICE}&limit=200`).then((r) => r.json()) : null,
      ...byWord.map((p) => fetch(`${api}?q=${p.word}`).then((r) => r.json())),
    ]);
    const answeredAt = performance.now();
    for (const p of searched) {
      if (has(page, p)) p.byService = answeredAt - p.sentAt;
      p.servicePartial ||= page?.partial === true;
    }
    byWord.forEach((p, i) => {
      if (has(wordPages[i], p)) p.byWord = answeredAt - p.sentAt;
    });
  };

  const sender = (async () => {
    for (let n = 0; running; n++) {
      const begun = performance.now();
      const word = `benchtrace${run}n${n}`;
      const clockMs = Date.now();
      const p = { word, clockMs, sentAt: performance.now(), queuedBehind: null };
      p.queuedBehind = queuedLogJobs.get(cursorOf.get() ?? 0);
      probes.push(p);
      const body = buildBody(word, (performance.timeOrigin + performance.now()) * 1000);
      fetch(`${server.url}/v1/logs`, { method: 'POST', headers, body })
        .then(async (res) => {
          await res.arrayBuffer();
          p.answered = performance.now() - p.sentAt;
        })
        .catch(() => {});
      const wait = PROBE_INTERVAL_MS - (performance.now() - begun);
      if (wait > 0) await sleep(wait);
    }
  })();
  const poller = (async () => {
    while (running || probes.some((p) => p.byWord === undefined || p.byService === undefined)) {
      const open = probes.filter((p) => STAGES.some((s) => p[s] === undefined));
      await checkAll(open).catch(() => {});
      const settled = probes.filter((p) => p.jobId !== undefined).map((p) => p.jobId);
      if (settled.length) scannedJobId = Math.max(scannedJobId, Math.min(...settled) - 1);
      if (!running && probes.every((p) => performance.now() - p.sentAt > 120_000)) break;
      await sleep(POLL_MS);
    }
  })();

  return {
    async stop() {
      running = false;
      await sender;
      await poller;
      queue.close();
      logs.close();
      return probes;
    },
  };
}

function summarize(probes, windowMs) {
  const firstAt = probes[0]?.sentAt ?? 0;
  const during = probes.filter((p) => p.sentAt - firstAt <= windowMs);
  const lines = [`traced probes: ${probes.length} sent, ${during.length} while sending`];
  for (const stage of STAGES) {
    const s = createSampleList();
    for (const p of during) if (p[stage] !== undefined) s.add(p[stage]);
    const [p50, p99, max] = s.percentiles(50, 99, 100);
    lines.push(
      `${stage.padEnd(10)} n=${String(s.length).padStart(4)} p50 ${(p50 / 1000).toFixed(2)} s  p99 ${(p99 / 1000).toFixed(2)} s  max ${(max / 1000).toFixed(2)} s`,
    );
  }
  const leads = createSampleList();
  for (const p of during) if (p.idLeadMs !== undefined) leads.add(p.idLeadMs);
  const [l50, l99, lmax] = leads.percentiles(50, 99, 100);
  lines.push(`id ms − probe clock ms: p50 ${l50} p99 ${l99} max ${lmax}`);
  lines.push(`service searches answered partial: ${during.filter((p) => p.servicePartial).length}`);
  return lines.join('\n');
}

const argv = process.argv.slice(2);
const repoAt = argv.indexOf('--repo');
const repoRoot = repoAt >= 0 ? path.resolve(argv.splice(repoAt, 2)[1]) : REPO_ROOT;
const flags = parseFlags(argv);
const seconds = argv.includes('--duration') ? flags.mixedSeconds : 90;
const corpus = await buildMixedCorpus(flags, REPO_ROOT, note);
const token = randomBytes(24).toString('hex');
const server = await startServer({ repoRoot, env: { SNAG_MCP_TOKEN: token } });
note(`server pid ${server.pid} (${repoRoot}) on ${server.url}, data ${server.dataDir}`);
let probes = [];
let result;
const tracer = startTracer(server);
try {
  result = await runMixedOnce(server, {
    mode: 'rate',
    corpus,
    seconds,
    concurrency: flags.concurrency,
    rates: flags.mixRates,
    token,
    label: 'mixed rate (traced)',
  });
} finally {
  probes = await tracer.stop();
  await server.stop();
}
const q = result.types.logs.queryable;
process.stdout.write(
  `${summarize(probes, seconds * 1000)}\n` +
    `bench probe (logs-probe.js): sent ${q.sent}, found ${q.found}, p50 ${(q.median / 1000).toFixed(2)} s, p99 ${(q.p99 / 1000).toFixed(2)} s\n` +
    `logs kept up ${(result.types.logs.keptUp * 100).toFixed(1)} %, errors ${(result.types.errors.keptUp * 100).toFixed(1)} %, transactions ${(result.types.transactions.keptUp * 100).toFixed(1)} %\n`,
);
process.stdout.write(`${JSON.stringify(probes)}\n`);
