/**
 * A tiny protobuf writer for OTLP logs: ExportLogsServiceRequest as opentelemetry-proto defines it
 * (collector/logs/v1/logs_service.proto, logs/v1/logs.proto, common/v1/common.proto,
 * resource/v1/resource.proto). Enough for the bench: one resource per request, scopes, records with
 * string/int/double/bool attribute values, trace and span ids.
 *
 * Every record's `time_unix_nano` (field 1) and `observed_time_unix_nano` (field 11) is a fixed64,
 * so a body can be made current again by overwriting 8 bytes in place: the encoder returns where
 * they are.
 */
import { Buffer } from 'node:buffer';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Bytes of a varint; values here are non-negative and below 2^53 (double arithmetic). */
function varintSize(value) {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

function writeVarint(buf, pos, value) {
  let v = value;
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

// A message is a tree of fields, sized first and then written into one buffer:
//   { field, kids }          length-delimited sub-message
//   { field, bytes }         length-delimited string or bytes
//   { field, varint }        varint
//   { field, double }        fixed64 double
//   { field, fixed32 }       fixed32
//   { field, time: true }    fixed64 left zero; its offset is recorded for the sender
const message = (field, kids) => ({ field, kids });
const text = (field, value) => ({ field, bytes: Buffer.from(value) });

function sizeOf(node) {
  const head = varintSize(node.field * 8);
  if (node.kids) {
    node.size = node.kids.reduce((s, k) => s + sizeOf(k), 0);
    return head + varintSize(node.size) + node.size;
  }
  if (node.bytes) return head + varintSize(node.bytes.length) + node.bytes.length;
  if (node.varint !== undefined) return head + varintSize(node.varint);
  if (node.fixed32 !== undefined) return head + 4;
  return head + 8;
}

function write(node, buf, pos, times) {
  if (node.kids) {
    pos = writeVarint(buf, pos, node.field * 8 + WIRE_LEN);
    pos = writeVarint(buf, pos, node.size);
    for (const k of node.kids) pos = write(k, buf, pos, times);
    return pos;
  }
  if (node.bytes) {
    pos = writeVarint(buf, pos, node.field * 8 + WIRE_LEN);
    pos = writeVarint(buf, pos, node.bytes.length);
    return pos + node.bytes.copy(buf, pos);
  }
  if (node.varint !== undefined) {
    pos = writeVarint(buf, pos, node.field * 8 + WIRE_VARINT);
    return writeVarint(buf, pos, node.varint);
  }
  if (node.fixed32 !== undefined) {
    pos = writeVarint(buf, pos, node.field * 8 + WIRE_FIXED32);
    buf.writeUInt32LE(node.fixed32, pos);
    return pos + 4;
  }
  pos = writeVarint(buf, pos, node.field * 8 + WIRE_FIXED64);
  if (node.time) times.push(pos);
  else buf.writeDoubleLE(node.double, pos);
  return pos + 8;
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4. */
function anyValue(field, value) {
  if (typeof value === 'string') return message(field, [text(1, value)]);
  if (typeof value === 'boolean') return message(field, [{ field: 2, varint: value ? 1 : 0 }]);
  if (Number.isInteger(value) && value >= 0) return message(field, [{ field: 3, varint: value }]);
  return message(field, [{ field: 4, double: value }]);
}

/** KeyValue { key 1, value 2 }, one per attribute. */
const keyValues = (field, attributes) =>
  Object.entries(attributes).map(([key, value]) => message(field, [text(1, key), anyValue(2, value)]));

/**
 * LogRecord fields, in the order and with the defaults OpenTelemetry JS's serializer writes them
 * (@opentelemetry/otlp-transformer, logs-serializer.js): time 1 (fixed64), severity_number 2,
 * severity_text 3, body 5 (AnyValue), attributes 6, dropped_attributes_count 7 (always, 0), flags 8
 * (fixed32: W3C trace flags, 1 = sampled, with a trace), trace_id 9 and span_id 10 (bytes),
 * observed_time 11 (fixed64).
 */
function logRecord(field, record) {
  const kids = [
    { field: 1, time: true },
    { field: 2, varint: record.severityNumber },
    text(3, record.severityText),
    anyValue(5, record.body),
    ...keyValues(6, record.attributes),
    { field: 7, varint: 0 },
  ];
  if (record.traceId) kids.push({ field: 8, fixed32: 1 });
  if (record.traceId) kids.push({ field: 9, bytes: Buffer.from(record.traceId, 'hex') });
  if (record.spanId) kids.push({ field: 10, bytes: Buffer.from(record.spanId, 'hex') });
  kids.push({ field: 11, time: true });
  return message(field, kids);
}

/**
 * ExportLogsServiceRequest { resource_logs 1: ResourceLogs { resource 1: Resource { attributes 1 },
 * scope_logs 2: ScopeLogs { scope 1: InstrumentationScope { name 1, version 2 }, log_records 2 } } }.
 *
 * `scopes` is [{ name, version, records }] (records: LogRecord-shaped, severityText as sent).
 * Returns the body and `times`, two offsets per record in body order (the first scope's records
 * first): time, then observed time.
 */
export function encodeLogsRequest(resourceAttributes, scopes) {
  const scopeLogs = scopes.map(({ name, version, records }) =>
    message(2, [
      message(1, [text(1, name), ...(version ? [text(2, version)] : [])]),
      ...records.map((r) => logRecord(2, r)),
    ]),
  );
  // Resource { attributes 1, dropped_attributes_count 2 (always written, 0) }.
  const resource = message(1, [...keyValues(1, resourceAttributes), { field: 2, varint: 0 }]);
  const request = message(1, [resource, ...scopeLogs]);
  const body = Buffer.alloc(sizeOf(request));
  const times = [];
  write(request, body, 0, times);
  return { body, times: Uint32Array.from(times) };
}

/**
 * The same request in OTLP/JSON as OpenTelemetry JS's JsonLogsSerializer writes it (the HTTP/JSON
 * exporter's body): times as decimal strings, ids as hex (the OTLP spec's rule for JSON), integer
 * attributes as JSON numbers, dropped counts and trace flags included. For sizing "raw JSON".
 */
export function encodeLogsRequestJson(resourceAttributes, scopes, timeUnixNano) {
  const jsonValue = (value) => {
    if (typeof value === 'string') return { stringValue: value };
    if (typeof value === 'boolean') return { boolValue: value };
    if (Number.isInteger(value)) return { intValue: value };
    return { doubleValue: value };
  };
  const attributes = (map) => Object.entries(map).map(([key, value]) => ({ key, value: jsonValue(value) }));
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: attributes(resourceAttributes), droppedAttributesCount: 0 },
        scopeLogs: scopes.map(({ name, version, records }) => ({
          scope: version ? { name, version } : { name },
          logRecords: records.map((r) => ({
            timeUnixNano,
            observedTimeUnixNano: timeUnixNano,
            severityNumber: r.severityNumber,
            severityText: r.severityText,
            body: jsonValue(r.body),
            attributes: attributes(r.attributes),
            droppedAttributesCount: 0,
            ...(r.traceId ? { flags: 1, traceId: r.traceId, spanId: r.spanId } : {}),
          })),
        })),
      },
    ],
  });
}
