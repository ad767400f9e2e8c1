/**
 * Turns whatever event payload an SDK sent into the canonical `NormalizedEvent`. It accepts the
 * variants Relay accepts (relay-event-schema/src/protocol/*): a field of the wrong type is dropped,
 * never fatal, so one odd field cannot lose an otherwise useful event. Only a payload that is not
 * a JSON object at all is refused.
 *
 * The caller hands `raw` over: parts already in canonical shape (frames, breadcrumbs, contexts,
 * modules…) are kept as they are rather than copied, so the result shares objects with `raw` and
 * later stages (scrubbing) mutate them. Almost everything an SDK sends is already canonical, and
 * copying every frame and breadcrumb was half of this function's time (bench/digest-stages.js).
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../../errors.js';
import type { Breadcrumb, EventUser, ExceptionValue, Frame, Level, NormalizedEvent } from './types.js';
import { addUserAgentContexts } from './user-agent.js';

type Json = Record<string, unknown>;

export interface NormalizeContext {
  /** The envelope header's event_id; it wins over the payload's. */
  eventId?: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  clientIp?: string;
}

// Relay's limits (protocol/tags.rs, protocol/logentry.rs).
const MAX_TAG_KEY_CHARS = 200;
const MAX_TAG_VALUE_CHARS = 200;
const MAX_LOGENTRY_CHARS = 8192;

// Relay's level aliases, including Python logging's numeric levels (protocol/types.rs `Level`).
// prettier-ignore
const LEVELS = new Map<string, Level>([
  ['fatal', 'fatal'], ['critical', 'fatal'], ['50', 'fatal'], ['error', 'error'], ['40', 'error'],
  ['warning', 'warning'], ['warn', 'warning'], ['30', 'warning'],
  ['info', 'info'], ['log', 'info'], ['20', 'info'], ['debug', 'debug'], ['10', 'debug'],
]);

// Protocol v7 and older SDKs (raven-js, raven-python) used interface paths as keys; modern keys win.
// prettier-ignore
const LEGACY_KEYS = [
  ['sentry.interfaces.Exception', 'exception'], ['sentry.interfaces.Message', 'logentry'],
  ['sentry.interfaces.User', 'user'], ['sentry.interfaces.Http', 'request'],
] as const;

const TRIMMED_STRING_FIELDS = ['release', 'dist', 'server_name', 'transaction', 'logger'] as const;
const FRAME_STRINGS = ['filename', 'abs_path', 'module', 'package', 'function', 'raw_function'] as const;
const FRAME_TEXTS = ['context_line', 'platform', 'instruction_addr'] as const;
const FRAME_INTEGERS = ['lineno', 'colno'] as const;
const FRAME_LINES = ['pre_context', 'post_context'] as const;
const CRUMB_TEXTS = ['type', 'category', 'message'] as const;

const HEX_EVENT_ID = /^[0-9a-f]{32}$/;
const NUMERIC_STRING = /^-?\d+(?:\.\d+)?$/;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;
// printf-style directives as Python's logging and Sentry's `logentry.params` use them.
const FORMAT_DIRECTIVE = /%(?:\((\w+)\))?([sdifr%])/g;

export function normalizeEvent(raw: unknown, ctx: NormalizeContext): NormalizedEvent {
  if (!isObject(raw)) {
    const got = Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw;
    throw badRequest(`Event payload must be a JSON object (a Sentry event), got ${got}`);
  }
  const source: Json = { ...raw };
  for (const [legacy, modern] of LEGACY_KEYS) {
    if (legacy in source) {
      source[modern] ??= source[legacy];
      delete source[legacy];
    }
  }
  const { message: legacyMessage, ...rest } = source;
  const received = ctx.receivedAt / 1000;
  const event: NormalizedEvent = {
    ...rest,
    event_id: parseEventId(ctx.eventId) ?? parseEventId(source.event_id) ?? randomUUID().replaceAll('-', ''),
    timestamp: parseTimestamp(source.timestamp) ?? received,
    received,
    level: parseLevel(source.level) ?? 'error',
    platform: readTrimmed(source.platform) ?? 'other',
    environment: readTrimmed(source.environment) ?? 'production',
    exception: { values: mapValues(source.exception, normalizeException) },
    breadcrumbs: { values: mapValues(source.breadcrumbs, normalizeBreadcrumb) },
    tags: normalizeTags(source.tags),
    fingerprint: normalizeFingerprint(source.fingerprint),
    contexts: isObject(source.contexts) ? keepObjectEntries(source.contexts) : {},
  };
  for (const key of TRIMMED_STRING_FIELDS) assignOptional(event, key, readTrimmed(source[key]));
  assignOptional(event, 'logentry', normalizeLogentry(source.logentry) ?? normalizeLogentry(legacyMessage));
  assignOptional(event, 'user', normalizeUser(source.user, source.sdk, ctx.clientIp));
  assignOptional(event, 'request', normalizeRequest(source.request));
  assignOptional(event, 'sdk', isObject(source.sdk) ? source.sdk : undefined);
  assignOptional(event, 'extra', isObject(source.extra) ? source.extra : undefined);
  assignOptional(event, 'modules', normalizeModules(source.modules));
  const threads = readValues(source.threads);
  assignOptional(event, 'threads', threads.length > 0 ? { values: threads } : undefined);
  addUserAgentContexts(event);
  return event;
}

/** Float seconds from epoch seconds (number or numeric string) or an RFC 3339 string; naive = UTC. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (NUMERIC_STRING.test(text)) return parseTimestamp(Number(text));
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map((part) => Number(part ?? 0));
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(millis);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59) {
    return undefined;
  }
  const zone = match[8] ?? 'Z';
  const offsetMinutes = /^[Zz]$/.test(zone)
    ? 0
    : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return (millis - offsetMinutes * 60_000) / 1000 + (match[7] ? Number(match[7]) : 0);
}

function parseEventId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const hex = value.trim().replaceAll('-', '').toLowerCase();
  return HEX_EVENT_ID.test(hex) ? hex : undefined;
}

function parseLevel(value: unknown): Level | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return LEVELS.get(String(value).trim().toLowerCase());
}

/** Sentry's `Values<T>`: `{values: [...]}`, a bare list, or (legacy) one object. */
function readValues(value: unknown): Json[] {
  return mapValues(value, (item) => item);
}

/** `readValues(value).map(normalize)` in one pass and one array. */
function mapValues<T>(value: unknown, normalize: (item: Json) => T): T[] {
  if (Array.isArray(value)) return mapObjects(value, normalize);
  if (!isObject(value)) return [];
  if (Array.isArray(value.values)) return mapObjects(value.values, normalize);
  return 'values' in value ? [] : [normalize(value)];
}

function mapObjects<T>(list: unknown[], normalize: (item: Json) => T): T[] {
  const result: T[] = [];
  for (const item of list) if (isObject(item)) result.push(normalize(item));
  return result;
}

function normalizeException(raw: Json): ExceptionValue {
  const exception: ExceptionValue = { ...raw };
  assignOptional(exception, 'type', readText(raw.type));
  assignOptional(exception, 'value', readText(raw.value));
  assignOptional(exception, 'module', readText(raw.module));
  assignOptional(exception, 'mechanism', isObject(raw.mechanism) ? raw.mechanism : undefined);
  assignOptional(exception, 'stacktrace', normalizeStacktrace(raw.stacktrace));
  return exception;
}

function normalizeStacktrace(value: unknown): ExceptionValue['stacktrace'] {
  if (!isObject(value) || !Array.isArray(value.frames)) return undefined;
  return { ...value, frames: mapObjects(value.frames, normalizeFrame) };
}

/** `raw` itself when it is already canonical (nearly every frame an SDK sends), else a fixed copy. */
function normalizeFrame(raw: Json): Frame {
  if (isCanonicalFrame(raw)) return raw;
  const frame: Frame = { ...raw };
  for (const key of FRAME_STRINGS) assignOptional(frame, key, readTrimmed(raw[key]));
  for (const key of FRAME_TEXTS) assignOptional(frame, key, readText(raw[key]));
  for (const key of FRAME_INTEGERS) {
    const number = typeof raw[key] === 'string' ? Number(raw[key]) : raw[key];
    assignOptional(frame, key, Number.isInteger(number) ? number : undefined);
  }
  for (const key of FRAME_LINES) {
    const lines = raw[key];
    assignOptional(frame, key, Array.isArray(lines) ? lines.map((line) => readText(line) ?? '') : undefined);
  }
  assignOptional(frame, 'in_app', typeof raw.in_app === 'boolean' ? raw.in_app : undefined);
  assignOptional(frame, 'vars', isObject(raw.vars) ? raw.vars : undefined);
  return frame;
}

/** True when `normalizeFrame`'s copy would equal `frame`: one look at each key it has. */
function isCanonicalFrame(frame: Json): boolean {
  for (const key in frame) {
    const value = frame[key];
    switch (key) {
      case 'filename':
      case 'abs_path':
      case 'module':
      case 'package':
      case 'function':
      case 'raw_function':
        if (!isTrimmedText(value)) return false;
        break;
      case 'context_line':
      case 'platform':
      case 'instruction_addr':
        if (typeof value !== 'string') return false;
        break;
      case 'lineno':
      case 'colno':
        if (!Number.isInteger(value)) return false;
        break;
      case 'pre_context':
      case 'post_context':
        if (!Array.isArray(value) || !value.every((line) => typeof line === 'string')) return false;
        break;
      case 'in_app':
        if (typeof value !== 'boolean') return false;
        break;
      case 'vars':
        if (!isObject(value)) return false;
        break;
    }
  }
  return true;
}

/** Like `normalizeFrame`: `raw` itself unless a field needs fixing. */
function normalizeBreadcrumb(raw: Json): Breadcrumb {
  if (isCanonicalBreadcrumb(raw)) return raw;
  const crumb: Breadcrumb = { ...raw };
  assignOptional(crumb, 'timestamp', parseTimestamp(raw.timestamp));
  assignOptional(crumb, 'level', parseLevel(raw.level));
  for (const key of CRUMB_TEXTS) assignOptional(crumb, key, readText(raw[key]));
  assignOptional(crumb, 'data', isObject(raw.data) ? raw.data : undefined);
  return crumb;
}

function isCanonicalBreadcrumb(crumb: Json): boolean {
  for (const key in crumb) {
    const value = crumb[key];
    switch (key) {
      case 'timestamp':
        if (typeof value !== 'number' || parseTimestamp(value) === undefined) return false;
        break;
      case 'level':
        if (typeof value !== 'string' || LEVELS.get(value) !== value) return false;
        break;
      case 'type':
      case 'category':
      case 'message':
        if (typeof value !== 'string') return false;
        break;
      case 'data':
        if (!isObject(value)) return false;
        break;
    }
  }
  return true;
}

/** Relay's tag rules (protocol/tags.rs): pairs, trimmed keys with `-` for spaces, Python-style bools. */
function normalizeTags(value: unknown): [string, string][] {
  const entries = isObject(value) ? Object.entries(value) : Array.isArray(value) ? value.map(readPair) : [];
  const tags = new Map<string, string>();
  for (const entry of entries) {
    if (!entry || (typeof entry[0] !== 'string' && typeof entry[0] !== 'number')) continue;
    const key = String(entry[0]).trim().replace(/\s/g, '-').slice(0, MAX_TAG_KEY_CHARS);
    const text = formatTagValue(entry[1]);
    if (!key || !text) continue;
    tags.delete(key);
    tags.set(key, text);
  }
  return [...tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function readPair(item: unknown): [unknown, unknown] | undefined {
  if (Array.isArray(item) && item.length === 2) return [item[0], item[1]];
  if (isObject(item) && 'key' in item) return [item.key, item.value];
  return undefined;
}

function formatTagValue(value: unknown): string | undefined {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return undefined;
  const text = String(value)
    .replace(/[\r\n]+/g, ' ')
    .trim();
  return text.slice(0, MAX_TAG_VALUE_CHARS);
}

function normalizeFingerprint(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const parts = value.filter((part) => ['string', 'number', 'boolean'].includes(typeof part)).map(String);
  return parts.length > 0 ? parts : null;
}

function normalizeLogentry(value: unknown): NormalizedEvent['logentry'] {
  if (typeof value === 'string' || typeof value === 'number') {
    const formatted = String(value).slice(0, MAX_LOGENTRY_CHARS);
    return formatted ? { formatted } : undefined;
  }
  if (!isObject(value)) return undefined;
  const message = readText(value.message) || undefined;
  const params = value.params;
  const formatted = readText(value.formatted) || (message && formatMessage(message, params)) || undefined;
  if (!message && !formatted) return undefined;
  const entry: NonNullable<NormalizedEvent['logentry']> = {};
  if (message) entry.message = message.slice(0, MAX_LOGENTRY_CHARS);
  if (formatted) entry.formatted = formatted.slice(0, MAX_LOGENTRY_CHARS);
  if (Array.isArray(params)) entry.params = params;
  return entry;
}

function formatMessage(template: string, params: unknown): string {
  if (!Array.isArray(params) && !isObject(params)) return template;
  let position = 0;
  return template.replace(FORMAT_DIRECTIVE, (directive, name: string | undefined, kind: string) => {
    if (kind === '%') return '%';
    let param: unknown;
    if (name === undefined) param = Array.isArray(params) ? params[position++] : undefined;
    else if (isObject(params) && Object.hasOwn(params, name)) param = params[name];
    return param === undefined ? directive : (readText(param) ?? 'null');
  });
}

function normalizeUser(value: unknown, sdk: unknown, clientIp: string | undefined): EventUser | undefined {
  const user: EventUser = isObject(value) ? { ...value } : {};
  assignOptional(user, 'id', readTrimmed(user.id));
  // Stored in columns of their own: an object here failed the whole batch's INSERT, retried
  // forever, and stopped every project's errors (docs/reliability.md, fuzzing finding 2).
  assignOptional(user, 'email', readTrimmed(user.email));
  assignOptional(user, 'username', readTrimmed(user.username));
  const inferIp = isObject(sdk) && isObject(sdk.settings) ? sdk.settings.infer_ip : undefined;
  const wantsIp =
    user.ip_address === '{{auto}}' ? inferIp !== 'never' : inferIp === 'auto' && !user.ip_address;
  if (wantsIp && clientIp) user.ip_address = clientIp;
  else if (typeof user.ip_address !== 'string' || user.ip_address === '{{auto}}') delete user.ip_address;
  return Object.keys(user).length > 0 ? user : undefined;
}

function normalizeRequest(value: unknown): Json | undefined {
  if (!isObject(value)) return undefined;
  const request: Json = { ...value };
  for (const key of ['headers', 'query_string', 'cookies']) {
    const field = request[key];
    if (Array.isArray(field) && field.every(isStringKeyedPair)) request[key] = Object.fromEntries(field);
  }
  if (request.env !== undefined && !isObject(request.env)) delete request.env;
  return request;
}

/** Versions as strings; the SDK's own object when they all are. */
function normalizeModules(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  if (everyValue(value, (version) => typeof version === 'string')) return value as Record<string, string>;
  const entries = Object.entries(value).map(([name, version]) => [name, readText(version)] as const);
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Only the entries whose value is an object; the SDK's own object when nothing is dropped. */
function keepObjectEntries(value: Json): Record<string, Json> {
  if (everyValue(value, isObject)) return value as Record<string, Json>;
  const entries = Object.entries(value).filter((entry): entry is [string, Json] => isObject(entry[1]));
  return Object.fromEntries(entries);
}

function everyValue(record: Json, test: (value: unknown) => boolean): boolean {
  for (const key in record) if (Object.hasOwn(record, key) && !test(record[key])) return false;
  return true;
}

function isStringKeyedPair(item: unknown): item is [string, unknown] {
  return Array.isArray(item) && item.length === 2 && typeof item[0] === 'string';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string, or a scalar rendered as one; objects become JSON so nothing the SDK sent is lost. */
function readText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** What `readTrimmed` returns unchanged: a non-empty string without surrounding whitespace. */
function isTrimmedText(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && value.trim() === value;
}

function readTrimmed(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return String(value).trim() || undefined;
}

function assignOptional(target: Json, key: string, value: unknown): void {
  // `in` first: deleting a key that is not there was measurably slower than looking for it.
  if (value === undefined) {
    if (key in target) delete target[key];
  } else target[key] = value;
}
