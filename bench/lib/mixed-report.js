/**
 * The mixed kind's Markdown: one row per metric (report.js's buildRows: medians over --repeat),
 * per type within each mode, and the verdicts of issue 9's targets for the mix at half load.
 */
import { buildRows, renderTable } from './report.js';
import { READS } from './mixed-readers.js';
import { TYPES } from './mixed-progress.js';
import { formatCores, formatCount, formatKiB, formatMiB, formatMs, formatSeconds, median } from './stats.js';

/** Issue 9: at half load every type keeps up, is queryable within 1 s (p99), RSS ≤ 400 MB, reads < 200 ms p95. */
const KEPT_UP_SHARE = 0.98;
const TARGET_QUERYABLE_P99_MS = 1000;
const TARGET_RSS_BYTES = 400 * 1000 * 1000;
const TARGET_READ_P95_MS = 200;

const NAMES = { errors: 'errors', transactions: 'transactions', logs: 'logs' };
const UNIT = { errors: 'events', transactions: 'transactions', logs: 'records' };
const SECTION_LABELS = { corpus: 'corpus', rate: 'half load', full: 'full speed' };
const percent = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : 'n/a');
const describeStop = (stop) =>
  stop.graceful ? `${stop.seconds.toFixed(1)} s` : `no exit in ${stop.seconds.toFixed(0)} s, SIGKILLed`;

const CORPUS_METRICS = [
  [
    'errors: envelopes / signatures / event JSON min–median–max',
    (c) =>
      `${c.errors.poolSize} / ${c.errors.signatures} / ${c.errors.payloadBytesMin}–${c.errors.payloadBytesMedian}–${c.errors.payloadBytesMax} B`,
  ],
  [
    'transactions: envelopes / spans min–median–max / gzipped',
    (c) =>
      `${c.transactions.poolSize} / ${c.transactions.spansMin}–${c.transactions.spansMedian}–${c.transactions.spansMax} / ${percent(c.transactions.gzipShare)}`,
  ],
  [
    'logs: OTLP protobuf bodies / records per body',
    (c) => `${c.otlp.poolSize} / ${c.otlp.recordsPerBodyMin}–${c.otlp.recordsPerBodyMax}`,
  ],
  [
    'logs: Sentry envelopes × records / gzipped / wire bytes per record',
    (c) =>
      `${c.sentry.envelopes} × ${c.sentry.recordsPerEnvelope} / ${percent(c.sentry.gzipShare)} / ${c.sentry.wireBytesPerRecord.toFixed(0)} B`,
  ],
  ['logs: mean records per request (OTLP and Sentry mixed)', (c) => c.recordsPerLogRequest.toFixed(1)],
].map(([label, pick]) => [label, 'corpus', (r) => pick(r.corpus)]);

function describeSending(m) {
  if (m.mode === 'full') return `${m.sendSeconds.toFixed(0)} s, ${m.concurrency} in flight per type`;
  const r = m.rates;
  return `${m.scheduledSeconds} s at ${formatCount(r.errors)} errors, ${formatCount(r.transactions)} transactions, ${formatCount(r.logs)} log records /s; ${m.concurrency} sockets per type`;
}

function typeMetrics(section, type) {
  const t = (r) => r[section].types[type];
  const name = NAMES[type];
  const rows = [
    [
      `${name}: offered ${UNIT[type]}/s (sent or skipped by the generator)`,
      (r) => t(r).offeredPerSecond,
      formatCount,
    ],
    [`${name}: accepted ${UNIT[type]}/s`, (r) => t(r).acceptedPerSecond, formatCount],
    [`${name}: stored/s while sending`, (r) => t(r).storedDuringSendPerSecond, formatCount],
    [`${name}: stored/s, first send → queue drained`, (r) => t(r).storedPerSecond, formatCount],
    [
      `${name}: accept latency p50${section === 'rate' ? ' (from planned send)' : ''}`,
      (r) => t(r).latencyP50,
      formatMs,
    ],
    [
      `${name}: accept latency p99${section === 'rate' ? ' (from planned send)' : ''}`,
      (r) => t(r).latencyP99,
      formatMs,
    ],
    [`${name}: ingest → queryable p50`, (r) => t(r).queryable.median, formatMs],
    [`${name}: ingest → queryable p99`, (r) => t(r).queryable.p99, formatMs],
    [
      `${name}: … probes sent while sending, found / all found / all sent`,
      (r) => `${t(r).queryable.samples} / ${t(r).queryable.found} / ${t(r).queryable.sent}`,
    ],
    [
      `${name}: requests 429 / other failures`,
      (r) =>
        `${t(r).throttled} / ${t(r).failed}${t(r).firstFailure ? ` (${t(r).firstFailure.slice(0, 80)})` : ''}`,
    ],
    [
      `${name}: bytes on disk per ${UNIT[type].replace(/s$/, '')} (db + WAL)`,
      (r) => t(r).bytesPerItem,
      formatKiB,
    ],
  ];
  if (section === 'rate') {
    rows.splice(3, 0, [`${name}: stored while sending ÷ offered`, (r) => t(r).keptUp, percent]);
    rows.push([
      `${name}: late sends (> 5 ms) / skipped (10,000 in flight) / last answer after schedule`,
      (r) =>
        `${t(r).lateSends} / ${t(r).skippedSends} / ${formatSeconds(Math.max(0, t(r).sendSeconds - r[section].scheduledSeconds))}`,
    ]);
  }
  return rows;
}

function modeMetrics(section) {
  const m = (r) => r[section];
  const rows = [['sending', (r) => describeSending(m(r))]];
  for (const type of TYPES) rows.push(...typeMetrics(section, type));
  READS.forEach(([label], i) => {
    rows.push([`${label} p95`, (r) => m(r).reads[i].p95, formatMs]);
    rows.push([
      `${label} p50 / max, calls (failed)`,
      (r) => {
        const x = m(r).reads[i];
        return `${formatMs(x.p50)} / ${formatMs(x.max)}, ${x.calls} (${x.failed}${x.firstFailure ? `: ${x.firstFailure.slice(0, 60)}` : ''})`;
      },
    ]);
  });
  rows.push(
    ['queue depth when sending stopped', (r) => m(r).queueDepthAtSendEnd, formatCount],
    ['max queue depth', (r) => m(r).maxQueueDepth, formatCount],
    ['backlog drain after sending stopped', (r) => m(r).drainSeconds, formatSeconds],
    ['duplicates + invalid + parked', (r) => m(r).duplicates + m(r).invalid + m(r).parked, formatCount],
    ['server CPU (whole process, send + drain)', (r) => m(r).serverCores, formatCores],
    ['… main (HTTP) thread', (r) => m(r).mainThreadCores, formatCores],
    [
      '… three busiest other threads (the digest threads)',
      (r) =>
        m(r)
          .otherThreads.map((x) => x.cores.toFixed(2))
          .join(' / ') + ' cores',
    ],
    ['load generator CPU', (r) => m(r).clientCores, formatCores],
    ['other processes on the box (CPU)', (r) => m(r).otherProcessCores, formatCores],
    ['server threads waiting for a CPU (run queue)', (r) => m(r).serverWaitingCores, formatCores],
    ['server RSS idle before load', (r) => m(r).idleRss, formatMiB],
    ['server RSS steady (median, 2nd half of sending)', (r) => m(r).steadyRss, formatMiB],
    ['server peak RSS (VmHWM)', (r) => m(r).peakRss, formatMiB],
    ['SIGTERM → exit', (r) => describeStop(m(r).stop)],
  );
  return rows.map(([label, pick, format]) => [label, section, pick, format]);
}

const METRICS = [...CORPUS_METRICS, ...modeMetrics('rate'), ...modeMetrics('full')];

export function renderMixedTable(runs, repeat) {
  return renderTable(buildRows(runs, METRICS, SECTION_LABELS), repeat);
}

/** Verdicts on the half-load run (medians over repeats); RSS over every mode that ran. */
export function renderMixedTargets(runs) {
  const lines = ['| target (issue 9, mix at half load) | median | verdict |', '|---|---|---|'];
  const check = (name, values, format, ok) => {
    const v = median(values);
    lines.push(`| ${name} | ${format(v)} | ${Number.isFinite(v) ? (ok(v) ? 'met' : '**missed**') : 'n/a'} |`);
  };
  if (runs.every((r) => r.rate)) {
    for (const type of TYPES) {
      const rate = runs[0].rate.rates[type];
      check(
        `${NAMES[type]} kept up at ${formatCount(rate)} ${UNIT[type]}/s (stored while sending ≥ ${KEPT_UP_SHARE * 100} % of offered)`,
        runs.map((r) => r.rate.types[type].keptUp),
        percent,
        (v) => v >= KEPT_UP_SHARE,
      );
    }
    for (const type of TYPES)
      check(
        `${NAMES[type]} queryable within ${TARGET_QUERYABLE_P99_MS / 1000} s (p99)`,
        runs.map((r) => r.rate.types[type].queryable.p99),
        formatMs,
        (v) => v <= TARGET_QUERYABLE_P99_MS,
      );
    READS.forEach(([label], i) =>
      check(
        `${label} p95 < ${TARGET_READ_P95_MS} ms`,
        runs.map((r) => r.rate.reads[i].p95),
        formatMs,
        (v) => v < TARGET_READ_P95_MS,
      ),
    );
  }
  check(
    `peak RSS ≤ 400 MB (${formatMiB(TARGET_RSS_BYTES)})`,
    runs.map((r) => Math.max(r.rate?.peakRss ?? 0, r.full?.peakRss ?? 0)),
    formatMiB,
    (v) => v <= TARGET_RSS_BYTES,
  );
  return lines.join('\n');
}
