/**
 * `node bench/memory.js`: where a real Snag's memory goes (issue 9: idle RSS ≤ 150 MB; issue 2:
 * peak RSS < 300 MiB under errors at full speed). Starts `node bin/snag.js serve` on a fresh data
 * dir with bench/lib/thread-heap-probe.js preloaded, reads /proc/<pid>/status (RssAnon: heaps,
 * SQLite caches; RssFile: mostly the node binary's pages) and each thread's V8 heap:
 *
 * - just after start, after 30 s, and after `--idle` seconds (idle digest threads rest after
 *   `--rest-after` seconds, SNAG_WORKER_REST_AFTER_IDLE_SECONDS);
 * - with `--load-seconds N`: then errors at full speed for N s (bench/lib/load.js, the corpus of
 *   `npm run bench`), its peak RSS (sampled and VmHWM) and CPU per stored event, and RSS 30 s after.
 *
 * `--root DIR` (repeatable) compares checkouts: each must be built, rounds alternate between them
 * so a busy box slows them alike. Prints a Markdown table, medians over `--rounds` with every value.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { buildCorpus, createEnvelopeSource } from './lib/corpus.js';
import { note, REPO_ROOT } from './lib/harness.js';
import { runFullSpeed } from './lib/load.js';
import { formatBreakdown, readSmapsBreakdown } from './lib/smaps.js';
import { closeHealthAgent, killServersNow, startServer } from './lib/server.js';

const KIB = 1024;
const MIB = 1024 * 1024;
const PROBE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'thread-heap-probe.js');
/** A thread whose last heap line is older than this has stopped (it writes one a second). */
const THREAD_GONE_MS = 2500;
const AFTER_START_MS = 2000;
const MID_IDLE_MS = 30_000;
const AFTER_LOAD_IDLE_MS = 30_000;
const LOAD_CONCURRENCY = 32;

function parseArgs(argv) {
  const flags = { roots: [], idle: 75, restAfter: 10, loadSeconds: 0, rounds: 1 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i];
    if (argv[i] === '--root') flags.roots.push(path.resolve(value()));
    else if (argv[i] === '--idle') flags.idle = Number(value());
    else if (argv[i] === '--rest-after') flags.restAfter = Number(value());
    else if (argv[i] === '--load-seconds') flags.loadSeconds = Number(value());
    else if (argv[i] === '--rounds') flags.rounds = Number(value());
    else {
      console.error(
        'usage: node bench/memory.js [--root DIR]... [--idle S=75] [--rest-after S=10] [--load-seconds S=0] [--rounds N=1]',
      );
      process.exit(2);
    }
  }
  if (flags.roots.length === 0) flags.roots.push(REPO_ROOT);
  return flags;
}

/** RSS and its split, in bytes, from /proc/<pid>/status. */
function readStatus(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * KIB;
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile'), hwm: field('VmHWM') };
}

/** The latest heap line of each thread still writing them. */
function readThreadHeaps(heapFile) {
  const latest = new Map();
  const text = fs.existsSync(heapFile) ? fs.readFileSync(heapFile, 'utf8') : '';
  for (const line of text.split('\n')) if (line) latest.set(JSON.parse(line).thread, JSON.parse(line));
  const now = Date.now();
  return [...latest.values()].filter((l) => now - l.at < THREAD_GONE_MS);
}

/** The largest heapTotal and external (Buffers) each thread reported since `since` (ms epoch). */
function readPeakHeaps(heapFile, since) {
  const peaks = {};
  for (const line of fs.readFileSync(heapFile, 'utf8').split('\n')) {
    if (!line) continue;
    const l = JSON.parse(line);
    if (l.at < since) continue;
    const p = (peaks[l.thread] ??= { heap: 0, external: 0 });
    p.heap = Math.max(p.heap, l.heapTotal);
    p.external = Math.max(p.external, l.external);
  }
  return peaks;
}

function snapshot(server, heapFile) {
  const status = readStatus(server.pid);
  const heaps = readThreadHeaps(heapFile);
  const main = heaps.find((h) => h.thread === 'main');
  const digest = heaps.filter((h) => h.thread !== 'main');
  return {
    ...status,
    threads:
      digest
        .map((h) => h.thread)
        .sort()
        .join(', ') || 'none',
    mainHeap: main?.heapTotal ?? NaN,
    mainNewSpace: main?.newSpace ?? NaN,
    digestHeap: digest.reduce((sum, h) => sum + h.heapTotal, 0),
  };
}

async function measureRoot(root, flags, corpus) {
  const heapFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'snag-memory-')), 'heaps.jsonl');
  const server = await startServer({
    repoRoot: root,
    nodeArgs: ['--import', PROBE_FILE],
    env: { SNAG_WORKER_REST_AFTER_IDLE_SECONDS: String(flags.restAfter), BENCH_HEAP_FILE: heapFile },
  });
  const startedAt = Date.now();
  const until = (ms) => sleep(Math.max(0, startedAt + ms - Date.now()));
  const result = {};
  try {
    await until(AFTER_START_MS);
    result.start = snapshot(server, heapFile);
    await until(MID_IDLE_MS);
    result.mid = snapshot(server, heapFile);
    await until(flags.idle * 1000);
    result.idle = snapshot(server, heapFile);
    note(`${path.basename(root)}: idle RSS ${(result.idle.rss / MIB).toFixed(0)} MiB`);
    if (flags.loadSeconds > 0) {
      const loadStartedAt = Date.now();
      // smaps at the load's peak: which kind of mapping the peak is made of (bench/lib/smaps.js).
      let peakSmaps = readSmapsBreakdown(server.pid);
      const smapsTimer = setInterval(() => {
        const b = readSmapsBreakdown(server.pid);
        if (b.total > peakSmaps.total) peakSmaps = b;
      }, 1000);
      const run = await runFullSpeed({
        server,
        source: createEnvelopeSource(corpus, server.publicKey),
        seconds: flags.loadSeconds,
        concurrency: LOAD_CONCURRENCY,
        label: `memory ${path.basename(root)}`,
        storedCount: (health) => health.event_count,
      }).finally(() => clearInterval(smapsTimer));
      result.load = {
        peakRss: run.peakRss,
        stored: run.stored,
        storedPerSecond: run.storedPerSecond,
        cpuMsPerEvent: (run.serverCores * run.seconds * 1000) / run.stored,
        peakHeaps: readPeakHeaps(heapFile, loadStartedAt),
        peakSmaps: formatBreakdown(peakSmaps),
      };
      await sleep(AFTER_LOAD_IDLE_MS);
      result.afterLoad = snapshot(server, heapFile);
    }
  } finally {
    await server.stop();
    fs.rmSync(path.dirname(heapFile), { recursive: true, force: true });
  }
  return result;
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};
const mib = (bytes) => (bytes / MIB).toFixed(0);
const mibOf = (v) => v.toFixed(1);

/** [label, pick(result) → number | string, format] */
const ROWS = [
  ['RSS after start (MiB)', (r) => r.start.rss, mib],
  ['… anon / file (MiB)', (r) => `${mib(r.start.anon)} / ${mib(r.start.file)}`],
  [
    '… main heap / of it new space (MiB)',
    (r) => `${mibOf(r.start.mainHeap)} / ${mibOf(r.start.mainNewSpace)}`,
  ],
  ['… digest threads, heaps (MiB)', (r) => `${r.start.threads}: ${mibOf(r.start.digestHeap)}`],
  ['RSS at 30 s (MiB)', (r) => r.mid.rss, mib],
  ['… digest threads', (r) => r.mid.threads],
  ['RSS idle at --idle (MiB)', (r) => r.idle.rss, mib],
  ['… anon / file (MiB)', (r) => `${mib(r.idle.anon)} / ${mib(r.idle.file)}`],
  ['… main heap / of it new space (MiB)', (r) => `${mibOf(r.idle.mainHeap)} / ${mibOf(r.idle.mainNewSpace)}`],
  ['… digest threads, heaps (MiB)', (r) => `${r.idle.threads}: ${mibOf(r.idle.digestHeap)}`],
  ['errors full speed: peak RSS, sampled or VmHWM (MiB)', (r) => r.load?.peakRss, mib],
  [
    '… peak heapTotal + external per thread (MiB)',
    (r) =>
      r.load &&
      Object.entries(r.load.peakHeaps)
        .map(([t, v]) => `${t} ${v.heap.toFixed(0)} + ${v.external.toFixed(0)}`)
        .join(', '),
  ],
  ['… smaps at the peak', (r) => r.load?.peakSmaps],
  ['… stored/s', (r) => r.load?.storedPerSecond, (v) => v.toFixed(0)],
  ['… server CPU per stored event (ms)', (r) => r.load?.cpuMsPerEvent, (v) => v.toFixed(3)],
  ['RSS 30 s after the load (MiB)', (r) => r.afterLoad?.rss, mib],
];

function renderTable(flags, results) {
  const header = `| metric | ${flags.roots.map((r) => `\`${r}\``).join(' | ')} |`;
  const lines = [header, `| --- | ${flags.roots.map(() => '---').join(' | ')} |`];
  for (const [label, pick, format] of ROWS) {
    const cells = flags.roots.map((root) => {
      const values = results.get(root).map(pick);
      if (values.every((v) => v === undefined)) return 'n/a';
      if (!format) return values.join('; ');
      const all = values.map(format).join(', ');
      return values.length > 1 ? `${format(median(values))} (${all})` : all;
    });
    if (cells.every((c) => c === 'n/a')) continue;
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const flags = parseArgs(process.argv.slice(2));
process.on('exit', killServersNow);
process.on('SIGINT', () => process.exit(130));
const corpus = flags.loadSeconds > 0 ? buildCorpus() : undefined;
const results = new Map(flags.roots.map((r) => [r, []]));
for (let round = 0; round < flags.rounds; round++)
  for (const root of flags.roots) {
    note(`round ${round + 1}/${flags.rounds}: ${root}`);
    results.get(root).push(await measureRoot(root, flags, corpus));
  }
closeHealthAgent();
console.log(
  `\nnode bench/memory.js ${process.argv.slice(2).join(' ')} (rest after ${flags.restAfter} s, idle ${flags.idle} s, ${new Date().toISOString()})\n`,
);
console.log(renderTable(flags, results));
