/**
 * Reads a request body under two caps: the bytes as sent (`maxEnvelopeBytes`, counted as they
 * arrive) and the bytes after decompression (`maxDecompressedBytes`, counted while inflating, so
 * a zip bomb is stopped one output chunk past the cap instead of being inflated first).
 *
 * Content-Encoding as Relay accepts it (`relay-server/src/middlewares/decompression.rs`):
 * gzip, x-gzip, deflate (zlib-wrapped, RFC 1950; raw deflate also accepted), br, zstd. Empty and
 * "UTF-8" mean identity: sentry-ruby sends "" and old sentry-java sends "UTF-8". A gzip or zstd
 * body sent without the header is recognized by its magic bytes, as Bugsink and Splat do.
 */
import { setImmediate as waitForEventLoop } from 'node:timers/promises';
import type { Transform } from 'node:stream';
import {
  brotliDecompressSync,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
} from 'node:zlib';
import { Decompressor } from 'zstd-napi';
// zstd-napi, not zlib.createZstdDecompress: Node 20 has no zstd in zlib (it came in 22.15) and one
// code path on every supported Node is worth more than dropping a dependency we need anyway. The
// low-level binding, because its DecompressStream inflates a whole input chunk in one synchronous
// loop, which the output cap could not interrupt.
import zstd from 'zstd-napi/binding.js';
import { AppError, badRequest, tooLarge } from '../errors.js';

export interface BodyLimits {
  maxEnvelopeBytes: number;
  maxDecompressedBytes: number;
}

type Coding = 'gzip' | 'deflate' | 'br' | 'zstd';

const CODINGS: Record<string, Coding | null> = {
  '': null,
  identity: null,
  'utf-8': null,
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
  zstd: 'zstd',
};
const ZSTD_OUT_CHUNK_BYTES = zstd.dStreamOutSize();
/**
 * Bodies up to this size (as sent) are inflated synchronously, in one call, instead of through a
 * zlib stream on libuv's threadpool: SDK envelopes are a few KiB, and for those the stream's
 * set-up, the hand-off to the pool and back cost more than inflating (docs/benchmarks.md).
 */
const SYNC_INFLATE_MAX_INPUT_BYTES = 256 * 1024;
/**
 * …as long as the output stays under this: ~1–3 ms of inflating on this thread. A body that
 * inflates further (a large attachment, or a bomb) is inflated again by the stream, which gives
 * other requests a turn between chunks and stops at the decompressed cap.
 */
const SYNC_INFLATE_MAX_OUTPUT_BYTES = 1024 * 1024;
/** zstd inflates on this thread: give other requests a turn after every ~1 MiB of output. */
const ZSTD_CHUNKS_PER_YIELD = 8;

/** Reads `stream` (an http.IncomingMessage) and returns the decoded body. */
export async function readBody(
  stream: NodeJS.ReadableStream,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<Buffer> {
  return (await readBodyParts(stream, contentEncoding, limits)).body;
}

export interface BodyParts {
  /** The bytes as sent. */
  raw: Buffer;
  /** After undoing every coding (identical to `raw` when there was none). */
  body: Buffer;
  /** The codings undone, outermost last, as a Content-Encoding value for `decodeBufferSync`. */
  encoding: string;
}

/** `readBody`, also returning the bytes as sent so a compressed body can be queued compressed. */
export async function readBodyParts(
  stream: NodeJS.ReadableStream,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<BodyParts> {
  // Refuse an unknown encoding before reading a byte of the body.
  const codings = parseContentEncoding(contentEncoding);
  const raw = await readRaw(stream, limits.maxEnvelopeBytes);
  const applied = codings.length > 0 ? codings : sniffCoding(raw);
  const body = await decodeCodings(raw, codings, limits);
  return { raw, body, encoding: [...applied].reverse().join(', ') };
}

/**
 * Synchronous decoding of a body that was already decoded once within the caps (at ingest); the
 * digest worker uses it to unpack a queued compressed body. The cap is still enforced.
 */
export function decodeBufferSync(raw: Buffer, encoding: string, maxBytes: number): Buffer {
  let out = raw;
  for (const coding of parseContentEncoding(encoding)) {
    const opts = { maxOutputLength: maxBytes + 1 };
    if (coding === 'zstd') {
      zstdDecompressor ??= new Decompressor();
      out = zstdDecompressor.decompress(out);
    } else if (coding === 'br') out = brotliDecompressSync(out, opts);
    else if (coding === 'gzip') out = gunzipSync(out, opts);
    else out = hasZlibHeader(out) ? inflateSync(out, opts) : inflateRawSync(out, opts);
    if (out.length > maxBytes) throw tooLargeDecompressed(maxBytes);
  }
  return out;
}

let zstdDecompressor: Decompressor | undefined;

/** Same as `readBody` for a body that is already in memory. */
export async function decodeBuffer(
  body: Buffer,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): Promise<Buffer> {
  const codings = parseContentEncoding(contentEncoding);
  if (body.length > limits.maxEnvelopeBytes) throw tooLargeRaw(limits.maxEnvelopeBytes);
  return decodeCodings(body, codings, limits);
}

/** RFC 9110 §8.4: codings are listed in the order they were applied, so they are undone in reverse. */
function parseContentEncoding(header: string | undefined): Coding[] {
  if (header === undefined) return [];
  const codings: Coding[] = [];
  for (const token of header.split(',')) {
    const name = token.trim().toLowerCase();
    const coding = Object.hasOwn(CODINGS, name) ? CODINGS[name] : undefined;
    if (coding === undefined) {
      throw new AppError(
        'unsupported_encoding',
        415,
        `Content-Encoding "${token.trim()}" is not supported: send the body uncompressed or as gzip, deflate, br or zstd`,
      );
    }
    if (coding !== null) codings.unshift(coding);
  }
  return codings;
}

async function decodeCodings(raw: Buffer, codings: Coding[], limits: BodyLimits): Promise<Buffer> {
  const steps = codings.length > 0 ? codings : sniffCoding(raw);
  let body = raw;
  for (const coding of steps) {
    if (coding === 'zstd') body = await inflateZstd(body, limits);
    else body = inflateSmallZlib(body, coding, limits) ?? (await inflateZlib(body, coding, limits));
  }
  if (body.length > limits.maxDecompressedBytes) throw tooLargeDecompressed(limits.maxDecompressedBytes);
  return body;
}

/** An envelope starts with "{", so these magic numbers cannot be mistaken for one. */
function sniffCoding(body: Buffer): Coding[] {
  if (body[0] === 0x1f && body[1] === 0x8b) return ['gzip'];
  if (body[0] === 0x28 && body[1] === 0xb5 && body[2] === 0x2f && body[3] === 0xfd) return ['zstd'];
  return [];
}

/** Inflates a small body in one synchronous call; undefined when it is for the stream to do. */
function inflateSmallZlib(
  body: Buffer,
  coding: Exclude<Coding, 'zstd'>,
  limits: BodyLimits,
): Buffer | undefined {
  if (body.length > SYNC_INFLATE_MAX_INPUT_BYTES) return undefined;
  const maxBytes = Math.min(limits.maxDecompressedBytes, SYNC_INFLATE_MAX_OUTPUT_BYTES);
  try {
    return inflateZlibSync(body, coding, maxBytes);
  } catch (err) {
    if (!(err instanceof RangeError)) throw cannotDecompress(coding, err);
    if (maxBytes === limits.maxDecompressedBytes) throw tooLargeDecompressed(maxBytes);
    return undefined;
  }
}

/** Throws a RangeError once the output would pass `maxBytes` (zlib stops there, never allocating past it). */
function inflateZlibSync(body: Buffer, coding: Exclude<Coding, 'zstd'>, maxBytes: number): Buffer {
  const opts = { maxOutputLength: maxBytes };
  if (coding === 'gzip') return gunzipSync(body, opts);
  if (coding === 'br') return brotliDecompressSync(body, opts);
  return hasZlibHeader(body) ? inflateSync(body, opts) : inflateRawSync(body, opts);
}

function inflateZlib(body: Buffer, coding: Exclude<Coding, 'zstd'>, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const inflater = createInflater(body, coding);
    const chunks: Buffer[] = [];
    let total = 0;
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limits.maxDecompressedBytes) {
        // Destroying stops zlib at once: it checks `destroyed` before inflating the next chunk.
        inflater.destroy();
        reject(tooLargeDecompressed(limits.maxDecompressedBytes));
        return;
      }
      chunks.push(chunk);
    });
    inflater.on('error', (err) => reject(cannotDecompress(coding, err)));
    inflater.on('end', () => resolve(Buffer.concat(chunks, total)));
    inflater.end(body);
  });
}

function createInflater(body: Buffer, coding: Exclude<Coding, 'zstd'>): Transform {
  if (coding === 'gzip') return createGunzip();
  if (coding === 'br') return createBrotliDecompress();
  return hasZlibHeader(body) ? createInflate() : createInflateRaw();
}

/**
 * "deflate" means zlib-wrapped (relay PR #1122), but some clients send raw deflate. A zlib header
 * is CM=8 with a window of at most 32 KiB (CINFO <= 7) and a 16-bit value divisible by 31.
 */
function hasZlibHeader(body: Buffer): boolean {
  const cmf = body[0];
  const flg = body[1];
  if (cmf === undefined || flg === undefined) return false;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0;
}

async function inflateZstd(body: Buffer, limits: BodyLimits): Promise<Buffer> {
  const dctx = new zstd.DCtx();
  const chunks: Buffer[] = [];
  let total = 0;
  let input = body;
  for (let round = 1; ; round++) {
    const output = Buffer.allocUnsafe(ZSTD_OUT_CHUNK_BYTES);
    let result: [number, number, number];
    try {
      result = dctx.decompressStream(output, input);
    } catch (err) {
      throw cannotDecompress('zstd', err);
    }
    const [toFlush, produced, consumed] = result;
    total += produced;
    if (total > limits.maxDecompressedBytes) throw tooLargeDecompressed(limits.maxDecompressedBytes);
    if (produced > 0) chunks.push(output.subarray(0, produced));
    input = input.subarray(consumed);
    // Done when all input is consumed and zstd has nothing left to flush (ZSTD_decompressStream docs).
    if (input.length === 0 && (produced < output.length || toFlush === 0)) {
      if (toFlush !== 0) throw cannotDecompress('zstd', new Error('the data ends in the middle of a frame'));
      return Buffer.concat(chunks, total);
    }
    if (round % ZSTD_CHUNKS_PER_YIELD === 0) await waitForEventLoop();
  }
}

/**
 * Stops reading at the cap but leaves the stream (and its socket) alone: destroying an
 * IncomingMessage destroys the socket, and the client would see a reset instead of the 413.
 * The error carries `Connection: close`, so Node closes the socket once the 413 is sent.
 */
function readRaw(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const stopListening = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) {
        stopListening();
        stream.pause();
        // A later client abort must not become an unhandled 'error' event.
        stream.on('error', ignoreError);
        reject(tooLargeRaw(maxBytes));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      stopListening();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => {
      stopListening();
      reject(bodyAborted(err));
    };
    const onClose = () => {
      stopListening();
      reject(bodyAborted(new Error('the connection closed before the body ended')));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    stream.resume();
  });
}

function ignoreError(): void {}

function tooLargeRaw(maxBytes: number): AppError {
  return new AppError(
    'payload_too_large',
    413,
    `request body is over ${maxBytes} bytes as sent: send fewer or smaller items per envelope, or raise SNAG_MAX_ENVELOPE_BYTES`,
    { headers: { Connection: 'close' } },
  );
}

function tooLargeDecompressed(maxBytes: number): AppError {
  return tooLarge(
    `request body is over ${maxBytes} bytes once decompressed: send fewer or smaller items per envelope, or raise SNAG_MAX_DECOMPRESSED_BYTES`,
  );
}

function cannotDecompress(coding: Coding, err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err);
  return badRequest(
    `could not decompress body as ${coding}: ${reason}; check that Content-Encoding matches how the body was compressed`,
  );
}

function bodyAborted(err: Error): AppError {
  return new AppError('body_aborted', 400, `the request body could not be read to its end: ${err.message}`, {
    cause: err,
  });
}
