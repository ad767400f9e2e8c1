/**
 * OTLP/HTTP JSON (`application/json`): ExportLogsServiceRequest in the OTLP flavour of proto3
 * JSON (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"): lowerCamelCase
 * names (snake_case accepted too, as proto3 JSON parsers do), uint64 times as decimal strings,
 * ids as hex, enums as numbers (or their names). OpenTelemetry JS sends int64 values as numbers.
 */
import { isObject, readJsonAnyValue, readJsonKeyValues } from './attributes.js';
import { idFromJson, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids.js';
import { InvalidOtlpPayloadError, RejectedRecordError, Rejections } from './payload-errors.js';
import {
  buildOtlpRecord,
  readResourceFields,
  readScope,
  type ResourceFields,
  type Scope,
} from './otlp-record.js';
import { microsFromNanos } from './time.js';
import type { LogRecord, ParsedLogs } from './types.js';

type Json = Record<string, unknown>;

const SEVERITY_NAMES = new Map<string, number>(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((name, bucket) =>
    ['', '2', '3', '4'].map(
      (step, i) => [`SEVERITY_NUMBER_${name}${step}`, bucket * 4 + i + 1] as [string, number],
    ),
  ),
);

export function parseOtlpJson(body: Buffer, receivedUs: number): ParsedLogs {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InvalidOtlpPayloadError(`body is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(request))
    throw new InvalidOtlpPayloadError('body must be a JSON object (ExportLogsServiceRequest)');
  const records: LogRecord[] = [];
  const rejections = new Rejections();
  const resourceLogs = listOf(request, 'resourceLogs', 'resource_logs', 'ExportLogsServiceRequest');
  for (let r = 0; r < resourceLogs.length; r++) {
    const rl = objectAt(resourceLogs, r, 'resourceLogs');
    const resource = rl.resource;
    const fields = readResourceFields(
      readTopAttributes(isObject(resource) ? resource.attributes : undefined, 'resource'),
    );
    const scopeLogs = listOf(rl, 'scopeLogs', 'scope_logs', `resourceLogs[${r}]`);
    for (let s = 0; s < scopeLogs.length; s++) {
      const sl = objectAt(scopeLogs, s, 'scopeLogs');
      const scopeJson = sl.scope;
      const scope = isObject(scopeJson) ? readScope(textOf(scopeJson.name), textOf(scopeJson.version)) : null;
      const logRecords = listOf(sl, 'logRecords', 'log_records', `scopeLogs[${s}]`);
      for (let i = 0; i < logRecords.length; i++) {
        try {
          records.push(readRecord(logRecords[i], fields, scope, receivedUs));
        } catch (err) {
          rejections.add(`resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]`, err);
        }
      }
    }
  }
  return { records, rejected: rejections.count, rejectReason: rejections.reason };
}

function readRecord(raw: unknown, fields: ResourceFields, scope: Scope, receivedUs: number): LogRecord {
  if (!isObject(raw)) throw new RejectedRecordError('a log record must be an object');
  const severityText = pick(raw, 'severityText', 'severity_text');
  const eventName = pick(raw, 'eventName', 'event_name');
  return buildOtlpRecord(
    {
      timeUs: microsFromNanos(pick(raw, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
      observedUs: microsFromNanos(
        pick(raw, 'observedTimeUnixNano', 'observed_time_unix_nano'),
        'observedTimeUnixNano',
      ),
      severityNumber: readSeverityNumber(pick(raw, 'severityNumber', 'severity_number')),
      severityText: typeof severityText === 'string' && severityText !== '' ? severityText : null,
      body: raw.body === undefined ? undefined : readJsonAnyValue(raw.body),
      attributes: readJsonKeyValues(raw.attributes),
      traceId: idFromJson(pick(raw, 'traceId', 'trace_id'), TRACE_ID_BYTES, 'traceId'),
      spanId: idFromJson(pick(raw, 'spanId', 'span_id'), SPAN_ID_BYTES, 'spanId'),
      eventName: typeof eventName === 'string' && eventName !== '' ? eventName : null,
    },
    fields,
    scope,
    receivedUs,
  );
}

function readSeverityNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return SEVERITY_NAMES.get(value) ?? (Number(value) || 0);
  return 0;
}

/** A field by its lowerCamelCase name, else by its proto field name. */
function pick(object: Json, camel: string, snake: string): unknown {
  const value = object[camel];
  return value !== undefined ? value : object[snake];
}

// Above the records a wrong shape leaves nothing to count, so it fails the whole request.
function listOf(object: Json, camel: string, snake: string, where: string): unknown[] {
  const list = object[camel] ?? object[snake];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new InvalidOtlpPayloadError(`${where}.${camel} must be an array`);
  return list;
}

function objectAt(list: unknown[], index: number, name: string): Json {
  const item = list[index];
  if (!isObject(item)) throw new InvalidOtlpPayloadError(`${name}[${index}] must be an object`);
  return item;
}

function readTopAttributes(list: unknown, where: string) {
  try {
    return readJsonKeyValues(list);
  } catch (err) {
    if (err instanceof RejectedRecordError) throw new InvalidOtlpPayloadError(`${where}: ${err.message}`);
    throw err;
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
