/**
 * The logs search syntax, parsed into the structure storage compiles into an index query
 * (storage/logs-fts.ts). Terms are ANDed:
 *
 *   timeout                 a word, anywhere in the body or attribute values
 *   "connection refused"    a phrase; `"slow que"*` ends with a prefix
 *   time*                   a word prefix
 *   status:422              attribute `status` is exactly 422 (case-insensitive), not the words
 *                           anywhere; `route:/api/*` prefix, `key:"two words"`, `key:*` has key
 *   level:error             hot fields: level, service, env|environment, release, logger, host,
 *                           trace|trace_id (32 hex, or 4+ digits and `*`), span|span_id
 *   -debug  -level:info     negation of any term
 *   service.name:api        keys that normalization copies into a hot field (service.name,
 *                           service.version, deployment.environment[.name], host.name, sentry.*)
 *                           match the field or the attribute
 *
 * UUIDs are read as 32 lowercase hex digits, with or without dashes, as the index stores them
 * (fts-text.ts). Text that looks like a time (`12:30`) or a URL (`http://…`) is a word, not a key.
 * Nothing typed here reaches the index query as syntax: storage quotes every word.
 */
import { AppError } from '../../errors.js';
import type { LogHotKey, LogQuery, LogQueryTerm } from '../../storage/logs-fts.js';
import { HOT_FIELD_KEYS, normalizeIds } from './fts-text.js';
import type { LogLevel } from './types.js';

export type { LogQuery, LogQueryTerm } from '../../storage/logs-fts.js';

export const MAX_QUERY_CHARS = 1000;
export const MAX_QUERY_TERMS = 32;

export class SearchQueryError extends AppError {
  constructor(message: string) {
    super('invalid_query', 400, message);
    this.name = 'SearchQueryError';
  }
}

const HOT_KEYS: Record<string, LogHotKey> = {
  level: 'level',
  severity: 'level',
  service: 'service',
  env: 'environment',
  environment: 'environment',
  release: 'release',
  logger: 'logger',
  host: 'host',
  trace: 'trace',
  trace_id: 'trace',
  span: 'span',
  span_id: 'span',
};

/** Attribute keys that normalization copies into a hot field, which the index holds instead (fts-text.ts). */
const HOT_FIELD_KEY_OF: Record<string, LogHotKey> = HOT_FIELD_KEYS;

const LEVEL_ALIASES: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
};

/** An attribute key starts with a letter, `_`, `@` or `$`: `12:30` is a time, not key 12. */
const KEY = /^[\p{L}_@$][\p{L}\p{N}_.\-@$/]*$/u;

export function parseSearchQuery(input: string): LogQuery {
  if (input.length > MAX_QUERY_CHARS) {
    throw new SearchQueryError(
      `The search is ${input.length} characters long; shorten it to ${MAX_QUERY_CHARS} or fewer.`,
    );
  }
  const text = normalizeIds(input);
  const terms: LogQueryTerm[] = [];
  let pos = 0;
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (pos >= text.length) break;
    let negated = false;
    if (text[pos] === '-' && pos + 1 < text.length && !/\s/.test(text[pos + 1]!)) {
      negated = true;
      pos++;
    }
    let term: LogQueryTerm | null;
    if (text[pos] === '"') {
      const quoted = readQuoted(text, pos);
      pos = quoted.end;
      term = textTerm(quoted.value, quoted.prefix, negated);
    } else {
      const start = pos;
      while (pos < text.length && !/\s/.test(text[pos]!) && text[pos] !== '"') pos++;
      const bare = text.slice(start, pos);
      const colon = bare.indexOf(':');
      if (colon > 0 && KEY.test(bare.slice(0, colon)) && !bare.startsWith('//', colon + 1)) {
        let value = bare.slice(colon + 1);
        let prefix = false;
        if (value === '' && text[pos] === '"') {
          const quoted = readQuoted(text, pos);
          pos = quoted.end;
          value = quoted.value;
          prefix = quoted.prefix;
        } else if (value.endsWith('*')) {
          value = value.slice(0, -1);
          prefix = true;
        } else if (value === '') {
          const key = bare.slice(0, colon);
          throw new SearchQueryError(
            `"${key}:" needs a value: ${key}:value, ${key}:"two words", ${key}:val* for a prefix or ${key}:* for any value.`,
          );
        }
        term = fieldTerm(bare.slice(0, colon), value, prefix, negated);
      } else {
        const prefix = bare.endsWith('*');
        term = textTerm(prefix ? bare.slice(0, -1) : bare, prefix, negated);
      }
    }
    if (term) terms.push(term);
  }
  if (terms.length > MAX_QUERY_TERMS) {
    throw new SearchQueryError(`The search has ${terms.length} terms; use ${MAX_QUERY_TERMS} or fewer.`);
  }
  return { terms };
}

/**
 * A word prefix expands to every indexed word that starts with it, whose lists the index merges:
 * `time*` took 10–22 ms over 10 million records, a one-letter prefix would read most of the index.
 */
export const MIN_PREFIX_CHARS = 3;
const LAST_WORD = /[\p{L}\p{N}\p{Co}]+$/u;

function textTerm(text: string, prefix: boolean, negated: boolean): LogQueryTerm {
  if (prefix) {
    const last = LAST_WORD.exec(text)?.[0] ?? '';
    if (last.length > 0 && last.length < MIN_PREFIX_CHARS) {
      throw new SearchQueryError(
        `"${text}*" would match too many words: put ${MIN_PREFIX_CHARS} or more letters or digits before the *, e.g. "tim*".`,
      );
    }
  }
  return { kind: 'text', text, prefix, negated };
}

/** A double-quoted run from `start` to the next quote (or the end: an unclosed quote runs to the end). */
function readQuoted(text: string, start: number): { value: string; prefix: boolean; end: number } {
  const close = text.indexOf('"', start + 1);
  const end = close === -1 ? text.length : close + 1;
  const value = text.slice(start + 1, close === -1 ? text.length : close);
  const prefix = text[end] === '*';
  return { value, prefix, end: prefix ? end + 1 : end };
}

function fieldTerm(key: string, value: string, prefix: boolean, negated: boolean): LogQueryTerm {
  const copiedTo = HOT_FIELD_KEY_OF[key];
  if (copiedTo) return { kind: 'hot', key: copiedTo, value, prefix, negated, attributeKey: key };
  const hot = HOT_KEYS[key.toLowerCase()];
  if (!hot) return { kind: 'attribute', key, value, prefix, negated };
  if (hot === 'level') {
    const level = LEVEL_ALIASES[value.toLowerCase()];
    if (!level || prefix) {
      throw new SearchQueryError(
        `Unknown level "${value}": use level:trace, debug, info, warn, error or fatal.`,
      );
    }
    return { kind: 'hot', key: hot, value: level, prefix: false, negated };
  }
  if (hot === 'trace' || hot === 'span') {
    const digits = hot === 'trace' ? 32 : 16;
    const hex = value.toLowerCase();
    const valid = prefix
      ? /^[0-9a-f]{4,}$/.test(hex) && hex.length <= digits
      : new RegExp(`^[0-9a-f]{${digits}}$`).test(hex);
    if (!valid || (prefix && hot === 'span')) {
      throw new SearchQueryError(
        hot === 'trace'
          ? `"${value}" is not a trace id: trace:<32 hex digits> (dashes allowed), or trace:<first 4+ digits>* for a prefix.`
          : `"${value}" is not a span id: span_id:<16 hex digits>.`,
      );
    }
    return { kind: 'hot', key: hot, value: hex, prefix, negated };
  }
  return { kind: 'hot', key: hot, value, prefix, negated };
}
