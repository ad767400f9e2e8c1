import { describe, expect, it } from 'vitest';
import { parseSearchQuery, SearchQueryError } from '../../../src/domain/logs/search-query.js';
import { compileLogSearch } from '../../../src/storage/logs-fts.js';

const text = (t: string, extra: object = {}) => ({
  kind: 'text',
  text: t,
  prefix: false,
  negated: false,
  ...extra,
});
const attr = (key: string, value: string, extra: object = {}) => ({
  kind: 'attribute',
  key,
  value,
  prefix: false,
  negated: false,
  ...extra,
});
const hot = (key: string, value: string, extra: object = {}) => ({
  kind: 'hot',
  key,
  value,
  prefix: false,
  negated: false,
  ...extra,
});

describe('parseSearchQuery', () => {
  it('reads words, phrases, prefixes and negations', () => {
    expect(parseSearchQuery('  timeout "connection refused" time* -debug -"slow query"  ').terms).toEqual([
      text('timeout'),
      text('connection refused'),
      text('time', { prefix: true }),
      text('debug', { negated: true }),
      text('slow query', { negated: true }),
    ]);
    expect(parseSearchQuery('"slow que"*').terms).toEqual([text('slow que', { prefix: true })]);
  });

  it('reads key:value, quoted values, prefixes and "has key"', () => {
    expect(
      parseSearchQuery('status:422 method:POST route:"/api/orders list" path:/api/* user.id:* -tenant:acme')
        .terms,
    ).toEqual([
      attr('status', '422'),
      attr('method', 'POST'),
      attr('route', '/api/orders list'),
      attr('path', '/api/', { prefix: true }),
      attr('user.id', '', { prefix: true }),
      attr('tenant', 'acme', { negated: true }),
    ]);
  });

  it('maps hot keys to their fields', () => {
    expect(
      parseSearchQuery(
        'level:WARNING service:api env:prod environment:staging release:1.2 logger:app.db host:web-1 -level:debug',
      ).terms,
    ).toEqual([
      hot('level', 'warn'),
      hot('service', 'api'),
      hot('environment', 'prod'),
      hot('environment', 'staging'),
      hot('release', '1.2'),
      hot('logger', 'app.db'),
      hot('host', 'web-1'),
      hot('level', 'debug', { negated: true }),
    ]);
  });

  it('reads attributes that normalization copies into a hot field as that field or the attribute', () => {
    expect(parseSearchQuery('service.name:api deployment.environment.name:prod').terms).toEqual([
      hot('service', 'api', { attributeKey: 'service.name' }),
      hot('environment', 'prod', { attributeKey: 'deployment.environment.name' }),
    ]);
  });

  it('reads trace and span ids in any case, UUID-shaped trace ids included', () => {
    expect(parseSearchQuery('trace:4BF92F3577B34DA6A3CE929D0E0E4736 span_id:00F067AA0BA902B7').terms).toEqual(
      [hot('trace', '4bf92f3577b34da6a3ce929d0e0e4736'), hot('span', '00f067aa0ba902b7')],
    );
    expect(parseSearchQuery('trace_id:4bf92f35-77b3-4da6-a3ce-929d0e0e4736 trace:4bf9*').terms).toEqual([
      hot('trace', '4bf92f3577b34da6a3ce929d0e0e4736'),
      hot('trace', '4bf9', { prefix: true }),
    ]);
  });

  it('normalizes pasted UUIDs in words and values', () => {
    expect(
      parseSearchQuery('3F2504E0-4F89-41D3-9A0C-0305E82C3301 request.id:3f2504e0-4f89-41d3-9a0c-0305e82c3301')
        .terms,
    ).toEqual([
      text('3f2504e04f8941d39a0c0305e82c3301'),
      attr('request.id', '3f2504e04f8941d39a0c0305e82c3301'),
    ]);
  });

  it('treats times, URLs and keys that do not look like keys as words', () => {
    expect(parseSearchQuery('12:30:45 http://example.com/a :x').terms).toEqual([
      text('12:30:45'),
      text('http://example.com/a'),
      text(':x'),
    ]);
  });

  it('explains how to fix a query it cannot read', () => {
    expect(() => parseSearchQuery('level:eror')).toThrow(/level:trace, debug, info, warn, error or fatal/);
    expect(() => parseSearchQuery('status:')).toThrow(/status:value/);
    expect(() => parseSearchQuery('trace:xyz')).toThrow(/32 hex digits/);
    expect(() => parseSearchQuery('trace:4b*')).toThrow(/first 4\+ digits/);
    expect(() => parseSearchQuery('span:abc')).toThrow(/16 hex digits/);
    expect(() => parseSearchQuery('ti*')).toThrow(/3 or more letters or digits before the \*/);
    expect(() => parseSearchQuery('"slow q"*')).toThrow(/3 or more/);
    expect(compileLogSearch(1, parseSearchQuery('* -*'), {}).match).toBe('"~p~1"');
    expect(() => parseSearchQuery('x'.repeat(1001))).toThrow(/1000 or fewer/);
    expect(() => parseSearchQuery(Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '))).toThrow(
      /32 or fewer/,
    );
    try {
      parseSearchQuery('level:nope');
    } catch (err) {
      expect(err).toBeInstanceOf(SearchQueryError);
      expect(err).toMatchObject({ status: 400, code: 'invalid_query', expose: true });
    }
  });

  it('reads an empty or blank search as no terms', () => {
    expect(parseSearchQuery('').terms).toEqual([]);
    expect(parseSearchQuery('   ').terms).toEqual([]);
  });
});

describe('compileLogSearch (what reaches FTS5 MATCH)', () => {
  const compile = (q: string, filters = {}) => compileLogSearch(3, parseSearchQuery(q), filters);

  it('always holds the project token and ANDs the terms', () => {
    expect(compile('').match).toBe('"~p~3"');
    expect(compile('timeout status:422').match).toBe('"~p~3" AND "timeout" AND "status~422"');
  });

  it('quotes every word: FTS5 operators and punctuation typed by the user are plain words', () => {
    expect(compile('a OR b NOT c NEAR(d e) AND').match).toBe(
      '"~p~3" AND "a" AND "OR" AND "b" AND "NOT" AND "c" AND "NEAR" AND "d" AND "e" AND "AND"',
    );
    expect(compile('"" * - : ^ ( ) {col}: "unclosed').match).toBe('"~p~3" AND "col" AND "unclosed"');
    expect(compile('x"y').match).toBe('"~p~3" AND "x" AND "y"');
  });

  it('spells keys and values so only [a-z0-9~] reaches the query', () => {
    const { match } = compile('key"):value" weird\\key:"a \\"b" ~p~1:x');
    expect(match.replace(/"/g, '')).toMatch(/^[a-z0-9~ ()*ANDORT]*$/);
  });

  it('turns negations into NOT on a positive base', () => {
    expect(compile('-debug').match).toBe('("~p~3") NOT "debug"');
    expect(compile('error -level:debug -x').match).toBe('(("~p~3" AND "error") NOT "~l~debug") NOT "x"');
  });

  it('checks a phrase on the rows that have all its words', () => {
    const c = compile('"connection refused"');
    expect(c.match).toBe('"~p~3" AND "connection" AND "refused"');
    expect(c.phrases).toHaveLength(1);
    expect(c.phrases[0]!.pattern.test('error: Connection  refused by peer')).toBe(true);
    expect(c.phrases[0]!.pattern.test('refused connection')).toBe(false);
    expect(c.phrases[0]!.pattern.test('connection refusedx')).toBe(false);
  });

  it('applies filters as tokens', () => {
    expect(
      compile('', { levels: ['error', 'fatal'], service: 'Checkout-API', environment: 'prod' }).match,
    ).toBe('"~p~3" AND ("~l~error" OR "~l~fatal") AND "~e~prod" AND "~s~checkoutz2dapi"');
  });

  it('finds a trace by its word and confirms it on the column', () => {
    const c = compile('trace:4bf92f3577b34da6a3ce929d0e0e4736');
    expect(c.match).toBe('"~p~3" AND "4bf92f3577b34da6a3ce929d0e0e4736"');
    expect(c.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});
