/**
 * Turns run results into the Markdown the bench prints and saves: one row per metric, the median
 * over repeats (every run's value alongside when there were several), the targets, and the
 * machine the figures came from.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  formatCores,
  formatCount,
  formatKiB,
  formatMiB,
  formatMs,
  formatRatio,
  formatSeconds,
  median,
} from './stats.js';

const TARGET_STORED_PER_SECOND = 2000;
const TARGET_P99_MS = 50;
/** Issue 2 says 300 MB: 286 MiB. */
const TARGET_RSS_BYTES = 300 * 1000 * 1000;

const mbps = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} MB/s` : 'n/a');
const share = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
const errorsDbBytes = ({ full }) =>
  ((full.dataFiles['errors.db'] ?? 0) + (full.dataFiles['errors.db-wal'] ?? 0)) / full.stored;
/** CPU time per stored event: unlike rates, barely moved by other tenants taking the cores. */
const cpuMsPerEvent = (result, cores) => ((cores ?? NaN) * result.seconds * 1000) / result.stored;
const ms = (v) => (v === null ? 'n/a' : v.toFixed(v < 10 ? 2 : 1));
/** "a / b / c ms" from the probe's P50, P99 and Max fields named `prefix`…; undefined without --probe. */
const probeTriple = (probe, prefix) =>
  probe && `${ms(probe[`${prefix}P50`])} / ${ms(probe[`${prefix}P99`])} / ${ms(probe[`${prefix}Max`])} ms`;
const probeDeletes = (probe) => probe && `${share(probe.deleteShare)} (${ms(probe.deleteMsMax)} ms)`;
const describeStop = (stop) =>
  stop.graceful ? `${stop.seconds.toFixed(1)} s` : `no exit in ${stop.seconds.toFixed(0)} s, SIGKILLed`;
const storedRatio = (run) => run.full.storedPerSecond / run.baseline.inserts.rowsPerSecond;

/** [label, section, pick(run) → number | string, format] */
const METRICS = [
  [
    'pool: envelopes / distinct grouping signatures',
    'corpus',
    (r) => `${r.corpus.poolSize} / ${r.corpus.signatures}`,
  ],
  [
    'event JSON bytes min / median / max',
    'corpus',
    (r) => `${r.corpus.payloadBytesMin} / ${r.corpus.payloadBytesMedian} / ${r.corpus.payloadBytesMax}`,
  ],
  [
    'frames / breadcrumbs per event',
    'corpus',
    (r) =>
      `${r.corpus.framesMin}–${r.corpus.framesMax} / ${r.corpus.breadcrumbsMin}–${r.corpus.breadcrumbsMax}`,
  ],
  ['gzip body mean', 'corpus', (r) => r.corpus.gzipBytesMean, formatKiB],
  [
    'bare SQLite insert (zstd-3 + insert, 500/tx)',
    'baseline',
    (r) => r.baseline.inserts.rowsPerSecond,
    (v) => `${formatCount(v)} rows/s`,
  ],
  ['… of which zstd compression', 'baseline', (r) => r.baseline.inserts.compressShare, share],
  ['zstd-3 bytes per event', 'baseline', (r) => r.baseline.inserts.compressedBytesMean, formatKiB],
  ['JSON.parse of payloads', 'baseline', (r) => r.baseline.parse.megabytesPerSecond, mbps],
  ['JSON.parse events/s', 'baseline', (r) => r.baseline.parse.eventsPerSecond, formatCount],
  ['sending', 'full', (r) => `${r.full.sendSeconds.toFixed(0)} s, ${r.full.concurrency} in flight`],
  ['sent', 'full', (r) => r.full.sent, formatCount],
  ['accepted/s (HTTP 200)', 'full', (r) => r.full.acceptedPerSecond, formatCount],
  ['429 answers', 'full', (r) => r.full.throttled, formatCount],
  ['other failures', 'full', (r) => r.full.failed, formatCount],
  ['accept latency p50', 'full', (r) => r.full.latencyP50, formatMs],
  ['accept latency p99', 'full', (r) => r.full.latencyP99, formatMs],
  ['stored/s, first send → queue drained', 'full', (r) => r.full.storedPerSecond, formatCount],
  ['stored/s while sending', 'full', (r) => r.full.storedDuringSendPerSecond, formatCount],
  ['stored/s ÷ bare insert rows/s', 'full', storedRatio, formatRatio],
  ['backlog drain after sending stopped', 'full', (r) => r.full.drainSeconds, formatSeconds],
  ['max queue depth', 'full', (r) => r.full.maxQueueDepth, formatCount],
  ['events stored', 'full', (r) => r.full.stored, formatCount],
  ['issues (distinct groups)', 'full', (r) => r.full.issues, formatCount],
  [
    'duplicates + invalid + parked',
    'full',
    (r) => r.full.duplicates + r.full.invalid + r.full.parked,
    formatCount,
  ],
  ['server CPU (whole process)', 'full', (r) => r.full.serverCores, formatCores],
  ['… main (HTTP) thread', 'full', (r) => r.full.mainThreadCores, formatCores],
  [
    '… busiest other thread (digest worker)',
    'full',
    (r) => r.full.otherThreads[0]?.cores ?? NaN,
    formatCores,
  ],
  [
    'server CPU per stored event (all threads)',
    'full',
    (r) => cpuMsPerEvent(r.full, r.full.serverCores),
    formatMs,
  ],
  [
    'digest worker CPU per stored event',
    'full',
    (r) => cpuMsPerEvent(r.full, r.full.otherThreads[0]?.cores),
    formatMs,
  ],
  ['load generator CPU', 'full', (r) => r.full.clientCores, formatCores],
  ['server RSS idle before load', 'full', (r) => r.full.idleRss, formatMiB],
  ['server peak RSS (VmHWM)', 'full', (r) => r.full.peakRss, formatMiB],
  ['other processes on the box (CPU)', 'full', (r) => r.full.otherProcessCores, formatCores],
  ['server threads waiting for a CPU (run queue)', 'full', (r) => r.full.serverWaitingCores, formatCores],
  ['SIGTERM → exit', 'full', (r) => describeStop(r.full.stop)],
  ['HTTP thread: jobs per queue commit', 'full', (r) => r.full.probe?.jobsPerCommit, (v) => v.toFixed(1)],
  ['HTTP thread: queue commit p50 / p99 / max', 'full', (r) => probeTriple(r.full.probe, 'commitMs')],
  ['HTTP thread: wall time in queue commits', 'full', (r) => r.full.probe?.commitShare, share],
  ['HTTP thread: wall time in job deletes (longest)', 'full', (r) => probeDeletes(r.full.probe)],
  ['HTTP thread: event-loop delay p50 / p99 / max', 'full', (r) => probeTriple(r.full.probe, 'loopDelayMs')],
  ['errors.db (+WAL) bytes per stored event', 'full', errorsDbBytes, formatKiB],
  ['queue.db-wal size when drained', 'full', (r) => r.full.dataFiles['queue.db-wal'] ?? 0, formatMiB],
  [
    'sending',
    'rate',
    (r) => `${r.rate.scheduledSeconds} s at ${r.rate.rate}/s, ${r.rate.concurrency} sockets`,
  ],
  [
    'last answer after the schedule ended',
    'rate',
    (r) => r.rate.sendSeconds - r.rate.scheduledSeconds,
    formatSeconds,
  ],
  ['accepted/s (HTTP 200, until the last answer)', 'rate', (r) => r.rate.acceptedPerSecond, formatCount],
  ['late sends (> 5 ms behind schedule)', 'rate', (r) => r.rate.lateSends, formatCount],
  ['skipped sends (10,000 already in flight)', 'rate', (r) => r.rate.skippedSends, formatCount],
  ['429 answers', 'rate', (r) => r.rate.throttled, formatCount],
  ['other failures', 'rate', (r) => r.rate.failed, formatCount],
  ['accept latency p50 (from planned send)', 'rate', (r) => r.rate.latencyP50, formatMs],
  ['accept latency p99 (from planned send)', 'rate', (r) => r.rate.latencyP99, formatMs],
  ['accept latency p99.9 (from planned send)', 'rate', (r) => r.rate.latencyP999, formatMs],
  ['accept latency p50 (from getting a socket)', 'rate', (r) => r.rate.serviceLatencyP50, formatMs],
  ['accept latency p99 (from getting a socket)', 'rate', (r) => r.rate.serviceLatencyP99, formatMs],
  ['stored/s while sending', 'rate', (r) => r.rate.storedDuringSendPerSecond, formatCount],
  ['queue depth when sending stopped', 'rate', (r) => r.rate.queueDepthAtSendEnd, formatCount],
  ['max queue depth', 'rate', (r) => r.rate.maxQueueDepth, formatCount],
  ['backlog drain after sending stopped', 'rate', (r) => r.rate.drainSeconds, formatSeconds],
  ['server CPU (whole process)', 'rate', (r) => r.rate.serverCores, formatCores],
  ['… main (HTTP) thread', 'rate', (r) => r.rate.mainThreadCores, formatCores],
  [
    '… busiest other thread (digest worker)',
    'rate',
    (r) => r.rate.otherThreads[0]?.cores ?? NaN,
    formatCores,
  ],
  ['server RSS idle before load', 'rate', (r) => r.rate.idleRss, formatMiB],
  ['server peak RSS (VmHWM)', 'rate', (r) => r.rate.peakRss, formatMiB],
  ['other processes on the box (CPU)', 'rate', (r) => r.rate.otherProcessCores, formatCores],
  ['server threads waiting for a CPU (run queue)', 'rate', (r) => r.rate.serverWaitingCores, formatCores],
  ['SIGTERM → exit', 'rate', (r) => describeStop(r.rate.stop)],
  ['HTTP thread: jobs per queue commit', 'rate', (r) => r.rate.probe?.jobsPerCommit, (v) => v.toFixed(1)],
  ['HTTP thread: queue commit p50 / p99 / max', 'rate', (r) => probeTriple(r.rate.probe, 'commitMs')],
  ['HTTP thread: wall time in queue commits', 'rate', (r) => r.rate.probe?.commitShare, share],
  ['HTTP thread: wall time in job deletes (longest)', 'rate', (r) => probeDeletes(r.rate.probe)],
  ['HTTP thread: event-loop delay p50 / p99 / max', 'rate', (r) => probeTriple(r.rate.probe, 'loopDelayMs')],
];

const SECTION_LABELS = { corpus: 'corpus', baseline: 'baseline', full: 'full speed', rate: 'fixed rate' };

/**
 * One row per metric present in the runs: the median (numbers) or the first value (text).
 * `metrics` ([label, section, pick, format]) and `labels` (section → prefix) default to the
 * error bench's.
 */
export function buildRows(runs, metrics = METRICS, labels = SECTION_LABELS) {
  const rows = [];
  for (const [label, section, pick, format = String] of metrics) {
    if (!runs.every((run) => run[section])) continue;
    const values = runs.map((run) => pick(run));
    // Rows of an optional measurement (--probe) are left out when it did not run.
    if (values.every((v) => v === undefined)) continue;
    const numeric = values.every((v) => typeof v === 'number');
    rows.push({
      metric: `${labels[section]}: ${label}`,
      // Text rows (shapes, stop behaviour) show each distinct value once.
      value: numeric ? format(median(values)) : [...new Set(values)].join('; '),
      runs: numeric ? values.map(format).join(', ') : '',
    });
  }
  return rows;
}

export function renderTable(rows, repeat) {
  const header =
    repeat > 1 ? ['| metric | median | runs |', '|---|---|---|'] : ['| metric | value |', '|---|---|'];
  const body = rows.map((r) =>
    repeat > 1 ? `| ${r.metric} | ${r.value} | ${r.runs} |` : `| ${r.metric} | ${r.value} |`,
  );
  return [...header, ...body].join('\n');
}

/** Pass/miss against the product targets, judged on medians. */
export function renderTargets(runs) {
  const lines = ['| target | median | verdict |', '|---|---|---|'];
  const check = (name, values, format, ok) => {
    const m = median(values);
    lines.push(`| ${name} | ${format(m)} | ${Number.isFinite(m) ? (ok(m) ? 'met' : '**missed**') : 'n/a'} |`);
  };
  if (runs.every((r) => r.full)) {
    check(
      `≥ ${TARGET_STORED_PER_SECOND} events/s stored, sustained`,
      runs.map((r) => r.full.storedPerSecond),
      formatCount,
      (m) => m >= TARGET_STORED_PER_SECOND,
    );
  }
  if (runs.every((r) => r.rate)) {
    check(
      `p99 accept latency < ${TARGET_P99_MS} ms at ${runs[0].rate.rate}/s`,
      runs.map((r) => r.rate.latencyP99),
      formatMs,
      (m) => m < TARGET_P99_MS,
    );
  }
  const peaks = runs.map((r) => Math.max(r.full?.peakRss ?? 0, r.rate?.peakRss ?? 0));
  check(`peak RSS < 300 MB (${formatMiB(TARGET_RSS_BYTES)})`, peaks, formatMiB, (m) => m < TARGET_RSS_BYTES);
  return lines.join('\n');
}

function readCpuModel() {
  try {
    return (
      /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model
    );
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

export function describeMachine() {
  return {
    nproc: os.availableParallelism(),
    cpuModel: readCpuModel(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
  };
}

export function renderMachine(machine) {
  return [
    `- nproc: ${machine.nproc}`,
    `- CPU: ${machine.cpuModel}`,
    `- memory: ${machine.memory}`,
    `- node: ${machine.node}`,
    `- kernel: ${machine.kernel}`,
    `- load average at start (1/5/15 min): ${machine.loadAverage}`,
  ].join('\n');
}

/**
 * .bench/last-run.md: everything needed to quote the figures. `sections` are one per kind run
 * ({ title, table, targets, profile }); `runs` the raw results by kind, saved as JSON.
 */
export function writeLastRun(repoRoot, { command, startedAt, machine, sections, runs }) {
  const file = path.join(repoRoot, '.bench', 'last-run.md');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // The raw numbers too, for anyone who wants a figure the table does not show.
  fs.writeFileSync(
    file.replace(/\.md$/, '.json'),
    JSON.stringify({ command, startedAt, machine, runs }, null, 2),
  );
  const parts = [
    `# Last bench run`,
    '',
    `Command: \`${command}\``,
    '',
    `Started: ${startedAt.toISOString()}`,
    '',
    '## Machine',
    '',
    renderMachine(machine),
    '',
  ];
  for (const section of sections) {
    parts.push(`## ${section.title}`, '', section.table, '');
    if (section.targets) parts.push('### Targets', '', section.targets, '');
    if (section.profile) parts.push('### CPU profile of the server', '', section.profile, '');
  }
  fs.writeFileSync(file, parts.join('\n'));
  return file;
}
