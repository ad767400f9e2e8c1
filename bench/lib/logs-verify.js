/**
 * Checks the bench's own protobuf encoder before anything is timed, twice over:
 *
 * - against OpenTelemetry JS's own serializers (@opentelemetry/otlp-transformer, what the OTLP
 *   exporters send): the first bodies must be byte for byte what ProtobufLogsSerializer writes for
 *   the same records, and their OTLP/JSON the size JsonLogsSerializer writes;
 * - against Snag's parser: every pool body, stamped with a time, goes through `parseOtlpLogs` from
 *   dist/ (the function the HTTP thread and the logs digest thread run), and each record must come
 *   back with the count, fields, attributes, ids and times it was encoded with.
 *
 * A mismatch stops the bench: figures measured on bodies Snag reads differently, or no exporter
 * sends, would be figures about something else.
 *
 * It also sizes what the store compresses (`payloadJson` of storage/logs-codec.js) and the whole
 * normalized LogRecord as JSON, for the compression ratios in the report.
 */
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { stampBody } from './logs-corpus.js';

const STAMP_US = 1_763_801_526_628_000;
const OFFICIAL_CHECKED_BODIES = 5;

/** [seconds, nanoseconds], OpenTelemetry JS's HrTime. */
const hrTimeOf = (us) => [Math.floor(us / 1e6), Math.round((us % 1e6) * 1000)];

/** The entry's records as the SDK's ReadableLogRecords, one scope object per logger. */
function readableRecordsOf(entry) {
  const resource = resourceFromAttributes(entry.resource);
  const scopes = new Map();
  return entry.records.map((r, i) => {
    if (!scopes.has(r.logger)) scopes.set(r.logger, { name: r.logger, version: '1.0.0' });
    return {
      hrTime: hrTimeOf(Math.round(STAMP_US - entry.ages[2 * i])),
      hrTimeObserved: hrTimeOf(Math.round(STAMP_US - entry.ages[2 * i + 1])),
      severityNumber: r.severityNumber,
      severityText: r.severityText,
      body: r.body,
      attributes: r.attributes,
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scopes.get(r.logger),
      spanContext: r.traceId ? { traceId: r.traceId, spanId: r.spanId, traceFlags: 1 } : undefined,
    };
  });
}

function compareWithOpenTelemetry(entry, bodyIndex) {
  const records = readableRecordsOf(entry);
  const official = Buffer.from(ProtobufLogsSerializer.serializeRequest(records));
  if (!official.equals(stampBody(entry, STAMP_US)))
    throw new Error(`body ${bodyIndex}: not what OpenTelemetry JS's ProtobufLogsSerializer writes`);
  const officialJson = JsonLogsSerializer.serializeRequest(records).length;
  if (officialJson !== entry.jsonBytes)
    throw new Error(
      `body ${bodyIndex}: OTLP/JSON ${entry.jsonBytes} B, JsonLogsSerializer ${officialJson} B`,
    );
}

function compareRecord(sent, got, resource, nowUs, age) {
  const expected = {
    timeUs: Math.round(nowUs - age),
    level: sent.level,
    severityNumber: sent.severityNumber,
    severityText: sent.severityText,
    body: sent.body,
    logger: sent.logger,
    service: resource['service.name'],
    host: resource['host.name'],
    environment: resource['deployment.environment.name'],
    release: resource['service.version'],
    traceId: sent.traceId,
    spanId: sent.spanId,
    attributes: sent.attributes,
    resource,
    source: 'otlp',
  };
  for (const [key, value] of Object.entries(expected)) {
    if (!isDeepStrictEqual(got[key], value))
      return `${key}: sent ${JSON.stringify(value)}, parsed ${JSON.stringify(got[key])}`;
  }
  return null;
}

/** Throws on the first difference; returns byte sizes per record of the JSON forms. */
export async function verifyLogCorpus(corpus, repoRoot) {
  const load = (file) => import(pathToFileURL(path.join(repoRoot, 'dist', file)).href);
  const { parseOtlpLogs } = await load('domain/logs/otlp.js');
  const { payloadJson } = await load('storage/logs-codec.js');
  let records = 0;
  let payloadBytes = 0;
  let logRecordBytes = 0;
  corpus.entries.forEach((entry, bodyIndex) => {
    if (bodyIndex < OFFICIAL_CHECKED_BODIES) compareWithOpenTelemetry(entry, bodyIndex);
    const body = stampBody(entry, STAMP_US);
    const parsed = parseOtlpLogs(body, 'protobuf', { receivedUs: STAMP_US });
    if (parsed.rejected > 0 || parsed.records.length !== entry.records.length) {
      throw new Error(
        `body ${bodyIndex}: encoded ${entry.records.length} records, Snag parsed ${parsed.records.length} and rejected ${parsed.rejected} (${parsed.rejectReason})`,
      );
    }
    parsed.records.forEach((got, i) => {
      const diff = compareRecord(entry.records[i], got, entry.resource, STAMP_US, entry.ages[2 * i]);
      if (diff) throw new Error(`body ${bodyIndex}, record ${i}: ${diff}`);
      const observedUs = Math.round(STAMP_US - entry.ages[2 * i + 1]);
      if (got.observedUs !== observedUs)
        throw new Error(`body ${bodyIndex}, record ${i}: observed ${observedUs}, parsed ${got.observedUs}`);
      payloadBytes += Buffer.byteLength(payloadJson(got));
      logRecordBytes += Buffer.byteLength(JSON.stringify(got));
    });
    records += parsed.records.length;
  });
  return {
    records,
    payloadJsonBytesPerRecord: payloadBytes / records,
    logRecordJsonBytesPerRecord: logRecordBytes / records,
  };
}
