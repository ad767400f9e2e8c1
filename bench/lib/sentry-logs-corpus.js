/**
 * Sentry `log` envelopes as @sentry/node 11 sends them (test/fixtures/logs/node-sdk-logs.bin):
 * header line `{"sdk":…}`, one `log` item with `item_count` and no `length`, payload
 * `{"version":2,"items":[…]}` of SerializedLogs (float-second timestamp, level, body, trace_id,
 * severity_number, typed attributes in the SDK's order, span id only as
 * `sentry.trace.parent_span_id`), gzipped when over the SDK's 32 KiB threshold, no content-type.
 * 100 logs per envelope: the SDK flushes its buffer when a 101st log arrives (MAX_LOG_BUFFER_SIZE,
 * @sentry/core/build/esm/logs/internal.js), so a busy service sends full envelopes.
 *
 * Records are log-records.js's Sentry-flavoured ones (its ~30 % with `sentry.*` attributes).
 * Unlike the OTLP bodies, times are written once, when the pool is built (newest = then): a JSON
 * timestamp cannot be patched inside a pre-gzipped body, and gzipping ~90 KB per send would put
 * the load generator's CPU on the clock. By the end of a 10-minute run the records are 10 minutes
 * old, still in today's partition and the default 24 h search range.
 */
import { Buffer } from 'node:buffer';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createLogRecords } from './log-records.js';
import { createRandom } from './random.js';

export const LOGS_PER_ENVELOPE = 100;
/** @sentry/node's GZIP_THRESHOLD (transports/http.js). */
const SDK_GZIP_THRESHOLD_BYTES = 32 * 1024;
const SEED = 20261126;
const SDK = { name: 'sentry.javascript.node', version: '11.12.0' };
const HEADER_LINE = `${JSON.stringify({ sdk: SDK })}\n`;
/** What the SDK adds after the log's own attributes, in its order. */
const SDK_KEYS = ['sentry.release', 'sentry.environment', 'sentry.sdk.name', 'sentry.sdk.version'];

function typedValue(value) {
  if (typeof value === 'string') return { value, type: 'string' };
  if (typeof value === 'boolean') return { value, type: 'boolean' };
  if (Array.isArray(value)) return { value, type: 'array' };
  return { value, type: Number.isInteger(value) ? 'integer' : 'double' };
}

function toSerializedLog(record, fallbackTraceId, sequence) {
  const own = Object.entries(record.attributes).filter(
    ([k]) => !SDK_KEYS.includes(k) && k !== 'server.address',
  );
  const attributes = Object.fromEntries(own.map(([k, v]) => [k, typedValue(v)]));
  for (const key of SDK_KEYS) attributes[key] = typedValue(record.attributes[key]);
  if (record.spanId) attributes['sentry.trace.parent_span_id'] = typedValue(record.spanId);
  attributes['server.address'] = typedValue(record.attributes['server.address']);
  attributes['sentry.timestamp.sequence'] = typedValue(sequence);
  return {
    timestamp: record.timeUs / 1e6,
    level: record.level,
    body: record.body,
    // The SDK always has a trace id: the active span's, else the scope's propagation context.
    trace_id: record.traceId ?? fallbackTraceId,
    severity_number: record.severityNumber,
    attributes,
  };
}

/** `poolSize` envelopes of LOGS_PER_ENVELOPE Sentry-flavoured records, the newest written now. */
export function buildSentryLogCorpus(poolSize) {
  const random = createRandom(SEED);
  const next = createLogRecords(SEED, { startMs: 0, ratePerSec: 1000 });
  const batches = Array.from({ length: poolSize }, () => {
    const records = [];
    while (records.length < LOGS_PER_ENVELOPE) {
      const record = next();
      if (record.source === 'sentry') records.push(record);
    }
    return records;
  });
  const shiftUs = Date.now() * 1000 - batches.at(-1).at(-1).timeUs;
  const entries = batches.map((records) => {
    const traceId = random.hex(32);
    const items = records.map((r, i) =>
      toSerializedLog({ ...r, timeUs: r.timeUs + shiftUs }, traceId, i === 0 ? 0 : i % 3),
    );
    const payload = JSON.stringify({ version: 2, items });
    const itemHeader = JSON.stringify({
      type: 'log',
      item_count: items.length,
      content_type: 'application/vnd.sentry.items.log+json',
    });
    const text = Buffer.from(`${HEADER_LINE}${itemHeader}\n${payload}`, 'utf8');
    const gzip = text.length > SDK_GZIP_THRESHOLD_BYTES;
    return {
      body: gzip ? gzipSync(text) : text,
      headers: gzip ? { 'content-encoding': 'gzip' } : {},
      records: items.length,
      payload: Buffer.from(payload, 'utf8'),
      envelopeBytes: text.length,
    };
  });
  return { entries };
}

/**
 * Every envelope through Snag's own parser (`parseSentryLogItem` from dist/): each must give back
 * all its records, none rejected. Throws otherwise: figures on bodies Snag half-reads would be
 * figures about something else.
 */
export async function verifySentryLogCorpus(corpus, repoRoot) {
  const file = path.join(repoRoot, 'dist', 'domain', 'logs', 'sentry-logs.js');
  const { parseSentryLogItem } = await import(pathToFileURL(file).href);
  for (const [i, entry] of corpus.entries.entries()) {
    const parsed = parseSentryLogItem(entry.payload, { receivedUs: Date.now() * 1000 });
    if (parsed.records.length !== entry.records || parsed.rejected > 0)
      throw new Error(
        `Sentry log envelope ${i}: Snag read ${parsed.records.length} of ${entry.records} records (${parsed.rejected} rejected: ${parsed.rejectReason})`,
      );
  }
}

export function describeSentryLogCorpus(corpus) {
  const { entries } = corpus;
  const records = entries.reduce((n, e) => n + e.records, 0);
  const wire = entries.reduce((n, e) => n + e.body.length, 0);
  return {
    envelopes: entries.length,
    recordsPerEnvelope: LOGS_PER_ENVELOPE,
    envelopeBytesMean: entries.reduce((n, e) => n + e.envelopeBytes, 0) / entries.length,
    wireBytesPerRecord: wire / records,
    gzipShare: entries.filter((e) => e.headers['content-encoding']).length / entries.length,
  };
}
