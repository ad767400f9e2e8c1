/**
 * Seeds a data dir with a month of APM data through Snag's own compiled storage and domain code
 * (dist/, after `npm run build`), so the performance API can be timed on it:
 *
 * - endpoint rollups: `endpoints` endpoints × 2 environments × 3 releases × every hour of `days`
 *   days (50 × 2 × 3 × 720 = 216,000 hourly rows by default: all three releases live all month,
 *   the upper bound of a three-release month), plus 5-minute rows for the last two days (what the
 *   worker keeps), each with its DDSketch (`LatencySketch`, the worker's encoding) built from
 *   log-normal durations, integer-weighted samples, and sums consistent with it; written with
 *   `openWorkerStorage(…).transactions.writeBatch(…)` / `addRollup`, the worker's upsert;
 * - raw transactions for the samples and N+1 examples: `rawPerDay` a day, digested once from the
 *   transaction corpus by `transactionFromEvent` and inserted with their own ids and times (the
 *   zstd payload is the template's, so a row's payload names the template's ids);
 * - the default project (the projects service, as `snag serve` creates it) and its three releases;
 * - then the 6-hourly, daily and endpoint-total rows, rebuilt from the hourly and 5-minute ones as
 *   the worker does for data written before they existed (`scheduleRollupRebuild` +
 *   `advanceRollupBackfill` until done, timed: the cost of that upgrade for such a month).
 *
 * Sending old transactions through HTTP would be the realer path, but 30 days at even 1/s per
 * endpoint is millions of requests; the rollup rows are what the API reads.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createRandom } from './random.js';
import { buildTransactionCorpus } from './transactions.js';
import { MARKERS } from './transaction-events.js';
import { ENVIRONMENTS, logNormal, RELEASES, ROUTES } from './transaction-routes.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FINE_MINUTES = 5;
const FINE_RETENTION_MS = 2 * DAY_MS;
/** Average transactions/s of the seeded install (diurnal curve around it). */
const INSTALL_RATE_PER_SECOND = 50;
/** Samples drawn per sketch at most; their integer weights add up to the row's count. */
const MAX_SKETCH_SAMPLES = 150;
const ROWS_PER_WRITE = 5_000;
const RAW_TEMPLATES = 200;
const SEED = 20261124;
const EXTRA_ENDPOINTS = [
  'GET /api/v1/legacy/orders',
  'POST /graphql',
  'GET /api/feeds/:id',
  'POST /api/imports',
];

async function loadDist(repoRoot) {
  const load = (file) => import(pathToFileURL(path.join(repoRoot, 'dist', file)).href);
  return {
    ...(await load('storage/index.js')),
    ...(await load('storage/payload-codec.js')),
    ...(await load('domain/projects/service.js')),
    ...(await load('domain/transactions/latency-sketch.js')),
    ...(await load('domain/transactions/from-event.js')),
    ...(await load('domain/transactions/rollup-backfill.js')),
  };
}

function describeEndpoints(count, random) {
  return Array.from({ length: count }, (_, i) => {
    const route = ROUTES[i % ROUTES.length];
    const name = i < ROUTES.length ? route.name : `${EXTRA_ENDPOINTS[i % EXTRA_ENDPOINTS.length]}/${i}`;
    return {
      name,
      weight: 1 / (i + 1),
      medianMs: route.medianMs * (0.8 + 0.4 * random.next()),
      nPlusOneShare: route.nPlusOneShare,
      queries: 8 + random.int(0, 20),
    };
  });
}

/** One rollup delta with a sketch of `count` log-normal durations. */
function createDelta(snag, random, { projectId, minutes, bucket, endpoint, environment, release, count }) {
  const sketch = new snag.LatencySketch();
  const samples = Math.min(count, MAX_SKETCH_SAMPLES);
  const base = Math.floor(count / samples);
  let extra = count - base * samples;
  let sumMs = 0;
  let minMs = Infinity;
  let maxMs = 0;
  for (let i = 0; i < samples; i++) {
    const weight = base + (extra-- > 0 ? 1 : 0);
    const ms = logNormal(random, endpoint.medianMs, 0.6);
    sketch.add(ms, weight);
    sumMs += ms * weight;
    minMs = Math.min(minMs, ms);
    maxMs = Math.max(maxMs, ms);
  }
  const nPlusOneCount = Math.round(count * endpoint.nPlusOneShare);
  return {
    projectId,
    minutes,
    bucket,
    name: endpoint.name,
    environment,
    release,
    op: 'http.server',
    count,
    errors: Math.round(count * 0.01 * random.next() * 2),
    sumMs,
    minMs,
    maxMs,
    breakdown: {
      db: sumMs * 0.35,
      view: sumMs * 0.05,
      http: sumMs * 0.2,
      cache: sumMs * 0.03,
      queue: 0,
      other: sumMs * 0.37,
    },
    queries: count * endpoint.queries,
    maxQueries: endpoint.queries + (nPlusOneCount > 0 ? 40 : 5),
    nPlusOneCount,
    nPlusOneMs: nPlusOneCount * endpoint.medianMs * 0.3,
    sketch: sketch.encode(),
  };
}

/** Transactions per (endpoint, environment, release) in one bucket: daily curve, never 0. */
function bucketCount(endpoint, envShare, startMs, minutes, totalWeight) {
  const hourOfDay = new Date(startMs).getUTCHours();
  const diurnal = 1 + 0.6 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI);
  const perRelease =
    (INSTALL_RATE_PER_SECOND * minutes * 60 * (endpoint.weight / totalWeight) * envShare) / 3;
  return Math.max(1, Math.round(perRelease * diurnal));
}

function* rollupDeltas(snag, random, { projectId, endpoints, days, now }) {
  const totalWeight = endpoints.reduce((a, e) => a + e.weight, 0);
  const lastHour = Math.floor(now / HOUR_MS);
  const plan = [[60, lastHour - days * 24 + 1, lastHour]];
  const lastFine = Math.floor(now / (FINE_MINUTES * 60_000));
  plan.push([FINE_MINUTES, lastFine - FINE_RETENTION_MS / (FINE_MINUTES * 60_000) + 1, lastFine]);
  for (const [minutes, first, last] of plan) {
    for (let bucket = first; bucket <= last; bucket++) {
      for (const endpoint of endpoints) {
        for (const [environment, envShare] of ENVIRONMENTS) {
          for (const release of RELEASES) {
            const count = bucketCount(endpoint, envShare, bucket * minutes * 60_000, minutes, totalWeight);
            yield createDelta(snag, random, {
              projectId,
              minutes,
              bucket,
              endpoint,
              environment,
              release,
              count,
            });
          }
        }
      }
    }
  }
}

/** Raw rows: digested once per template, then inserted with fresh ids and times across the month. */
function* rawTransactions(snag, random, { projectId, days, rawPerDay, now }) {
  const corpus = buildTransactionCorpus(RAW_TEMPLATES, 'transactions');
  const templates = corpus.entries.map((e, i) => {
    const text = e.payloadText
      .replaceAll(MARKERS.traceId, random.hex(32))
      .replaceAll(MARKERS.spanId, random.hex(16))
      .replaceAll(MARKERS.eventId, random.hex(32));
    const record = snag.transactionFromEvent(JSON.parse(text), {
      projectId,
      eventId: `${i}`.padStart(32, '0'),
      receivedAt: now,
      options: snag.DEFAULT_TRANSACTION_OPTIONS,
    });
    return { record, ...snag.encodePayload(JSON.stringify(record)) };
  });
  for (let i = 0; i < days * rawPerDay; i++) {
    const { record: t, payload, payloadBytes } = random.pick(templates);
    const end = now - random.int(0, days * DAY_MS - 1);
    yield {
      projectId,
      spanId: random.hex(16),
      traceId: random.hex(32),
      eventId: random.hex(32),
      name: t.name,
      op: t.op,
      start: Math.round(end - t.durationMs),
      timestamp: end,
      durationMs: t.durationMs,
      status: t.status,
      isError: t.isError,
      environment: t.environment,
      release: t.release,
      httpMethod: t.httpMethod,
      httpStatus: t.httpStatus,
      queryCount: t.queryCount,
      nPlusOne: t.nPlusOne,
      nPlusOneMs: t.nPlusOneMs,
      breakdown: t.breakdown,
      incomplete: false,
      tags: JSON.stringify(t.tags),
      receivedAt: end,
      payload,
      payloadBytes,
    };
  }
}

/** The derived rows, slice by slice as the worker rebuilds them after an upgrade; timed. */
function rebuildRollups(storage, snag) {
  storage.transactions.scheduleRollupRebuild();
  const startedAt = performance.now();
  let slices = 0;
  let slowestMs = 0;
  for (;;) {
    const t = performance.now();
    if (!snag.advanceRollupBackfill(storage.transactions)) break;
    slices++;
    slowestMs = Math.max(slowestMs, performance.now() - t);
  }
  return { slices, seconds: (performance.now() - startedAt) / 1000, slowestMs };
}

/** Writes `items` in transactions of ROWS_PER_WRITE through the worker's batch API. */
function writeAll(storage, items, write) {
  let batch = [];
  let written = 0;
  const flush = () => {
    storage.transactions.writeBatch('transactions', 0, (b) => batch.forEach((item) => write(b, item)));
    written += batch.length;
    batch = [];
  };
  for (const item of items) {
    batch.push(item);
    if (batch.length === ROWS_PER_WRITE) flush();
  }
  if (batch.length > 0) flush();
  return written;
}

export async function seedRollups(repoRoot, dataDir, { endpoints = 50, days = 30, rawPerDay = 2000 } = {}) {
  const snag = await loadDist(repoRoot);
  const random = createRandom(SEED);
  const now = Date.now();
  snag.migrateAll(dataDir);
  const storage = snag.openWorkerStorage(dataDir, { mergeSketch: snag.mergeSketchBlobs });
  try {
    const project = snag
      .createProjectService(storage.app, 'http://127.0.0.1')
      .ensureDefaultProject('default');
    const plan = { projectId: project.id, endpoints: describeEndpoints(endpoints, random), days, now };
    const rollupRows = writeAll(storage, rollupDeltas(snag, random, plan), (b, d) => b.addRollup(d));
    const rawRows = writeAll(storage, rawTransactions(snag, random, { ...plan, rawPerDay }), (b, r) =>
      b.insertTransaction(r),
    );
    storage.app.recordReleases(
      RELEASES.map((version, i) => ({
        projectId: project.id,
        version,
        firstSeen: now - days * DAY_MS + i * 10 * DAY_MS,
        lastSeen: now,
        count: 0,
      })),
    );
    const rebuild = rebuildRollups(storage, snag);
    return { project, endpoints: plan.endpoints.map((e) => e.name), rollupRows, rawRows, rebuild };
  } finally {
    storage.close();
  }
}
