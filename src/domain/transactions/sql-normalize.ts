/**
 * SQL text → a pattern without literals, the form in which queries are stored and grouped (N+1).
 *
 * A scanner (sql-tokens.ts) rather than a chain of regexes: Splat's two regex normalizers
 * (splat-internals.md §5) disagree on the same statement, and a regex that misses a quote boundary
 * shifts every later match, so the data in the next literal leaks. Scanning once, token by token,
 * makes "what is a literal" one decision per position.
 *
 * Kept: identifiers (`table1`, `"Users"`, `` `users` ``, `t.col_2`), placeholders (`$1`, `?`,
 * `?1`, `:name`, `:1`, `%s`, `%(name)s`), NULL, keywords as written (no case folding: an ORM is
 * consistent with itself). Collapsed: `IN (…)` → `IN (?)` unless it holds a subquery, `VALUES (…),
 * (…)` → `VALUES (?)`, `ARRAY[…]` → `ARRAY[?]`, so a loop over ids of varying count is one pattern.
 * Relay (sentry-protocol.md §7.3) also collapses column lists and strips quotes; we keep them, since
 * the pattern is also what the UI shows.
 */
import { tokenize, type Scan, type Token } from './sql-tokens.js';

export interface NormalizedSql {
  sql: string;
  /** A query-log tag comment (Rails `/*action:index,…*\/`, sqlcommenter): where the query comes from. */
  callSite?: string;
}

export interface NormalizeSqlOptions {
  /**
   * `mysql`: backslash escapes in every string and `"…"` is a string (MySQL's defaults).
   * `standard` (PostgreSQL, SQLite…): backslash escapes only in `E'…'`, `"…"` is an identifier.
   * Unknown (breadcrumbs carry no db.system): whichever reading of backslashes closes every quote,
   * and `"…"` kept only when it looks like an identifier.
   */
  dialect?: 'mysql' | 'standard';
}

export const MAX_NORMALIZED_SQL_CHARS = 2_000;
const MAX_CALL_SITE_CHARS = 500;
// `key:value` or `key='value'` pairs: Rails query-log tags, Marginalia and sqlcommenter.
const TAG_PAIR = String.raw`[A-Za-z_][\w.-]*\s*[:=]\s*(?:'[^']*'|"[^"]*"|[^,'"]*)`;
const TAG_COMMENT = new RegExp(`^${TAG_PAIR}(?:\\s*,\\s*${TAG_PAIR})*$`);
// Longer comments are prose or data, and the pattern above must not backtrack over them.
const MAX_TAG_COMMENT_CHARS = 2_000;
// sqlcommenter adds the W3C trace context: it changes per request and locates nothing.
const VOLATILE_TAG = /^\s*(?:traceparent|tracestate)\s*[:=]/i;

export type SqlNormalizer = (raw: string, options?: NormalizeSqlOptions) => NormalizedSql;

/**
 * `normalizeSql` remembering its answers, for one transaction: its tree and its N+1 analysis both
 * need every db span's pattern, and normalizing was a quarter of the digest worker's time
 * (docs/benchmarks.md, APM). Not shared across transactions: the raw statements hold literals.
 */
export function createSqlNormalizer(): SqlNormalizer {
  // Keyed by the statement itself (one map per dialect): both callers pass the same string object,
  // whose hash V8 keeps, where a composite key would be built and hashed on every call.
  const seen = { mysql: new Map<string, NormalizedSql>(), standard: new Map(), unknown: new Map() };
  return (raw, options = {}) => {
    const map = seen[options.dialect ?? 'unknown'];
    let result = map.get(raw);
    if (!result) map.set(raw, (result = normalizeSql(raw, options)));
    return result;
  };
}

export function normalizeSql(raw: string, options: NormalizeSqlOptions = {}): NormalizedSql {
  const { tokens, comments } = scan(raw, options.dialect);
  const sql = render(tokens).slice(0, MAX_NORMALIZED_SQL_CHARS).trimEnd();
  const callSite = findCallSite(comments);
  return callSite === undefined ? { sql } : { sql, callSite };
}

/**
 * Without a dialect, `\'` is ambiguous: an escaped quote (MySQL) or a literal ending in a
 * backslash (`'C:\'` in PostgreSQL). Reading it the wrong way shifts every later quote, and the
 * text between literals (the data) comes out as if it were SQL. The wrong reading almost always
 * ends with a quote left open, so MySQL's reading is tried first and the standard one used when
 * only it closes every quote.
 */
function scan(raw: string, dialect: NormalizeSqlOptions['dialect']): Scan {
  if (dialect === 'mysql') return tokenize(raw, { backslashEscapes: true, doubleQuotes: 'string' });
  if (dialect === 'standard') return tokenize(raw, { backslashEscapes: false, doubleQuotes: 'identifier' });
  const mysql = tokenize(raw, { backslashEscapes: true, doubleQuotes: 'guess' });
  if (!mysql.unterminated || !raw.includes("\\'")) return mysql;
  const standard = tokenize(raw, { backslashEscapes: false, doubleQuotes: 'guess' });
  return standard.unterminated ? mysql : standard;
}

function render(tokens: Token[]): string {
  let out = '';
  // Whether `out` ends with a space, kept rather than asked of the growing string each time.
  let spaced = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'space') {
      if (out !== '' && !spaced) {
        out += ' ';
        spaced = true;
      }
      continue;
    }
    const collapsed = token.kind === 'word' ? collapseList(tokens, i) : undefined;
    const text = collapsed ? collapsed.text : token.text;
    if (collapsed) i = collapsed.last;
    out += text;
    spaced = text.endsWith(' ');
    if (out.length > MAX_NORMALIZED_SQL_CHARS) break;
  }
  return out.trim();
}

/** `IN (…)`, `VALUES (…), (…)` and `ARRAY[…]` as one placeholder, whatever they hold. */
function collapseList(tokens: Token[], at: number): { text: string; last: number } | undefined {
  const word = (tokens[at] as Token).text;
  // IN, ARRAY, VALUES: most words are none of these lengths and need no lowercasing.
  if (word.length !== 2 && word.length !== 5 && word.length !== 6) return undefined;
  const keyword = word.toLowerCase();
  if (keyword !== 'in' && keyword !== 'values' && keyword !== 'array') return undefined;
  const [open, close] = keyword === 'array' ? ['[', ']'] : ['(', ')'];
  const first = nextSignificant(tokens, at + 1);
  if (tokens[first]?.text !== open) return undefined;
  if (keyword === 'in' && isSubquery(tokens, first + 1)) return undefined;
  let last = matchingClose(tokens, first, open, close);
  if (keyword === 'values') {
    for (;;) {
      const comma = nextSignificant(tokens, last + 1);
      const row = nextSignificant(tokens, comma + 1);
      if (tokens[comma]?.text !== ',' || tokens[row]?.text !== '(') break;
      last = matchingClose(tokens, row, '(', ')');
    }
  }
  return { text: keyword === 'array' ? `${word}[?]` : `${word} (?)`, last };
}

function nextSignificant(tokens: Token[], from: number): number {
  let i = from;
  while (i < tokens.length && tokens[i]?.kind === 'space') i++;
  return i;
}

/** The index of the bracket closing the one at `open`; the last token when it is never closed. */
function matchingClose(tokens: Token[], openAt: number, open: string, close: string): number {
  let depth = 0;
  for (let i = openAt; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind !== 'punct') continue;
    if (token.text === open) depth++;
    else if (token.text === close && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function isSubquery(tokens: Token[], from: number): boolean {
  let i = nextSignificant(tokens, from);
  while (tokens[i]?.text === '(') i = nextSignificant(tokens, i + 1);
  const word = tokens[i];
  return word?.kind === 'word' && /^(?:select|with|values)$/i.test(word.text);
}

function findCallSite(comments: string[]): string | undefined {
  for (const comment of comments) {
    const text = comment.trim();
    if (text.length > MAX_TAG_COMMENT_CHARS || !TAG_COMMENT.test(text)) continue;
    const pairs = text.split(/\s*,\s*/).filter((pair) => !VOLATILE_TAG.test(pair));
    if (pairs.length > 0) return pairs.join(',').slice(0, MAX_CALL_SITE_CHARS);
  }
  return undefined;
}
