/**
 * `--kind stats`: the performance API over 30 days of rollups. Seeds a data dir (seed-rollups.js),
 * starts `snag serve` on it, and times the calls the performance pages make, each after a warm-up,
 * median and p95 of CALLS calls (fewer when calls take seconds: see SERIES_SECONDS).
 * Target (issue: APM): endpoint stats over 30 days in < 100 ms.
 *
 * Alongside, in this process and on the same file, the floor of the 30-day overview: reading its
 * rollup rows with a bare prepared statement, and merging their sketches into one with
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

/** The hourly buckets a range reads, as windowOf() + rollupsIn() compute them. */
function hourBuckets(range, now) {
  const [ms, chartMinutes] = RANGES[range];
  const step = chartMinutes * 60_000;
  const to = (Math.floor(now / step) + 1) * step;
  return [Math.floor((to - ms) / HOUR_MS), Math.floor((to - 1) / HOUR_MS) + 1];
}

function countRows(db, projectId, range, name) {
  const [from, to] = hourBuckets(range, Date.now());
  const sql = `SELECT count(*) AS n FROM endpoint_rollups WHERE project_id = ? AND minutes = 60 AND bucket >= ? AND bucket < ?${name ? ' AND name = ?' : ''}`;
  return db.prepare(sql).get(projectId, from, to, ...(name ? [name] : [])).n;
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

/** The 30-day overview's floor: its rows read by a bare statement, their sketches merged into one. */
async function measureFloor(dataDir, projectId) {
  const { LatencySketch } = await import(
    pathToFileURL(path.join(REPO_ROOT, 'dist/domain/transactions/latency-sketch.js')).href
  );
  const db = new Database(path.join(dataDir, 'transactions.db'), { readonly: true });
  try {
    const [from, to] = hourBuckets('30d', Date.now());
    const select = db.prepare(
      'SELECT * FROM endpoint_rollups WHERE project_id = ? AND minutes = 60 AND bucket >= ? AND bucket < ?',
    );
    const read = [];
    const merge = [];
    for (let i = 0; i < 1 + FLOOR_ROUNDS; i++) {
      let t = performance.now();
      const rows = select.all(projectId, from, to);
      const readMs = performance.now() - t;
      t = performance.now();
      const sketch = new LatencySketch();
      for (const r of rows) sketch.mergeEncoded(r.sketch);
      sketch.quantile(0.95);
      if (i >= 1) {
        read.push(readMs);
        merge.push(performance.now() - t);
      }
    }
    const sketchBytes = db
      .prepare('SELECT avg(length(sketch)) AS b FROM endpoint_rollups WHERE minutes = 60')
      .get().b;
    return { readMs: median(read), mergeMs: median(merge), sketchBytes };
  } finally {
    db.close();
  }
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
    const floor = await measureFloor(dataDir, seeded.project.id);
    const db = new Database(path.join(dataDir, 'transactions.db'), { readonly: true });
    const slug = seeded.project.slug;
    const top = seeded.endpoints[0];
    const queries = [
      [
        'overview, 30 days',
        `/api/v1/projects/${slug}/performance?range=30d`,
        countRows(db, seeded.project.id, '30d'),
      ],
      [
        `endpoint "${top}", 30 days`,
        `/api/v1/projects/${slug}/performance/endpoint?name=${encodeURIComponent(top)}&range=30d`,
        countRows(db, seeded.project.id, '30d', top),
      ],
      [
        'overview, 7 days',
        `/api/v1/projects/${slug}/performance?range=7d`,
        countRows(db, seeded.project.id, '7d'),
      ],
      [
        'N+1 list, 30 days',
        `/api/v1/projects/${slug}/performance/n-plus-one?range=30d`,
        countRows(db, seeded.project.id, '30d'),
      ],
      [
        'overview, 30 days, environment=production',
        `/api/v1/projects/${slug}/performance?range=30d&environment=production`,
        countRows(db, seeded.project.id, '30d') / 2,
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
    const table = [
      '| call | hourly rollup rows read | response | warm-up + timed calls | median | p95 |',
      '|---|---|---|---|---|---|',
      ...timings.map(
        (t) =>
          `| ${t.label} | ${Math.round(t.rows).toLocaleString('en-US')} | ${(t.bytes / 1024).toFixed(0)} KiB | ${t.warmUps} + ${t.calls} | ${ms(t.median)} | ${ms(t.p95)} |`,
      ),
      `| floor, 30-day overview rows: bare \`SELECT *\` / one sketch merge, in-process | ${queries[0][2].toLocaleString('en-US')} | ${floor.sketchBytes.toFixed(0)} B per sketch | 1 + ${FLOOR_ROUNDS} | ${ms(floor.readMs)} / ${ms(floor.mergeMs)} | |`,
      '',
      `Seeded: ${seeded.endpoints.length} endpoints × 2 environments × 3 releases, ${seeded.rollupRows.toLocaleString('en-US')} rollup rows (hourly for 30 days, 5-minute for 2), ${seeded.rawRows.toLocaleString('en-US')} raw transactions; transactions.db ${(fileBytes / 2 ** 20).toFixed(0)} MiB; seeding took ${seedSeconds.toFixed(0)} s.`,
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
