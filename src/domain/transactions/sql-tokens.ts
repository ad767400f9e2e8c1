/**
 * The SQL scanner behind sql-normalize.ts: one pass, one decision per position about what is a
 * literal. Literals come out as `?` tokens and comments as spaces (their text collected for the
 * call site). When in doubt it over-redacts: an unterminated quote takes the rest of the statement,
 * a token starting with a digit is a number even if letters follow (`123abc`), and in the unknown
 * dialect a double-quoted token that does not look like an identifier is a string.
 */
export type TokenKind = 'word' | 'ident' | 'literal' | 'param' | 'punct' | 'space';

export interface Token {
  kind: TokenKind;
  text: string;
}

// Words are scanned by code unit (startsWord / continuesWord below); this is their definition.
// WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/
// Digits, then anything glued to them: `1.5e-3`, `0x1F`, `1_000`, and `123abc` (over-redacted).
const NUMBER = /(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[\w$]*/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_]\w*)?\$/y;
const DIGITS = /\d+/y;
const SPACE = /\s+/y;
// Literal prefixes: E'…' (escapes), N'…' (national), X'…'/B'…' (hex, bit), MySQL `_utf8mb4'…'`.
const STRING_PREFIX = /^(?:[EeNnXxBb]|_\w+)$/;
const IDENTIFIER_LIKE = /^"[A-Za-z_][\w$]{0,62}"$/;
// Words after which `-5` is a negative number, not a subtraction.
const OPERATOR_WORDS = new Set(
  ['select', 'where', 'and', 'or', 'not', 'then', 'else', 'when', 'case', 'between', 'limit', 'offset']
    .concat(['set', 'by', 'in', 'is', 'like', 'values', 'return', 'returning', 'as', 'on', 'having'])
    .concat(['default', 'interval', 'exists', 'any', 'all']),
);
const BOOLEANS = new Set(['true', 'false']);

export interface ScanOptions {
  /** MySQL reads `\'` inside any string as an escaped quote; standard SQL only inside `E'…'`. */
  backslashEscapes: boolean;
  /** `"…"`: a string (MySQL), an identifier (standard), or guessed from what it holds. */
  doubleQuotes: 'string' | 'identifier' | 'guess';
}

export interface Scan {
  tokens: Token[];
  /** The text of every comment, for the call site. */
  comments: string[];
  /** A quote was left open: the reading may be wrong (see sql-normalize.ts). */
  unterminated: boolean;
}

/**
 * One object each for every space and every literal: tokens are never changed once made, and a
 * statement is mostly these (a third of the normalizer's time went to allocating them).
 */
const SPACE_TOKEN: Token = Object.freeze({ kind: 'space', text: ' ' });
const LITERAL_TOKEN: Token = Object.freeze({ kind: 'literal', text: '?' });

const PUNCT_TOKENS = new Map<string, Token>();
/** ASCII punctuation by code, looked up without hashing: `.`, `,`, `(`, `)`, `=` are a third of the tokens. */
const ASCII_PUNCT_TOKENS: Token[] = [];
/** Punctuation tokens are shared per character too; any character can be one, so the cache is bounded. */
function punctToken(c: string): Token {
  const code = c.charCodeAt(0);
  if (code < 128 && c.length === 1) {
    return (ASCII_PUNCT_TOKENS[code] ??= Object.freeze({ kind: 'punct', text: c }));
  }
  let token = PUNCT_TOKENS.get(c);
  if (!token) {
    token = Object.freeze({ kind: 'punct', text: c });
    if (PUNCT_TOKENS.size < 256) PUNCT_TOKENS.set(c, token);
  }
  return token;
}

/** ASCII whitespace as `\s` has it (tab, LF, VT, FF, CR, space); other code units go through SPACE. */
const isAsciiSpace = (code: number) => code === 32 || (code >= 9 && code <= 13);
const isDigitCode = (code: number) => code >= 48 && code <= 57;
/** WORD's first character, and its later ones (`\w`, `$`, anything from U+0080 on). */
const startsWord = (code: number) =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 0x80;
const continuesWord = (code: number) => startsWord(code) || isDigitCode(code) || code === 36;

export function tokenize(sql: string, options: ScanOptions): Scan {
  const tokens: Token[] = [];
  const comments: string[] = [];
  const { backslashEscapes } = options;
  let unterminated = false;
  let i = 0;
  while (i < sql.length) {
    const code = sql.charCodeAt(i);
    const c = sql[i] ?? '';
    const next = sql[i + 1] ?? '';
    let end: number;
    if (isAsciiSpace(code)) {
      // A run of ASCII spaces by code unit: the sticky regex per run was a third of the scanner's
      // time on the bench corpus (a statement has a space every ~6 characters).
      end = i + 1;
      while (end < sql.length && isAsciiSpace(sql.charCodeAt(end))) end++;
      if (end < sql.length && sql.charCodeAt(end) >= 0x80) end = Math.max(end, matchAt(SPACE, sql, end));
      tokens.push(SPACE_TOKEN);
    } else if (code >= 0x80 && (end = matchAt(SPACE, sql, i)) > i) {
      // Beyond ASCII only the regex knows \s (no-break and other Unicode spaces).
      tokens.push(SPACE_TOKEN);
    } else if (startsWord(code)) {
      // Words (and identifiers) are most tokens: tested before the quote, comment and parameter
      // branches, none of which starts with a word character.
      end = i + 1;
      while (end < sql.length && continuesWord(sql.charCodeAt(end))) end++;
      const word = sql.slice(i, end);
      if (sql[end] === "'" && STRING_PREFIX.test(word)) {
        const quoteAt = end;
        end = skipQuoted(sql, quoteAt, "'", backslashEscapes || word === 'E' || word === 'e');
        unterminated ||= !isClosed(sql, quoteAt, end, "'");
        tokens.push(LITERAL_TOKEN);
      } else if ((word.length === 4 || word.length === 5) && BOOLEANS.has(word.toLowerCase())) {
        tokens.push(LITERAL_TOKEN);
      } else tokens.push({ kind: 'word', text: word });
    } else if (c === '-' && next === '-') {
      const newline = sql.indexOf('\n', i);
      end = newline < 0 ? sql.length : newline;
      comments.push(sql.slice(i + 2, end));
      tokens.push(SPACE_TOKEN);
    } else if (c === '/' && next === '*') {
      end = skipBlockComment(sql, i);
      comments.push(sql.slice(i + 2, sql.endsWith('*/', end) && end - i >= 4 ? end - 2 : end));
      tokens.push(SPACE_TOKEN);
    } else if (c === "'") {
      end = skipQuoted(sql, i, "'", backslashEscapes);
      unterminated ||= !isClosed(sql, i, end, "'");
      tokens.push(LITERAL_TOKEN);
    } else if (c === '"' || c === '`') {
      // MySQL's double-quoted strings take backslash escapes like single-quoted ones.
      end = skipQuoted(sql, i, c, c === '"' && backslashEscapes && options.doubleQuotes !== 'identifier');
      const text = sql.slice(i, end);
      const closed = isClosed(sql, i, end, c);
      unterminated ||= !closed;
      const isString =
        !closed ||
        (c === '"' &&
          (options.doubleQuotes === 'string' ||
            (options.doubleQuotes === 'guess' && !IDENTIFIER_LIKE.test(text))));
      tokens.push(isString ? LITERAL_TOKEN : { kind: 'ident', text });
    } else if (c === '$' && (end = matchAt(DIGITS, sql, i + 1)) > i + 1) {
      tokens.push({ kind: 'param', text: sql.slice(i, end) });
    } else if (c === '$' && (end = matchAt(DOLLAR_TAG, sql, i)) > i) {
      const close = sql.indexOf(sql.slice(i, end), end);
      unterminated ||= close < 0;
      end = close < 0 ? sql.length : close + (end - i);
      tokens.push(LITERAL_TOKEN);
    } else if (c === '?' || (c === ':' && isDigit(next) && sql[i - 1] !== ':')) {
      end = Math.max(i + 1, matchAt(DIGITS, sql, i + 1));
      tokens.push({ kind: 'param', text: sql.slice(i, end) });
    } else if (
      (isDigitCode(code) || (code === 46 && isDigitCode(sql.charCodeAt(i + 1)))) &&
      (end = matchAt(NUMBER, sql, i)) > i
    ) {
      dropUnarySign(tokens);
      tokens.push(LITERAL_TOKEN);
    } else {
      end = i + 1;
      tokens.push(punctToken(c));
    }
    i = end;
  }
  return { tokens, comments, unterminated };
}

function isClosed(sql: string, start: number, end: number, quote: string): boolean {
  return end - start >= 2 && sql[end - 1] === quote;
}

function matchAt(pattern: RegExp, text: string, index: number): number {
  pattern.lastIndex = index;
  return pattern.test(text) ? pattern.lastIndex : index;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** The index after the closing quote; the end of the text when there is none. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  if (!backslashEscapes) {
    // Without escapes only a doubled quote continues: jump from quote to quote.
    for (;;) {
      const at = sql.indexOf(quote, i);
      if (at < 0) return sql.length;
      if (sql[at + 1] !== quote) return at + 1;
      i = at + 2;
    }
  }
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\' && backslashEscapes) i += 2;
    else if (c !== quote) i++;
    else if (sql[i + 1] === quote) i += 2;
    else return i + 1;
  }
  return sql.length;
}

/** PostgreSQL nests block comments; an unterminated one runs to the end. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

/** `= -5` is one literal; `a - 5` keeps its operator. */
function dropUnarySign(tokens: Token[]): void {
  const signAt = lastSignificant(tokens, tokens.length - 1);
  const sign = tokens[signAt];
  if (!sign || sign.kind !== 'punct' || (sign.text !== '-' && sign.text !== '+')) return;
  const before = tokens[lastSignificant(tokens, signAt - 1)];
  const isOperand =
    before !== undefined &&
    (before.kind === 'ident' ||
      before.kind === 'literal' ||
      before.kind === 'param' ||
      (before.kind === 'word' && !OPERATOR_WORDS.has(before.text.toLowerCase())) ||
      (before.kind === 'punct' && (before.text === ')' || before.text === ']')));
  if (!isOperand) tokens.length = signAt;
}

export function lastSignificant(tokens: Token[], from: number): number {
  let i = from;
  while (i >= 0 && tokens[i]?.kind === 'space') i--;
  return i;
}
