import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { setImmediate as waitForEventLoop } from 'node:timers/promises';
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { AppError } from '../../src/errors.js';
import { decodeBuffer, readBody, type BodyLimits } from '../../src/ingest/decode-body.js';

const MiB = 1024 * 1024;
const LIMITS: BodyLimits = { maxEnvelopeBytes: 16 * MiB, maxDecompressedBytes: 1 * MiB };
const ENVELOPE = Buffer.from(
  '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"event"}\n{"message":"hello"}\n',
);

async function expectAppError(promise: Promise<unknown>, status: number, code: string, message: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(status);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).message).toContain(message);
  return err as AppError;
}

/** An endless body that counts what was pulled from it, to show reading stopped at the cap. */
function endlessStream(chunkBytes: number) {
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  const state = { pulled: 0 };
  const stream = new Readable({
    read() {
      state.pulled += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, state };
}

describe('decodeBuffer: encodings', () => {
  it.each([undefined, '', 'identity', 'IDENTITY', 'utf-8', 'UTF-8', ' identity '])(
    'passes %j through as identity',
    async (encoding) => {
      expect(await decodeBuffer(ENVELOPE, encoding, LIMITS)).toEqual(ENVELOPE);
    },
  );

  it.each([
    ['gzip', gzipSync(ENVELOPE)],
    ['x-gzip', gzipSync(ENVELOPE)],
    ['GZip', gzipSync(ENVELOPE)],
    ['deflate', deflateSync(ENVELOPE)],
    ['deflate', deflateRawSync(ENVELOPE)],
    ['br', brotliCompressSync(ENVELOPE)],
    ['zstd', zstdCompress(ENVELOPE)],
    ['gzip, identity', gzipSync(ENVELOPE)],
    ['identity,br', brotliCompressSync(ENVELOPE)],
    // Listed in the order applied: deflate first, then gzip around it.
    ['deflate, gzip', gzipSync(deflateSync(ENVELOPE))],
  ])('decodes %s', async (encoding, body) => {
    expect((await decodeBuffer(body, encoding, LIMITS)).toString()).toBe(ENVELOPE.toString());
  });

  it('tells raw deflate from zlib deflate by the header', async () => {
    const zlibWrapped = deflateSync(ENVELOPE);
    const raw = deflateRawSync(ENVELOPE);
    expect(zlibWrapped.subarray(2, -4)).toEqual(raw);
    expect(await decodeBuffer(raw, 'deflate', LIMITS)).toEqual(ENVELOPE);
    expect(await decodeBuffer(zlibWrapped, 'deflate', LIMITS)).toEqual(ENVELOPE);
  });

  it.each([undefined, '', 'identity', 'UTF-8'])(
    'sniffs gzip sent with Content-Encoding %j',
    async (encoding) => {
      expect(await decodeBuffer(gzipSync(ENVELOPE), encoding, LIMITS)).toEqual(ENVELOPE);
    },
  );

  it('sniffs zstd sent without Content-Encoding', async () => {
    expect(await decodeBuffer(zstdCompress(ENVELOPE), undefined, LIMITS)).toEqual(ENVELOPE);
  });

  it('decodes a zstd body made of several frames', async () => {
    const body = Buffer.concat([zstdCompress(ENVELOPE.subarray(0, 10)), zstdCompress(ENVELOPE.subarray(10))]);
    expect(await decodeBuffer(body, 'zstd', LIMITS)).toEqual(ENVELOPE);
  });

  it('decodes a zstd body larger than one output chunk', async () => {
    const big = Buffer.alloc(700 * 1024, 0x7b);
    big.write('distinct tail', big.length - 13);
    const decoded = await decodeBuffer(zstdCompress(big), 'zstd', LIMITS);
    // Buffer#equals, because a deep toEqual walks 700 KiB one byte at a time (seconds).
    expect(decoded.length).toBe(big.length);
    expect(decoded.equals(big)).toBe(true);
  });

  it.each(['compress', 'gzip, lzma', 'snappy'])('refuses %j with 415 naming what works', async (encoding) => {
    const err = await expectAppError(
      decodeBuffer(ENVELOPE, encoding, LIMITS),
      415,
      'unsupported_encoding',
      'is not supported: send the body uncompressed or as gzip, deflate, br or zstd',
    );
    expect(err.message).toMatch(/^Content-Encoding "(compress|lzma|snappy)"/);
  });
});

describe('decodeBuffer: corrupt data is a 400', () => {
  it.each([
    ['gzip', Buffer.from('this is not gzip at all')],
    ['gzip', gzipSync(ENVELOPE).subarray(0, 20)],
    ['deflate', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff])],
    ['br', Buffer.from('definitely not brotli')],
    ['zstd', Buffer.from('not zstd either')],
    ['zstd', zstdCompress(ENVELOPE).subarray(0, 12)],
  ])('rejects corrupt %s', async (encoding, body) => {
    await expectAppError(
      decodeBuffer(body, encoding, LIMITS),
      400,
      'bad_request',
      `could not decompress body as ${encoding}: `,
    );
  });

  it('says when a zstd body stops in the middle of a frame', async () => {
    await expectAppError(
      decodeBuffer(zstdCompress(ENVELOPE).subarray(0, 12), 'zstd', LIMITS),
      400,
      'bad_request',
      'could not decompress body as zstd: the data ends in the middle of a frame',
    );
  });
});

describe('caps', () => {
  // Bombs far beyond what could be inflated within the test timeout (gigabytes of zeros): if a
  // decoder inflated first and measured afterwards, these tests would time out or run out of memory.
  let gzipBomb: Buffer;
  let zstdBomb: Buffer;
  beforeAll(() => {
    // Concatenated gzip members and zstd frames are each one valid stream.
    gzipBomb = Buffer.concat(Array<Buffer>(512).fill(gzipSync(Buffer.alloc(16 * MiB), { level: 9 })));
    zstdBomb = Buffer.concat(Array<Buffer>(4096).fill(zstdCompress(Buffer.alloc(16 * MiB))));
  });

  it('the bombs are small on the wire and huge inflated', () => {
    expect(gzipBomb.length).toBeLessThan(LIMITS.maxEnvelopeBytes);
    expect(zstdBomb.length).toBeLessThan(LIMITS.maxEnvelopeBytes);
  });

  it('stops a gzip bomb at the decompressed cap with 413', async () => {
    await expectAppError(
      decodeBuffer(gzipBomb, 'gzip', LIMITS),
      413,
      'payload_too_large',
      `request body is over ${MiB} bytes once decompressed`,
    );
  });

  it('stops a sniffed gzip bomb too', async () => {
    await expectAppError(
      decodeBuffer(gzipBomb, undefined, LIMITS),
      413,
      'payload_too_large',
      'once decompressed',
    );
  });

  it('stops a zstd bomb at the decompressed cap with 413', async () => {
    await expectAppError(
      decodeBuffer(zstdBomb, 'zstd', LIMITS),
      413,
      'payload_too_large',
      'once decompressed: send fewer or smaller items per envelope, or raise SNAG_MAX_DECOMPRESSED_BYTES',
    );
  });

  it('stops brotli and deflate bombs', async () => {
    const zeros = Buffer.alloc(64 * MiB);
    const br = brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
    await expectAppError(decodeBuffer(br, 'br', LIMITS), 413, 'payload_too_large', 'once decompressed');
    await expectAppError(
      decodeBuffer(deflateSync(zeros), 'deflate', LIMITS),
      413,
      'payload_too_large',
      'once decompressed',
    );
  });

  it('accepts a body of exactly the decompressed cap', async () => {
    const exact = Buffer.alloc(LIMITS.maxDecompressedBytes, 0x61);
    expect((await decodeBuffer(gzipSync(exact), 'gzip', LIMITS)).length).toBe(LIMITS.maxDecompressedBytes);
    expect((await decodeBuffer(zstdCompress(exact), 'zstd', LIMITS)).length).toBe(
      LIMITS.maxDecompressedBytes,
    );
  });

  // Small bodies are inflated in one synchronous call up to 1 MiB of output; past that the stream
  // takes over, so a cap above 1 MiB must still be honoured exactly, in both directions.
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)(
    'inflates a small %s body past the synchronous limit, up to a larger cap',
    async (encoding, compress) => {
      const limits = { maxEnvelopeBytes: MiB, maxDecompressedBytes: 6 * MiB };
      const big = Buffer.alloc(3 * MiB, 0x7b);
      big.write('distinct tail', big.length - 13);
      const body = compress(big);
      expect(body.length).toBeLessThan(64 * 1024);
      const decoded = await decodeBuffer(body, encoding, limits);
      expect(decoded.length).toBe(big.length);
      expect(decoded.equals(big)).toBe(true);
      await expectAppError(
        decodeBuffer(compress(Buffer.alloc(7 * MiB)), encoding, limits),
        413,
        'payload_too_large',
        `request body is over ${6 * MiB} bytes once decompressed`,
      );
    },
  );

  it('applies the decompressed cap to an uncompressed body', async () => {
    const limits = { maxEnvelopeBytes: 4096, maxDecompressedBytes: 1024 };
    await expectAppError(
      decodeBuffer(Buffer.alloc(2048, 0x61), undefined, limits),
      413,
      'payload_too_large',
      '1024',
    );
  });

  it('applies the raw cap to an already-read body', async () => {
    const limits = { maxEnvelopeBytes: 1024, maxDecompressedBytes: 4096 };
    const err = await expectAppError(
      decodeBuffer(Buffer.alloc(1025, 0x61), undefined, limits),
      413,
      'payload_too_large',
      'request body is over 1024 bytes as sent: send fewer or smaller items per envelope, or raise SNAG_MAX_ENVELOPE_BYTES',
    );
    expect(err.headers).toEqual({ Connection: 'close' });
  });
});

describe('readBody', () => {
  it('reads a body that arrives in pieces and decodes it', async () => {
    const gz = gzipSync(ENVELOPE);
    const pieces = [gz.subarray(0, 5), gz.subarray(5, 17), gz.subarray(17)];
    expect(await readBody(Readable.from(pieces), 'gzip', LIMITS)).toEqual(ENVELOPE);
    expect(await readBody(Readable.from([ENVELOPE]), '', LIMITS)).toEqual(ENVELOPE);
  });

  it('stops reading at the raw cap with 413 and leaves the stream paused, not destroyed', async () => {
    const { stream, state } = endlessStream(64 * 1024);
    const err = await expectAppError(
      readBody(stream, undefined, { maxEnvelopeBytes: MiB, maxDecompressedBytes: 4 * MiB }),
      413,
      'payload_too_large',
      `request body is over ${MiB} bytes as sent`,
    );
    // Not destroyed on purpose: destroying an IncomingMessage kills the socket, and the client
    // would never see the 413. Connection: close makes Node close it after the response.
    expect(err.headers).toEqual({ Connection: 'close' });
    expect(stream.destroyed).toBe(false);
    expect(stream.isPaused()).toBe(true);
    expect(stream.listenerCount('data')).toBe(0);
    const pulledAtCap = state.pulled;
    expect(pulledAtCap).toBeLessThanOrEqual(MiB + 3 * 64 * 1024);
    for (let i = 0; i < 20; i++) await waitForEventLoop();
    expect(state.pulled).toBeLessThanOrEqual(pulledAtCap + 64 * 1024);
    // A later error (the client hanging up) must not crash the process.
    const closed = new Promise((resolve) => stream.on('close', resolve));
    stream.destroy(new Error('aborted'));
    await closed;
  });

  it('refuses an unknown encoding before reading anything', async () => {
    const { stream, state } = endlessStream(1024);
    await expectAppError(
      readBody(stream, 'lzma', LIMITS),
      415,
      'unsupported_encoding',
      'Content-Encoding "lzma"',
    );
    expect(state.pulled).toBe(0);
    stream.destroy();
  });

  it('turns a body that breaks off into a 400', async () => {
    const stream = new Readable({ read() {} });
    const pending = readBody(stream, undefined, LIMITS);
    stream.push(Buffer.from('{"ev'));
    stream.destroy(new Error('aborted'));
    await expectAppError(
      pending,
      400,
      'body_aborted',
      'the request body could not be read to its end: aborted',
    );
  });

  it('turns a stream that closes before its end into a 400', async () => {
    const stream = new Readable({ read() {} });
    const pending = readBody(stream, undefined, LIMITS);
    stream.push(Buffer.from('{"ev'));
    stream.destroy();
    await expectAppError(pending, 400, 'body_aborted', 'the connection closed before the body ended');
  });
});

describe('readBody over real HTTP', () => {
  const limits: BodyLimits = { maxEnvelopeBytes: 64 * 1024, maxDecompressedBytes: MiB };
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readBody(req, req.headers['content-encoding'], limits).then(
        (body) => res.end(body),
        (err: AppError) => {
          res.writeHead(err.status, err.headers);
          res.end(err.message);
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  function post(
    chunks: Buffer[],
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      });
      // Once the server has answered 413 and closed, the rest of the upload fails: expected.
      req.on('error', (err) => reject(err));
      let i = 0;
      const writeMore = () => {
        while (i < chunks.length) {
          if (!req.write(chunks[i++])) return void req.once('drain', writeMore);
        }
        req.end();
      };
      writeMore();
    });
  }

  it('decodes a chunked gzip upload, as @sentry/node sends it', async () => {
    const gz = gzipSync(ENVELOPE);
    const response = await post([gz.subarray(0, 10), gz.subarray(10)], { 'Content-Encoding': 'gzip' });
    expect(response).toEqual({ status: 200, body: ENVELOPE.toString() });
  });

  it('answers an oversized upload with a 413 the client actually receives', async () => {
    const chunks = Array<Buffer>(200).fill(Buffer.alloc(64 * 1024, 0x61));
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await post(chunks, {});
      expect(response.status).toBe(413);
      expect(response.body).toContain('request body is over 65536 bytes as sent');
    }
  });
});
