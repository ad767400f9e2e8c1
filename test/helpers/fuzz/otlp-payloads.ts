/**
 * OTLP/HTTP logs bodies to fuzz: the OpenTelemetry JS exporter's JSON request mutated field by
 * field, its protobuf request damaged byte by byte, and protobuf built from scratch with the
 * ExportLogsServiceRequest field numbers (opentelemetry-proto logs.proto, common.proto) but wrong
 * wire types, lengths past the end, over-long varints, deep AnyValue nesting and huge repeats.
 */
import { gunzipSync } from 'node:zlib';
import { loadFixture } from '../fixtures.js';
import { damageJsonText, mutateJson } from './json-mutate.js';
import type { Rng } from './prng.js';

let sources: { json: unknown; protobuf: Buffer } | undefined;

function otlpSources() {
  sources ??= {
    json: JSON.parse(loadFixture('logs/otlp-json').body.toString('utf8')),
    protobuf: (() => {
      const f = loadFixture('logs/otlp-protobuf-gzip');
      return f.headers['content-encoding'] === 'gzip' ? gunzipSync(f.body) : f.body;
    })(),
  };
  return sources;
}

export function fuzzOtlpJson(rng: Rng): { body: Buffer; label: string } {
  return { body: mutateJson(rng, otlpSources().json, { huge: rng.chance(0.1) }), label: 'otlp json' };
}

export function fuzzOtlpProtobuf(rng: Rng): { body: Buffer; label: string } {
  const roll = rng.int(100);
  if (roll < 35) {
    const copy = Buffer.from(otlpSources().protobuf);
    for (let i = rng.between(1, 6); i > 0; i--) copy[rng.int(copy.length)] = rng.int(256);
    return { body: copy, label: 'fixture bytes flipped' };
  }
  if (roll < 45) {
    const p = otlpSources().protobuf;
    return { body: p.subarray(0, rng.int(p.length)), label: 'fixture truncated' };
  }
  if (roll < 50)
    return { body: damageJsonText(rng, otlpSources().protobuf.toString('latin1')), label: 'fixture damaged' };
  if (roll < 55) return { body: deepAnyValueRequest(rng.pick([17, 100, 10_000])), label: 'deep AnyValue' };
  return { body: request(rng), label: 'generated' };
}

// ---- a small protobuf writer ------------------------------------------------------------------

function varint(n: number | bigint): Buffer {
  let v = BigInt(n);
  if (v < 0n) v = (1n << 64n) + v;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}

const tag = (field: number, wire: number) => varint((field << 3) | wire);
const len = (field: number, body: Buffer) => Buffer.concat([tag(field, 2), varint(body.length), body]);
const num = (field: number, n: number | bigint) => Buffer.concat([tag(field, 0), varint(n)]);
const fixed64 = (field: number, n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, n));
  return Buffer.concat([tag(field, 1), b]);
};

function deepAnyValueRequest(depth: number): Buffer {
  // AnyValue.array_value (5) → ArrayValue.values (1) → AnyValue … built inside out.
  let value = len(1, Buffer.from('bottom'));
  for (let i = 0; i < depth; i++) value = len(5, len(1, value));
  const record = Buffer.concat([fixed64(1, 1_700_000_000_000_000_000n), len(5, value)]);
  return len(1, len(2, len(2, record)));
}

/** A field the reader does not expect here: unknown numbers, wrong wire types, lies about length. */
function junkField(rng: Rng): Buffer {
  const field = rng.pick([1, 2, 3, 5, 6, 9, 10, 11, 99, 536870911]);
  switch (rng.int(7)) {
    case 0:
      return num(field, rng.pick([0, -1, 2 ** 53, 1n << 63n]));
    case 1:
      return Buffer.concat([tag(field, 2), varint(rng.pick([1e6, 2 ** 31, 2 ** 40]))]); // length past the end
    case 2:
      return Buffer.concat([tag(field, 0), Buffer.alloc(11, 0xff)]); // varint over 10 bytes
    case 3:
      return Buffer.concat([tag(field, rng.pick([3, 4, 6, 7])), Buffer.from([1, 2, 3])]); // groups / invalid wire types
    case 4:
      return Buffer.concat([tag(field, 5), Buffer.from([1, 2])]); // fixed32 cut short
    case 5:
      return len(field, rng.bytes(rng.int(40)));
    default:
      return fixed64(field, BigInt(rng.int(2 ** 31)) * 1_000_000_000n);
  }
}

function anyValue(rng: Rng, depth: number): Buffer {
  switch (depth > 3 ? rng.int(5) : rng.int(7)) {
    case 0:
      // A 100 KB string only rarely: 5,000 records of it would be a 500 MB body to build here.
      return len(
        1,
        rng.chance(0.2)
          ? Buffer.from([0xff, 0xfe, 0xc3, 0x28])
          : Buffer.from('hello ' + 'x'.repeat(rng.chance(0.01) ? 100_000 : rng.pick([0, 10, 1000]))),
      );
    case 1:
      return num(2, rng.int(2));
    case 2:
      return num(3, rng.pick([0, -1, 2 ** 53, 1n << 63n]));
    case 3:
      return Buffer.concat([tag(4, 1), rng.bytes(8)]); // double: any bit pattern, NaN included
    case 4:
      return len(7, rng.bytes(rng.int(64)));
    case 5:
      return len(
        5,
        Buffer.concat(Array.from({ length: rng.int(4) }, () => len(1, anyValue(rng, depth + 1)))),
      );
    default:
      return len(
        6,
        Buffer.concat(Array.from({ length: rng.int(4) }, () => len(1, keyValue(rng, depth + 1)))),
      );
  }
}

function keyValue(rng: Rng, depth: number): Buffer {
  const key = rng.pick([
    'service.name',
    'sentry.environment',
    'deployment.environment',
    '',
    'k'.repeat(5000),
    '\u0000',
  ]);
  return Buffer.concat([len(1, Buffer.from(key)), len(2, anyValue(rng, depth))]);
}

function maybeJunk(rng: Rng, parts: Buffer[]): Buffer {
  if (rng.chance(0.3)) parts.splice(rng.int(parts.length + 1), 0, junkField(rng));
  return Buffer.concat(parts);
}

function logRecord(rng: Rng): Buffer {
  return maybeJunk(rng, [
    fixed64(1, rng.chance(0.2) ? BigInt.asUintN(64, -1n) : 1_795_335_538_117_000_000n),
    num(2, rng.pick([0, 9, 17, 24, 25, -1, 2 ** 31])),
    len(3, Buffer.from(rng.pick(['INFO', '', 'x'.repeat(1000)]))),
    len(5, anyValue(rng, 0)),
    ...Array.from({ length: rng.int(4) }, () => len(6, keyValue(rng, 0))),
    len(9, rng.bytes(rng.pick([16, 0, 3, 32]))),
    len(10, rng.bytes(rng.pick([8, 0, 5]))),
    fixed64(11, 0n),
  ]);
}

function request(rng: Rng): Buffer {
  const resourceLogs = Array.from({ length: rng.between(1, 3) }, () => {
    const resource = len(
      1,
      maybeJunk(
        rng,
        Array.from({ length: rng.int(4) }, () => len(1, keyValue(rng, 0))),
      ),
    );
    const scopeLogs = Array.from({ length: rng.between(1, 2) }, () => {
      const scope = len(1, Buffer.concat([len(1, Buffer.from('fuzz')), len(2, Buffer.from('1.0'))]));
      // Many small records, or a few hostile ones (5,000 hostile records could be gigabytes).
      const records = rng.chance(0.05)
        ? Array.from({ length: 5000 }, (_, i) =>
            len(2, Buffer.concat([num(2, 9), len(5, len(1, Buffer.from(`r${i}`)))])),
          )
        : Array.from({ length: rng.between(0, 5) }, () => len(2, logRecord(rng)));
      return len(2, maybeJunk(rng, [scope, ...records]));
    });
    return len(1, maybeJunk(rng, [resource, ...scopeLogs]));
  });
  return maybeJunk(rng, resourceLogs);
}
