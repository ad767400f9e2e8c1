/**
 * Body codings as clients send them and as they go wrong: every coding Snag accepts, stacked
 * codings, truncated streams, a Content-Encoding that does not match the body, unknown names,
 * and decompression bombs that inflate past SNAG_MAX_DECOMPRESSED_BYTES.
 */
import {
  brotliCompressSync,
  constants as zlibConstants,
  deflateRawSync,
  deflateSync,
  gzipSync,
} from 'node:zlib';
import { Compressor } from 'zstd-napi';
import type { Rng } from './prng.js';

export interface EncodedBody {
  body: Buffer;
  /** undefined: no Content-Encoding header. */
  encoding: string | undefined;
  /** What the mutation was, for the failure message. */
  label: string;
}

const zstd = new Compressor();

export function compress(coding: string, body: Buffer): Buffer {
  if (coding === 'gzip' || coding === 'x-gzip') return gzipSync(body);
  if (coding === 'deflate') return deflateSync(body);
  if (coding === 'deflate-raw') return deflateRawSync(body);
  if (coding === 'br') return brotliCompressSync(body);
  if (coding === 'zstd') return zstd.compress(body);
  throw new Error(`no coding ${coding}`);
}

const CODINGS = ['gzip', 'x-gzip', 'deflate', 'br', 'zstd'] as const;

/** `body` sent as is (most of the time) or through one of the codings, right or wrong. */
export function encodeBody(rng: Rng, body: Buffer, options: { bombs?: boolean } = {}): EncodedBody {
  const roll = rng.int(100);
  if (roll < 50) return { body, encoding: rng.pick([undefined, '', 'identity', 'UTF-8']), label: 'identity' };
  const coding = rng.pick(CODINGS);
  if (roll < 75) return { body: compress(coding, body), encoding: coding, label: coding };
  if (roll < 80) {
    const raw = compress('deflate-raw', body);
    return { body: raw, encoding: 'deflate', label: 'raw deflate' };
  }
  if (roll < 84) {
    // Stacked codings, listed in the order applied (RFC 9110 §8.4).
    const second = rng.pick(CODINGS);
    return {
      body: compress(second, compress(coding, body)),
      encoding: `${coding}, ${second}`,
      label: `${coding}+${second}`,
    };
  }
  if (roll < 89) {
    const full = compress(coding, body);
    return { body: full.subarray(0, rng.int(full.length)), encoding: coding, label: `truncated ${coding}` };
  }
  if (roll < 93) {
    const wrong = rng.pick(CODINGS.filter((c) => c !== coding));
    return { body: compress(coding, body), encoding: wrong, label: `${coding} labelled ${wrong}` };
  }
  if (roll < 95)
    return { body, encoding: rng.pick(['gzip', 'zstd', 'br']), label: 'plain labelled compressed' };
  if (roll < 97)
    return { body: compress(coding, body), encoding: undefined, label: `${coding} without header` };
  if (roll < 98 || !options.bombs)
    return {
      body,
      encoding: rng.pick(['compress', 'lzma', 'gzip;q=1', 'gzip,,', 'x'.repeat(300)]),
      label: 'unknown coding',
    };
  return bomb(rng, coding);
}

const bombs = new Map<string, Buffer>();

/** 60 MiB of one byte, over the default 50 MiB decompressed cap, in ~60 KiB or less (made once). */
export function bomb(rng: Rng, coding: (typeof CODINGS)[number]): EncodedBody {
  let body = bombs.get(coding);
  if (!body) {
    const zeros = Buffer.alloc(60 * 1024 * 1024, 0x20);
    body =
      coding === 'br'
        ? brotliCompressSync(zeros, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } })
        : compress(coding, zeros);
    bombs.set(coding, body);
  }
  return { body, encoding: coding, label: `${coding} bomb` };
}
