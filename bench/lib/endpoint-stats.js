/**
 * `--kind stats`: the performance API over 30 days of rollups. Seeds a data dir (seed-rollups.js),
 * starts `snag serve` on it, and times the calls the performance pages make, each after a warm-up,
 * median and p95 of CALLS calls (fewer when calls take seconds: see SERIES_SECONDS).
 * Target (issue: APM): endpoint stats over 30 days in < 100 ms.
 *
 * Alongside, in this process and on the same file, the floor of the 30-day overview: reading its
 * rollup rows through the store (rollup-reads.ts's plan), and merging their sketches into one with
 * `LatencySketch.mergeEncoded`, so the API's figure can be read as SQL + merging + the rest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { formatProfileSummaries, summarizeCpuProfiles } from './cpu-profile.js';
import { createProfileDir, note, REPO_ROOT, withServer } from './harness.js';
import { seedRollups } from './seed-rollups.js';
import { RELEASES } from './transaction-routes.js';
import { median } from './stats.js';

const WARM_UP_CALLS = 3;
const CALLS = 20;
/**
 * Calls taking seconds (the 30-day overview, today) would make a series last minutes: warm-up
 * stops after WARM_UP_SECONDS (one call at least), timing after SERIES_SECONDS (MIN_CALLS at least).
 */
const WARM_UP_SECONDS = 2;
const SERIES_SECONDS = 10;
const MIN_CALLS = 3;
const FLOOR_ROUNDS = 3;
export const TARGET_STATS_MS = 100;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Range → [ms, chart bucket minutes], as RANGE_PLAN in performance-service.ts. */
const RANGES = { '7d': [7 * DAY_MS, 360], '30d': [30 * DAY_MS, 1440] };
const QUICK_SEED = { endpoints: 10, days: 30, rawPerDay: 200 };

/** The seeded dir until a server owns it, so an interrupted run can still delete it. */
let liveDataDir;

/** For a process 'exit' handler: synchronous, a no-op unless seeding is under way. */
export function removeStatsFilesNow() {
  if (liveDataDir) fs.rmSync(liveDataDir, { recursive: true, force: true });
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** A range's window and chart bucket, as windowOf() in performance-service.ts computes them. */
function windowOf(range, now) {
  const [ms, chartMinutes] = RANGES[range];
  const step = chartMinutes * 60_000;
  const to = (Math.floor(now / step) + 1) * step;
  return { from: to - ms, to, chartMinutes };
}

async function loadDist() {
  const load = (file) => import(pathToFileURL(path.join(REPO_ROOT, 'dist', file)).href);
  return {
    ...(await load('domain/transactions/latency-sketch.js')),
    ...(await load('domain/transactions/rollup-reads.js')),
    ...(await load('storage/transactions-store.js')),
  };
}

/**
 * Rows a call reads (rollup-reads.ts's plan: daily or 6-hourly endpoint totals, per key when
 * filtered), and the hourly rows per key of the same range: what every call read before.
 */
function countRows(snag, db, projectId, w, filter = {}) {
  const reader = snag.createRollupReader(snag.createTransactionsStore(db));
  const read = reader.count(
    projectId,
    { from: w.from, to: w.to, finest: 60, chartMinutes: w.chartMinutes },
    filter,
  );
  const where = Object.entries(filter).filter(([, v]) => v !== undefined);
  const hourly = db
    .prepare(
      `SELECT count(*) AS n FROM endpoint_rollups WHERE project_id = ? AND minutes = 60 AND bucket >= ? AND bucket < ?
       AND environment != ''${where.map(([column]) => ` AND ${column} = ?`).join('')}`,
    )
    .get(projectId, w.from / HOUR_MS, w.to / HOUR_MS, ...where.map(([, v]) => v)).n;
  return { read, hourly };
}

async function callOnce(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} → ${res.status}: ${Buffer.from(body).toString().slice(0, 300)}`);
  return { ms: performance.now() - t0, bytes: body.byteLength };
}

async function timeCall(url) {
  const warmUpStarted = performance.now();
  let warmUps = 0;
  while (
    warmUps < WARM_UP_CALLS &&
    (warmUps === 0 || performance.now() - warmUpStarted < WARM_UP_SECONDS * 1000)
  ) {
    await callOnce(url);
    warmUps++;
  }
  const samples = [];
  let bytes = 0;
  const startedAt = performance.now();
  while (samples.length < CALLS) {
    const call = await callOnce(url);
    samples.push(call.ms);
    bytes = call.bytes;
    if (samples.length >= MIN_CALLS && performance.now() - startedAt > SERIES_SECONDS * 1000) break;
  }
  samples.sort((a, b) => a - b);
  return { median: median(samples), p95: percentile(samples, 95), warmUps, calls: samples.length, bytes };
}

/** The 30-day overview's floor: the rows it reads, through the store, their sketches merged into one. */
function measureFloor(snag, db, projectId) {
  const w = windowOf('30d', Date.now());
  const reader = snag.createRollupReader(snag.createTransactionsStore(db));
  const read = [];
  const merge = [];
  for (let i = 0; i < 1 + FLOOR_ROUNDS; i++) {
    let t = performance.now();
    const rows = reader.read(projectId, { from: w.from, to: w.to, finest: 60, chartMinutes: w.chartMinutes });
    const readMs = performance.now() - t;
    t = performance.now();
    const sketch = new snag.LatencySketch();
    for (const r of rows) sketch.mergeEncoded(r.sketch);
    sketch.quantile(0.95);
    if (i >= 1) {
      read.push(readMs);
      merge.push(performance.now() - t);
    }
  }
  const sketchBytes = db
    .prepare('SELECT avg(length(sketch)) AS b FROM endpoint_rollups WHERE minutes = 1440')
    .get().b;
  return { readMs: median(read), mergeMs: median(merge), sketchBytes };
}

export async function runEndpointStats(flags) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-bench-stats-'));
  liveDataDir = dataDir;
  let serverOwnsDir = false;
  try {
    note('[stats] seeding 30 days of rollups and raw transactions through dist/storage…');
    const t0 = performance.now();
    const seeded = await seedRollups(REPO_ROOT, dataDir, flags.quick ? QUICK_SEED : undefined);
    const seedSeconds = (performance.now() - t0) / 1000;
    note(
      `[stats] seeded ${seeded.rollupRows} rollup rows, ${seeded.rawRows} transactions in ${seedSeconds.toFixed(1)} s`,
    );
    const fileBytes = fs.statSync(path.join(dataDir, 'transactions.db')).size;
    const snag = await loadDist();
    const db = new Database(path.join(dataDir, 'transactions.db'), { readonly: true });
    const floor = measureFloor(snag, db, seeded.project.id);
    const slug = seeded.project.slug;
    const top = seeded.endpoints[0];
    const rows = (range, filter) =>
      countRows(snag, db, seeded.project.id, windowOf(range, Date.now()), filter);
    // A release arm: the 30 days up to the next hour, no chart (performance-service.ts compare()).
    const armTo = (Math.floor(Date.now() / HOUR_MS) + 1) * HOUR_MS;
    const arm = (release) =>
      countRows(snag, db, seeded.project.id, { from: armTo - 30 * DAY_MS, to: armTo }, { release });
    const arms = [arm(RELEASES[0]), arm(RELEASES[1])];
    const base = `/api/v1/projects/${slug}/performance`;
    const queries = [
      ['overview, 30 days', `${base}?range=30d`, rows('30d')],
      [
        `endpoint "${top}", 30 days`,
        `${base}/endpoint?name=${encodeURIComponent(top)}&range=30d`,
        rows('30d', { name: top }),
      ],
      ['overview, 7 days', `${base}?range=7d`, rows('7d')],
      ['N+1 list, 30 days', `${base}/n-plus-one?range=30d`, rows('30d')],
      [
        'overview, 30 days, environment=production',
        `${base}?range=30d&environment=production`,
        rows('30d', { environment: 'production' }),
      ],
      [
        `release comparison ${RELEASES[0]} → ${RELEASES[1]}, 30 days`,
        `${base}/compare?a=${encodeURIComponent(RELEASES[0])}&b=${encodeURIComponent(RELEASES[1])}`,
        // Two arms of 30 days from the hour: hourly rows at the edges, daily ones between.
        { read: arms[0].read + arms[1].read, hourly: arms[0].hourly + arms[1].hourly },
      ],
    ];
    db.close();
    const profileDir = flags.cpuProf ? createProfileDir('stats') : undefined;
    const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    serverOwnsDir = true;
    liveDataDir = undefined;
    const timings = await withServer({ nodeArgs, dataDir }, async (server) => {
      const out = [];
      for (const [label, url, rows] of queries) {
        note(`[stats] ${label}…`);
        out.push({ label, rows, ...(await timeCall(server.url + url)) });
      }
      return out;
    });
    const ms = (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
    const count = (n) => Math.round(n).toLocaleString('en-US');
    const table = [
      '| call | rollup rows read (hourly rows per key in the range) | response | warm-up + timed calls | median | p95 |',
      '|---|---|---|---|---|---|',
      ...timings.map(
        (t) =>
          `| ${t.label} | ${count(t.rows.read)} (${count(t.rows.hourly)}) | ${(t.bytes / 1024).toFixed(0)} KiB | ${t.warmUps} + ${t.calls} | ${ms(t.median)} | ${ms(t.p95)} |`,
      ),
      `| floor, 30-day overview rows: read through the store / one sketch merge, in-process | ${count(queries[0][2].read)} | ${floor.sketchBytes.toFixed(0)} B per daily sketch | 1 + ${FLOOR_ROUNDS} | ${ms(floor.readMs)} / ${ms(floor.mergeMs)} | |`,
      '',
      `Seeded: ${seeded.endpoints.length} endpoints × 2 environments × 3 releases, ${count(seeded.rollupRows)} rollup rows written (hourly for 30 days, 5-minute for 2), then their 6-hourly, daily and total rows rebuilt as after an upgrade (${seeded.rebuild.slices} slices, ${seeded.rebuild.seconds.toFixed(1)} s, the slowest ${ms(seeded.rebuild.slowestMs)}); ${count(seeded.rawRows)} raw transactions; transactions.db ${(fileBytes / 2 ** 20).toFixed(0)} MiB; seeding took ${seedSeconds.toFixed(0)} s.`,
    ].join('\n');
    const worst = timings.filter((t) => t.label.includes('30 days')).sort((a, b) => b.median - a.median)[0];
    const targets = [
      '| target | median (slowest 30-day call) | verdict |',
      '|---|---|---|',
      `| endpoint stats over 30 days < ${TARGET_STATS_MS} ms | ${ms(worst.median)} (${worst.label}) | ${worst.median < TARGET_STATS_MS ? 'met' : '**missed**'} |`,
    ].join('\n');
    const profile = profileDir
      ? `#### Stats calls (${path.relative(REPO_ROOT, profileDir)})\n\n${formatProfileSummaries(summarizeCpuProfiles(profileDir))}`
      : undefined;
    return {
      title: 'Endpoint stats over 30 days of rollups',
      table,
      targets,
      profile,
      runs: [{ seeded, timings, floor }],
    };
  } finally {
    // The server removes its data dir when it stops; if seeding failed it never started.
    if (!serverOwnsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    liveDataDir = undefined;
  }
}
