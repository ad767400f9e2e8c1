/**
 * Per-request envelope bodies without re-compressing 30 KB each time. A gzip stream may hold
 * several members back to back (RFC 1952 §2.2) and Node's gunzip reads them all, so a body is
 * [a tiny member holding the envelope header line] + [the pre-gzipped item header and payload].
 * The header member uses a stored (uncompressed) deflate block, so building it costs a CRC32 over
 * ~250 bytes instead of a zlib context.
 */
import { Buffer } from 'node:buffer';

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
/** A stored deflate block holds at most 65,535 bytes (RFC 1951 §3.2.4). */
const MAX_STORED_BLOCK_BYTES = 0xffff;
export const CRC_TABLE = buildCrcTable();

function buildCrcTable() {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

export function computeCrc32(bytes) {
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** One complete gzip member whose deflate data is a single stored block. */
export function storeGzipMember(data) {
  if (data.length > MAX_STORED_BLOCK_BYTES)
    throw new Error(`stored gzip member over ${MAX_STORED_BLOCK_BYTES} bytes`);
  const out = Buffer.allocUnsafe(GZIP_HEADER.length + 5 + data.length + 8);
  let at = GZIP_HEADER.copy(out, 0);
  out[at++] = 0x01; // BFINAL=1, BTYPE=00 (stored)
  at = out.writeUInt16LE(data.length, at);
  at = out.writeUInt16LE(~data.length & 0xffff, at);
  at += data.copy(out, at);
  at = out.writeUInt32LE(computeCrc32(data), at);
  out.writeUInt32LE(data.length, at);
  return out;
}
