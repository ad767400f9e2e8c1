/**
 * The logs full-text index: what text a record puts in it and how a search becomes an FTS5 MATCH
 * expression. One column of tokens (logs-partitions.ts has the table and why `detail=none`):
 *
 * - free words: body, attribute values, the trace id (so a pasted trace id finds its lines), as
 *   unicode61 splits them;
 * - one token per attribute pair, so `status:422` matches the attribute status=422 and not a body
 *   that says "status 422": key and value spelled in [a-y0-9] (every other UTF-16 unit as `z` + 2
 *   hex digits, `zu` + 4 beyond Latin-1), lowercased, joined by `~`: `http.status_code=422` →
 *   `httpz2estatusz5fcode~422`. Spelling per character keeps prefixes (`route:/api/*` is a prefix
 *   query on the token);
 * - one token per hot field, `~` letter `~` value (`~l~error`, `~p~3` for the project), so filters
 *   are index lookups, not row scans, and the project token gives every query a positive term.
 *
 * `~` is a token character of the table's tokenizer and is removed from indexed words, so no body
 * or value can spell a pair or hot token. User text reaches MATCH only as double-quoted runs of
 * letters and digits (the tokenizer's own token characters), never as FTS5 syntax.
 */

import type { LogLevel } from '../domain/logs/types.js';

export type LogHotKey =
  'level' | 'service' | 'environment' | 'release' | 'logger' | 'host' | 'trace' | 'span';

/** A parsed search (domain/logs/search-query.ts builds it from what the user typed). */
export type LogQueryTerm =
  /** Free text: one word (split further where the index splits it: `api/orders`) or a quoted phrase. */
  | { kind: 'text'; text: string; prefix: boolean; negated: boolean }
  /** `key:value`, exact (case-insensitive) unless `prefix`; an empty value with `prefix` is "has key". */
  | { kind: 'attribute'; key: string; value: string; prefix: boolean; negated: boolean }
  /**
   * `level:error`, `service:api`…; `value` of level is a level name, of trace/span lowercase hex.
   * `attributeKey`: the term was typed as this attribute (`service.name:api`), which normalization
   * copies into the hot field; either matches.
   */
  | { kind: 'hot'; key: LogHotKey; value: string; prefix: boolean; negated: boolean; attributeKey?: string };

export interface LogQuery {
  terms: LogQueryTerm[];
}

/** Characters of a key or value spelled into a pair token; longer values match on this prefix. */
export const MAX_PAIR_TOKEN_CHARS = 64;

const HOT_LETTERS = {
  project: 'p',
  level: 'l',
  service: 's',
  environment: 'e',
  release: 'r',
  logger: 'g',
  host: 'h',
} as const;
export type HotTokenField = keyof typeof HOT_LETTERS;

const HEX = '0123456789abcdef';
/** Spelling of each ASCII character: itself for [a-y0-9], lowercase for [A-Y], else `z` + hex. */
const ASCII_SPELLING = Array.from({ length: 128 }, (_, c) => {
  const lower = String.fromCharCode(c).toLowerCase().charCodeAt(0);
  if ((lower >= 97 && lower <= 121) || (lower >= 48 && lower <= 57)) return String.fromCharCode(lower);
  return 'z' + HEX[lower >> 4] + HEX[lower & 15];
});

function isPlain(text: string, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 121) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

export function spellForToken(text: string): string {
  const length = Math.min(text.length, MAX_PAIR_TOKEN_CHARS);
  if (isPlain(text, length)) return length === text.length ? text : text.slice(0, length);
  let out = '';
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      out += ASCII_SPELLING[c];
      continue;
    }
    const lower = String.fromCharCode(c).toLowerCase();
    for (let j = 0; j < lower.length; j++) {
      const u = lower.charCodeAt(j);
      out +=
        u < 128
          ? ASCII_SPELLING[u]
          : u < 256
            ? 'z' + HEX[u >> 4] + HEX[u & 15]
            : 'zu' + HEX[u >> 12] + HEX[(u >> 8) & 15] + HEX[(u >> 4) & 15] + HEX[u & 15];
    }
  }
  return out;
}

/**
 * Keys repeat on every line: their spelling is cached (bounded, since senders choose them).
 * Values are spelled each time: measured, a cache of them cost more than it saved, as ids and
 * numbers make most values new.
 */
const MAX_CACHED_KEYS = 10_000;
const spelledKeys = new Map<string, string>();

export function pairToken(key: string, value: string): string {
  let spelled = spelledKeys.get(key);
  if (spelled === undefined) {
    spelled = spellForToken(key);
    if (spelledKeys.size >= MAX_CACHED_KEYS) spelledKeys.clear();
    spelledKeys.set(key, spelled);
  }
  return spelled + '~' + spellForToken(value);
}

export function hotToken(field: HotTokenField, value: string | number): string {
  return '~' + HOT_LETTERS[field] + '~' + spellForToken(String(value));
}

/** What a record contributes to the index, before spelling (domain/logs/fts-text.ts builds it). */
export interface SearchDocument {
  words: string;
  /** [key, value, key, value, …] */
  fields: string[];
}

export interface IndexedRecord {
  level: string;
  service: string | null;
  environment: string | null;
  release: string | null;
  logger: string | null;
  host: string | null;
  traceId: string | null;
}

export function buildIndexText(projectId: number, record: IndexedRecord, doc: SearchDocument): string {
  let text = doc.words.includes('~') ? doc.words.replaceAll('~', ' ') : doc.words;
  if (record.traceId) text += ' ' + record.traceId;
  text += ' ' + hotToken('project', projectId) + ' ' + hotToken('level', record.level);
  if (record.service) text += ' ' + hotToken('service', record.service);
  if (record.environment) text += ' ' + hotToken('environment', record.environment);
  if (record.release) text += ' ' + hotToken('release', record.release);
  if (record.logger) text += ' ' + hotToken('logger', record.logger);
  if (record.host) text += ' ' + hotToken('host', record.host);
  const fields = doc.fields;
  for (let i = 0; i + 1 < fields.length; i += 2) text += ' ' + pairToken(fields[i]!, fields[i + 1]!);
  return text;
}

/** unicode61's token characters (Unicode letters, numbers, private use); everything else separates. */
const WORD = /[\p{L}\p{N}\p{Co}]+/gu;
const NOT_WORD = '[^\\p{L}\\p{N}\\p{Co}]';
const UUID_HEX = /^[0-9a-f]{32}$/i;

export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

const quote = (token: string, prefix: boolean) => `"${token}"${prefix ? '*' : ''}`;

/**
 * A phrase (or a word the index splits, like `api/orders`) must match its words in order; the
 * index only knows they all occur, so rows are checked with this pattern over body and attribute
 * values. A 32-hex word also matches the dashed UUID it was normalized from.
 */
function phrasePattern(words: string[], prefix: boolean): RegExp {
  // Words are letters and digits only: nothing in them needs escaping.
  const parts = words.map((w) =>
    UUID_HEX.test(w)
      ? [w.slice(0, 8), w.slice(8, 12), w.slice(12, 16), w.slice(16, 20), w.slice(20)].join('-?')
      : w,
  );
  const end = prefix ? '' : '(?![\\p{L}\\p{N}\\p{Co}])';
  return new RegExp(`(?<![\\p{L}\\p{N}\\p{Co}])${parts.join(`${NOT_WORD}+`)}${end}`, 'iu');
}

export interface PhraseCheck {
  pattern: RegExp;
  negated: boolean;
}

export interface CompiledLogSearch {
  /** FTS5 MATCH expression; always holds the project token. */
  match: string;
  /** Exact id checks on columns (the index finds the trace's word, the column confirms it). */
  traceId: string | null;
  spanId: string | null;
  /** Checked on each candidate's decompressed record, in order. */
  phrases: PhraseCheck[];
}

export interface HotFilters {
  levels?: readonly LogLevel[];
  environment?: string;
  service?: string;
  release?: string;
  logger?: string;
}

export function compileLogSearch(projectId: number, query: LogQuery, filters: HotFilters): CompiledLogSearch {
  const positive: string[] = [quote(hotToken('project', projectId), false)];
  const negative: string[] = [];
  const phrases: PhraseCheck[] = [];
  let traceId: string | null = null;
  let spanId: string | null = null;

  if (filters.levels && filters.levels.length > 0) {
    positive.push(`(${filters.levels.map((l) => quote(hotToken('level', l), false)).join(' OR ')})`);
  }
  for (const field of ['environment', 'service', 'release', 'logger'] as const) {
    const value = filters[field];
    if (value !== undefined) positive.push(quote(hotToken(field, value), false));
  }

  for (const term of query.terms) {
    const into = term.negated ? negative : positive;
    if (term.kind === 'text') {
      const words = splitWords(term.text.replaceAll('~', ' '));
      if (words.length === 0) continue;
      if (words.length === 1) {
        into.push(quote(words[0]!, term.prefix));
        continue;
      }
      if (!term.negated)
        positive.push(...words.map((w, i) => quote(w, term.prefix && i === words.length - 1)));
      phrases.push({ pattern: phrasePattern(words, term.prefix), negated: term.negated });
    } else if (term.kind === 'attribute') {
      into.push(quote(pairToken(term.key, term.value), term.prefix));
    } else if (term.key === 'trace') {
      // The trace id is a word of the text; a full id is confirmed on the column.
      into.push(quote(term.value, term.prefix));
      if (!term.negated && !term.prefix) traceId = term.value;
    } else if (term.key === 'span') {
      // Span ids are not indexed (a unique word per span costs ~18 B/row); the column decides.
      if (!term.negated) spanId = term.value;
    } else if (term.attributeKey !== undefined) {
      const asAttribute = quote(pairToken(term.attributeKey, term.value), term.prefix);
      into.push(`(${quote(hotToken(term.key, term.value), term.prefix)} OR ${asAttribute})`);
    } else {
      into.push(quote(hotToken(term.key, term.value), term.prefix));
    }
  }

  let match = positive.join(' AND ');
  for (const n of negative) match = `(${match}) NOT ${n}`;
  return { match, traceId, spanId, phrases };
}
