/**
 * How an event's full payload is kept on disk: zstd at level 1. zstd frames record their
 * dictionary id, so when a trained dictionary arrives old rows stay readable without a format flag.
 *
 * Level 1 rather than 3, measured on the worker's input (normalized, scrubbed JSON; per-event
 * minimum of 25 interleaved runs, 2026-11-22, the 2-vCPU box of docs/benchmarks.md):
 *
 * | input (JSON bytes)                           | level 1      | level 2      | level 3      |
 * | -------------------------------------------- | ------------ | ------------ | ------------ |
 * | bench corpus, 1,000 events (18.7 KB mean)    | 56 µs, 3.74× | 59 µs, 3.75× | 69 µs, 3.89× |
 * | test/fixtures/node-sdk-envelope.bin (5.1 KB) | 21 µs, 2.27× | 23 µs, 2.29× | 28 µs, 2.31× |
 *
 * Compression was the digest worker's largest stage and the worker is what caps events/s; level 1
 * costs ~20 % less CPU for 1.6–4 % more bytes. A dictionary would move the ratio far more.
 */
import { Compressor, Decompressor } from 'zstd-napi';

const ZSTD_LEVEL = 1;
/**
 * The JSON's UTF-8 bytes are written into one reused buffer: `Buffer.from(json)` measured and
 * allocated ~18 KB per event (6–9 µs), writing costs 1–2 µs. Larger payloads take the allocation.
 */
const SCRATCH_BYTES = 256 * 1024;
/** UTF-8's worst case per UTF-16 code unit, so `length * 3` bytes always hold the string. */
const MAX_UTF8_BYTES_PER_CHAR = 3;

let compressor: Compressor | undefined;
let decompressor: Decompressor | undefined;
let scratch: Buffer | undefined;

export interface EncodedPayload {
  payload: Buffer;
  /** The JSON's length in UTF-8 bytes, before compression. */
  payloadBytes: number;
}

export function encodePayload(json: string): EncodedPayload {
  if (!compressor) {
    compressor = new Compressor();
    compressor.setParameters({ compressionLevel: ZSTD_LEVEL });
  }
  let bytes: Buffer;
  if (json.length * MAX_UTF8_BYTES_PER_CHAR <= SCRATCH_BYTES) {
    scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
    bytes = scratch.subarray(0, scratch.write(json, 'utf8'));
  } else {
    bytes = Buffer.from(json, 'utf8');
  }
  // compress() returns a new Buffer, never a view of its input, so the scratch is free again.
  return { payload: compressor.compress(bytes), payloadBytes: bytes.length };
}

export function decodePayload(blob: Buffer): unknown {
  decompressor ??= new Decompressor();
  return JSON.parse(decompressor.decompress(blob).toString('utf8'));
}
