/**
 * The same app, sent in the static lifecycle (`transaction` events) and in the stream lifecycle
 * (span v2 items), must give the same transaction: fixtures from real @sentry/node runs in both
 * (test/fixtures/apm/NOTES.md), and the static fixture rewritten span for span into the stream's
 * shape.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRANSACTION_OPTIONS,
  transactionFromEvent,
} from '../../../src/domain/transactions/from-event.js';
import {
  parseSpanContainer,
  segmentIdOf,
  transactionFromSegment,
  type StreamedSpan,
} from '../../../src/domain/transactions/from-spans.js';
import type { TransactionRecord } from '../../../src/domain/transactions/types.js';
import { readFixturePayload, summarizePatterns } from './apm-fixtures.js';

const RECEIVED_AT = Date.parse('2026-11-22T07:04:00Z');
const ctx = { projectId: 1, receivedAt: RECEIVED_AT, options: DEFAULT_TRANSACTION_OPTIONS };

function streamedOrders(): TransactionRecord {
  const spans = parseSpanContainer(readFixturePayload('node-stream-spans-2.bin', 'span'));
  const root = spans.find((s) => s.is_segment && segmentIdOf(s) === 'bc61b3d7990081a6');
  return transactionFromSegment(
    root,
    spans.filter((s) => s !== root),
    ctx,
  );
}

/**
 * The static event rewritten as the stream lifecycle sends the same spans (NOTES.md §7):
 * `description` → `name`, `op` → `sentry.op`, `timestamp` → `end_timestamp`, typed attributes,
 * the common attributes on every span, status `ok`/`error` + `sentry.status.message`.
 */
function asStream(event: Record<string, unknown>): { root: StreamedSpan; spans: StreamedSpan[] } {
  const trace = (event.contexts as { trace: Record<string, unknown> }).trace;
  const sdk = event.sdk as { name: string; version: string };
  const typed = (values: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, type: typeof value }]));
  const common = {
    'sentry.segment.id': trace.span_id,
    'sentry.segment.name': event.transaction,
    'sentry.environment': event.environment,
    'sentry.release': event.release,
    'sentry.sdk.name': sdk.name,
    'sentry.sdk.version': sdk.version,
  };
  const status = (value: unknown) =>
    value === 'ok' ? { status: 'ok' } : { status: 'error', message: value };
  const rootStatus = status(trace.status);
  const items = [
    {
      trace_id: trace.trace_id,
      span_id: trace.span_id,
      name: event.transaction,
      start_timestamp: event.start_timestamp,
      end_timestamp: event.timestamp,
      is_segment: true,
      status: rootStatus.status,
      attributes: typed({
        ...(trace.data as object),
        ...common,
        'sentry.op': trace.op,
        'sentry.segment.name.source': (event.transaction_info as { source: string }).source,
        'user.ip_address': (event.user as { ip_address: string }).ip_address,
        ...(rootStatus.message ? { 'sentry.status.message': rootStatus.message } : {}),
      }),
    },
    ...(event.spans as Record<string, unknown>[]).map((span) => ({
      trace_id: span.trace_id,
      span_id: span.span_id,
      parent_span_id: span.parent_span_id,
      name: span.description,
      start_timestamp: span.start_timestamp,
      end_timestamp: span.timestamp,
      is_segment: false,
      status: status(span.status).status,
      attributes: typed({ ...(span.data as object), ...common, 'sentry.op': span.op }),
    })),
  ];
  const parsed = parseSpanContainer({ version: 2, items: items.reverse() });
  const root = parsed.find((s) => s.is_segment) as StreamedSpan;
  return { root, spans: parsed.filter((s) => s !== root) };
}

describe('static and stream lifecycles give the same transaction', () => {
  const staticEvent = readFixturePayload('node-static-transaction.bin', 'transaction');
  const fromStatic = transactionFromEvent(structuredClone(staticEvent), {
    ...ctx,
    eventId: '826cab2c212d490dadbfb05594e9fbf3',
  });

  it('for the same spans sent both ways', () => {
    const { root, spans } = asStream(staticEvent);
    const fromStream = transactionFromSegment(root, spans, ctx);
    const same = (r: TransactionRecord) => ({
      ...r,
      eventId: undefined,
      serverName: undefined,
      contexts: undefined,
      request: undefined,
      tags: undefined,
    });
    expect(same(fromStream)).toEqual(same(fromStatic));
  });

  it('for two real runs of the same app (GET /orders)', () => {
    const fromStream = streamedOrders();
    const stable = (r: TransactionRecord) => ({
      name: r.name,
      op: r.op,
      source: r.source,
      status: r.status,
      isError: r.isError,
      httpMethod: r.httpMethod,
      httpStatus: r.httpStatus,
      httpUrl: r.httpUrl?.replace(/:\d+\//, ':<port>/'),
      environment: r.environment,
      release: r.release,
      user: r.user,
      sdk: r.sdk,
      platform: r.platform,
      queryCount: r.queryCount,
      nPlusOne: r.nPlusOne,
      patterns: summarizePatterns(r.queryPatterns),
      tree: r.spans.map((s) => [s.depth, s.op, s.category, s.description, s.call_site ?? null]),
      breakdownKeys: Object.entries(r.breakdown).map(([key, value]) => [key, value > 0]),
    });
    expect(stable(fromStream)).toEqual(stable(fromStatic));
    for (const record of [fromStatic, fromStream]) {
      const sum = Object.values(record.breakdown).reduce((total, value) => total + value, 0);
      expect(sum).toBeCloseTo(record.durationMs, 2);
    }
  });
});
