/**
 * The rows and targets of `--kind logs`, in the shape report.js renders ([label, section, pick,
 * format]), and the table of a seeded search (`--log-rows N`). Targets (issue 5): ≥ 20,000 records/s
 * stored with the full-text index; search over 10 million records in < 200 ms.
 */
import { TIMED_CALLS as SEARCH_CALLS } from './logs-search.js';
import { buildRows, renderTable } from './report.js';
import {
  formatCores,
  formatCount,
  formatMiB,
  formatMs,
  formatRatio,
  formatSeconds,
  median,
} from './stats.js';

export const TARGET_RECORDS_PER_SECOND = 20_000;
export const TARGET_SEARCH_MS = 200;
export const TARGET_SEARCH_ROWS = 10_000_000;
/** A fixed-rate run "keeps up" when it stores this share of what it sends, while sending. */
const KEEPS_UP_SHARE = 0.98;

const share = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
const bytes = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} B` : 'n/a');
const us = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} µs` : 'n/a');
const digestCores = (result) => result.otherThreads[0]?.cores;
const restCores = (result) => result.serverCores - result.mainThreadCores - (digestCores(result) ?? 0);
/** CPU µs per stored record: barely moved by other tenants taking the cores, unlike rates. */
const cpuUsPer = (result, cores) => ((cores ?? NaN) * result.seconds * 1e6) / result.stored;
const dbBytes = (result) => (result.dataFiles['logs.db'] ?? 0) + (result.dataFiles['logs.db-wal'] ?? 0);
const pagesPer = (result, key) => result.logsDb[key] / result.logsDb.rows;
const indexShare = ({ logsDb: d }) => d.indexBytes / (d.rowBytes + d.indexBytes + d.otherBytes);
const payloadPer = (result) => result.logsDb.payloadBytes / result.logsDb.rows;
/** NaN when no dictionary was trained yet (the first training comes ≥ 60 s after the thread starts). */
const dictionaryPayloadPer = (result) => result.logsDb.dictionaryPayloadBytes / result.logsDb.dictionaryRows;
const describeStop = (stop) =>
  stop.graceful ? `${stop.seconds.toFixed(1)} s` : `no exit in ${stop.seconds.toFixed(0)} s, SIGKILLed`;
const recordsPerSecond = (r, seconds) => r.acceptedRecords / seconds;

function loadRows(section, searchLabels) {
  const rows = [
    ['requests accepted/s (HTTP 200)', (r) => r[section].acceptedPerSecond, formatCount],
    ['records accepted/s', (r) => recordsPerSecond(r[section], r[section].sendSeconds), formatCount],
    ['429 answers / other failures', (r) => `${r[section].throttled} / ${r[section].failed}`],
    ['**records stored/s, first send → queue drained**', (r) => r[section].storedPerSecond, formatCount],
    ['records stored/s while sending', (r) => r[section].storedDuringSendPerSecond, formatCount],
    ['backlog drain after sending stopped', (r) => r[section].drainSeconds, formatSeconds],
    ['max queue depth (request bodies)', (r) => r[section].maxQueueDepth, formatCount],
    [
      '**ingest → searchable, median** (1 probe/s while sending)',
      (r) => r[section].queryable.median,
      formatMs,
    ],
    ['ingest → searchable, max (1 probe/s while sending)', (r) => r[section].queryable.max, formatMs],
    ['… probes sent while sending / all found / all sent', (r) => probeCounts(r[section].queryable)],
    ['records stored', (r) => r[section].stored, formatCount],
    ['invalid + rejected + parked', (r) => invalidOf(r[section].health), formatCount],
    ['server CPU (whole process)', (r) => r[section].serverCores, formatCores],
    ['… main (HTTP) thread', (r) => r[section].mainThreadCores, formatCores],
    ['… logs digest thread (busiest other thread)', (r) => digestCores(r[section]), formatCores],
    ['… all other threads', (r) => restCores(r[section]), formatCores],
    [
      '**server CPU per stored record (all threads)**',
      (r) => cpuUsPer(r[section], r[section].serverCores),
      us,
    ],
    ['… HTTP thread per stored record', (r) => cpuUsPer(r[section], r[section].mainThreadCores), us],
    ['… logs digest thread per stored record', (r) => cpuUsPer(r[section], digestCores(r[section])), us],
    ['load generator CPU', (r) => r[section].clientCores, formatCores],
    ['other processes on the box (CPU)', (r) => r[section].otherProcessCores, formatCores],
    ['server threads waiting for a CPU (run queue)', (r) => r[section].serverWaitingCores, formatCores],
    ['load average (1 min) when drained', (r) => r[section].loadAverage, (v) => v.toFixed(1)],
    ['server RSS idle before load', (r) => r[section].idleRss, formatMiB],
    ['**server peak RSS (VmHWM)**', (r) => r[section].peakRss, formatMiB],
    ['server RSS once drained', (r) => r[section].rssAfterDrain, formatMiB],
    ['**logs.db (+WAL) bytes per stored record**', (r) => dbBytes(r[section]) / r[section].stored, bytes],
    ['… pages: record rows per record', (r) => pagesPer(r[section], 'rowBytes'), bytes],
    ['… pages: full-text index per record', (r) => pagesPer(r[section], 'indexBytes'), bytes],
    ['… pages: full-text index share', (r) => indexShare(r[section]), share],
    ['… stored payload (zstd) per record, mean', (r) => payloadPer(r[section]), bytes],
    [
      '**compression: OTLP/JSON bytes ÷ stored payload**',
      (r) => r.corpus.otlpJsonBytesPerRecord / payloadPer(r[section]),
      formatRatio,
    ],
    [
      'compression: payload JSON ÷ stored payload',
      (r) => r.corpus.payloadJsonBytesPerRecord / payloadPer(r[section]),
      formatRatio,
    ],
    [
      'records compressed with a trained dictionary',
      (r) => r[section].logsDb.dictionaryRows / r[section].logsDb.rows,
      share,
    ],
    ['… their stored payload per record, mean', (r) => dictionaryPayloadPer(r[section]), bytes],
    [
      '… **compression with the dictionary: OTLP/JSON ÷ stored payload**',
      (r) => r.corpus.otlpJsonBytesPerRecord / dictionaryPayloadPer(r[section]),
      formatRatio,
    ],
    ['records whose id spilled past their millisecond', (r) => r[section].logsDb.spilled, formatCount],
    ['… furthest spill (id time − record time)', (r) => r[section].logsDb.maxSpillUs / 1000, formatMs],
    ['queue.db-wal size when drained', (r) => r[section].dataFiles['queue.db-wal'] ?? 0, formatMiB],
    ['SIGTERM → exit', (r) => describeStop(r[section].stop)],
    ...searchLabels.map((label, i) => [
      `search, ${label}: median of ${SEARCH_CALLS} calls`,
      (r) => r[section].search[i].medianMs,
      formatMs,
    ]),
  ];
  return rows.map(([label, pick, format]) => [label, section, pick, format]);
}

const probeCounts = (q) => `${q.samples} / ${q.found} / ${q.sent}`;
const invalidOf = (h) => (h.invalid_logs ?? 0) + (h.rejected_logs ?? 0) + (h.parked_jobs ?? 0);

function corpusRows() {
  return [
    ['pool: bodies / records', (r) => `${r.corpus.poolSize} / ${formatCount(r.corpus.records)}`],
    [
      'records per body min / median / max (mean)',
      (r) =>
        `${r.corpus.recordsPerBodyMin} / ${r.corpus.recordsPerBodyMedian} / ${r.corpus.recordsPerBodyMax} (${r.corpus.recordsPerBodyMean.toFixed(0)})`,
    ],
    ['protobuf body mean (no gzip)', (r) => `${(r.corpus.bodyBytesMean / 1024).toFixed(0)} KiB`],
    ['bytes per record: protobuf on the wire', (r) => r.corpus.protobufBytesPerRecord, bytes],
    ['bytes per record: OTLP/JSON of the same requests', (r) => r.corpus.otlpJsonBytesPerRecord, bytes],
    ['bytes per record: payload JSON the store compresses', (r) => r.corpus.payloadJsonBytesPerRecord, bytes],
    [
      'bytes per record: whole normalized LogRecord as JSON',
      (r) => r.corpus.logRecordJsonBytesPerRecord,
      bytes,
    ],
    ['records with a trace id', (r) => r.corpus.withTraceShare, share],
  ].map(([label, pick, format]) => [label, 'corpus', pick, format]);
}

const LABELS = { corpus: 'corpus', full: 'full speed', rate: 'fixed rate' };

export function renderLogsTable(runs, repeat, searchLabels) {
  const metrics = [
    ...corpusRows(),
    ['sending', 'full', (r) => `${r.full.sendSeconds.toFixed(0)} s, ${r.full.concurrency} in flight`],
    ['accept latency p50', 'full', (r) => r.full.latencyP50, formatMs],
    ['accept latency p99', 'full', (r) => r.full.latencyP99, formatMs],
    ...loadRows('full', searchLabels),
    [
      'sending',
      'rate',
      (r) =>
        `${r.rate.scheduledSeconds} s at ${r.rate.rate.toFixed(1)} requests/s (${formatCount(r.rate.recordsRate)} records/s), ${r.rate.concurrency} sockets`,
    ],
    ['late sends (> 5 ms behind schedule)', 'rate', (r) => r.rate.lateSends, formatCount],
    ['accept latency p50 (from planned send)', 'rate', (r) => r.rate.latencyP50, formatMs],
    ['accept latency p99 (from planned send)', 'rate', (r) => r.rate.latencyP99, formatMs],
    ['accept latency p50 (from getting a socket)', 'rate', (r) => r.rate.serviceLatencyP50, formatMs],
    ['accept latency p99 (from getting a socket)', 'rate', (r) => r.rate.serviceLatencyP99, formatMs],
    ['queue depth when sending stopped', 'rate', (r) => r.rate.queueDepthAtSendEnd, formatCount],
    ...loadRows('rate', searchLabels),
  ];
  return renderTable(buildRows(runs, metrics, LABELS), repeat);
}

const verdict = (m, ok) => (Number.isFinite(m) ? (ok(m) ? 'met' : '**missed**') : 'n/a');

export function renderLogsTargets(runs) {
  const lines = ['| target | median | verdict |', '|---|---|---|'];
  if (runs.every((r) => r.full)) {
    const m = median(runs.map((r) => r.full.storedPerSecond));
    lines.push(
      `| ≥ ${formatCount(TARGET_RECORDS_PER_SECOND)} records/s stored with the full-text index (full speed, first send → drained) | ${formatCount(m)} | ${verdict(m, (v) => v >= TARGET_RECORDS_PER_SECOND)} |`,
    );
  }
  if (runs.every((r) => r.rate)) {
    const rate = runs[0].rate.recordsRate;
    const m = median(runs.map((r) => r.rate.storedDuringSendPerSecond));
    lines.push(
      `| fixed ${formatCount(rate)} records/s kept up with (stored/s while sending ≥ ${KEEPS_UP_SHARE * 100} % of it) | ${formatCount(m)} | ${verdict(m, (v) => rate >= TARGET_RECORDS_PER_SECOND && v >= KEEPS_UP_SHARE * rate)} |`,
    );
  }
  return lines.join('\n');
}

/** `--log-rows N`: one row per search, and the verdict on the slowest median. */
export function renderSeededSearch(seeded) {
  const { results, rows, days } = seeded;
  const table = [
    `Seeded ${formatCount(rows)} records over ${days} days in ${seeded.writeSeconds.toFixed(0)} s (writeBatch: ${((seeded.writeCpuSeconds * 1e6) / rows).toFixed(1)} µs of CPU per record; logs.db ${seeded.bytesPerRecord.toFixed(0)} B per record, full-text index ${share(seeded.indexShare)} of its pages, stored payload ${seeded.payloadBytesPerRecord.toFixed(0)} B), past days merged in ${seeded.mergeSeconds.toFixed(0)} s.`,
    '',
    '| search (newest first, 50 a page) | range | first call | median | max | rows | partial |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (s) =>
        `| ${s.label} | ${s.range} | ${formatMs(s.firstMs)} | ${formatMs(s.medianMs)} | ${formatMs(s.maxMs)} | ${s.rows} | ${s.partial ? 'yes' : ''} |`,
    ),
  ].join('\n');
  const slowest = Math.max(...results.map((s) => s.medianMs));
  const targets = [
    '| target | slowest median | verdict |',
    '|---|---|---|',
    `| search over ${formatCount(TARGET_SEARCH_ROWS)} records < ${TARGET_SEARCH_MS} ms (seeded: ${formatCount(rows)}) | ${formatMs(slowest)} | ${rows >= TARGET_SEARCH_ROWS ? verdict(slowest, (v) => v < TARGET_SEARCH_MS) : 'n/a (fewer records)'} |`,
  ].join('\n');
  return { table, targets };
}
