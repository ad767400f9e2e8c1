/**
 * At the queue's cap (or under the disk reserve) ingest is refused before the request body is
 * read (src/http/app.ts): under issue 9's overload the main thread must not inflate and parse
 * bodies only to refuse them. A reserve larger than any disk makes every enqueue refused, so the
 * refusal is deterministic here; the queue-full 429 takes the same path (ingest-limits.test.ts).
 * The proof that the body is not read: the answer arrives while most of the body is unsent, and
 * the connection still serves the next request once the client has sent the rest.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent, expectCors } from '../helpers/ingest.js';
import { startSnag, type RunningSnag } from '../helpers/snag.js';

/** SNAG_DISK_RESERVE_MB's maximum, 1 TiB: more than the test machine's free space. */
const RESERVE_LARGER_THAN_ANY_DISK_MB = String(1024 * 1024);
const ANSWER_TIMEOUT_MS = 5_000;

/** Reads from `socket` until `done(text)` holds; rejects after ANSWER_TIMEOUT_MS. */
function readUntil(socket: net.Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new Error(`no complete answer within ${ANSWER_TIMEOUT_MS} ms; got ${JSON.stringify(text)}`));
    }, ANSWER_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!done(text)) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    socket.on('data', onData);
  });
}

/** A whole HTTP/1.1 answer with a Content-Length body. */
function isCompleteAnswer(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return length !== null && text.length >= end + 4 + Number(length[1]);
}

describe('ingest refused before the body is read', () => {
  let snag: RunningSnag;

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_DISK_RESERVE_MB: RESERVE_LARGER_THAN_ANY_DISK_MB } });
  });

  afterAll(() => stopAndRemove(snag));

  it('answers an envelope whose body has not arrived, and keeps the connection usable', async () => {
    const body = eventEnvelope(sdkEvent());
    const socket = net.connect(new URL(snag.url).port ? Number(new URL(snag.url).port) : 80, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const head =
        `POST /api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey} HTTP/1.1\r\n` +
        `Host: localhost\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
      const answered = readUntil(socket, isCompleteAnswer);
      socket.write(head);
      socket.write(body.subarray(0, 10));
      const answer = await answered;
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toMatch(/\r\nretry-after: 30\r\n/i);
      expect(answer).toMatch(/\r\naccess-control-allow-origin: \*\r\n/i);
      expect(answer).toMatch(/"code":"disk_full"/);

      // The rest of the body is discarded by the server; the socket then carries the next request.
      socket.write(body.subarray(10));
      const next = readUntil(socket, isCompleteAnswer);
      socket.write('GET /_health HTTP/1.1\r\nHost: localhost\r\n\r\n');
      expect(await next).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      socket.destroy();
    }
  });

  it('still gives Sentry SDKs the headers they read, and OTLP exporters a google.rpc.Status', async () => {
    const sentry = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent()),
    );
    expect(sentry.status).toBe(503);
    expect(sentry.json?.['code']).toBe('disk_full');
    expectCors(sentry);

    const otlp = await postRaw(snag.url, '/v1/logs', Buffer.from('{"resourceLogs":[]}'), {
      'content-type': 'application/json',
      authorization: `Bearer ${snag.publicKey}`,
    });
    expect(otlp.status).toBe(503);
    expect(otlp.headers['content-type']).toMatch(/^application\/json/);
    // google.rpc.Status in JSON: code 14 (UNAVAILABLE) and the reason.
    expect(otlp.json).toMatchObject({ code: 14 });
    expect(String(otlp.json?.['message'])).toMatch(/SNAG_DISK_RESERVE_MB/);
  });
});
