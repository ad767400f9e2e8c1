/**
 * What of a log record is searchable, before any index sees it (storage/logs-fts.ts turns this
 * into FTS5 columns and tokens):
 *
 * - `words`, the free text: the body, then the record's own attribute values that are strings or
 *   integers. Resource attributes (service, host, SDK identity: the same for every line of a
 *   process) and floats and booleans (durations, flags) are left out: they would add a token to
 *   every row and are what `key:value` and the hot filters are for. Splat leaves floats out too.
 * - `fields`, the flattened attributes as key/value pairs, resource first then the record's own:
 *   nested objects with dotted keys, arrays as one pair per element. `key:value` matches these.
 *
 * Attributes that only repeat a hot field (`service.name` = the record's service, `service.version`
 * = its release…) are left out: the hot field is indexed already, and the query parser reads these
 * keys as the hot field (search-query.ts). That is 3–5 fewer tokens per OTLP record.
 *
 * UUIDs are written as 32 lowercase hex digits everywhere (words and values, the body included),
 * so a UUID pasted with or without dashes, in any case, finds the line wherever it occurs; the
 * query side applies the same `normalizeIds`. Splat collapsed them in attributes but not in the
 * body, so a UUID only in a message was unfindable.
 */
import type { SearchDocument } from '../../storage/logs-fts.js';
import type { AttributeValue, Attributes, LogRecord } from './types.js';

export type { SearchDocument } from '../../storage/logs-fts.js';

/** Text indexed per record: a 1 MB stack trace in an attribute must not cost a 1 MB index entry. */
export const MAX_INDEXED_WORDS_CHARS = 8 * 1024;
/** Attribute pairs indexed per record. */
export const MAX_INDEXED_FIELDS = 128;
/** Nesting followed into attribute values; deeper parts are not indexed (the record keeps them). */
const MAX_FIELD_DEPTH = 8;

/** Attribute keys whose value is, after normalization, one of the record's hot fields. */
export const HOT_FIELD_KEYS: Readonly<Record<string, 'service' | 'release' | 'environment' | 'host'>> = {
  'service.name': 'service',
  'service.version': 'release',
  'sentry.release': 'release',
  'deployment.environment': 'environment',
  'deployment.environment.name': 'environment',
  'sentry.environment': 'environment',
  'host.name': 'host',
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** 36 characters with 4 dashes: shorter strings cannot hold a UUID, and most values are short. */
const MIN_UUID_CHARS = 36;

export function normalizeIds(text: string): string {
  if (text.length < MIN_UUID_CHARS || !text.includes('-')) return text;
  return text.replace(UUID, (uuid) => uuid.replaceAll('-', '').toLowerCase());
}

export function buildSearchDocument(record: LogRecord): SearchDocument {
  const fields: string[] = [];
  const state = { words: normalizeIds(record.body.slice(0, MAX_INDEXED_WORDS_CHARS)) };
  flatten(record, record.resource, '', 0, fields, null);
  flatten(record, record.attributes, '', 0, fields, state);
  return { words: state.words.slice(0, MAX_INDEXED_WORDS_CHARS), fields };
}

function flatten(
  record: LogRecord,
  attributes: Attributes,
  prefix: string,
  depth: number,
  fields: string[],
  state: { words: string } | null,
): void {
  for (const key in attributes) {
    const value = attributes[key]!;
    if (depth === 0) {
      const hot = HOT_FIELD_KEYS[key];
      if (hot !== undefined && value === record[hot]) continue;
    }
    addField(record, prefix === '' ? key : `${prefix}.${key}`, value, depth, fields, state);
  }
}

function addField(
  record: LogRecord,
  key: string,
  value: AttributeValue,
  depth: number,
  fields: string[],
  state: { words: string } | null,
): void {
  if (fields.length >= MAX_INDEXED_FIELDS * 2 || value === null) return;
  if (typeof value === 'string') {
    const text = normalizeIds(value);
    fields.push(key, text);
    if (state && state.words.length < MAX_INDEXED_WORDS_CHARS) state.words += ' ' + text;
  } else if (typeof value === 'number') {
    const text = String(value);
    fields.push(key, text);
    if (state && Number.isInteger(value) && state.words.length < MAX_INDEXED_WORDS_CHARS)
      state.words += ' ' + text;
  } else if (typeof value === 'boolean') {
    fields.push(key, value ? 'true' : 'false');
  } else if (depth < MAX_FIELD_DEPTH) {
    if (Array.isArray(value)) {
      for (const item of value) addField(record, key, item, depth + 1, fields, state);
    } else {
      flatten(record, value, key, depth + 1, fields, state);
    }
  }
}
