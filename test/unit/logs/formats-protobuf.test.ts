/**
 * The hand-written protobuf decoder on inputs the OpenTelemetry exporters never produce: fields out
 * of order, unknown fields, 10-byte varints, malformed records among good ones. The messages are
 * built with the few lines of wire-format writing below (protobuf.dev/programming-guides/encoding).
 */
import { describe, expect, it } from 'vitest';
import { InvalidOtlpPayloadError, parseOtlpLogs } from '../../../src/domain/logs/otlp.js';
import { readLogFixture } from './log-fixtures.js';

const RECEIVED_US = 1_800_000_000_000_000;
const parse = (body: Buffer) => parseOtlpLogs(body, 'protobuf', { receivedUs: RECEIVED_US });
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function varint(value: number | bigint): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest === 0n ? low : low | 0x80);
  } while (rest !== 0n);
  return Buffer.from(bytes);
}
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const len = (field: number, ...parts: Buffer[]) => {
  const payload = Buffer.concat(parts);
  return Buffer.concat([key(field, 2), varint(payload.length), payload]);
};
const str = (field: number, text: string) => len(field, Buffer.from(text));
const int = (field: number, value: number | bigint) => Buffer.concat([key(field, 0), varint(value)]);
const fixed64 = (field: number, value: bigint) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return Buffer.concat([key(field, 1), bytes]);
};
const double = (field: number, value: number) => {
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return Buffer.concat([key(field, 1), bytes]);
};

// Messages of opentelemetry-proto logs/v1 and common/v1, by field number.
const anyString = (text: string) => str(1, text);
const attribute = (field: number, name: string, ...value: Buffer[]) =>
  len(field, str(1, name), len(2, ...value));
const body = (text: string) => len(5, anyString(text));
const logRecord = (...fields: Buffer[]) => len(2, ...fields);
const scopeLogs = (...parts: Buffer[]) => len(2, ...parts);
const scope = (name: string, version?: string) => len(1, str(1, name), ...(version ? [str(2, version)] : []));
const resource = (...attributes: Buffer[]) => len(1, ...attributes);
const resourceLogs = (...parts: Buffer[]) => len(1, ...parts);
const TIME = 1_795_335_538_117_456_789n;

describe('parseOtlpLogs, protobuf', () => {
  it('reads nanosecond times beyond 2^53 to the exact microsecond', () => {
    const parsed = parse(
      resourceLogs(scopeLogs(logRecord(fixed64(1, TIME), fixed64(11, TIME + 1_999n), body('x')))),
    );
    expect(parsed.records[0]).toMatchObject({
      timeUs: 1_795_335_538_117_456,
      observedUs: 1_795_335_538_117_458,
    });
  });

  it('reads a resource and a scope that come after the records', () => {
    const parsed = parse(
      resourceLogs(
        scopeLogs(logRecord(body('late scope')), scope('worker', '2.0')),
        resource(
          attribute(1, 'service.name', anyString('billing')),
          attribute(1, 'host.name', anyString('web-9')),
        ),
      ),
    );
    expect(parsed.records[0]).toMatchObject({
      body: 'late scope',
      service: 'billing',
      host: 'web-9',
      logger: 'worker',
      scope: { name: 'worker', version: '2.0' },
      timeUs: RECEIVED_US,
    });
  });

  it('skips unknown fields of every wire type at every level', () => {
    const unknown = Buffer.concat([
      int(99, 5),
      str(98, 'future'),
      fixed64(97, 1n),
      key(96, 5),
      Buffer.alloc(4),
    ]);
    const parsed = parse(
      Buffer.concat([
        unknown,
        resourceLogs(
          unknown,
          resource(unknown, attribute(1, 'service.name', anyString('api'), unknown)),
          scopeLogs(unknown, scope('app'), logRecord(unknown, int(2, 17), body('kept'), unknown)),
        ),
      ]),
    );
    expect(parsed).toMatchObject({
      rejected: 0,
      records: [{ level: 'error', body: 'kept', service: 'api' }],
    });
  });

  it('reads every AnyValue kind, int64 in two’s complement included', () => {
    const parsed = parse(
      resourceLogs(
        scopeLogs(
          logRecord(
            body('x'),
            attribute(6, 'negative', int(3, -42)),
            attribute(6, 'max', int(3, 2n ** 63n - 1n)),
            attribute(6, 'min', int(3, -(2n ** 63n))),
            attribute(6, 'safe', int(3, 2 ** 53 - 1)),
            attribute(6, 'double', double(4, 0.1)),
            attribute(6, 'nan', double(4, NaN)),
            attribute(6, 'bool', int(2, 1)),
            attribute(6, 'bytes', len(7, Buffer.from([1, 2, 3]))),
            attribute(6, 'list', len(5, len(1, anyString('a')), len(1, int(3, 2)), len(1))),
            attribute(6, 'map', len(6, len(1, str(1, 'k'), len(2, int(2, 0))))),
            attribute(6, 'empty'),
            attribute(6, 'utf8', anyString('naïve ☃ 𝄞')),
          ),
        ),
      ),
    );
    expect(parsed.records[0]?.attributes).toEqual({
      negative: -42,
      max: '9223372036854775807',
      min: '-9223372036854775808',
      safe: 9_007_199_254_740_991,
      double: 0.1,
      nan: 'NaN',
      bool: true,
      bytes: 'AQID',
      list: ['a', 2, null],
      map: { k: false },
      empty: null,
      utf8: 'naïve ☃ 𝄞',
    });
  });

  it('rejects a record with a wrong-width id or a field running past its end, and keeps the next', () => {
    const overrun = Buffer.concat([key(6, 2), varint(3), str(1, 'a-much-longer-key')]);
    const parsed = parse(
      resourceLogs(
        scopeLogs(
          logRecord(body('first'), len(9, Buffer.from(TRACE, 'hex'))),
          logRecord(body('short trace'), len(9, Buffer.alloc(15, 1))),
          logRecord(body('long span'), len(10, Buffer.alloc(9, 1))),
          logRecord(body('overrun'), overrun),
          logRecord(body('last'), len(9, Buffer.from(TRACE, 'hex')), len(10, Buffer.from(SPAN, 'hex'))),
        ),
      ),
    );
    expect(parsed.records.map((r) => [r.body, r.traceId, r.spanId])).toEqual([
      ['first', TRACE, null],
      ['last', TRACE, SPAN],
    ]);
    expect(parsed.rejected).toBe(3);
    expect(parsed.rejectReason).toBe(
      'resourceLogs[0].scopeLogs[0].logRecords[1]: trace_id must be 16 bytes, got 15',
    );
  });

  it('reads empty and all-zero ids as none', () => {
    const parsed = parse(resourceLogs(scopeLogs(logRecord(body('x'), len(9), len(10, Buffer.alloc(8))))));
    expect([parsed.records[0]?.traceId, parsed.records[0]?.spanId]).toEqual([null, null]);
  });

  it('rejects values nested deeper than the limit', () => {
    let deep = anyString('bottom');
    for (let i = 0; i < 20; i++) deep = len(5, len(1, deep));
    const parsed = parse(
      resourceLogs(scopeLogs(logRecord(body('deep'), attribute(6, 'deep', deep)), logRecord(body('ok')))),
    );
    expect(parsed.records.map((r) => r.body)).toEqual(['ok']);
    expect(parsed.rejectReason).toMatch(/nested deeper than 16/);
  });

  it('reads an empty body as a request without records', () => {
    expect(parse(Buffer.alloc(0))).toEqual({ records: [], rejected: 0, rejectReason: null });
  });

  it('throws InvalidOtlpPayloadError for bytes that are not an ExportLogsServiceRequest', () => {
    const { body: captured } = readLogFixture('otlp-protobuf');
    for (const bad of [
      captured.subarray(0, captured.length - 10),
      Buffer.from('{"resourceLogs": []}'),
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      Buffer.from([0x0b]),
      resourceLogs(resource(Buffer.from([0x0a, 0x05, 0x0a]))),
    ]) {
      expect(() => parse(bad)).toThrow(InvalidOtlpPayloadError);
    }
  });
});
