import { describe, expect, it } from 'vitest';
import { MAX_NORMALIZED_SQL_CHARS, normalizeSql } from '../../../src/domain/transactions/sql-normalize.js';

const sql = (raw: string, dialect?: 'mysql' | 'standard') => normalizeSql(raw, { dialect }).sql;

describe('normalizeSql: literals', () => {
  it.each([
    ["SELECT * FROM users WHERE email = 'bob@example.com'", 'SELECT * FROM users WHERE email = ?'],
    ["SELECT * FROM t WHERE name = 'O''Brien' AND x = 1", 'SELECT * FROM t WHERE name = ? AND x = ?'],
    ["SELECT E'it\\'s', N'ünï', x'1F', X'AB', B'101', _utf8mb4'hi'", 'SELECT ?, ?, ?, ?, ?, ?'],
    ["SELECT $$body with 'quotes' and 42$$, $fn$ x $fn$", 'SELECT ?, ?'],
    ['SELECT 42, 3.14, .5, 1e10, 1.5E-3, 0xDEADBEEF, 1_000, 7.', 'SELECT ?, ?, ?, ?, ?, ?, ?, ?'],
    [
      'SELECT * FROM t WHERE a = -5 AND b > -1.5e3 AND c = (-3)',
      'SELECT * FROM t WHERE a = ? AND b > ? AND c = (?)',
    ],
    ['SELECT a - 5, b + 2, c-1 FROM t', 'SELECT a - ?, b + ?, c-? FROM t'],
    [
      'SELECT * FROM t WHERE a = TRUE AND b = false AND c IS NULL',
      'SELECT * FROM t WHERE a = ? AND b = ? AND c IS NULL',
    ],
    [
      "SELECT data->>'email' FROM t WHERE data @> '{\"id\": 7}'::jsonb",
      'SELECT data->>? FROM t WHERE data @> ?::jsonb',
    ],
    ["SELECT DATE '2024-03-15', interval '1 day'", 'SELECT DATE ?, interval ?'],
    ['SELECT 123abc FROM t', 'SELECT ? FROM t'],
  ])('%s', (raw, expected) => {
    expect(sql(raw)).toBe(expected);
  });

  it('treats the rest of an unterminated quote, dollar quote or comment as gone', () => {
    expect(sql("SELECT * FROM t WHERE a = 'secret and more")).toBe('SELECT * FROM t WHERE a = ?');
    expect(sql('SELECT * FROM t WHERE a = $$secret')).toBe('SELECT * FROM t WHERE a = ?');
    expect(sql('SELECT * FROM t WHERE a = "secret value')).toBe('SELECT * FROM t WHERE a = ?');
    expect(sql('SELECT 1 /* secret 42')).toBe('SELECT ?');
  });

  it('reads backslashes and double quotes by dialect', () => {
    // MySQL: \' escapes, "…" is a string.
    expect(sql("SELECT * FROM t WHERE a = 'it\\'s' AND b = \"bob\"", 'mysql')).toBe(
      'SELECT * FROM t WHERE a = ? AND b = ?',
    );
    // PostgreSQL: a trailing backslash ends the literal, "…" is an identifier.
    expect(sql("SELECT * FROM \"Order Details\" WHERE path = 'C:\\' AND name = 'bob'", 'standard')).toBe(
      'SELECT * FROM "Order Details" WHERE path = ? AND name = ?',
    );
    // Unknown: a double-quoted token that cannot be an identifier is a string.
    expect(sql('SELECT * FROM "users" WHERE email = "bob@example.com"')).toBe(
      'SELECT * FROM "users" WHERE email = ?',
    );
  });
});

describe('normalizeSql: what is kept', () => {
  it('keeps identifiers with digits, quoted identifiers and placeholders', () => {
    expect(
      sql('SELECT t.col_2, "Users"."id", `users`.name FROM table1 t JOIN "Users" ON t.u = "Users".id'),
    ).toBe('SELECT t.col_2, "Users"."id", `users`.name FROM table1 t JOIN "Users" ON t.u = "Users".id');
    expect(sql('SELECT * FROM t WHERE a = $1 AND b = ? AND c = :name AND d = %s AND e = %(e)s')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b = ? AND c = :name AND d = %s AND e = %(e)s',
    );
    expect(sql('SELECT * FROM t WHERE a = ?1 AND b = :1 AND c::text = @p1')).toBe(
      'SELECT * FROM t WHERE a = ?1 AND b = :1 AND c::text = @p1',
    );
  });

  it('collapses whitespace and strips comments', () => {
    expect(sql('SELECT a,\n\t b   -- note 42\nFROM  t /* 7 */ WHERE\r\n x = 1')).toBe(
      'SELECT a, b FROM t WHERE x = ?',
    );
    // MySQL `#` comments are left alone: `#>>` is a PostgreSQL jsonb operator.
    expect(sql("SELECT data #>> '{a,b}' FROM t")).toBe('SELECT data #>> ? FROM t');
  });
});

describe('normalizeSql: lists', () => {
  it.each([
    ['SELECT * FROM t WHERE id IN (1, 2, 3)', 'SELECT * FROM t WHERE id IN (?)'],
    ['SELECT * FROM t WHERE id in ($1,$2)', 'SELECT * FROM t WHERE id in (?)'],
    ["SELECT * FROM t WHERE (a, b) IN ((1, 'x'), (2, 'y'))", 'SELECT * FROM t WHERE (a, b) IN (?)'],
    ['SELECT * FROM t WHERE id NOT IN(?, ?, ?)', 'SELECT * FROM t WHERE id NOT IN (?)'],
    ['SELECT * FROM t WHERE id = ANY(ARRAY[1, 2, 3])', 'SELECT * FROM t WHERE id = ANY(ARRAY[?])'],
    [
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'),(3,'z') ON CONFLICT (a) DO NOTHING RETURNING id",
      'INSERT INTO t (a, b) VALUES (?) ON CONFLICT (a) DO NOTHING RETURNING id',
    ],
    ['INSERT INTO t (a) VALUES ($1)', 'INSERT INTO t (a) VALUES (?)'],
  ])('%s', (raw, expected) => {
    expect(sql(raw)).toBe(expected);
  });

  it('keeps a subquery inside IN', () => {
    expect(sql("SELECT * FROM t WHERE id IN (SELECT user_id FROM o WHERE s = 'paid')")).toBe(
      'SELECT * FROM t WHERE id IN (SELECT user_id FROM o WHERE s = ?)',
    );
  });

  it('makes one pattern of any list length', () => {
    const short = sql('SELECT * FROM t WHERE id IN (1)');
    const long = sql(
      `SELECT * FROM t WHERE id IN (${Array.from({ length: 10_000 }, (_, i) => i).join(', ')})`,
    );
    expect(long).toBe(short);
  });
});

describe('normalizeSql: call sites', () => {
  it('returns a Rails query-log tag comment as the call site', () => {
    expect(normalizeSql('SELECT 1 /*application:Shop,controller:orders,action:index*/')).toEqual({
      sql: 'SELECT ?',
      callSite: 'application:Shop,controller:orders,action:index',
    });
  });

  it('returns sqlcommenter tags without the per-request traceparent', () => {
    const result = normalizeSql(
      "SELECT * FROM users /*action='show',controller='users',traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/",
    );
    expect(result).toEqual({ sql: 'SELECT * FROM users', callSite: "action='show',controller='users'" });
  });

  it('does not take an ordinary comment for a call site', () => {
    expect(normalizeSql('SELECT 1 /* find the newest 5 orders */').callSite).toBeUndefined();
    expect(normalizeSql('SELECT 1 -- just a note').callSite).toBeUndefined();
  });
});

describe('normalizeSql: bounds', () => {
  it(`caps the result at ${MAX_NORMALIZED_SQL_CHARS} characters`, () => {
    const columns = Array.from({ length: 2_000 }, (_, i) => `column_${i}`).join(', ');
    const result = sql(`SELECT ${columns} FROM t`);
    expect(result.length).toBeLessThanOrEqual(MAX_NORMALIZED_SQL_CHARS);
    expect(result.startsWith('SELECT column_0, column_1')).toBe(true);
  });
});

// Values an application really puts in queries, and a fragment of each that must never survive.
const SECRETS: [value: string, fragment: string][] = [
  ['alice.smith@example.com', 'alice'],
  ['550e8400-e29b-41d4-a716-446655440000', '550e8400'],
  ['2024-03-15', '2024'],
  ['2024-03-15T10:20:30.123456Z', '10:20'],
  ['{"token": "tok_live_abc", "nested": {"n": 42}}', 'tok_live'],
  ['O\'Brien\'s "quoted" value', 'Brien'],
  ['C:\\temp\\secret\\', 'temp'],
  ['multi\nline\nsecret', 'line'],
  ['-- not a comment /* nor this */', 'comment'],
  ['$$ dollar $$', 'dollar'],
  ['4111 1111 1111 1111', '4111'],
];
const NUMBERS = ['-42', '3.14159', '6.02e23', '-1.5E-10', '0xDEADBEEF', '123456789', '.75'];

type Dialect = 'mysql' | 'standard';

// How each dialect's clients write a string literal.
const QUOTERS: Record<Dialect, ((value: string) => string)[]> = {
  standard: [
    (v) => `'${v.replaceAll("'", "''")}'`,
    (v) => `E'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
    (v) => `N'${v.replaceAll("'", "''")}'`,
    (v) => `$q$${v}$q$`,
  ],
  mysql: [
    (v) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
    (v) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`,
    (v) => `_utf8mb4'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
    (v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
  ],
};

const TEMPLATES = [
  (v: string) => `SELECT * FROM users WHERE email = ${v}`,
  (v: string) => `SELECT * FROM t1 WHERE col_2 IN (${v}, ${v}, 7)`,
  (v: string) => `INSERT INTO "Events" (a, b) VALUES (${v}, 1), (2, ${v})`,
  (v: string) => `UPDATE t\n  SET payload = ${v},\n      n = n + 1\n WHERE id = ${v} /* tag */`,
  (v: string) => `SELECT CASE WHEN x = ${v} THEN 'y' ELSE ${v} END FROM t -- note 42`,
  (v: string) => `SELECT * FROM t WHERE a = ${v} AND b LIKE ${v}`,
];

describe('normalizeSql: no literal survives', () => {
  const cases: { raw: string; fragment: string; dialect: Dialect }[] = [];
  for (const dialect of ['standard', 'mysql'] as const) {
    for (const template of TEMPLATES) {
      for (const [value, fragment] of SECRETS) {
        for (const quote of QUOTERS[dialect]) cases.push({ raw: template(quote(value)), fragment, dialect });
      }
      for (const number of NUMBERS)
        cases.push({ raw: template(number), fragment: number.replace(/^-/, ''), dialect });
    }
  }

  it(`over ${cases.length} statements, with the dialect known and without it`, () => {
    for (const { raw, fragment, dialect } of cases) {
      for (const known of [dialect, undefined]) {
        const result = normalizeSql(raw, { dialect: known });
        const text = `${result.sql} ${result.callSite ?? ''}`;
        expect(text, `${raw} (${known ?? 'unknown'})`).not.toContain(fragment);
        // The only digits left are inside identifiers (t1, col_2) and numbered placeholders.
        expect(text.replace(/\b[A-Za-z_]\w*\b/g, ''), raw).not.toMatch(/\d/);
      }
    }
  });
});
