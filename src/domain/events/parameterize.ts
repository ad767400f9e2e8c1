/**
 * Replaces the variable parts of a message (ids, numbers, dates, addresses…) with placeholders so
 * that "User 12345 not found" and "User 67890 not found" group together. Follows Sentry's
 * `src/sentry/grouping/parameterization.py`: the patterns below, in Sentry's order, are joined into
 * ONE alternation scanned once, so at any position the earliest pattern wins and a replaced span is
 * never looked at again (`<int>` inside `<date>` cannot happen).
 *
 * This runs for every event, so every pattern is bounded: quantifiers that could scan far from a
 * start position have upper limits, and most patterns are anchored on `\b`, which lets the engine
 * reject a position after a character or two. Linear time on a 100 KB string is tested.
 *
 * Left out on purpose: Sentry's `git_sha` (any 7-hex word such as "1234567" or "facade1" would stop
 * being an `<int>` or a word) and the experimental unique-id detector.
 */

const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const FULL_WEEKDAY = '(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day';
const CLOCK = '(?:[01]\\d|2[0-3]):[0-5]\\d';
const HEX = '[0-9a-fA-F]';
const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';

// Sentry uses the top-100 TLDs; these are the ones seen in error messages, minus ones that collide
// with file extensions and identifiers (`.py`, `.js`, `.in`, `.it`, `.int`).
const TLDS = (
  'com net org edu gov io dev app ai co us uk de fr nl es ch se pl eu ru cn jp br au ca ' +
  'info biz cloud tech online site xyz tv local internal'
).split(' ');

const DATE_PATTERNS = [
  // ISO 8601 / RFC 3339, with Go's "Z07:00" layout quirk and the "2006-01-02 15:04:05.000" datestamp.
  `\\b\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?:[T ]${CLOCK}(?::[0-5]\\d(?:[.,]\\d{1,9})?)?(?:Z(?:\\d{2}:\\d{2})?|[+-]\\d{2}:?\\d{2})?)?\\b`,
  // RFC 822, 850 and 1123 (HTTP dates): "Mon, 02 Jan 2006 15:04:05 -0700", "Monday, 02-Jan-06 15:04:05 MST".
  `\\b(?:${WEEKDAY}|${FULL_WEEKDAY}), \\d{1,2}[ -]${MONTH}[ -]\\d{2}(?:\\d{2})? ${CLOCK}(?::[0-5]\\d)? (?:[A-Z]{1,5}|[+-]\\d{4})\\b`,
  // JavaScript Date#toString ("Mon Jan 02 2006 14:04:05 GMT-0800 (Pacific Standard Time)") and "Mon Jan 02, 1999".
  `\\b${WEEKDAY} ${MONTH} \\d{1,2},? \\d{4}(?: ${CLOCK}:[0-5]\\d GMT[+-]\\d{4}(?: \\([^()\\n]{1,64}\\))?)?`,
  `\\b${MONTH} \\d{1,2}, \\d{4}\\b`,
  `\\b\\d{8}[ T]${CLOCK}:[0-5]\\d(?:\\.\\d{1,9})?\\b`,
  `\\bdatetime\\.datetime\\(\\d{4}(?:, ?\\d{1,6}){0,6}\\)`,
  `\\b${CLOCK}:[0-5]\\d(?:\\.\\d{1,9})?\\b`,
  `\\b(?:1[0-2]|0?[1-9]):[0-5]\\d ?[AaPp][Mm]\\b`,
];

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// IPv6 needs a digit somewhere so "Bee::buzz()" and "Foo::Bar" (Rust, Ruby, C++ paths) survive.
const IPV6 = `(?<![\\w:])(?=[0-9a-fA-F:]{0,39}\\d)(?:(?:${HEX}{1,4}:){7}${HEX}{1,4}|(?:${HEX}{1,4}:){1,7}:(?:${HEX}{1,4}(?::${HEX}{1,4}){0,6})?|::(?:${HEX}{1,4}(?::${HEX}{1,4}){0,6})?)(?![\\w:])`;

// A sign belongs to the number only when it does not follow a word: "-5" is `<int>`, "utf-8" is "utf-<int>".
const SIGN = '(?:(?<![\\w.])[-+])?';

const PATTERNS: [name: string, source: string][] = [
  ['email', `[a-zA-Z0-9.!#$%&'*+/=?^_\`{|}~-]{1,64}@${LABEL}(?:\\.${LABEL}){0,10}`],
  ['url', `\\b(?:wss?|https?|ftp)://[^\\s/$.?#][^\\s]*`],
  ['hostname', `\\b(?:${LABEL}\\.){1,10}(?:${TLDS.join('|')})\\b`],
  ['ip', `\\b(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET}\\b|${IPV6}`],
  ['traceparent', `\\b00-${HEX}{32}-${HEX}{16}-0[01]\\b|\\b1-${HEX}{8}-${HEX}{24}\\b`],
  ['uuid', `\\b${HEX}{8}-${HEX}{4}-${HEX}{4}-${HEX}{4}-${HEX}{12}\\b`],
  ['sha1', `\\b${HEX}{40}\\b`],
  ['md5', `\\b${HEX}{32}\\b`],
  ['date', DATE_PATTERNS.join('|')],
  ['duration', `\\b\\d+(?:\\.\\d+)?m?s\\b`],
  ['swift_txn_id', `\\btx${HEX}{21}-${HEX}{10}(?:-[\\w.-]{1,64})?\\b`],
  // Sentry's hex: 0x-prefixed, or a bare 8 or 16–128 hex chars (a 32/64-bit value or a digest) with a
  // digit, so words like "deadbeef" or "accede" stay and 10-digit numbers fall through to `<int>`.
  ['hex', `\\b0[xX]${HEX}{1,128}\\b|\\b(?=[a-fA-F]{0,127}\\d)(?:${HEX}{8}|${HEX}{16,128})\\b`],
  ['float', `${SIGN}\\b\\d+\\.\\d+(?:[eE][-+]?\\d{1,4})?\\b`],
  ['int', `${SIGN}\\b\\d+\\b`],
  ['quoted_str', `(?<==)(?:'[^'\\n]*'|"[^"\\n]*")`],
  ['bool', `(?<==)(?:[Tt]rue|[Ff]alse)\\b`],
];

const PLACEHOLDERS = PATTERNS.map(([name]) => `<${name}>`);
const COMBINED = new RegExp(PATTERNS.map(([name, source]) => `(?<${name}>${source})`).join('|'), 'g');

export function parameterize(text: string): string {
  return text.replace(COMBINED, (...args: unknown[]) => {
    // The patterns hold no other capture groups, so argument i + 1 is pattern i's group; reading
    // them by position is several times cheaper than searching the `groups` object.
    for (let index = 0; index < PLACEHOLDERS.length; index++) {
      if (args[index + 1] !== undefined) return PLACEHOLDERS[index]!;
    }
    return String(args[0]);
  });
}
