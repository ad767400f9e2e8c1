/**
 * Ingest under its limits, each on a server started with small caps: bodies too large as sent,
 * decompression bombs and oversized event items answer 413 and store nothing; a full queue
 * answers 429 with Retry-After and X-Sentry-Rate-Limits, and every event that got a 200 is stored.
 */
import zlib from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import {
  eventEnvelope,
  expectCors,
  newEventId,
  postRaw,
  sdkEvent,
  type RawResponse,
} from '../helpers/ingest.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';

const MAX_ENVELOPE_BYTES = 4096;
const MAX_DECOMPRESSED_BYTES = 16_384;
const MAX_EVENT_BYTES = 8192;

describe('size caps', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let keyed: string;
  const refused: string[] = [];
  const post = (body: Buffer, headers: Record<string, string> = {}, p = keyed) =>
    postRaw(snag.url, p, body, headers);

  function expect413(res: RawResponse, setting: string): void {
    expect(res.status).toBe(413);
    expect(res.json?.['code']).toBe('payload_too_large');
    expect(res.json?.['detail']).toContain(setting);
    expectCors(res);
  }

  beforeAll(async () => {
    snag = await startSnag({
      env: {
        SNAG_MAX_ENVELOPE_BYTES: String(MAX_ENVELOPE_BYTES),
        SNAG_MAX_DECOMPRESSED_BYTES: String(MAX_DECOMPRESSED_BYTES),
        SNAG_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES),
      },
    });
    api = snagApi(snag);
    keyed = `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`;
  });

  afterAll(() => stopAndRemove(snag));

  it('accepts a compressed event under every cap', async () => {
    // The fixture event is ~5 KB: over the envelope cap as is, well under it as gzip.
    const event = sdkEvent();
    const body = eventEnvelope(event);
    expect(body.length).toBeGreaterThan(MAX_ENVELOPE_BYTES);
    const res = await post(zlib.gzipSync(body), { 'content-encoding': 'gzip' });
    expect([res.status, res.json]).toEqual([200, { id: event['event_id'] }]);
  });

  it('refuses a body over the cap as sent', async () => {
    const event = sdkEvent();
    refused.push(event['event_id'] as string);
    expect413(await post(eventEnvelope(event)), 'SNAG_MAX_ENVELOPE_BYTES');
    // Compressed but still too large on the wire: random bytes do not compress.
    const noisy = sdkEvent({
      extra: {
        noise: Buffer.from(Array.from({ length: 4000 }, () => Math.floor(Math.random() * 256))).toString(
          'base64',
        ),
      },
    });
    refused.push(noisy['event_id'] as string);
    const gz = zlib.gzipSync(eventEnvelope(noisy));
    expect(gz.length).toBeGreaterThan(MAX_ENVELOPE_BYTES);
    expect413(await post(gz, { 'content-encoding': 'gzip' }), 'SNAG_MAX_ENVELOPE_BYTES');
  });

  it.each([
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['deflate', (b: Buffer) => zlib.deflateSync(b)],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b)],
    ['zstd', (b: Buffer) => zstdCompress(b)],
  ])('stops a %s bomb at the decompressed cap', async (coding, encode) => {
    const id = newEventId();
    refused.push(id);
    // 2 MiB that compresses to about 2 KB: an envelope whose event is mostly spaces.
    const bomb = Buffer.concat([
      Buffer.from(`{"event_id":"${id}"}\n{"type":"event"}\n{"message":"bomb","extra":{"pad":"`),
      Buffer.alloc(2 * 1024 * 1024, 0x20),
      Buffer.from('"}}'),
    ]);
    const compressed = encode(bomb);
    expect(compressed.length).toBeLessThan(MAX_ENVELOPE_BYTES);
    expect413(await post(compressed, { 'content-encoding': coding }), 'SNAG_MAX_DECOMPRESSED_BYTES');
  });

  it('refuses an event item over the event cap, on the envelope and the store endpoint', async () => {
    const event = sdkEvent({ extra: { pad: 'x'.repeat(MAX_EVENT_BYTES) } });
    refused.push(event['event_id'] as string);
    const body = zlib.gzipSync(eventEnvelope(event));
    expect(body.length).toBeLessThan(MAX_ENVELOPE_BYTES);
    expect413(await post(body, { 'content-encoding': 'gzip' }), 'SNAG_MAX_EVENT_BYTES');
    const store = `/api/${snag.projectId}/store/?sentry_key=${snag.publicKey}`;
    expect413(
      await post(zlib.gzipSync(JSON.stringify(event)), { 'content-encoding': 'gzip' }, store),
      'SNAG_MAX_EVENT_BYTES',
    );
  });

  it('stored none of the refused events', async () => {
    const sentinel = sdkEvent();
    const res = await post(zlib.gzipSync(eventEnvelope(sentinel)), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    await waitFor(() => api.findEvent(sentinel['event_id'] as string), 10_000, 'sentinel stored');
    expect(refused).toHaveLength(7);
    for (const id of refused) expect(await api.findEvent(id)).toBeUndefined();
    // The accepted event of the first test and the sentinel, nothing else.
    expect((await api.health()).event_count).toBe(2);
  });
});

describe('backpressure', () => {
  let snag: RunningSnag;
  let api: SnagApi;

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_QUEUE_MAX_DEPTH: '1', SNAG_WORKER_BATCH_SIZE: '1' } });
    api = snagApi(snag);
  });

  afterAll(() => stopAndRemove(snag));

  it('answers 429 with Retry-After when the queue is full, and stores every event it acknowledged', async () => {
    const keyed = `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`;
    const events = Array.from({ length: 60 }, () => sdkEvent());
    const answers = await Promise.all(
      events.map(async (event) => ({
        id: event['event_id'] as string,
        res: await postRaw(snag.url, keyed, eventEnvelope(event)),
      })),
    );
    const acknowledged = answers.filter((a) => a.res.status === 200);
    const limited = answers.filter((a) => a.res.status === 429);
    expect(acknowledged.length + limited.length).toBe(events.length);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(limited.length).toBeGreaterThan(0);
    for (const { id, res } of acknowledged) expect(res.json).toEqual({ id });
    for (const { res } of limited) {
      expect(res.headers['retry-after']).toBe('5');
      expect(res.headers['x-sentry-rate-limits']).toBe('5::organization:queue_full');
      expect(res.json?.['code']).toBe('queue_full');
      expectCors(res);
    }

    await waitForDigest(snag, acknowledged.length);
    for (const { id } of acknowledged) expect(await api.findEvent(id), `acknowledged ${id}`).toBeDefined();
    for (const { id } of limited) expect(await api.findEvent(id), `refused ${id}`).toBeUndefined();
    const health = await api.health();
    expect(health.event_count).toBe(acknowledged.length);
    expect(health.queue_depth).toBe(0);
  });
});
