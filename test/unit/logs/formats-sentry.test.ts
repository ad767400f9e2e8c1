import { describe, expect, it } from 'vitest';
import { InvalidLogPayloadError } from '../../../src/domain/logs/payload-errors.js';
import { parseSentryLogItem } from '../../../src/domain/logs/sentry-logs.js';
import { LOG_LINES, readLogFixture, readSentryLogPayload } from './log-fixtures.js';

const RECEIVED_US = 1_800_000_000_000_000;
const ctx = { receivedUs: RECEIVED_US };
const parse = (container: unknown) => parseSentryLogItem(Buffer.from(JSON.stringify(container)), ctx);

describe('parseSentryLogItem on @sentry/node 11.12 logs', () => {
  const { meta } = readLogFixture('node-sdk-logs');
  const parsed = parseSentryLogItem(readSentryLogPayload('node-sdk-logs'), ctx);
  // The sender logs the lines outside the span first, then the three inside it.
  const expected = [...LOG_LINES.filter((l) => !('inSpan' in l)), ...LOG_LINES.filter((l) => 'inSpan' in l)];

  it('keeps every log, in order', () => {
    expect(parsed.rejected).toBe(0);
    expect(parsed.rejectReason).toBeNull();
    expect(parsed.records.map((r) => [r.level, r.body])).toEqual(expected.map((l) => [l.level, l.body]));
  });

  it('maps levels, severity, environment, release, host and the SDK as scope', () => {
    for (const record of parsed.records) {
      expect(record).toMatchObject({
        severityText: record.level,
        environment: 'fixture',
        release: 'fixture@1.0.0',
        host: 'fixture-host',
        logger: null,
        service: null,
        resource: {},
        scope: { name: 'sentry.javascript.node', version: '11.12.0' },
        source: 'sentry',
        observedUs: RECEIVED_US,
      });
    }
    expect(parsed.records.map((r) => r.severityNumber)).toEqual([1, 5, 9, 9, 21, 9, 13, 17]);
  });

  it('takes the trace id from the item and the span id from sentry.trace.parent_span_id', () => {
    expect(parsed.records.every((r) => r.traceId === meta.trace_id)).toBe(true);
    expect(parsed.records.map((r) => r.spanId)).toEqual([
      null,
      null,
      null,
      null,
      null,
      ...Array(3).fill(meta.span_id),
    ]);
  });

  it('converts float seconds to the microsecond', () => {
    // 1795335537.9232655, .929097 and .9376671 as sent.
    expect(parsed.records[0]?.timeUs).toBe(1_795_335_537_923_266);
    expect(parsed.records[2]?.timeUs).toBe(1_795_335_537_929_097);
    expect(parsed.records[6]?.timeUs).toBe(1_795_335_537_937_667);
  });

  it('unwraps typed attributes, keeps the template and sequence, drops promoted sentry.* keys', () => {
    expected.forEach((line, i) => expect(parsed.records[i]?.attributes).toMatchObject(line.attributes));
    const login = parsed.records[2]?.attributes;
    expect(login).toEqual({
      'user.plan': 'pro',
      'sentry.message.template': 'User %s logged in from %s',
      'sentry.message.parameter.0': 'jane',
      'sentry.message.parameter.1': '10.0.0.7',
      'server.address': 'fixture-host',
      'sentry.timestamp.sequence': 0,
    });
    for (const record of parsed.records) {
      expect(
        Object.keys(record.attributes).filter((k) => /^sentry\.(environment|release|sdk|trace)/.test(k)),
      ).toEqual([]);
    }
  });
});

// Constructed, not captured: no SDK here sends these layouts (Debian's sentry-python 1.9.10 has no
// logs, see test/fixtures/logs/NOTES.md); the shapes are those sentry-protocol.md §3.1 documents.
describe('parseSentryLogItem on the other SDK layouts (sentry-protocol.md §3.1)', () => {
  it('reads Python’s top-level span_id and severity attributes, and ISO timestamps', () => {
    const parsed = parse({
      items: [
        {
          timestamp: '2026-11-22T08:00:00.123456Z',
          level: 'warning',
          body: 'Payment of 12 EUR declined',
          trace_id: '5B8EFFF798038103D269B633813FC60C',
          span_id: 'eee19b7ec3c1b174',
          attributes: {
            'sentry.severity_number': { value: 14, type: 'integer' },
            'sentry.severity_text': { value: 'warning', type: 'string' },
            'logger.name': { value: 'shop.payments', type: 'string' },
            'sentry.server_name': { value: 'web-2', type: 'string' },
            'sentry.message.parameter.amount': { value: 12, type: 'integer' },
          },
        },
      ],
    });
    expect(parsed.records[0]).toMatchObject({
      timeUs: Date.UTC(2026, 10, 22, 8, 0, 0) * 1000 + 123_456,
      level: 'warn',
      severityNumber: 14,
      severityText: 'warning',
      logger: 'shop.payments',
      host: 'web-2',
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      attributes: { 'logger.name': 'shop.payments', 'sentry.message.parameter.amount': 12 },
      scope: null,
    });
  });

  it('reads Ruby’s minimal logs: no severity, no ids', () => {
    const [record] = parse({
      items: [{ timestamp: 1795335537.5, level: 'error', body: 'boom', attributes: {} }],
    }).records;
    expect(record).toMatchObject({
      level: 'error',
      severityNumber: 17,
      severityText: 'error',
      traceId: null,
      spanId: null,
    });
  });

  it('buckets by severity_number when the level is unknown, and says info when nothing is known', () => {
    const parsed = parse({
      items: [
        { timestamp: 1, level: 'loud', severity_number: 18, body: 'a' },
        { timestamp: 1, body: 'b' },
      ],
    });
    expect(parsed.records.map((r) => [r.level, r.severityNumber, r.severityText])).toEqual([
      ['error', 18, 'loud'],
      ['info', 9, null],
    ]);
  });

  it('unwraps every attribute type, and keeps int64 beyond 2^53 as its digits', () => {
    const [record] = parse({
      items: [
        {
          timestamp: 1,
          level: 'info',
          body: 'x',
          attributes: {
            i: { value: 42, type: 'integer' },
            big: { value: '9007199254740993', type: 'integer' },
            d: { value: 0.25, type: 'double' },
            nan: { value: 'NaN', type: 'double' },
            b: { value: true, type: 'boolean' },
            s: { value: 'text', type: 'string' },
            list: { value: ['a', 'b'], type: 'array' },
            typedList: { value: [1, 2], type: 'integer[]' },
            unit: { value: 12.5, type: 'double', unit: 'millisecond' },
            future: { value: { nested: [1] }, type: 'object' },
            bare: 7,
            gone: { value: null, type: 'string' },
            ['__proto__']: { value: 'data, not a prototype', type: 'string' },
            'sentry._internal.replay_is_buffering': { value: true, type: 'boolean' },
          },
        },
      ],
    }).records;
    expect(record?.attributes).toEqual({
      i: 42,
      big: '9007199254740993',
      d: 0.25,
      nan: 'NaN',
      b: true,
      s: 'text',
      list: ['a', 'b'],
      typedList: [1, 2],
      unit: 12.5,
      future: { nested: [1] },
      bare: 7,
      ['__proto__']: 'data, not a prototype',
    });
    expect(Object.getPrototypeOf(record?.attributes)).toBe(Object.prototype);
  });
});

describe('parseSentryLogItem rejections', () => {
  it('rejects unusable logs with a reason and keeps the others', () => {
    const parsed = parse({
      items: [
        { timestamp: 1795335537, level: 'info', body: 'kept' },
        { level: 'info', body: 'no timestamp' },
        { timestamp: 1795335537, level: 'info', body: { not: 'a string' } },
        { timestamp: 1795335537, level: 'info', body: 'short trace id', trace_id: 'abc123' },
        { timestamp: 1795335537, level: 'info', body: 'long span id', span_id: 'eee19b7ec3c1b17400' },
        'not a log',
        { timestamp: 'yesterday', level: 'info', body: 'bad timestamp' },
      ],
    });
    expect(parsed.records.map((r) => r.body)).toEqual(['kept']);
    expect(parsed.rejected).toBe(6);
    expect(parsed.rejectReason).toMatch(/^items\[1\]: timestamp/);
  });

  it('throws InvalidLogPayloadError for a payload that is not a log container', () => {
    for (const bytes of ['{"items": [', '[]', '{"version": 2}', '']) {
      expect(() => parseSentryLogItem(Buffer.from(bytes), ctx)).toThrow(InvalidLogPayloadError);
    }
  });
});
