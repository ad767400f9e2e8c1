/**
 * `node bench/logs-storage.js [--stage S[,S…]] [options]` (after `npm run build`): the logs.db
 * storage design, measured on Snag's compiled code (./dist, or `--dist DIR`), one thread, no HTTP.
 * Figures go to docs/benchmarks.md, "Logs storage design (measured)".
 *
 *   design       FTS5 table variants on the same token stream: detail none/column/full, a docsize
 *                table (contentless_delete) or not, arrival-order vs time-ordered rowids, automerge
 *   partitions   one table pair for all days (contentless_delete=1) vs one per day: insert cost,
 *                size, dropping the oldest day vs deleting it, newest-first search
 *   compression  per record: zstd with no dictionary, with our trained one (and with a `zstd
 *                --train` one when that CLI exists, for comparison only); training time
 *   write        writeBatch of the real store, 1,000-record batches, at two record densities
 *   scale        fills a logs.db to --rows over --days (kept in --dir for --reuse), then times
 *                searches newest first (limit 50) before and after past days are merged, the
 *                histogram, facets and trace lookups, and the bytes on disk per record
 *
 * CPU time (user+sys of this process) is reported next to wall time: on the shared 2-core box the
 * wall clock mostly measures the neighbours.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Compressor } from 'zstd-napi';
import { createLogRecords, SEARCH_TERMS } from './lib/log-records.js';

const { values: flags } = parseArgs({
  options: {
    stage: { type: 'string', default: 'design,partitions,compression,write' },
    dist: { type: 'string', default: 'dist' },
    rows: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '14' },
    dir: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    n: { type: 'string', default: '200000' },
  },
});
const load = (file) => import(pathToFileURL(path.resolve(flags.dist, file)).href);
const storage = await load('storage/index.js');
const { buildSearchDocument } = await load('domain/logs/fts-text.js');
const { trainDictionary } = await load('domain/logs/dictionary-trainer.js');
const { parseSearchQuery } = await load('domain/logs/search-query.js');
const { buildIndexText } = await load('storage/logs-fts.js');
const { payloadJson, createLogCompressor } = await load('storage/logs-codec.js');
const logic = { searchDocument: buildSearchDocument, trainDictionary };

const N = Number(flags.n);
const tmp = (label) =>
  fs.mkdtempSync(path.join(flags.dir ? path.dirname(flags.dir) : os.tmpdir(), `snag-${label}-`));
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
/** Runs fn, returning { wallMs, cpuMs }. */
function timed(fn) {
  const c = cpuNow();
  const t = performance.now();
  fn();
  return { wallMs: performance.now() - t, cpuMs: cpuNow() - c };
}
const fileBytes = (file) =>
  ['', '-wal'].reduce((sum, s) => sum + (fs.existsSync(file + s) ? fs.statSync(file + s).size : 0), 0);
const rate = (n, ms) => Math.round((n / ms) * 1000).toLocaleString('en-US');
const us = (ms, n) => ((ms * 1000) / n).toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function records(n, perSecond, seed = 7) {
  const next = createLogRecords(seed, {
    startMs: Date.now() - (n / perSecond) * 1000,
    ratePerSec: perSecond,
  });
  return Array.from({ length: n }, next);
}

/** Time-ordered ids as the store makes them (ms × 64 + sequence), or arrival order. */
function idsOf(recs, timeOrdered) {
  let last = 0;
  return recs.map(
    (r) => (last = timeOrdered ? Math.max(Math.floor(r.timeUs / 1000) * 64, last + 1) : last + 1),
  );
}

function openRaw(file) {
  for (const s of ['', '-wal', '-shm']) fs.rmSync(file + s, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  return db;
}

function stageDesign() {
  console.log(
    `\n## design: FTS5 variants, ${N.toLocaleString('en-US')} records at 2,000/s, 1,000 per transaction`,
  );
  const recs = records(N, 2000);
  const texts = recs.map((r) => buildIndexText(1, r, buildSearchDocument(r)));
  const tokens =
    texts.slice(0, 2000).reduce((s, t) => s + t.split(/[^\p{L}\p{N}~]+/u).filter(Boolean).length, 0) / 2000;
  console.log(`index text: ${tokens.toFixed(1)} tokens/record`);
  const dir = tmp('design');
  const variants = [
    ['detail=none, no docsize (chosen)', 'detail=none, columnsize=0', true, 16],
    ['detail=none, automerge 4 (default)', 'detail=none, columnsize=0', true, 4],
    ['detail=none, contentless_delete=1', 'detail=none, contentless_delete=1', true, 16],
    ['detail=none, arrival-order rowids', 'detail=none, columnsize=0', false, 16],
    ['detail=column, contentless_delete=1', 'detail=column, contentless_delete=1', true, 16],
    ['detail=full, contentless_delete=1', 'detail=full, contentless_delete=1', true, 16],
  ];
  console.log('| variant | CPU µs/record | records/s (wall) | index B/record |\n|---|---|---|---|');
  for (const [name, options, timeOrdered, automerge] of variants) {
    const ids = idsOf(recs, timeOrdered);
    const file = path.join(dir, 'fts.db');
    const db = openRaw(file);
    db.exec(`CREATE VIRTUAL TABLE f USING fts5(text, content='', ${options}, tokenize="unicode61 tokenchars '~'");
      INSERT INTO f (f, rank) VALUES ('automerge', ${automerge}), ('crisismerge', 32), ('hashsize', 8388608);`);
    const insert = db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)');
    const batch = db.transaction((from, to) => {
      for (let i = from; i < to; i++) insert.run(ids[i], texts[i]);
    });
    const t = timed(() => {
      for (let i = 0; i < N; i += 1000) batch(i, Math.min(i + 1000, N));
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    console.log(
      `| ${name} | ${us(t.cpuMs, N)} | ${rate(N, t.wallMs)} | ${(fileBytes(file) / N).toFixed(0)} |`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function stagePartitions() {
  const days = 4;
  const n = N * 5;
  console.log(
    `\n## partitions: ${n.toLocaleString('en-US')} records over ${days} days, one table pair vs one per day`,
  );
  const recs = records(n, n / (days * 86_400));
  const texts = recs.map((r) => buildIndexText(1, r, buildSearchDocument(r)));
  const compressor = createLogCompressor({
    id: 1,
    bytes: trainDictionary(
      recs.slice(0, 4000).map((r) => Buffer.from(payloadJson(r))),
      { dictBytes: 112_640 },
    ),
  });
  const payloads = recs.map((r) => compressor.compressText(payloadJson(r)));
  const ids = idsOf(recs, true);
  const dayOf = (id) => Math.floor(id / 64 / 86_400_000);
  const dir = tmp('partitions');
  const results = [];
  for (const split of [false, true]) {
    const file = path.join(dir, `${split}.db`);
    const db = openRaw(file);
    const made = new Map();
    const tables = (day) => {
      const key = split ? day : 0;
      if (!made.has(key)) {
        db.exec(`CREATE TABLE logs_${key} (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
          CREATE VIRTUAL TABLE fts_${key} USING fts5(text, content='', detail=none,
            ${split ? 'columnsize=0' : 'contentless_delete=1'}, tokenize="unicode61 tokenchars '~'");
          INSERT INTO fts_${key} (fts_${key}, rank) VALUES ('automerge', 16), ('crisismerge', 32), ('hashsize', 8388608);`);
        made.set(key, {
          log: db.prepare(`INSERT INTO logs_${key} (id, payload) VALUES (?, ?)`),
          fts: db.prepare(`INSERT INTO fts_${key} (rowid, text) VALUES (?, ?)`),
        });
      }
      return made.get(key);
    };
    const batch = db.transaction((from, to) => {
      for (let i = from; i < to; i++) {
        const t = tables(dayOf(ids[i]));
        t.log.run(ids[i], payloads[i]);
        t.fts.run(ids[i], texts[i]);
      }
    });
    const insert = timed(() => {
      for (let i = 0; i < n; i += 1000) batch(i, Math.min(i + 1000, n));
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const sizeBefore = fileBytes(file);
    const firstDay = dayOf(ids[0]);
    const search = (match) => {
      const keys = [...made.keys()].sort((a, b) => b - a);
      const times = [];
      for (let round = 0; round < 5; round++) {
        const t = performance.now();
        let found = 0;
        for (const key of keys) {
          found += db
            .prepare(
              `SELECT l.id, l.payload FROM fts_${key} f JOIN logs_${key} l ON l.id = f.rowid WHERE fts_${key} MATCH ? ORDER BY f.rowid DESC LIMIT ?`,
            )
            .all(match, 50 - found).length;
          if (found >= 50) break;
        }
        times.push(performance.now() - t);
      }
      return median(times).toFixed(2);
    };
    const common = search('"completed"');
    const rare = search(`"${SEARCH_TERMS.rare}"`);
    const drop = timed(() => {
      if (split) {
        db.exec(`DROP TABLE fts_${firstDay}; DROP TABLE logs_${firstDay};`);
        made.delete(firstDay);
      } else {
        const end = (firstDay + 1) * 86_400_000 * 64;
        db.transaction(() => {
          db.prepare('DELETE FROM fts_0 WHERE rowid < ?').run(end);
          db.prepare('DELETE FROM logs_0 WHERE id < ?').run(end);
        })();
      }
      db.pragma('wal_checkpoint(TRUNCATE)');
    });
    results.push({
      name: split ? 'one table pair per day' : 'one table pair, contentless_delete=1',
      insert: us(insert.cpuMs, n),
      wall: rate(n, insert.wallMs),
      bytes: (sizeBefore / n).toFixed(0),
      drop: drop.wallMs.toFixed(0),
      common,
      rare,
    });
    db.close();
  }
  console.log(
    '| layout | insert CPU µs/record | records/s (wall) | B/record | remove oldest day, ms | newest 50 "completed", ms | newest 50 rare, ms |\n|---|---|---|---|---|---|---|',
  );
  for (const r of results)
    console.log(`| ${r.name} | ${r.insert} | ${r.wall} | ${r.bytes} | ${r.drop} | ${r.common} | ${r.rare} |`);
  fs.rmSync(dir, { recursive: true, force: true });
}

function stageCompression() {
  console.log('\n## compression: per record, the JSON the store compresses (payloadJson)');
  const recs = records(60_000, 2000, 11);
  const json = recs.map((r) => Buffer.from(payloadJson(r)));
  const train = json.slice(0, 4000);
  const held = json.slice(50_000);
  const fullJson = recs.slice(50_000).reduce((s, r) => s + Buffer.byteLength(JSON.stringify(r)), 0);
  const raw = held.reduce((s, b) => s + b.length, 0);
  const t = performance.now();
  const ours = trainDictionary(train, { dictBytes: 112_640 });
  const trainMs = performance.now() - t;
  let zstdDict = null;
  try {
    const dir = tmp('samples');
    train.forEach((b, i) => fs.writeFileSync(path.join(dir, `${i}.json`), b));
    execFileSync('zstd', ['--train', '-q', '-r', dir, '-o', path.join(dir, 'dict'), '--maxdict=112640'], {
      stdio: 'ignore',
    });
    zstdDict = fs.readFileSync(path.join(dir, 'dict'));
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // No zstd CLI: the comparison row is left out (Snag never needs it).
  }
  const rows = [];
  const measure = (name, dict, level) => {
    const c = new Compressor();
    c.setParameters({ compressionLevel: level });
    if (dict) c.loadDictionary(dict);
    let best = Infinity;
    let bytes = 0;
    for (let round = 0; round < 3; round++) {
      const start = performance.now();
      bytes = 0;
      for (const b of held) bytes += c.compress(b).length - 4;
      best = Math.min(best, performance.now() - start);
    }
    rows.push(
      `| ${name} | ${level} | ${(bytes / held.length).toFixed(1)} | ${(raw / bytes).toFixed(2)}× | ${(fullJson / bytes).toFixed(2)}× | ${us(best, held.length)} |`,
    );
  };
  for (const level of [1, 3]) measure('none', null, level);
  for (const level of [1, 3, 5]) measure('ours (COVER, raw content)', ours, level);
  if (zstdDict) measure('`zstd --train` (entropy tables + content), for comparison', zstdDict, 3);
  const block = Buffer.concat(held.slice(0, 1000));
  const blockBytes = new Compressor().compress(block).length;
  console.log(
    `mean payload JSON ${(raw / held.length).toFixed(0)} B (full LogRecord JSON ${(fullJson / held.length).toFixed(0)} B); our training: ${trainMs.toFixed(0)} ms for ${train.length} samples`,
  );
  console.log(
    '| dictionary | level | stored B/record | vs payload JSON | vs LogRecord JSON | compress µs/record (best of 3) |\n|---|---|---|---|---|---|',
  );
  rows.forEach((r) => console.log(r));
  console.log(
    `(1,000 records as one zstd-3 block, no dictionary: ${(blockBytes / 1000).toFixed(1)} B/record, ${(block.length / blockBytes).toFixed(1)}×, for scale)`,
  );
}

function fill(dir, n, perSecond, options = {}) {
  storage.migrateAll(dir);
  const w = storage.openLogsWorkerStorage(dir, logic);
  const next = createLogRecords(options.seed ?? 3, {
    startMs: Date.now() - (n / perSecond) * 1000,
    ratePerSec: perSecond,
  });
  let cpuMs = 0;
  let wallMs = 0;
  let job = w.logs.readCursor('logs');
  let trained = null;
  const chunk = 1000;
  let lastReport = performance.now();
  for (let done = 0; done < n; done += chunk) {
    const now = Date.now();
    const logs = Array.from({ length: Math.min(chunk, n - done) }, () => ({
      projectId: 1,
      receivedAt: now,
      record: next(),
    }));
    const t = timed(() => w.logs.writeBatch('logs', ++job, { logs, invalid: 0, rejected: 0, parked: [] }));
    cpuMs += t.cpuMs;
    wallMs += t.wallMs;
    if (done === 20_000) trained = w.logs.trainDictionaryIfDue(Date.now(), { force: true });
    if (options.progress && performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      console.log(
        `  … ${(done + chunk).toLocaleString('en-US')} records, ${rate(done + chunk, wallMs)}/s wall, ${us(cpuMs, done + chunk)} CPU µs/record`,
      );
    }
  }
  return { w, cpuMs, wallMs, trained };
}

function stageWrite() {
  console.log(
    `\n## write: writeBatch, ${N.toLocaleString('en-US')} records in 1,000-record batches (dictionary trained after 20,000)`,
  );
  console.log(
    '| records arrive at | CPU µs/record | records/s (CPU) | records/s (wall) | logs.db B/record |\n|---|---|---|---|---|',
  );
  for (const perSecond of [2000, 20000]) {
    const dir = tmp('write');
    const { w, cpuMs, wallMs } = fill(dir, N, perSecond);
    w.close();
    const bytes = fileBytes(path.join(dir, 'logs.db'));
    console.log(
      `| ${perSecond.toLocaleString('en-US')}/s | ${us(cpuMs, N)} | ${rate(N, cpuMs)} | ${rate(N, wallMs)} | ${(bytes / N).toFixed(0)} |`,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function breakdown(dir, n) {
  const db = new Database(path.join(dir, 'logs.db'), { readonly: true });
  const parts = db.prepare('SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE').all();
  db.close();
  const sum = (test) => parts.filter((p) => test(p.name)).reduce((s, p) => s + p.pgsize, 0);
  const fts = sum((name) => name.startsWith('logs_fts_'));
  const rows = sum((name) => /^logs_\d+$/.test(name));
  const other = sum((name) => !name.startsWith('logs_'));
  const file = fileBytes(path.join(dir, 'logs.db'));
  return `rows ${(rows / n).toFixed(0)} B + full-text index ${(fts / n).toFixed(0)} B + other tables ${(other / n).toFixed(1)} B = ${((rows + fts + other) / n).toFixed(0)} B/record; file ${(file / 1e9).toFixed(2)} GB (${(file / n).toFixed(0)} B/record with free pages)`;
}

function stageScale() {
  const n = Number(flags.rows);
  const days = Number(flags.days);
  const dir = flags.dir ?? tmp('scale');
  let w;
  if (flags.reuse) {
    w = storage.openLogsWorkerStorage(dir, logic);
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    console.log(`\n## scale: filling ${dir} with ${n.toLocaleString('en-US')} records over ${days} days`);
    const filled = fill(dir, n, n / (days * 86_400), { progress: true });
    w = filled.w;
    console.log(
      `filled: ${rate(n, filled.wallMs)}/s wall, ${us(filled.cpuMs, n)} CPU µs/record (${rate(n, filled.cpuMs)}/s of CPU); dictionary: ${filled.trained ? `${filled.trained.trainMs} ms, held-out ${filled.trained.evalRawBytes} → ${filled.trained.evalCandidateBytes} B (none: ${filled.trained.evalBeforeBytes})` : 'none'}`,
    );
  }
  const reader = storage.openStorage(dir);
  const counters = reader.logs.counters();
  console.log(`records: ${counters.rows.toLocaleString('en-US')}; ${breakdown(dir, counters.rows)}`);
  const newest = reader.logs.search({ projectId: 1, query: { terms: [] } }, { limit: 1 }).logs[0];
  const nowMs = Math.floor(newest.record.timeUs / 1000) + 1;
  const trace = reader.logs
    .search({ projectId: 1, query: { terms: [] } }, { limit: 50 })
    .logs.find((l) => l.record.traceId)?.record.traceId;
  const uuid = reader.logs.search({ projectId: 1, query: parseSearchQuery('request.id:*') }, { limit: 1 })
    .logs[0]?.record.attributes['request.id'];
  const q = (text, filter = {}) => ({ projectId: 1, query: parseSearchQuery(text), ...filter });
  const cases = [
    ['everything (no query)', q('')],
    ['common word: completed (~5 %)', q('completed')],
    ['two common words: failed order', q('failed order')],
    [`rare word ${SEARCH_TERMS.rare} (Zipf tail, ~0.003 %)`, q(SEARCH_TERMS.rare)],
    ['absent word', q('zzzznotthere')],
    ['attribute: http.status_code:503', q('http.status_code:503')],
    ['hot field: level:fatal (1 %)', q('level:fatal')],
    ['level:error service:billing', q('level:error service:billing')],
    ['common word + rare filter: completed level:fatal', q('completed level:fatal')],
    ['prefix: time*', q('time*')],
    ['phrase: "slow query on"', q('"slow query on"')],
    ['phrase of common words never adjacent: "completed status"', q('"completed status"')],
    ['negation: completed -GET', q('completed -GET')],
    ['pasted UUID (with dashes, upper case)', q(String(uuid ?? '').toUpperCase())],
    ['trace:<id>', q(`trace:${trace}`)],
    ['last hour, common word', q('completed', { fromMs: nowMs - 3_600_000, toMs: nowMs })],
    [
      '1 h window 3 days ago, filters',
      q('level:warn', {
        fromMs: nowMs - 3 * 86_400_000,
        toMs: nowMs - 3 * 86_400_000 + 3_600_000,
        service: 'gateway',
      }),
    ],
  ];
  const runSearches = (label) => {
    console.log(
      `\n### search, newest first, limit 50 (${label}): median and max of 5 runs, first run included`,
    );
    console.log('| search | median ms | max ms | rows | partial |\n|---|---|---|---|---|');
    for (const [name, filter] of cases) {
      const times = [];
      let page;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        page = reader.logs.search(filter, { limit: 50 });
        times.push(performance.now() - t);
      }
      console.log(
        `| ${name} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${page.logs.length} | ${page.partial ? 'yes' : ''} |`,
      );
    }
    const other = [
      [
        'histogram 24 h by hour (kept counts)',
        () => reader.logs.histogram({ ...q(''), fromMs: nowMs - 86_400_000, toMs: nowMs }, 3_600_000),
      ],
      [
        'histogram 24 h by hour, "completed" (index counts)',
        () =>
          reader.logs.histogram({ ...q('completed'), fromMs: nowMs - 86_400_000, toMs: nowMs }, 3_600_000),
      ],
      [
        `histogram ${days} d by day, service:billing (index counts)`,
        () =>
          reader.logs.histogram(
            { ...q('service:billing'), fromMs: nowMs - days * 86_400_000, toMs: nowMs },
            86_400_000,
          ),
      ],
      ['facets', () => reader.logs.facets(1)],
      [
        'ofTrace + countOfTrace',
        () => [reader.logs.ofTrace(1, trace, 100), reader.logs.countOfTrace(1, trace)],
      ],
      ['get by id', () => reader.logs.get(1, newest.id)],
    ];
    console.log('| read | median ms | max ms | note |\n|---|---|---|---|');
    for (const [name, fn] of other) {
      const times = [];
      let out;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        out = fn();
        times.push(performance.now() - t);
      }
      const note = out && out.partial ? 'partial' : '';
      console.log(`| ${name} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${note} |`);
    }
  };
  runSearches('past days not merged yet');
  const t = timed(() => {
    for (let run = 0; run < 100_000; run++) {
      if (w.logs.pruneOlderThan(0, 0, nowMs).mergesPending === 0) break;
    }
  });
  console.log(
    `\nmerging past days into one segment each (200 ms steps): ${(t.wallMs / 1000).toFixed(1)} s wall, ${(t.cpuMs / 1000).toFixed(1)} s CPU; ${breakdown(dir, counters.rows)}`,
  );
  runSearches('past days merged');
  reader.close();
  w.close();
  if (!flags.dir) fs.rmSync(dir, { recursive: true, force: true });
}

const STAGES = {
  design: stageDesign,
  partitions: stagePartitions,
  compression: stageCompression,
  write: stageWrite,
  scale: stageScale,
};
console.log(
  `node ${process.version}, ${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const stage of flags.stage.split(',')) {
  if (!STAGES[stage]) throw new Error(`unknown stage ${stage}: use ${Object.keys(STAGES).join(', ')}`);
  STAGES[stage]();
}
console.log(
  `\nload at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
