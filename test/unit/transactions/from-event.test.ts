import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRANSACTION_OPTIONS,
  deferredChildSpans,
  InvalidTransactionError,
  transactionFromEvent,
} from '../../../src/domain/transactions/from-event.js';
import { mergeLateSpans } from '../../../src/domain/transactions/from-spans.js';
import { ORDERS_PATTERNS, readFixturePayload, summarizePatterns, unionMs } from './apm-fixtures.js';

const EVENT_ID = '826cab2c212d490dadbfb05594e9fbf3';
// The fixtures were captured at 2026-11-22T07:03Z.
const RECEIVED_AT = Date.parse('2026-11-22T07:04:00Z');
const ctx = {
  projectId: 1,
  eventId: EVENT_ID,
  receivedAt: RECEIVED_AT,
  options: DEFAULT_TRANSACTION_OPTIONS,
};

describe('transactionFromEvent: @sentry/node, static lifecycle (GET /orders)', () => {
  const raw = readFixturePayload('node-static-transaction.bin', 'transaction');
  const record = transactionFromEvent(structuredClone(raw), ctx);

  it('reads the transaction-level fields', () => {
    expect(record).toMatchObject({
      projectId: 1,
      eventId: EVENT_ID,
      traceId: 'a1be8c05f4b54ea8a7298fe449ae0472',
      spanId: 'bf7ca8174837bc39',
      parentSpanId: null,
      name: 'GET /orders',
      op: 'http.server',
      source: 'route',
      status: 'ok',
      environment: 'fixture',
      release: 'fixture@1.0.0',
      serverName: 'vm',
      httpMethod: 'GET',
      httpUrl: 'http://127.0.0.1:38525/orders',
      httpStatus: 200,
      isError: false,
      user: { id: null, email: null, username: null, ip_address: '127.0.0.1' },
      sdk: 'sentry.javascript.node/11.12.0',
      platform: 'node',
      incomplete: false,
      spansTruncated: false,
    });
    expect(record.start).toBeCloseTo(1795331008922.497, 3);
    expect(record.durationMs).toBe(3.991);
    expect(record.contexts).not.toHaveProperty('trace');
    expect(record.contexts).toHaveProperty('runtime', { name: 'node', version: 'v20.20.2' });
  });

  it('finds the N+1 of the route', () => {
    expect(record.queryCount).toBe(15);
    expect(summarizePatterns(record.queryPatterns)).toEqual(ORDERS_PATTERNS);
    expect(record.nPlusOne).toBe(true);
    const flagged = record.queryPatterns.filter((p) => p.n_plus_one).reduce((sum, p) => sum + p.total_ms, 0);
    expect(record.nPlusOneMs).toBeCloseTo(flagged, 3);
  });

  it('builds the tree and a breakdown equal to the union of the db spans', () => {
    expect(record.spans).toHaveLength(16);
    expect(record.spans.map((s) => s.depth)).toEqual([0, ...Array<number>(15).fill(1)]);
    expect(record.spans[0]).toMatchObject({ description: 'GET /orders', category: 'other', status: 'ok' });
    const spans = raw.spans as { op: string; start_timestamp: number; timestamp: number }[];
    const db = unionMs(
      spans.filter((s) => s.op === 'db').map((s) => [s.start_timestamp * 1000, s.timestamp * 1000]),
    );
    expect(record.breakdown.db).toBeCloseTo(db, 2);
    expect(record.breakdown.db + record.breakdown.other).toBeCloseTo(record.durationMs, 2);
    expect(record.spans.every((s) => !/\d/.test(s.description.replace(/\b[A-Za-z_]\w*\b/g, '')))).toBe(true);
  });
});

describe('transactionFromEvent: sentry-python 1.9.10 (/orders)', () => {
  const raw = readFixturePayload('python-transaction.bin', 'transaction');
  const record = transactionFromEvent(raw, { ...ctx, eventId: 'd100aa610a70461a8915f7247602a1d0' });

  it('reads ISO timestamps, the status tag and the same patterns as Node', () => {
    expect(record).toMatchObject({
      name: '/orders',
      op: 'http.server',
      source: 'route',
      status: 'ok',
      httpMethod: 'GET',
      httpStatus: 200,
      platform: 'python',
      sdk: 'sentry.python/1.9.10',
      tags: { 'http.status_code': '200' },
      queryCount: 15,
    });
    expect(record.start).toBeCloseTo(Date.parse('2026-11-22T07:03:33.064Z') + 0.502, 3);
    expect(record.durationMs).toBe(0.798);
    expect(summarizePatterns(record.queryPatterns)).toEqual(ORDERS_PATTERNS);
    expect(record.spans.slice(1).every((s) => s.depth === 1 && s.category === 'db')).toBe(true);
  });
});

function minimal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'transaction',
    transaction: '/x',
    start_timestamp: RECEIVED_AT / 1000 - 1,
    timestamp: RECEIVED_AT / 1000 - 0.5,
    contexts: { trace: { trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8), op: 'http.server' } },
    ...overrides,
  };
}

describe('transactionFromEvent: rules', () => {
  it('refuses what cannot be a transaction', () => {
    for (const bad of [
      null,
      [],
      'x',
      minimal({ timestamp: undefined }),
      minimal({ start_timestamp: 'soon' }),
    ]) {
      expect(() => transactionFromEvent(bad, ctx)).toThrow(InvalidTransactionError);
    }
    expect(() =>
      transactionFromEvent(minimal({ contexts: { trace: { span_id: 'cd'.repeat(8) } } }), ctx),
    ).toThrow(/trace_id/);
  });

  it.each([
    [
      { contexts: { ...(minimal().contexts as object), response: { status_code: 404 } } },
      'not_found',
      404,
      false,
    ],
    [{ tags: { 'http.status_code': '503' } }, 'unavailable', 503, true],
    [
      { contexts: { trace: { trace_id: 'ab'.repeat(16), status: 'internal_error' } } },
      'internal_error',
      null,
      true,
    ],
    [{ contexts: { trace: { trace_id: 'ab'.repeat(16), status: 'not_found' } } }, 'not_found', null, false],
    [
      { contexts: { trace: { trace_id: 'ab'.repeat(16), status: 'deadline_exceeded' } } },
      'deadline_exceeded',
      null,
      true,
    ],
    [
      {
        contexts: {
          trace: { trace_id: 'ab'.repeat(16), status: 'ok', data: { 'http.response.status_code': 500 } },
        },
      },
      'internal_error',
      500,
      true,
    ],
    [{}, 'ok', null, false],
  ])('status of %j', (overrides, status, httpStatus, isError) => {
    expect(transactionFromEvent(minimal(overrides), ctx)).toMatchObject({ status, httpStatus, isError });
  });

  it('moves a transaction from a clock far off so it ends when received, spans included', () => {
    const future = RECEIVED_AT / 1000 + 2 * 86_400;
    const record = transactionFromEvent(
      minimal({
        start_timestamp: future - 2,
        timestamp: future,
        spans: [{ span_id: 'ef'.repeat(8), op: 'db', start_timestamp: future - 1.5, timestamp: future - 1 }],
      }),
      ctx,
    );
    expect(record.end).toBeCloseTo(RECEIVED_AT, 3);
    expect(record.start).toBeCloseTo(RECEIVED_AT - 2000, 3);
    expect(record.spans[1]?.start).toBeCloseTo(RECEIVED_AT - 1500, 3);
    expect(record.breakdown.db).toBe(500);

    const old = transactionFromEvent(minimal({ start_timestamp: 1_000, timestamp: 1_001 }), ctx);
    expect(old.end).toBe(RECEIVED_AT);
    const recent = RECEIVED_AT / 1000 - 10 * 86_400;
    expect(transactionFromEvent(minimal({ start_timestamp: recent - 1, timestamp: recent }), ctx).end).toBe(
      recent * 1000,
    );
  });

  it('scrubs the request, keeps query keys only in the URL, bounds tags', () => {
    const tags = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`tag${i}`, i]));
    const record = transactionFromEvent(
      minimal({
        request: {
          method: 'post',
          url: 'https://shop.example.com/checkout?token=abc123&step=2',
          headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'User-Agent': 'curl' },
          cookies: 'sessionid=s3cr3t; theme=dark',
          data: { password: 'hunter2', card: '4111 1111 1111 1111' },
        },
        user: { id: 42, email: 'alice@example.com', ip_address: '203.0.113.9' },
        tags: { ...tags, api_key: 'sk_live_1' },
        contexts: { ...(minimal().contexts as object), app: { secret_token: 'x', name: 'shop' } },
      }),
      {
        ...ctx,
        options: {
          ...DEFAULT_TRANSACTION_OPTIONS,
          scrub: { enabled: true, ipAddresses: true, extraKeys: [], safeKeys: [] },
        },
      },
    );
    expect(record.httpMethod).toBe('POST');
    expect(record.httpUrl).toBe('https://shop.example.com/checkout?token=?&step=?');
    expect(record.request).toMatchObject({
      url: 'https://shop.example.com/checkout?token=[Filtered]&step=2',
      headers: { Authorization: '[Filtered]', 'User-Agent': 'curl' },
      cookies: 'sessionid=[Filtered]; theme=dark',
      data: { password: '[Filtered]', card: '[Filtered]' },
    });
    expect(record.user).toEqual({ id: '42', email: 'alice@example.com', username: null, ip_address: null });
    expect(Object.keys(record.tags)).toHaveLength(50);
    expect(record.contexts).toEqual({ app: { secret_token: '[Filtered]', name: 'shop' } });
  });

  it('falls back to SQL breadcrumbs when there are no db spans, and keeps measurements', () => {
    const record = transactionFromEvent(
      minimal({
        breadcrumbs: {
          values: Array.from({ length: 4 }, (_, i) => ({
            category: 'sql.active_record',
            data: { sql: `SELECT * FROM posts WHERE id = ${i}` },
          })),
        },
        measurements: {
          lcp: { value: 2500.5, unit: 'millisecond' },
          cls: { value: 0.1 },
          bad: { value: 'x' },
        },
      }),
      ctx,
    );
    expect(record.queryCount).toBe(4);
    expect(record.queryPatterns[0]).toMatchObject({
      pattern: 'SELECT * FROM posts WHERE id = ?',
      example_span_id: '',
      n_plus_one: true,
    });
    expect(record.measurements).toEqual({ lcp: { value: 2500.5, unit: 'millisecond' }, cls: { value: 0.1 } });
  });

  it('reads span statuses from sentry-python tags and drops spans it cannot place', () => {
    const record = transactionFromEvent(
      minimal({
        spans: [
          {
            span_id: '11'.repeat(8),
            op: 'http',
            description: 'GET http://x/y?a=1',
            start_timestamp: RECEIVED_AT / 1000 - 0.9,
            tags: { status: 'not_found' },
          },
          { span_id: 'not-hex', op: 'db', start_timestamp: RECEIVED_AT / 1000 - 0.9 },
          { span_id: '22'.repeat(8), op: 'db' },
        ],
      }),
      ctx,
    );
    expect(record.spans.slice(1)).toMatchObject([
      { span_id: '11'.repeat(8), status: 'not_found', category: 'http', description: 'GET http://x/y?a=?' },
    ]);
  });
});

describe('deferredChildSpans', () => {
  it('turns a child that outlived its segment into late spans of that segment', () => {
    const parent = transactionFromEvent(minimal(), ctx);
    const late = {
      type: 'transaction',
      transaction: 'send analytics',
      start_timestamp: RECEIVED_AT / 1000 - 0.6,
      timestamp: RECEIVED_AT / 1000 + 0.4,
      contexts: {
        trace: {
          trace_id: 'ab'.repeat(16),
          span_id: '33'.repeat(8),
          parent_span_id: 'cd'.repeat(8),
          op: 'queue.publish',
          data: { 'sentry.parent_span_already_sent': true },
        },
      },
    };
    expect(deferredChildSpans(minimal())).toBeNull();
    const deferred = deferredChildSpans(late);
    expect(deferred?.parentSpanId).toBe('cd'.repeat(8));
    const merged = mergeLateSpans(parent, deferred?.spans ?? [], DEFAULT_TRANSACTION_OPTIONS);
    expect(merged.spans.map((s) => [s.span_id, s.op, s.depth])).toEqual([
      ['cd'.repeat(8), 'http.server', 0],
      ['33'.repeat(8), 'queue.publish', 1],
    ]);
    expect(merged.breakdown.queue).toBeCloseTo(100, 3);
  });
});
