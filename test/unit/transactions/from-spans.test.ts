import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSACTION_OPTIONS } from '../../../src/domain/transactions/from-event.js';
import {
  mergeLateSpans,
  parseSpanContainer,
  segmentIdOf,
  transactionFromSegment,
  type StreamedSpan,
} from '../../../src/domain/transactions/from-spans.js';
import { InvalidTransactionError } from '../../../src/domain/transactions/transaction-options.js';
import type { TransactionRecord } from '../../../src/domain/transactions/types.js';
import { ORDERS_PATTERNS, readFixturePayload, summarizePatterns, unionMs } from './apm-fixtures.js';

const RECEIVED_AT = Date.parse('2026-11-22T07:04:00Z');
const ctx = { projectId: 1, receivedAt: RECEIVED_AT, options: DEFAULT_TRANSACTION_OPTIONS };

function streamed(fixture: number): StreamedSpan[] {
  return parseSpanContainer(readFixturePayload(`node-stream-spans-${fixture}.bin`, 'span'));
}

/** Groups spans by segment as the consumer does, then builds each segment's transaction. */
function segments(spans: StreamedSpan[]): Map<string, TransactionRecord> {
  const groups = new Map<string, { root?: StreamedSpan; spans: StreamedSpan[] }>();
  for (const span of spans) {
    const id = segmentIdOf(span);
    const group = groups.get(id) ?? { spans: [] };
    if (span.is_segment && span.span_id === id) group.root = span;
    else group.spans.push(span);
    groups.set(id, group);
  }
  return new Map([...groups].map(([id, g]) => [id, transactionFromSegment(g.root, g.spans, ctx)]));
}

describe('parseSpanContainer', () => {
  it('flattens typed attributes of the spans @sentry/node streams', () => {
    const spans = streamed(2);
    expect(spans).toHaveLength(16);
    const root = spans.find((s) => s.is_segment);
    expect(root).toMatchObject({
      span_id: 'bc61b3d7990081a6',
      trace_id: '99bc2c535beb42979c657d52e9b8acd1',
      parent_span_id: null,
      name: 'GET /orders',
      status: 'ok',
    });
    expect(root?.attributes).toMatchObject({
      'sentry.op': 'http.server',
      'http.response.status_code': 200,
      'http.request.header.host': ['127.0.0.1:34913'],
      'sentry.is_localhost': true,
    });
  });

  it('drops malformed spans, keeps the rest, reads a legacy span and refuses a non-container', () => {
    const good = {
      trace_id: 'ab'.repeat(16),
      span_id: 'cd'.repeat(8),
      start_timestamp: 10,
      end_timestamp: 9,
    };
    const spans = parseSpanContainer({
      version: 2,
      items: [
        good,
        { ...good, span_id: 'xyz' },
        { ...good, trace_id: undefined },
        { ...good, start_timestamp: 'later' },
        {
          ...good,
          span_id: 'ef'.repeat(8),
          status: 'weird',
          attributes: { a: { value: { nested: 1 }, type: 'x' }, b: 1 },
        },
        42,
      ],
    });
    expect(spans.map((s) => [s.span_id, s.status, s.end_timestamp])).toEqual([
      ['cd'.repeat(8), 'ok', 10],
      ['ef'.repeat(8), 'error', 10],
    ]);
    expect(spans[1]?.attributes).toEqual({ b: 1 });

    const [legacy] = parseSpanContainer({
      ...good,
      op: 'ui.webvital.lcp',
      description: 'body > img',
      timestamp: 11,
      segment_id: '12'.repeat(8),
      data: { 'sentry.origin': 'auto' },
    });
    expect(legacy).toMatchObject({
      name: 'body > img',
      end_timestamp: 11,
      attributes: { 'sentry.op': 'ui.webvital.lcp' },
    });
    expect(legacy && segmentIdOf(legacy)).toBe('12'.repeat(8));
    expect(() => parseSpanContainer('nope')).toThrow(InvalidTransactionError);
  });
});

describe('transactionFromSegment: @sentry/node, stream lifecycle', () => {
  it('GET /orders: fields, patterns, tree and breakdown', () => {
    const record = segments(streamed(2)).get('bc61b3d7990081a6');
    expect(record).toMatchObject({
      eventId: null,
      traceId: '99bc2c535beb42979c657d52e9b8acd1',
      name: 'GET /orders',
      op: 'http.server',
      source: 'route',
      status: 'ok',
      environment: 'fixture',
      release: 'fixture@1.0.0',
      httpMethod: 'GET',
      httpUrl: 'http://127.0.0.1:34913/orders',
      httpStatus: 200,
      isError: false,
      user: { ip_address: '127.0.0.1' },
      sdk: 'sentry.javascript.node/11.12.0',
      platform: 'node',
      incomplete: false,
      queryCount: 15,
      durationMs: 6.595,
    });
    expect(record && summarizePatterns(record.queryPatterns)).toEqual(ORDERS_PATTERNS);
    const db = unionMs(
      streamed(2)
        .filter((s) => s.attributes['sentry.op'] === 'db')
        .map((s) => [s.start_timestamp * 1000, s.end_timestamp * 1000]),
    );
    expect(record?.breakdown.db).toBeCloseTo(db, 2);
  });

  it('GET /checkout and GET /inventory: two segments of one envelope', () => {
    const records = segments(streamed(3));
    const checkout = records.get('9c260d37c8cc83b4');
    const inventory = records.get('bcd42c77b3aa310d');
    expect(checkout).toMatchObject({
      status: 'internal_error',
      httpStatus: 500,
      isError: true,
      queryCount: 0,
    });
    expect(inventory).toMatchObject({
      name: 'GET /inventory',
      parentSpanId: '9fa80bc3bc548924',
      queryCount: 1,
    });
    const client = checkout?.spans.find((s) => s.op === 'http.client');
    // Streamed as "GET 127.0.0.1"; stored as static mode names it.
    expect(client?.description).toBe('GET http://127.0.0.1:34913/inventory');
    const cache = checkout?.spans.find((s) => s.op === 'cache.get');
    expect(cache).toMatchObject({
      description: '*',
      data: { 'cache.hit': 'false', 'sentry.origin': 'manual' },
    });
    expect(checkout?.breakdown.http).toBeGreaterThan(9);
    expect(checkout?.breakdown.cache).toBeGreaterThan(0);
    expect(checkout?.breakdown.view).toBeGreaterThan(0);
    expect(checkout?.request).toMatchObject({ method: 'GET', headers: { host: '127.0.0.1:34913' } });
    expect(inventory?.request).toMatchObject({ headers: { 'sentry-trace': expect.any(String) as unknown } });
  });
});

describe('late and orphan spans', () => {
  const slow = streamed(4);
  const late = streamed(5);
  const slowRoot = slow.find((s) => s.is_segment);
  const all = transactionFromSegment(slowRoot, [...slow.filter((s) => s !== slowRoot), ...late], ctx);

  it('a span after the store is merged as if it had come with the segment', () => {
    const stored = transactionFromSegment(
      slowRoot,
      slow.filter((s) => s !== slowRoot),
      ctx,
    );
    expect(stored.breakdown.queue).toBe(0);
    const merged = mergeLateSpans(stored, late, DEFAULT_TRANSACTION_OPTIONS);
    expect(merged.spans.map((s) => s.span_id)).toEqual(all.spans.map((s) => s.span_id));
    expect(merged.breakdown).toEqual(all.breakdown);
    expect(merged.breakdown.queue).toBeGreaterThan(0.5);
    expect(merged.durationMs).toBe(stored.durationMs);
    expect(mergeLateSpans(merged, late, DEFAULT_TRANSACTION_OPTIONS).spans).toHaveLength(merged.spans.length);
  });

  it('a segment without its root is synthesized, then completed when the root comes late', () => {
    const orphan = transactionFromSegment(undefined, late, ctx);
    expect(orphan).toMatchObject({
      spanId: 'ab22309761f32b36',
      name: 'GET /slow',
      op: 'default',
      status: 'unknown',
      isError: false,
      incomplete: true,
      environment: 'fixture',
      sdk: 'sentry.javascript.node/11.12.0',
    });
    expect(orphan.durationMs).toBeCloseTo(1001.25, 1);
    expect(orphan.breakdown.queue).toBe(orphan.durationMs);

    const completed = mergeLateSpans(orphan, slow, DEFAULT_TRANSACTION_OPTIONS);
    const { spans: _spans, ...expected } = all;
    expect(completed).toMatchObject({ ...expected, spans: expect.any(Array) as unknown });
    expect(completed.spans.map((s) => [s.span_id, s.depth, s.description])).toEqual(
      all.spans.map((s) => [s.span_id, s.depth, s.description]),
    );
  });

  it('grows an incomplete record to cover late children', () => {
    const [first, ...rest] = slow.filter((s) => !s.is_segment);
    const orphan = transactionFromSegment(undefined, first ? [first] : [], ctx);
    const grown = mergeLateSpans(orphan, rest, DEFAULT_TRANSACTION_OPTIONS);
    expect(grown.incomplete).toBe(true);
    expect(grown.spans).toHaveLength(1 + 1 + rest.length);
    expect(grown.durationMs).toBeGreaterThanOrEqual(orphan.durationMs);
    expect(grown.spans[0]?.end).toBe(grown.end);
  });

  it('adds late queries to stored patterns, distinct as an upper bound', () => {
    const stored = segments(streamed(2)).get('bc61b3d7990081a6') as TransactionRecord;
    const repeat = streamed(2).filter((s) => s.name.startsWith('SELECT * FROM users'));
    const again = repeat.map((s, i) => ({ ...s, span_id: `${'f'.repeat(14)}${String(i).padStart(2, '0')}` }));
    const merged = mergeLateSpans(stored, again, DEFAULT_TRANSACTION_OPTIONS);
    expect(merged.queryCount).toBe(23);
    expect(merged.queryPatterns[0]).toMatchObject({
      pattern: 'SELECT * FROM users WHERE id = ?',
      count: 16,
      distinct: 16,
    });
    expect(merged.nPlusOneMs).toBeGreaterThan(stored.nPlusOneMs);
  });
});

describe('transactionFromSegment: rules', () => {
  const now = RECEIVED_AT / 1000;
  function span(overrides: Partial<Record<string, unknown>>, attributes: Record<string, unknown> = {}) {
    return {
      trace_id: 'ab'.repeat(16),
      span_id: 'cd'.repeat(8),
      name: 'GET /items/:id',
      start_timestamp: now - 1,
      end_timestamp: now - 0.5,
      is_segment: true,
      status: 'ok',
      ...overrides,
      attributes: Object.fromEntries(
        Object.entries(attributes).map(([key, value]) => [key, { value, type: 'string' }]),
      ),
    };
  }
  const build = (items: ReturnType<typeof span>[]) => {
    const parsed = parseSpanContainer({ items });
    const root = parsed.find((s) => s.is_segment);
    return transactionFromSegment(
      root,
      parsed.filter((s) => s !== root),
      ctx,
    );
  };

  it.each([
    [{}, { 'http.response.status_code': 404 }, 'not_found', false],
    [{ status: 'error' }, { 'sentry.status.message': 'unavailable' }, 'unavailable', true],
    [{ status: 'error' }, {}, 'internal_error', true],
    [{ status: 'error' }, { 'http.response.status_code': 502 }, 'internal_error', true],
    [{}, {}, 'ok', false],
  ])('status of %j %j', (overrides, attributes, status, isError) => {
    expect(build([span(overrides, { 'sentry.op': 'http.server', ...attributes })])).toMatchObject({
      status,
      isError,
    });
  });

  it('takes tags from un-namespaced attributes, the server from host.name, the user from any span', () => {
    const record = build([
      span({}, { 'sentry.op': 'http.server', plan: 'pro', 'host.name': 'web-1', 'http.route': '/items/:id' }),
      span(
        { span_id: 'ef'.repeat(8), parent_span_id: 'cd'.repeat(8), is_segment: false },
        { 'user.id': 'u1', 'user.email': 'a@b.c' },
      ),
    ]);
    expect(record).toMatchObject({
      tags: { plan: 'pro' },
      serverName: 'web-1',
      user: { id: 'u1', email: 'a@b.c', username: null, ip_address: null },
      environment: 'production',
      source: 'unknown',
    });
  });

  it('counts a span delivered twice once', () => {
    const spans = streamed(2);
    const root = spans.find((s) => s.is_segment);
    const children = spans.filter((s) => s !== root);
    const twice = transactionFromSegment(root, [...children, ...children], ctx);
    expect(twice.queryCount).toBe(15);
    expect(twice.spans).toHaveLength(16);
  });

  it('moves a segment from a clock far off so it ends when received', () => {
    const record = build([
      span({ start_timestamp: 1_000, end_timestamp: 1_002 }, { 'sentry.op': 'http.server' }),
    ]);
    expect(record.end).toBe(RECEIVED_AT);
    expect(record.durationMs).toBe(2000);
  });
});
