/**
 * The rows and targets of the transaction kinds (`--kind transactions`, `--kind spans`), in the
 * shape report.js renders: [label, section, pick(run), format].
 */
import { buildRows, renderTable } from './report.js';
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

export const TARGET_TRANSACTIONS_PER_SECOND = 1000;
/** A fixed-rate run "keeps up" when it stores this share of the rate while sending. */
const KEEPS_UP_SHARE = 0.98;

const share = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
const us = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} µs` : 'n/a');
const cpuMsPer = (result, cores) => ((cores ?? NaN) * result.seconds * 1000) / result.stored;
const workerCores = (result) => result.otherThreads[0]?.cores;
const dbBytesPer = (result) =>
  ((result.dataFiles['transactions.db'] ?? 0) + (result.dataFiles['transactions.db-wal'] ?? 0)) /
  result.stored;
const describeStop = (stop) =>
  stop.graceful ? `${stop.seconds.toFixed(1)} s` : `no exit in ${stop.seconds.toFixed(0)} s, SIGKILLed`;
const lost = (r) =>
  r.db.duplicates + (r.health.invalid_transactions ?? 0) + (r.health.parked_jobs ?? 0) + r.db.pendingSpans;

/** Rows shared by both load shapes. */
function loadRows(section) {
  const rows = [
    ['accepted/s (HTTP 200)', (r) => r[section].acceptedPerSecond, formatCount],
    ['429 answers', (r) => r[section].throttled, formatCount],
    ['other failures', (r) => r[section].failed, formatCount],
    ['stored/s, first send → queue drained', (r) => r[section].storedPerSecond, formatCount],
    ['stored/s while sending', (r) => r[section].storedDuringSendPerSecond, formatCount],
    ['backlog drain after sending stopped', (r) => r[section].drainSeconds, formatSeconds],
    ['max queue depth', (r) => r[section].maxQueueDepth, formatCount],
    ['transactions stored', (r) => r[section].stored, formatCount],
    ['duplicates + invalid + parked + pending spans', (r) => lost(r[section]), formatCount],
    ['server CPU (whole process)', (r) => r[section].serverCores, formatCores],
    ['… main (HTTP) thread', (r) => r[section].mainThreadCores, formatCores],
    ['… digest worker', (r) => workerCores(r[section]), formatCores],
    [
      'server CPU per stored transaction (all threads)',
      (r) => cpuMsPer(r[section], r[section].serverCores),
      formatMs,
    ],
    [
      '… HTTP thread per stored transaction',
      (r) => cpuMsPer(r[section], r[section].mainThreadCores),
      formatMs,
    ],
    [
      '… digest worker per stored transaction',
      (r) => cpuMsPer(r[section], workerCores(r[section])),
      formatMs,
    ],
    [
      '… digest worker ÷ in-process floor',
      (r) => cpuMsPer(r[section], workerCores(r[section])) / (r.baseline.total / 1000),
      formatRatio,
    ],
    ['load generator CPU', (r) => r[section].clientCores, formatCores],
    ['server RSS idle before load', (r) => r[section].idleRss, formatMiB],
    ['server peak RSS (VmHWM)', (r) => r[section].peakRss, formatMiB],
    ['other processes on the box (CPU)', (r) => r[section].otherProcessCores, formatCores],
    ['server threads waiting for a CPU (run queue)', (r) => r[section].serverWaitingCores, formatCores],
    ['transactions.db (+WAL) bytes per stored transaction', (r) => dbBytesPer(r[section]), formatKiB],
    ['… stored payload (zstd) per transaction, mean', (r) => r[section].db.payloadBytesMean, formatKiB],
    [
      'endpoint rollup rows (every resolution, per key and totals)',
      (r) => r[section].db.rollupRows,
      formatCount,
    ],
    ['queue.db-wal size when drained', (r) => r[section].dataFiles['queue.db-wal'] ?? 0, formatMiB],
    ['SIGTERM → exit', (r) => describeStop(r[section].stop)],
  ];
  return rows.map(([label, pick, format]) => [label, section, pick, format]);
}

const METRICS = [
  [
    'pool: envelopes / endpoints / top-5 endpoints’ share',
    'corpus',
    (r) => `${r.corpus.poolSize} / ${r.corpus.endpoints} / ${share(r.corpus.topFiveShare)}`,
  ],
  [
    'spans per transaction min / median / max',
    'corpus',
    (r) => `${r.corpus.spansMin} / ${r.corpus.spansMedian} / ${r.corpus.spansMax}`,
  ],
  ['transactions with an N+1 loop', 'corpus', (r) => r.corpus.nPlusOneShare, share],
  [
    'item JSON bytes min / median / max',
    'corpus',
    (r) => `${r.corpus.itemBytesMin} / ${r.corpus.itemBytesMedian} / ${r.corpus.itemBytesMax}`,
  ],
  [
    'gzip bodies (rule) / mean gzip body / ratio',
    'corpus',
    (r) =>
      `${share(r.corpus.gzipShare)} (${r.corpus.gzipMode === 'sdk' ? 'SDK: over 32 KiB' : 'always'}) / ${formatKiB(r.corpus.gzipBodyBytesMean)} / ${formatRatio(r.corpus.gzipRatio)}`,
  ],
  ['mean body on the wire', 'corpus', (r) => r.corpus.wireBytesMean, formatKiB],
  ['JSON.parse per transaction', 'baseline', (r) => r.baseline.parse, us],
  ['digest (domain) per transaction', 'baseline', (r) => r.baseline.digest, us],
  ['JSON.stringify + zstd per transaction', 'baseline', (r) => r.baseline.encode, us],
  ['rollup fold + sketch merge per transaction', 'baseline', (r) => r.baseline.rollups, us],
  ['**floor: all of the above**', 'baseline', (r) => r.baseline.total, us],
  ['sending', 'full', (r) => `${r.full.sendSeconds.toFixed(0)} s, ${r.full.concurrency} in flight`],
  ['accept latency p50', 'full', (r) => r.full.latencyP50, formatMs],
  ['accept latency p99', 'full', (r) => r.full.latencyP99, formatMs],
  ...loadRows('full'),
  [
    'sending',
    'rate',
    (r) => `${r.rate.scheduledSeconds} s at ${r.rate.rate}/s, ${r.rate.concurrency} sockets`,
  ],
  ['late sends (> 5 ms behind schedule)', 'rate', (r) => r.rate.lateSends, formatCount],
  ['accept latency p50 (from planned send)', 'rate', (r) => r.rate.latencyP50, formatMs],
  ['accept latency p99 (from planned send)', 'rate', (r) => r.rate.latencyP99, formatMs],
  ['accept latency p50 (from getting a socket)', 'rate', (r) => r.rate.serviceLatencyP50, formatMs],
  ['accept latency p99 (from getting a socket)', 'rate', (r) => r.rate.serviceLatencyP99, formatMs],
  ['queue depth when sending stopped', 'rate', (r) => r.rate.queueDepthAtSendEnd, formatCount],
  ...loadRows('rate'),
];

const LABELS = { corpus: 'corpus', baseline: 'in-process floor', full: 'full speed', rate: 'fixed rate' };

export function renderTransactionsTable(runs, repeat) {
  return renderTable(buildRows(runs, METRICS, LABELS), repeat);
}

/** Verdicts on medians: the ceiling at full speed, and whether a fixed 1,000/s is kept up with. */
export function renderTransactionsTargets(runs) {
  const lines = ['| target | median | verdict |', '|---|---|---|'];
  const verdict = (m, ok) => (Number.isFinite(m) ? (ok(m) ? 'met' : '**missed**') : 'n/a');
  if (runs.every((r) => r.full)) {
    const m = median(runs.map((r) => r.full.storedPerSecond));
    lines.push(
      `| ≥ ${formatCount(TARGET_TRANSACTIONS_PER_SECOND)} transactions/s stored (full speed, first send → drained) | ${formatCount(m)} | ${verdict(m, (v) => v >= TARGET_TRANSACTIONS_PER_SECOND)} |`,
    );
  }
  if (runs.every((r) => r.rate)) {
    const rate = runs[0].rate.rate;
    const m = median(runs.map((r) => r.rate.storedDuringSendPerSecond));
    lines.push(
      `| fixed ${formatCount(rate)}/s kept up with (stored/s while sending ≥ ${KEEPS_UP_SHARE * 100} % of it) | ${formatCount(m)} | ${verdict(m, (v) => rate >= TARGET_TRANSACTIONS_PER_SECOND && v >= KEEPS_UP_SHARE * rate)} |`,
    );
  }
  return lines.join('\n');
}
