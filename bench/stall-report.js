#!/usr/bin/env node
/**
 * Reads a stall trace of the mixed bench (`node bench/errors.js --kind mixed --probe` writes
 * .bench/stall-trace-*\/) and prints, over the readers' window: each reader's p50/p95/max, the HTTP
 * thread's event-loop lateness (p50/p99/max of its 10-ms ticks), what the thread spent its time on
 * (GC, queue commits, deletes, checkpoints, the API's SQL, CPU, run-queue wait), and for every read
 * over SLOW_READ_MS the server events that overlapped it, largest first.
 *
 *   node bench/stall-report.js .bench/stall-trace-rate0-<time> [--slow 200]
 */
import fs from 'node:fs';
import path from 'node:path';

const SLOW_READ_MS = 200;
const MAX_LISTED_READS = 25;

const readLines = (file) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const fmt = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '–');

function summarizeReads(reads) {
  const byLabel = new Map();
  for (const r of reads) {
    if (!byLabel.has(r.label)) byLabel.set(r.label, []);
    if (r.ok) byLabel.get(r.label).push(r.ms);
  }
  const rows = [];
  for (const [label, values] of byLabel) {
    values.sort((a, b) => a - b);
    rows.push(
      `${label.padEnd(40)} n=${String(values.length).padEnd(4)} p50 ${fmt(percentile(values, 50))}  p95 ${fmt(percentile(values, 95))}  max ${fmt(percentile(values, 100))} ms`,
    );
  }
  return rows.join('\n');
}

function summarizeLoop(seconds) {
  const ticks = seconds.reduce((n, s) => n + s.ticks, 0);
  const lates = seconds.flatMap((s) => s.lates);
  // Ticks on time (under 1 ms late) are counted, not listed.
  const sorted = [...new Array(Math.max(0, ticks - lates.length)).fill(0), ...lates].sort((a, b) => a - b);
  return `event-loop lateness over ${ticks} ticks: p50 ${fmt(percentile(sorted, 50))}  p99 ${fmt(percentile(sorted, 99))}  p99.9 ${fmt(percentile(sorted, 99.9))}  max ${fmt(percentile(sorted, 100))} ms`;
}

function summarizeSeconds(seconds) {
  const keys = ['cpuMs', 'runWaitMs', 'gcMs', 'commitMs', 'deleteMs', 'checkpointMs', 'sqlMs'];
  const n = seconds.length;
  const mean = (k) => seconds.reduce((sum, s) => sum + (s[k] ?? 0), 0) / n;
  const max = (k) => Math.max(...seconds.map((s) => s[k] ?? 0));
  const lines = keys.map(
    (k) => `  ${k.padEnd(13)} mean ${fmt(mean(k))} ms/s, worst second ${fmt(max(k))} ms`,
  );
  lines.push(`  deleteRows    mean ${fmt(mean('deleteRows'))}/s, commits ${fmt(mean('commits'))}/s`);
  lines.push(
    `  queue WAL     max ${fmt(max('walMiB'))} MiB; heap max ${fmt(max('heapMiB'))} MiB; RSS max ${fmt(max('rssMiB'))} MiB`,
  );
  return lines.join('\n');
}

function describeOverlaps(read, events) {
  const end = read.t + read.ms;
  const hits = events.filter(
    (e) => e.what !== 'sec' && e.what !== 'http' && e.t < end && e.t + e.ms > read.t,
  );
  hits.sort((a, b) => b.ms - a.ms);
  return hits
    .slice(0, 4)
    .map(
      (e) =>
        `${e.what} ${fmt(e.ms)}${e.rows !== undefined ? ` (${e.rows} rows)` : ''}${e.kind !== undefined ? ` (kind ${e.kind})` : ''}${e.sql ? ` [${e.db}: ${e.sql.slice(0, 50)}]` : ''} @${fmt(e.t - read.t)}`,
    )
    .join('; ');
}

function main(argv) {
  const dir = argv[0];
  if (!dir) throw new Error('usage: node bench/stall-report.js <stall-trace dir> [--slow ms]');
  const slowAt = argv[1] === '--slow' ? Number(argv[2]) : SLOW_READ_MS;
  const reads = readLines(path.join(dir, 'readers.jsonl'));
  const events = readLines(path.join(dir, 'server.jsonl'));
  if (reads.length === 0) throw new Error(`no reads in ${dir}`);
  const from = reads[0].t;
  const to = reads.at(-1).t + reads.at(-1).ms;
  const inWindow = events.filter((e) => e.t >= from && e.t <= to + 1000);
  const seconds = inWindow.filter((e) => e.what === 'sec');
  const out = [`${dir}: ${((to - from) / 1000).toFixed(0)} s of reads`, summarizeReads(reads)];
  out.push(summarizeLoop(seconds), 'HTTP thread, per second:', summarizeSeconds(seconds));
  const counts = {};
  for (const e of inWindow)
    if (e.what !== 'sec' && e.what !== 'http') counts[e.what] = (counts[e.what] ?? 0) + 1;
  out.push(`events of ≥ 20 ms: ${JSON.stringify(counts)}`);
  const loops = inWindow.filter((e) => e.what === 'loop').sort((a, b) => b.ms - a.ms);
  out.push(
    `longest loop stalls (ms): ${loops
      .slice(0, 12)
      .map((e) => fmt(e.ms))
      .join(', ')}`,
  );
  const slow = reads.filter((r) => r.ms >= slowAt).sort((a, b) => b.ms - a.ms);
  out.push(`reads ≥ ${slowAt} ms: ${slow.length} of ${reads.length}`);
  for (const r of slow.slice(0, MAX_LISTED_READS)) {
    const second = seconds.find((s) => s.t >= r.t + r.ms) ?? {};
    out.push(
      `  ${new Date(r.t).toISOString().slice(11, 23)} ${r.label.slice(0, 22).padEnd(22)} ${fmt(r.ms).padStart(6)} ms | ${describeOverlaps(r, inWindow)} | that s: cpu ${fmt(second.cpuMs)} wait ${fmt(second.runWaitMs)} gc ${fmt(second.gcMs)} del ${fmt(second.deleteMs)}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main(process.argv.slice(2));
