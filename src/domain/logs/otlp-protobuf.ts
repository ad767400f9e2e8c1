/**
 * OTLP/HTTP protobuf (`application/x-protobuf`, the OTLP default): ExportLogsServiceRequest as
 * defined in opentelemetry-proto (collector/logs/v1, logs/v1, common/v1, resource/v1), decoded
 * with protobuf-reader.ts straight into LogRecords. Field numbers below are the .proto's.
 * Protobuf allows fields in any order, so a ResourceLogs (and a ScopeLogs) is read in two passes:
 * first its resource (scope), then its records, which need it.
 */
import { MAX_ATTRIBUTES, MAX_VALUE_DEPTH, setAttribute } from './attributes.js';
import { idFromBytes, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids.js';
import { InvalidOtlpPayloadError, RejectedRecordError, Rejections } from './payload-errors.js';
import {
  buildOtlpRecord,
  readResourceFields,
  readScope,
  type ResourceFields,
  type Scope,
} from './otlp-record.js';
import { ProtoReader, WIRE_LEN } from './protobuf-reader.js';
import { microsFromFixed64 } from './time.js';
import type { Attributes, AttributeValue, LogRecord, ParsedLogs } from './types.js';

// Tags (field number << 3 | wire type) as they appear on the wire.
const REQUEST_RESOURCE_LOGS = 0x0a; // 1, LEN
const RESOURCE_LOGS_RESOURCE = 0x0a; // 1, LEN
const RESOURCE_LOGS_SCOPE_LOGS = 0x12; // 2, LEN
const RESOURCE_ATTRIBUTES = 0x0a; // 1, LEN
const SCOPE_LOGS_SCOPE = 0x0a; // 1, LEN
const SCOPE_LOGS_LOG_RECORDS = 0x12; // 2, LEN
const SCOPE_NAME = 0x0a; // 1, LEN
const SCOPE_VERSION = 0x12; // 2, LEN
const RECORD_TIME = 0x09; // 1, fixed64
const RECORD_SEVERITY_NUMBER = 0x10; // 2, varint
const RECORD_SEVERITY_TEXT = 0x1a; // 3, LEN
const RECORD_BODY = 0x2a; // 5, LEN
const RECORD_ATTRIBUTES = 0x32; // 6, LEN
const RECORD_TRACE_ID = 0x4a; // 9, LEN
const RECORD_SPAN_ID = 0x52; // 10, LEN
const RECORD_OBSERVED_TIME = 0x59; // 11, fixed64
const RECORD_EVENT_NAME = 0x62; // 12, LEN
const KEY_VALUE_KEY = 0x0a; // 1, LEN
const KEY_VALUE_VALUE = 0x12; // 2, LEN
const ANY_STRING = 0x0a; // 1, LEN
const ANY_BOOL = 0x10; // 2, varint
const ANY_INT = 0x18; // 3, varint
const ANY_DOUBLE = 0x21; // 4, fixed64
const ANY_ARRAY = 0x2a; // 5, LEN
const ANY_KVLIST = 0x32; // 6, LEN
const ANY_BYTES = 0x3a; // 7, LEN
const LIST_VALUES = 0x0a; // 1, LEN (ArrayValue.values and KeyValueList.values)

export function parseOtlpProtobuf(body: Buffer, receivedUs: number): ParsedLogs {
  const reader = new ProtoReader(body);
  const records: LogRecord[] = [];
  const rejections = new Rejections();
  try {
    let index = 0;
    forEachField(reader, reader.end, REQUEST_RESOURCE_LOGS, (end) => {
      readResourceLogs(reader, end, `resourceLogs[${index++}]`, records, rejections, receivedUs);
    });
  } catch (err) {
    if (err instanceof RejectedRecordError) {
      throw new InvalidOtlpPayloadError(`body is not a protobuf ExportLogsServiceRequest: ${err.message}`);
    }
    throw err;
  }
  return { records, rejected: rejections.count, rejectReason: rejections.reason };
}

function readResourceLogs(
  reader: ProtoReader,
  end: number,
  where: string,
  records: LogRecord[],
  rejections: Rejections,
  receivedUs: number,
): void {
  const start = reader.pos;
  const resource: Attributes = {};
  forEachField(reader, end, RESOURCE_LOGS_RESOURCE, (fieldEnd) =>
    forEachField(reader, fieldEnd, RESOURCE_ATTRIBUTES, (kvEnd) => readKeyValue(reader, kvEnd, resource, 0)),
  );
  const fields = readResourceFields(resource);
  reader.pos = start;
  let index = 0;
  forEachField(reader, end, RESOURCE_LOGS_SCOPE_LOGS, (scopeEnd) =>
    readScopeLogs(
      reader,
      scopeEnd,
      `${where}.scopeLogs[${index++}]`,
      fields,
      records,
      rejections,
      receivedUs,
    ),
  );
}

function readScopeLogs(
  reader: ProtoReader,
  end: number,
  where: string,
  fields: ResourceFields,
  records: LogRecord[],
  rejections: Rejections,
  receivedUs: number,
): void {
  const start = reader.pos;
  let name = '';
  let version = '';
  forEachField(reader, end, SCOPE_LOGS_SCOPE, (scopeEnd) => {
    while (reader.pos < scopeEnd) {
      const tag = reader.varint();
      if (tag === SCOPE_NAME) name = reader.internedString();
      else if (tag === SCOPE_VERSION) version = reader.internedString();
      else reader.skip(tag & 7);
    }
  });
  const scope = readScope(name, version);
  reader.pos = start;
  const outerEnd = reader.end;
  let index = 0;
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag !== SCOPE_LOGS_LOG_RECORDS) {
      reader.skip(tag & 7);
      continue;
    }
    const recordEnd = reader.fieldEnd();
    // A bad record costs itself only: its length is known, so reading resumes after it.
    reader.end = recordEnd;
    try {
      records.push(readLogRecord(reader, fields, scope, receivedUs));
    } catch (err) {
      rejections.add(`${where}.logRecords[${index}]`, err);
    }
    index++;
    reader.pos = recordEnd;
    reader.end = outerEnd;
  }
}

function readLogRecord(
  reader: ProtoReader,
  fields: ResourceFields,
  scope: Scope,
  receivedUs: number,
): LogRecord {
  let timeUs: number | null = null;
  let observedUs: number | null = null;
  let severityNumber = 0;
  let severityText: string | null = null;
  let body: AttributeValue | undefined;
  const attributes: Attributes = {};
  let attributeCount = 0;
  let traceId: string | null = null;
  let spanId: string | null = null;
  let eventName: string | null = null;
  const end = reader.end;
  while (reader.pos < end) {
    const tag = reader.varint();
    switch (tag) {
      case RECORD_TIME:
        timeUs = microsFromFixed64(reader.uint32LE(), reader.uint32LE());
        break;
      case RECORD_OBSERVED_TIME:
        observedUs = microsFromFixed64(reader.uint32LE(), reader.uint32LE());
        break;
      case RECORD_SEVERITY_NUMBER:
        severityNumber = reader.varint();
        break;
      case RECORD_SEVERITY_TEXT:
        severityText = reader.internedString() || null;
        break;
      case RECORD_BODY:
        body = readAnyValue(reader, reader.fieldEnd(), 0);
        break;
      case RECORD_ATTRIBUTES: {
        const kvEnd = reader.fieldEnd();
        if (attributeCount++ < MAX_ATTRIBUTES) readKeyValue(reader, kvEnd, attributes, 0);
        else reader.pos = kvEnd;
        break;
      }
      case RECORD_TRACE_ID: {
        const idEnd = reader.fieldEnd();
        traceId = idFromBytes(reader.buf, reader.pos, idEnd, TRACE_ID_BYTES, 'trace_id');
        reader.pos = idEnd;
        break;
      }
      case RECORD_SPAN_ID: {
        const idEnd = reader.fieldEnd();
        spanId = idFromBytes(reader.buf, reader.pos, idEnd, SPAN_ID_BYTES, 'span_id');
        reader.pos = idEnd;
        break;
      }
      case RECORD_EVENT_NAME:
        eventName = reader.internedString() || null;
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  reader.checkEnd(end);
  return buildOtlpRecord(
    { timeUs, observedUs, severityNumber, severityText, body, attributes, traceId, spanId, eventName },
    fields,
    scope,
    receivedUs,
  );
}

/** A KeyValue into `target`; an empty key is dropped, as in the JSON decoder. */
function readKeyValue(reader: ProtoReader, end: number, target: Attributes, depth: number): void {
  let key = '';
  let value: AttributeValue = null;
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === KEY_VALUE_KEY) key = reader.internedString();
    else if (tag === KEY_VALUE_VALUE) value = readAnyValue(reader, reader.fieldEnd(), depth);
    else reader.skip(tag & 7);
  }
  reader.checkEnd(end);
  if (key !== '') setAttribute(target, key, value);
}

/** AnyValue (a oneof: the last field present wins, as protobuf merging says); empty is null. */
function readAnyValue(reader: ProtoReader, end: number, depth: number): AttributeValue {
  let value: AttributeValue = null;
  while (reader.pos < end) {
    const tag = reader.varint();
    switch (tag) {
      case ANY_STRING:
        value = reader.string();
        break;
      case ANY_BOOL:
        value = reader.varint() !== 0;
        break;
      case ANY_INT:
        value = reader.int64();
        break;
      case ANY_DOUBLE: {
        const double = reader.double();
        value = Number.isFinite(double) ? double : String(double);
        break;
      }
      case ANY_ARRAY:
      case ANY_KVLIST: {
        if (depth >= MAX_VALUE_DEPTH)
          throw new RejectedRecordError(`attribute nested deeper than ${MAX_VALUE_DEPTH}`);
        const listEnd = reader.fieldEnd();
        value =
          tag === ANY_ARRAY ? readArray(reader, listEnd, depth + 1) : readKvlist(reader, listEnd, depth + 1);
        break;
      }
      case ANY_BYTES: {
        const bytesEnd = reader.fieldEnd();
        value = reader.buf.toString('base64', reader.pos, bytesEnd);
        reader.pos = bytesEnd;
        break;
      }
      default:
        reader.skip(tag & 7);
    }
  }
  reader.checkEnd(end);
  return value;
}

function readArray(reader: ProtoReader, end: number, depth: number): AttributeValue[] {
  const values: AttributeValue[] = [];
  forEachField(reader, end, LIST_VALUES, (valueEnd) => values.push(readAnyValue(reader, valueEnd, depth)));
  return values;
}

function readKvlist(reader: ProtoReader, end: number, depth: number): Attributes {
  const map: Attributes = {};
  forEachField(reader, end, LIST_VALUES, (kvEnd) => readKeyValue(reader, kvEnd, map, depth));
  return map;
}

/** Calls `read(fieldEnd)` for each length-delimited field with `tag`, skipping the others. */
function forEachField(reader: ProtoReader, end: number, tag: number, read: (fieldEnd: number) => void): void {
  while (reader.pos < end) {
    const next = reader.varint();
    if (next !== tag || (tag & 7) !== WIRE_LEN) {
      reader.skip(next & 7);
      continue;
    }
    const fieldEnd = reader.fieldEnd();
    read(fieldEnd);
    reader.checkEnd(fieldEnd);
  }
}
