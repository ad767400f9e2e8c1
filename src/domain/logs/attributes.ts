/**
 * Attribute values from both wire formats to plain AttributeValues: Sentry typed attributes
 * (`{"value": 3, "type": "integer"}`, sentry-protocol.md §3.1) and OTLP/JSON AnyValue
 * (`{"intValue": "3"}`, common/v1). int64 beyond 2^53 stays a decimal string rather than lose
 * digits; non-finite doubles (`NaN`, `Infinity`, which JSON cannot hold) become their names;
 * bytes become base64, as OTLP/JSON writes them, so both OTLP encodings give equal records.
 */
import { RejectedRecordError } from './payload-errors.js';
import type { Attributes, AttributeValue } from './types.js';

/** Per attribute map; later keys are dropped. Above what any SDK sends by default (OTel JS: 128). */
export const MAX_ATTRIBUTES = 1_000;
/** Nesting of arrays and maps; deeper values reject their record instead of recursing on. */
export const MAX_VALUE_DEPTH = 16;

const INTEGER = /^-?\d+$/;

/** `target[key] = value`, except that a `__proto__` key becomes data, not a prototype. */
export function setAttribute(target: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** The value of a non-empty string attribute, else null. */
export function readText(attributes: Attributes, key: string): string | null {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A string body as is; any other value JSON-encoded (LogRecord.body); none as ''. */
export function bodyText(value: AttributeValue | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An int64 as a number when exact, else its decimal string. */
export function readInt64(value: unknown): AttributeValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && INTEGER.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  return typeof value === 'string' ? value : null;
}

/** A double as a number, or the name of a non-finite one. */
export function readDouble(value: unknown): AttributeValue {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (Number.isFinite(number)) return number;
  return typeof value === 'string' ? value : String(number);
}

/** Sentry `attributes`: `{key: {value, type[, unit]}}`, bare values also accepted. */
export function readTypedAttributes(raw: unknown): Attributes {
  const attributes: Attributes = {};
  if (!isObject(raw)) return attributes;
  let count = 0;
  for (const key in raw) {
    const entry = raw[key];
    const typed = isObject(entry) && 'value' in entry;
    const value = typed ? readTyped(entry.value, entry.type) : readPlain(entry, 0);
    if (value === null) continue;
    setAttribute(attributes, key, value);
    if (++count >= MAX_ATTRIBUTES) break;
  }
  return attributes;
}

// The type decides only where the value could be read two ways (an integer sent as a string);
// otherwise the JSON value already is the value. Unknown types keep their value (Relay does too).
function readTyped(value: unknown, type: unknown): AttributeValue {
  if (type === 'integer') return readInt64(value);
  if (type === 'double') return readDouble(value);
  return readPlain(value, 0);
}

function readPlain(value: unknown, depth: number): AttributeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return readDouble(value);
  if (depth >= MAX_VALUE_DEPTH)
    throw new RejectedRecordError(`attribute nested deeper than ${MAX_VALUE_DEPTH}`);
  if (Array.isArray(value)) return value.map((item) => readPlain(item, depth + 1));
  if (isObject(value)) {
    const map: Attributes = {};
    for (const key in value) setAttribute(map, key, readPlain(value[key], depth + 1));
    return map;
  }
  return null;
}

/** OTLP/JSON `KeyValue[]` (resource, scope and record attributes, kvlist values). */
export function readJsonKeyValues(list: unknown, depth = 0): Attributes {
  const attributes: Attributes = {};
  if (list === undefined || list === null) return attributes;
  if (!Array.isArray(list)) throw new RejectedRecordError('attributes must be an array of {key, value}');
  const count = Math.min(list.length, MAX_ATTRIBUTES);
  for (let i = 0; i < count; i++) {
    const pair: unknown = list[i];
    if (!isObject(pair) || typeof pair.key !== 'string' || pair.key === '') continue;
    setAttribute(attributes, pair.key, readJsonAnyValue(pair.value, depth));
  }
  return attributes;
}

/** OTLP/JSON AnyValue; proto3 JSON parsers also accept the proto field names, so both spellings. */
export function readJsonAnyValue(value: unknown, depth = 0): AttributeValue {
  if (!isObject(value)) return null;
  if (value.stringValue !== undefined)
    return typeof value.stringValue === 'string' ? value.stringValue : null;
  if (value.intValue !== undefined) return readInt64(value.intValue);
  if (value.doubleValue !== undefined) return readDouble(value.doubleValue);
  if (value.boolValue !== undefined) return value.boolValue === true || value.boolValue === 'true';
  if (value.kvlistValue !== undefined) return readJsonList(value.kvlistValue, depth, true);
  if (value.arrayValue !== undefined) return readJsonList(value.arrayValue, depth, false);
  if (value.bytesValue !== undefined) return typeof value.bytesValue === 'string' ? value.bytesValue : null;
  for (const key in value) {
    const camel = key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (camel !== key) return readJsonAnyValue({ [camel]: value[key] }, depth);
  }
  return null;
}

function readJsonList(list: unknown, depth: number, keyed: boolean): AttributeValue {
  if (depth >= MAX_VALUE_DEPTH)
    throw new RejectedRecordError(`attribute nested deeper than ${MAX_VALUE_DEPTH}`);
  const values = isObject(list) ? list.values : undefined;
  if (keyed) return readJsonKeyValues(values, depth + 1);
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw new RejectedRecordError('arrayValue.values must be an array');
  return values.map((item) => readJsonAnyValue(item, depth + 1));
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
