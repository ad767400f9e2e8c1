/**
 * The logs kind's corpus, built before any clock starts: a pool of OTLP/HTTP protobuf bodies
 * (ExportLogsServiceRequest) as an application's OpenTelemetry SDK exports them: one resource per
 * body (service.name, service.version, deployment.environment.name, host.name and the SDK's
 * telemetry.sdk.*), records grouped by instrumentation scope (the logger), 100–1,000 records per
 * body (uniform: a BatchLogRecordProcessor's batch), each with body, severity, 8–15 attributes and,
 * for ~85 %, trace and span ids. Records come from log-records.js (seeded), spaced 1 ms apart, so a
 * body spans 0.1–1 s of time.
 *
 * Logs have no dedupe: resending a body stores its records again. Each send writes fresh times into
 * the body's fixed64 time fields (otlp-logs-encode.js), newest record = now, so every record looks
 * current and lands in today's partition. Bodies are sent as they are (no gzip): OpenTelemetry JS's
 * OTLP exporters compress only when configured to.
 */
import { Buffer } from 'node:buffer';
import { createLogRecords } from './log-records.js';
import { encodeLogsRequest, encodeLogsRequestJson } from './otlp-logs-encode.js';
import { createRandom } from './random.js';

/** ~70,000 records (~21 MB of bodies): each body comes round again every 120 requests. */
export const DEFAULT_LOG_POOL_SIZE = 120;
export const QUICK_LOG_POOL_SIZE = 40;
const MIN_RECORDS_PER_BODY = 100;
const MAX_RECORDS_PER_BODY = 1000;
const SEED = 20261125;
/** Records 1 ms apart: at 1,000 records a body is one second of an exporter's batching. */
const RECORD_SPACING_PER_SECOND = 1000;
/** 19 digits, as any current time in ns: sizes the JSON as an exporter would have sent it. */
const JSON_TIME_UNIX_NANO = '1763801526628000000';
/** Attributes a Sentry SDK adds (log-records.js makes ~30 % of records Sentry-flavoured); OTLP has none. */
const SENTRY_ONLY = /^sentry\.|^server\.address$/;

/** One body: a resource from its first record, the records' own fields, scopes by logger. */
function buildBody(records) {
  const first = records[0];
  const resource = {
    'service.name': first.service,
    'service.version': first.release.includes('@') ? first.release.split('@')[1] : first.release,
    'deployment.environment.name': first.environment,
    'host.name': first.host,
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': '2.2.0',
  };
  const byScope = new Map();
  for (const r of records) {
    const attributes = Object.fromEntries(Object.entries(r.attributes).filter(([k]) => !SENTRY_ONLY.test(k)));
    const record = { ...r, attributes, severityText: r.level.toUpperCase() };
    if (!byScope.has(r.logger)) byScope.set(r.logger, []);
    byScope.get(r.logger).push(record);
  }
  const scopes = [...byScope].map(([name, list]) => ({ name, version: '1.0.0', records: list }));
  const { body, times } = encodeLogsRequest(resource, scopes);
  // Ages in µs before the body's newest observed time, in the order of `times`.
  const ordered = scopes.flatMap((s) => s.records);
  const newestUs = Math.max(...ordered.map((r) => r.observedUs));
  const ages = new Float64Array(times.length);
  ordered.forEach((r, i) => {
    ages[2 * i] = newestUs - r.timeUs;
    ages[2 * i + 1] = newestUs - r.observedUs;
  });
  const jsonBytes = Buffer.byteLength(encodeLogsRequestJson(resource, scopes, JSON_TIME_UNIX_NANO));
  return { body, times, ages, records: ordered, resource, jsonBytes };
}

export function buildLogCorpus(poolSize) {
  const random = createRandom(SEED);
  const next = createLogRecords(SEED, { startMs: 0, ratePerSec: RECORD_SPACING_PER_SECOND });
  const entries = [];
  for (let i = 0; i < poolSize; i++) {
    const count = random.int(MIN_RECORDS_PER_BODY, MAX_RECORDS_PER_BODY);
    entries.push(buildBody(Array.from({ length: count }, next)));
  }
  return { entries };
}

/** Overwrites every record's time and observed time: the newest observed time becomes `nowUs`. */
export function stampBody(entry, nowUs) {
  const { body, times, ages } = entry;
  for (let i = 0; i < times.length; i++) {
    body.writeBigUInt64LE(BigInt(Math.round(nowUs - ages[i])) * 1000n, times[i]);
  }
  return body;
}

/**
 * `next()` → `{ body, headers, path, records }` for POST /v1/logs, the next pool entry stamped with
 * the current time. A body is re-stamped in place when its turn comes again; a request still
 * holding it then (only when the open loop queues far past the pool) sends the later times, still
 * a valid body.
 */
export function createLogSource(corpus, publicKey) {
  const headers = {
    'content-type': 'application/x-protobuf',
    authorization: `Bearer ${publicKey}`,
  };
  let index = 0;
  const source = {
    records: 0,
    next() {
      const entry = corpus.entries[index++ % corpus.entries.length];
      source.records += entry.records.length;
      const body = stampBody(entry, (performance.timeOrigin + performance.now()) * 1000);
      return { body, headers, path: '/v1/logs', records: entry.records.length };
    },
  };
  return source;
}

const sum = (list, pick) => list.reduce((s, x) => s + pick(x), 0);

export function describeLogCorpus(corpus) {
  const { entries } = corpus;
  const counts = entries.map((e) => e.records.length).sort((a, b) => a - b);
  const records = sum(entries, (e) => e.records.length);
  return {
    poolSize: entries.length,
    records,
    recordsPerBodyMin: counts[0],
    recordsPerBodyMedian: counts[Math.floor(counts.length / 2)],
    recordsPerBodyMax: counts.at(-1),
    recordsPerBodyMean: records / entries.length,
    protobufBytesPerRecord: sum(entries, (e) => e.body.length) / records,
    otlpJsonBytesPerRecord: sum(entries, (e) => e.jsonBytes) / records,
    bodyBytesMean: sum(entries, (e) => e.body.length) / entries.length,
    withTraceShare: sum(entries, (e) => e.records.filter((r) => r.traceId).length) / records,
  };
}
