/**
 * Server-side data scrubbing, the equivalent of Sentry's project defaults ("Data Scrubber",
 * "Use Default Scrubbers", "Prevent Storing of IP Addresses"): Relay's default PII config
 * (relay-pii `convert.rs`, `regexes.rs`) plus the Python SDK's DEFAULT_DENYLIST key names.
 *
 * Two kinds of rule: a value under a sensitive KEY is replaced whole ("[Filtered]", objects and
 * arrays included), and every string is searched for secrets that carry their own shape (card
 * numbers, `Bearer …`, `user:pass@` in URLs, PEM private keys), replacing only the match. Like
 * Relay, identifiers and code locations are left alone: event_id, timestamps, fingerprint,
 * debug_meta, exception types, frame filenames/paths and source context lines. The event is
 * mutated in place in one recursive pass, capped at MAX_DEPTH so hostile nesting cannot overflow
 * the stack.
 */
import type { ExceptionValue, NormalizedEvent, Stacktrace } from './types.js';

export interface ScrubOptions {
  enabled: boolean;
  /** Sentry's "Prevent Storing of IP Addresses". */
  ipAddresses: boolean;
  /** Sentry's "Additional Sensitive Fields": a key containing one of these is filtered. */
  extraKeys: string[];
  /** Sentry's "Safe Fields": keys with exactly this name are never filtered. */
  safeKeys: string[];
}

const FILTERED = '[Filtered]';
const TOO_DEEP = '[Filtered: nested too deep]';
const MAX_DEPTH = 64;
// The shortest card number (15-digit Amex) cannot fit in less; skips the regex for most strings.
const MIN_CARD_STRING_CHARS = 12;
// `bearer`, one space and the 8-character minimum below.
const MIN_BEARER_STRING_CHARS = 15;
// Key names come from the events, so the per-options cache of verdicts is bounded; a few hundred
// names cover real traffic, and starting over is cheap.
const MAX_CACHED_KEYS = 10_000;

// Relay's `@password` rule matches keys CONTAINING these (keys compared lowercased, `-` read as `_`).
const SENSITIVE_KEY_PART = /password|passwd|secret|api_?key|auth|credentials|mysql_pwd|private_?key|token/;
// Exact names: the Python SDK's DEFAULT_DENYLIST and Relay's list of session/CSRF cookies.
const SENSITIVE_KEYS = new Set([
  ...['session', 'sessionid', '_session', '__session', 'user_session', 'mysession', 'aiohttp_session'],
  ...['sentrysid', 'sudo', 'su', 'symfony', 'phpsessid', 'fasthttpsessionid', 'irissessionid'],
  ...['connect.sid', '_vercel_jwt', 'csrf', '_csrf', 'xsrf', '_xsrf', 'fastcsrf', '_iris_csrf'],
  ...['cookie', 'set_cookie', 'otp', 'two_factor'],
]);
// The SDKs' PII list, filtered only when IP addresses must not be stored.
const IP_KEYS = new Set(['ip_address', 'remote_addr', 'x_forwarded_for', 'x_real_ip']);
// Never scrubbed: identifiers, code locations and package versions (`modules` keys such as
// "google-auth" would otherwise match). `exception`, `threads` and `request` get their own walk.
const SKIPPED_TOP_LEVEL = new Set([
  ...['event_id', 'timestamp', 'received', 'start_timestamp', 'level', 'platform', 'fingerprint'],
  ...['debug_meta', 'modules', 'sdk', 'exception', 'threads', 'request'],
]);

// Relay's `@creditcard`: Amex, Visa, Mastercard, Discover prefixes then 12 digits, `-`/space allowed.
const CARD_NUMBER = /\b(?:3[47]\d|4\d{3}|5[1-5]\d\d|65\d\d|6011)(?:[ -]?\d){12}\b/g;
// The same pattern, for `test`: a `replace` that finds nothing cost twice as much as this check.
const HAS_CARD_NUMBER = new RegExp(CARD_NUMBER.source);
// A token is long; requiring 8 characters keeps "the bearer of bad news" intact.
const BEARER_TOKEN = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const BEARER_WORD = /bearer/i;
const FOUR_DIGITS = /\d{4}/;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^:/?#@\s]{0,256}):[^@/?#\s]{1,256}@/gi;
const PEM_PRIVATE_KEY =
  /-----BEGIN[A-Z ]{0,40} PRIVATE KEY-----[\s\S]*?-----END[A-Z ]{0,40} PRIVATE KEY-----/g;

type Json = Record<string, unknown>;
type IsSensitive = (key: string) => boolean;

// One matcher per options object, so its cache of verdicts carries over from event to event:
// rebuilding it per event was a third of scrubbing (bench/digest-stages.js). The options are read
// once, when first seen; change them by passing a new object.
const keyMatchers = new WeakMap<ScrubOptions, IsSensitive>();

function keyMatcherOf(options: ScrubOptions): IsSensitive {
  let isSensitive = keyMatchers.get(options);
  if (!isSensitive) {
    isSensitive = createKeyMatcher(options);
    keyMatchers.set(options, isSensitive);
  }
  return isSensitive;
}

export function scrubEvent(event: NormalizedEvent, options: ScrubOptions): NormalizedEvent {
  if (!options.enabled) return event;
  const isSensitive = keyMatcherOf(options);
  for (const key of Object.keys(event)) {
    if (!SKIPPED_TOP_LEVEL.has(key)) event[key] = scrubValue(event[key], 1, isSensitive);
  }
  for (const exception of event.exception.values) scrubException(exception, isSensitive);
  for (const thread of event.threads?.values ?? []) scrubStacktrace(thread.stacktrace, isSensitive);
  if (event.request) scrubRequest(event.request, isSensitive);
  if (options.ipAddresses) removeIpAddresses(event);
  return event;
}

/**
 * Scrubs a plain JSON object in place by the same rules as an event's data (sensitive keys
 * filtered, strings cleaned): log records' attributes, for one.
 */
export function scrubRecord<T extends Record<string, unknown>>(record: T, options: ScrubOptions): T {
  if (!options.enabled) return record;
  return scrubValue(record, 0, keyMatcherOf(options)) as T;
}

/** Replaces card numbers (Luhn-valid only), bearer tokens, URL passwords and PEM keys in a string. */
export function scrubString(text: string): string {
  // Each rule first checks for a literal its pattern cannot match without: this runs on every
  // string of every event, and the regex engines were 12 % of the digest's CPU in the profile.
  let result = text;
  if (result.length >= MIN_CARD_STRING_CHARS && FOUR_DIGITS.test(result) && HAS_CARD_NUMBER.test(result)) {
    result = result.replace(CARD_NUMBER, (match) => (isLuhnValid(match) ? FILTERED : match));
  }
  if (result.length >= MIN_BEARER_STRING_CHARS && BEARER_WORD.test(result)) {
    result = result.replace(BEARER_TOKEN, `$1 ${FILTERED}`);
  }
  if (result.includes('@') && result.includes('://'))
    result = result.replace(URL_PASSWORD, `$1:${FILTERED}@`);
  if (result.includes('PRIVATE KEY-----')) result = result.replace(PEM_PRIVATE_KEY, FILTERED);
  return result;
}

function createKeyMatcher(options: ScrubOptions): IsSensitive {
  const normalize = (key: string) => key.toLowerCase().replaceAll('-', '_');
  const safe = new Set(options.safeKeys.map(normalize));
  const extra = options.extraKeys.map(normalize).filter(Boolean);
  const cache = new Map<string, boolean>();
  return (key) => {
    let sensitive = cache.get(key);
    if (sensitive === undefined) {
      const name = normalize(key);
      sensitive =
        !safe.has(name) &&
        (SENSITIVE_KEYS.has(name) ||
          SENSITIVE_KEY_PART.test(name) ||
          extra.some((part) => name.includes(part)) ||
          (options.ipAddresses && IP_KEYS.has(name)));
      if (cache.size >= MAX_CACHED_KEYS) cache.clear();
      cache.set(key, sensitive);
    }
    return sensitive;
  };
}

function scrubValue(value: unknown, depth: number, isSensitive: IsSensitive): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    // `[key, value]` pairs (tags, header lists) are keyed data too, as Relay treats them.
    if (value.length === 2 && typeof value[0] === 'string' && value[1] != null && isSensitive(value[0])) {
      value[1] = FILTERED;
      return value;
    }
    for (let index = 0; index < value.length; index++)
      value[index] = scrubValue(value[index], depth + 1, isSensitive);
    return value;
  }
  const record = value as Json;
  // `for…in` rather than Object.keys: no array of keys per object (events are plain JSON objects).
  for (const key in record) {
    const child = record[key];
    record[key] = child != null && isSensitive(key) ? FILTERED : scrubValue(child, depth + 1, isSensitive);
  }
  return record;
}

function scrubException(exception: ExceptionValue, isSensitive: IsSensitive): void {
  if (typeof exception.value === 'string') exception.value = scrubString(exception.value);
  if (exception.mechanism) scrubValue(exception.mechanism, 3, isSensitive);
  scrubStacktrace(exception.stacktrace, isSensitive);
}

function scrubStacktrace(stacktrace: unknown, isSensitive: IsSensitive): void {
  const frames = (stacktrace as Stacktrace | undefined)?.frames;
  if (!Array.isArray(frames)) return;
  // Thread frames are not normalized, so each one may be anything.
  for (const frame of frames as unknown[]) {
    if (typeof frame === 'object' && frame !== null && 'vars' in frame) {
      (frame as Json).vars = scrubValue(frame.vars, 5, isSensitive);
    }
  }
}

function scrubRequest(request: Json, isSensitive: IsSensitive): void {
  for (const key of Object.keys(request)) {
    const value = request[key];
    if (typeof value === 'string' && key === 'cookies') {
      request[key] = scrubPairs(value, /;\s*/, '; ', isSensitive);
    } else if (
      typeof value === 'string' &&
      (key === 'query_string' || (key === 'data' && isFormEncoded(value)))
    ) {
      request[key] = scrubPairs(value, /&/, '&', isSensitive);
    } else if (typeof value === 'string' && key === 'url' && value.includes('?')) {
      const [base = '', rest = ''] = value.split(/\?(.*)/s);
      const [query = '', fragment] = rest.split(/#(.*)/s);
      const scrubbed = `${scrubString(base)}?${scrubPairs(query, /&/, '&', isSensitive)}`;
      request[key] = fragment === undefined ? scrubbed : `${scrubbed}#${fragment}`;
    } else {
      request[key] = value != null && isSensitive(key) ? FILTERED : scrubValue(value, 2, isSensitive);
    }
  }
}

/** Filters `name=value` pairs in a cookie header or form/query string by name. */
function scrubPairs(text: string, separator: RegExp, joiner: string, isSensitive: IsSensitive): string {
  return text
    .split(separator)
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0) return scrubString(pair);
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      return `${name}=${isSensitive(decodeName(name)) ? FILTERED : scrubString(value)}`;
    })
    .join(joiner);
}

function isFormEncoded(text: string): boolean {
  // `&` delimits every part, so the match is unambiguous and linear.
  return /^[^\s=&{[]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/.test(text);
}

function decodeName(name: string): string {
  // Most names are plain words, which decode to themselves without the call and its try.
  if (!name.includes('%') && !name.includes('+')) return name.trim();
  try {
    return decodeURIComponent(name.replaceAll('+', ' ')).trim();
  } catch {
    return name.trim();
  }
}

function removeIpAddresses(event: NormalizedEvent): void {
  if (event.user) delete event.user.ip_address;
  const env = event.request?.env;
  if (typeof env === 'object' && env !== null) delete (env as Json).REMOTE_ADDR;
  if (event.sdk) delete event.sdk.client_ip;
}

function isLuhnValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}
