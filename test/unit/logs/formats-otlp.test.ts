import { describe, expect, it } from 'vitest';
import { InvalidOtlpPayloadError, otlpFormatOf, parseOtlpLogs } from '../../../src/domain/logs/otlp.js';
import { ATTRIBUTE_UUID, LOG_LINES, readLogFixture } from './log-fixtures.js';

const RECEIVED_US = 1_800_000_000_000_000;
const ctx = { receivedUs: RECEIVED_US };
const parseJson = (request: unknown) => parseOtlpLogs(Buffer.from(JSON.stringify(request)), 'json', ctx);
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** One request, one resource, one scope, the given records. */
function request(logRecords: unknown[], resource: unknown[] = [], scope: unknown = { name: 'app' }) {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope, logRecords }] }] };
}
const text = (value: string) => ({ stringValue: value });
const record = (fields: Record<string, unknown> = {}) => ({
  timeUnixNano: '1795335538117456789',
  body: text('x'),
  ...fields,
});

describe('parseOtlpLogs on OpenTelemetry JS exporter bodies', () => {
  const json = readLogFixture('otlp-json');
  const protobuf = readLogFixture('otlp-protobuf');
  const fromJson = parseOtlpLogs(json.body, 'json', ctx);
  const fromProtobuf = parseOtlpLogs(protobuf.body, 'protobuf', ctx);
  const { meta } = json;
  const startUs = (meta.time_ms ?? 0) * 1000;

  it('gives the same records for the JSON and the protobuf encoding of the same logs', () => {
    expect(protobuf.meta.trace_id).toBe(meta.trace_id);
    expect(fromProtobuf).toEqual(fromJson);
    expect(fromJson.records).toHaveLength(meta.sent);
    expect(fromJson.rejected).toBe(0);
  });

  it('maps the resource, the scope and the lines of log-lines.js', () => {
    LOG_LINES.forEach((line, i) => {
      const inSpan = 'inSpan' in line;
      expect(fromJson.records[i]).toEqual({
        // Sent as start + i ms + 456,789 ns, observed 250 µs later: nanoseconds cut, not rounded.
        timeUs: startUs + i * 1000 + 456,
        observedUs: startUs + i * 1000 + 706,
        level: line.level,
        severityNumber: { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 }[line.level],
        severityText: line.level.toUpperCase(),
        body: line.body,
        logger: 'checkout-service',
        service: 'checkout',
        host: 'fixture-host',
        environment: 'fixture',
        release: 'fixture@1.0.0',
        traceId: inSpan ? meta.trace_id : null,
        spanId: inSpan ? meta.span_id : null,
        attributes: line.attributes,
        resource: {
          'service.name': 'checkout',
          'service.version': 'fixture@1.0.0',
          'deployment.environment.name': 'fixture',
          'host.name': 'fixture-host',
        },
        scope: { name: 'checkout-service', version: '1.2.3' },
        source: 'otlp',
      });
    });
  });

  it('buckets severity by number, else by text, else info', () => {
    const [textOnly, warn2, none] = fromJson.records.slice(8, 11);
    expect([textOnly?.level, textOnly?.severityNumber, textOnly?.severityText]).toEqual([
      'warn',
      null,
      'Warning',
    ]);
    expect([warn2?.level, warn2?.severityNumber, warn2?.severityText]).toEqual(['warn', 14, 'WARNING']);
    expect([none?.level, none?.severityNumber, none?.severityText]).toEqual(['info', null, null]);
    expect(none?.logger).toBe('app.audit');
  });

  it('keeps structured bodies, maps, arrays, bytes and int64 values', () => {
    const cart = fromJson.records[11];
    expect(JSON.parse(cart?.body ?? '')).toEqual({
      action: 'add',
      items: [{ sku: 'A1', qty: 2 }],
      total: 12.5,
      gift: false,
    });
    expect(cart?.logger).toBe('shop.cart');
    expect(cart?.attributes).toEqual({
      'code.namespace': 'shop.cart',
      'payload.digest': '3q2+7w==',
      'http.request.header': { 'content-type': 'application/json', 'x-request-id': ATTRIBUTE_UUID },
      'retry.delays_ms': [100, 250.5, 1000],
      'big.count': 9_007_199_254_740_991,
      'negative.offset': -42,
      'event.name': 'cart.updated',
    });
  });

  it('recovers the trace of a SQL log from its sqlcommenter traceparent', () => {
    const sql = fromJson.records[12];
    expect(sql).toMatchObject({ logger: 'postgres', scope: { name: 'postgres', version: null } });
    expect([sql?.traceId, sql?.spanId]).toEqual([meta.trace_id, meta.span_id]);
  });
});

describe('OTLP/JSON ids', () => {
  const base64 = Buffer.from(TRACE, 'hex').toString('base64');
  const spanBase64 = Buffer.from(SPAN, 'hex').toString('base64');

  it('reads hex and base64 (standard, URL-safe, unpadded) alike', () => {
    const parsed = parseJson(
      request([
        record({ traceId: TRACE.toUpperCase(), spanId: SPAN }),
        record({ traceId: base64, spanId: spanBase64 }),
        record({
          traceId: base64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, ''),
          spanId: spanBase64,
        }),
      ]),
    );
    expect(parsed.rejected).toBe(0);
    expect(parsed.records.map((r) => [r.traceId, r.spanId])).toEqual(Array(3).fill([TRACE, SPAN]));
  });

  it('reads empty and all-zero ids as none', () => {
    const parsed = parseJson(
      request([
        record({ traceId: '', spanId: '' }),
        record({ traceId: '0'.repeat(32), spanId: 'AAAAAAAAAAA=' }),
      ]),
    );
    expect(parsed.records.map((r) => [r.traceId, r.spanId])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('rejects records whose ids have the wrong width, and keeps the others', () => {
    const parsed = parseJson(
      request([
        record({ body: text('kept') }),
        record({ traceId: TRACE.slice(2) }),
        record({ traceId: Buffer.alloc(15, 1).toString('base64') }),
        record({ traceId: TRACE.slice(0, 22) }),
        record({ spanId: `${SPAN}00` }),
        record({ traceId: 42 }),
        record({ body: text('also kept'), traceId: TRACE }),
      ]),
    );
    expect(parsed.records.map((r) => r.body)).toEqual(['kept', 'also kept']);
    expect(parsed.rejected).toBe(5);
    expect(parsed.rejectReason).toBe(
      `resourceLogs[0].scopeLogs[0].logRecords[1]: traceId must be 32 hex characters (or base64 of 16 bytes), got "${TRACE.slice(2)}"`,
    );
  });
});

describe('OTLP/JSON values and fields', () => {
  it('reads int64 and doubles given as strings, and every AnyValue kind', () => {
    const [parsed] = parseJson(
      request([
        record({
          attributes: [
            { key: 'int', value: { intValue: '42' } },
            { key: 'int.big', value: { intValue: '9007199254740993' } },
            { key: 'int.negative', value: { intValue: '-7' } },
            { key: 'double', value: { doubleValue: '0.5' } },
            { key: 'double.nan', value: { doubleValue: 'NaN' } },
            { key: 'double.inf', value: { doubleValue: '-Infinity' } },
            { key: 'bool', value: { boolValue: true } },
            { key: 'bytes', value: { bytesValue: 'AQID' } },
            { key: 'empty', value: {} },
            { key: 'missing' },
            { key: '', value: text('no key, dropped') },
            {
              key: 'list',
              value: { arrayValue: { values: [text('a'), { intValue: 1 }, { arrayValue: {} }] } },
            },
            {
              key: 'map',
              value: { kvlistValue: { values: [{ key: 'inner', value: { kvlistValue: { values: [] } } }] } },
            },
            { key: '__proto__', value: text('data') },
          ],
        }),
      ]),
    ).records;
    expect(parsed?.attributes).toEqual({
      int: 42,
      'int.big': '9007199254740993',
      'int.negative': -7,
      double: 0.5,
      'double.nan': 'NaN',
      'double.inf': '-Infinity',
      bool: true,
      bytes: 'AQID',
      empty: null,
      missing: null,
      list: ['a', 1, []],
      map: { inner: {} },
      ['__proto__']: 'data',
    });
  });

  it('accepts proto field names (snake_case) and enum names for severity', () => {
    const parsed = parseJson({
      resource_logs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'billing' } }] },
          scope_logs: [
            {
              log_records: [
                {
                  time_unix_nano: '1000000',
                  severity_number: 'SEVERITY_NUMBER_ERROR2',
                  trace_id: TRACE,
                  body: { string_value: 'x' },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(parsed.records[0]).toMatchObject({
      timeUs: 1000,
      level: 'error',
      severityNumber: 18,
      service: 'billing',
      traceId: TRACE,
      body: 'x',
    });
  });

  it('falls back from timeUnixNano to observedTimeUnixNano to the time received', () => {
    const parsed = parseJson(
      request([
        record({ timeUnixNano: '0', observedTimeUnixNano: '1795335538117456789' }),
        record({ timeUnixNano: undefined }),
        record({ timeUnixNano: 1_795_335_538_117_000_000 }),
      ]),
    );
    expect(parsed.records.map((r) => [r.timeUs, r.observedUs])).toEqual([
      [1_795_335_538_117_456, 1_795_335_538_117_456],
      [RECEIVED_US, RECEIVED_US],
      [1_795_335_538_117_000, RECEIVED_US],
    ]);
  });

  it('rejects a record whose time is not a number of nanoseconds', () => {
    const parsed = parseJson(request([record({ timeUnixNano: 'yesterday' })]));
    expect([parsed.records.length, parsed.rejected]).toEqual([0, 1]);
    expect(parsed.rejectReason).toMatch(/timeUnixNano must be unsigned nanoseconds/);
  });

  it('maps older and record-level conventions when the resource lacks the newer ones', () => {
    const parsed = parseJson(
      request(
        [
          record({
            attributes: [
              { key: 'service.name', value: text('from-record') },
              { key: 'server.address', value: text('db-1') },
            ],
          }),
        ],
        [
          { key: 'deployment.environment', value: text('staging') },
          { key: 'server.address', value: text('web-3') },
        ],
        { name: '', version: '' },
      ),
    );
    expect(parsed.records[0]).toMatchObject({
      environment: 'staging',
      host: 'web-3',
      service: 'from-record',
      release: null,
      logger: null,
      scope: null,
    });
  });

  it('recovers a traceparent only when the record has no trace of its own', () => {
    const sql = (id: string) => text(`SELECT 1 /*traceparent='00-${id}-${SPAN}-01'*/`);
    const parsed = parseJson(
      request([
        record({ body: sql(TRACE) }),
        record({ body: sql(TRACE), traceId: 'aa'.repeat(16), spanId: 'bb'.repeat(8) }),
        record({ body: sql('0'.repeat(32)) }),
        record({ body: { kvlistValue: { values: [{ key: 'sql', value: sql(TRACE) }] } } }),
      ]),
    );
    expect(parsed.records.map((r) => [r.traceId, r.spanId])).toEqual([
      [TRACE, SPAN],
      ['aa'.repeat(16), 'bb'.repeat(8)],
      [null, null],
      // A structured body is searched as the JSON text it is stored as.
      [TRACE, SPAN],
    ]);
  });

  it('rejects values nested deeper than the limit', () => {
    let deep: unknown = text('bottom');
    for (let i = 0; i < 20; i++) deep = { arrayValue: { values: [deep] } };
    const parsed = parseJson(request([record({ attributes: [{ key: 'deep', value: deep }] }), record()]));
    expect([parsed.records.length, parsed.rejected]).toEqual([1, 1]);
    expect(parsed.rejectReason).toMatch(/nested deeper than 16/);
  });
});

describe('OTLP/JSON malformed requests', () => {
  it.each([
    ['not JSON', '{"resourceLogs": ['],
    ['empty', ''],
    ['an array', '[]'],
    ['a string', '"resourceLogs"'],
    ['resourceLogs not a list', '{"resourceLogs": {}}'],
    ['scopeLogs not a list', '{"resourceLogs": [{"scopeLogs": 3}]}'],
    ['a resourceLogs entry not an object', '{"resourceLogs": [null]}'],
    ['resource attributes not a list', '{"resourceLogs": [{"resource": {"attributes": {}}}]}'],
  ])('throws InvalidOtlpPayloadError for %s', (_, body) => {
    expect(() => parseOtlpLogs(Buffer.from(body), 'json', ctx)).toThrow(InvalidOtlpPayloadError);
  });

  it('reads an empty request as no records', () => {
    expect(parseJson({})).toEqual({ records: [], rejected: 0, rejectReason: null });
    expect(parseJson({ resourceLogs: [] })).toEqual({ records: [], rejected: 0, rejectReason: null });
  });

  it('counts a record that is not an object as rejected', () => {
    const parsed = parseJson(request([7, record()]));
    expect([parsed.records.length, parsed.rejected]).toEqual([1, 1]);
  });
});

describe('otlpFormatOf', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON', 'json'],
    ['application/x-protobuf', 'protobuf'],
    ['application/protobuf', 'protobuf'],
    [' application/x-protobuf ;proto=opentelemetry', 'protobuf'],
    ['text/plain', null],
    ['application/jsonl', null],
    ['', null],
    [undefined, null],
  ])('%j → %s', (contentType, format) => {
    expect(otlpFormatOf(contentType)).toBe(format);
  });
});
