/**
 * A request body built once and sent many times with a few fixed-length fields changed each time
 * (trace id, root span id, event id), without compressing anything on the clock.
 *
 * Snag stores a transaction once per (project, root span id), so every request needs fresh ids,
 * and an ~30-span transaction holds its trace id ~30 times and its root span id ~20 times. Plain
 * bodies are a copy of the template with the ids written at their offsets. A gzip body is:
 *
 *   gzip header · stored deflate block D · deflate(rest, preset dictionary D) · CRC32 · length
 *
 * where D is the start of the body up to the first occurrence of every field. Compressing the rest
 * with D as its dictionary means every later occurrence of an id is a back-reference into D (or
 * into an earlier copy), so writing new ids into D's stored bytes changes all of them; the
 * placeholders are runs of bytes that occur nowhere else, all distinct, so no back-reference can
 * mix a placeholder with other text. The CRC32 is patched algebraically: CRC is linear over GF(2),
 * so crc(new) = crc(template) ^ Σ over fields of rawcrc(diff) · x^(8·bytes after each occurrence),
 * the shifts of all occurrences of a field summed once when the template is built (the
 * `multmodp` / `x2nmodp` of zlib's crc32.c). Each template is verified by inflating one fill.
 * Compression ratio is within a few per cent of one gzipSync of the whole body.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import { CRC_TABLE, computeCrc32 } from './gzip-member.js';

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
const STORED_BLOCK_HEADER_BYTES = 5;
const MAX_STORED_BLOCK_BYTES = 0xffff;
const POLY = 0xedb88320;
/** Placeholder bytes are drawn from 0x80–0xff: never produced by JSON of ASCII text. */
const FIRST_PLACEHOLDER_BYTE = 0x80;
const PLACEHOLDER_BYTES = 0x80;
const EMPTY = Buffer.alloc(0);

/** a(x)·b(x) mod P(x), reflected, as zlib's multmodp. */
function multModP(a, b) {
  if (a === 0) return 0;
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod P for k = 0..31. */
const X2N_TABLE = (() => {
  const table = new Array(32);
  let p = 0x40000000; // x^1
  table[0] = p;
  for (let n = 1; n < 32; n++) table[n] = p = multModP(p, p);
  return table;
})();

/** x^(8·bytes) mod P: the operator that appends `bytes` zero bytes to a raw CRC. */
function zeroBytesOperator(bytes) {
  let p = 0x80000000; // x^0
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) if (n & 1) p = multModP(X2N_TABLE[k & 31], p);
  return p;
}

/** CRC32 register with no initial value and no final xor: linear in the bytes. */
function rawCrc32(bytes) {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return crc >>> 0;
}

/**
 * `text` holds each field's marker (an ASCII string exactly as long as the field) wherever the
 * field goes; `fields` is [{ name, marker }]. `fill(values, head)` returns one Buffer: `head` (an
 * envelope header line or gzip member), then the body with `values[name]` (ASCII, the marker's
 * length) in every place.
 */
export function createPatchableBody(text, fields, { gzip }) {
  const template = Buffer.from(text, 'latin1');
  const slots = fields.map((field) => ({ ...field, length: field.marker.length, offsets: [] }));
  for (const slot of slots) {
    for (let at = text.indexOf(slot.marker); at >= 0; at = text.indexOf(slot.marker, at + slot.length))
      slot.offsets.push(at);
    if (slot.offsets.length === 0) throw new Error(`field ${slot.name} does not occur in the body`);
  }
  return gzip ? createGzipBody(template, slots) : createPlainBody(template, slots);
}

function createPlainBody(template, slots) {
  return {
    length: template.length,
    uncompressedLength: template.length,
    fill(values, head = EMPTY) {
      const out = Buffer.allocUnsafe(head.length + template.length);
      head.copy(out);
      template.copy(out, head.length);
      for (const slot of slots)
        for (const at of slot.offsets) out.write(values[slot.name], head.length + at, 'latin1');
      return out;
    },
  };
}

function createGzipBody(template, slots) {
  let nextByte = FIRST_PLACEHOLDER_BYTE;
  for (const slot of slots) {
    if (nextByte + slot.length > FIRST_PLACEHOLDER_BYTE + PLACEHOLDER_BYTES)
      throw new Error('fields too long for distinct placeholder bytes');
    slot.placeholder = Buffer.from(Array.from({ length: slot.length }, (_, i) => nextByte + i));
    nextByte += slot.length;
    for (const at of slot.offsets) slot.placeholder.copy(template, at);
  }
  const prefixBytes = Math.max(...slots.map((s) => s.offsets[0] + s.length));
  if (prefixBytes > MAX_STORED_BLOCK_BYTES) throw new Error('first occurrences lie too deep in the body');
  const prefix = template.subarray(0, prefixBytes);
  const deflated = deflateRawSync(template.subarray(prefixBytes), { dictionary: prefix });
  const prefixAt = GZIP_HEADER.length + STORED_BLOCK_HEADER_BYTES;
  const member = Buffer.concat([
    GZIP_HEADER,
    Buffer.from([
      0x00,
      prefixBytes & 0xff,
      prefixBytes >> 8,
      ~prefixBytes & 0xff,
      (~prefixBytes >> 8) & 0xff,
    ]),
    prefix,
    deflated,
    Buffer.alloc(8),
  ]);
  const crcAt = member.length - 8;
  const templateCrc = computeCrc32(template);
  member.writeUInt32LE(template.length >>> 0, crcAt + 4);
  for (const slot of slots) {
    slot.shift = slot.offsets.reduce(
      (sum, at) => sum ^ zeroBytesOperator(template.length - at - slot.length),
      0,
    );
  }
  const diff = Buffer.alloc(Math.max(...slots.map((s) => s.length)));
  const body = {
    length: member.length,
    uncompressedLength: template.length,
    fill(values, head = EMPTY) {
      const out = Buffer.allocUnsafe(head.length + member.length);
      head.copy(out);
      member.copy(out, head.length);
      let crc = templateCrc;
      for (const slot of slots) {
        const value = values[slot.name];
        out.write(value, head.length + prefixAt + slot.offsets[0], 'latin1');
        for (let i = 0; i < slot.length; i++) diff[i] = slot.placeholder[i] ^ value.charCodeAt(i);
        crc ^= multModP(rawCrc32(diff.subarray(0, slot.length)), slot.shift);
      }
      out.writeUInt32LE(crc >>> 0, head.length + crcAt);
      return out;
    },
  };
  verify(body, template, slots);
  return body;
}

/** A random fill must inflate to the template with those values in every place. */
function verify(body, template, slots) {
  {
    const values = Object.fromEntries(
      slots.map((s) => [s.name, randomBytes(s.length).toString('hex').slice(0, s.length)]),
    );
    const expected = Buffer.from(template);
    for (const slot of slots) for (const at of slot.offsets) expected.write(values[slot.name], at, 'latin1');
    const inflated = gunzipSync(body.fill(values));
    if (!inflated.equals(expected))
      throw new Error('a patched gzip body did not inflate to its template (a placeholder was not matched)');
  }
}
