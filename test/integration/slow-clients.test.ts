/**
 * Issue 9's slow and oversized clients, against a real server over real sockets: hundreds of
 * slowloris connections trickling header lines, a client trickling its body, and a header set
 * over the limit. The server must keep answering everyone else, close the slow sockets itself
 * (headers: 10 s; whole request: 30 s; src/http/app.ts), and refuse the huge headers with 431.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { startSnag, type RunningSnag } from '../helpers/snag.js';

const SLOWLORIS_SOCKETS = 300;
const HEADERS_TIMEOUT_S = 10;
const REQUEST_TIMEOUT_S = 30;

interface Trickle {
  closedAfterMs: Promise<number>;
  received: () => string;
  stop: () => void;
}

/** Opens a socket, writes `first`, then `next()` every `everyMs` until the server closes it. */
function trickle(port: number, first: string, next: () => string, everyMs: number): Trickle {
  const started = Date.now();
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => {}); // a reset is one way of being closed
  socket.write(first);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(next());
  }, everyMs);
  const closedAfterMs = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
  return {
    closedAfterMs,
    received: () => received,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('slow and oversized clients', () => {
  let snag: RunningSnag;
  let port: number;
  const trickles: Trickle[] = [];

  beforeAll(async () => {
    snag = await startSnag();
    port = Number(new URL(snag.url).port);
  });
  afterAll(async () => {
    trickles.forEach((t) => t.stop());
    await stopAndRemove(snag);
  });

  it('closes slowloris and slow-body sockets itself while serving everyone else', async () => {
    const path = `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`;
    let n = 0;
    for (let i = 0; i < SLOWLORIS_SOCKETS; i++) {
      trickles.push(
        trickle(port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, () => `X-Slow-${n++}: 1\r\n`, 1_000),
      );
    }
    const body = eventEnvelope(sdkEvent());
    const slowBody = trickle(
      port,
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`,
      () => 'x',
      1_000,
    );
    trickles.push(slowBody);

    // Everyone else is served while the slow sockets hang on.
    for (let i = 0; i < 20; i++) {
      const res = await postRaw(snag.url, path, eventEnvelope(sdkEvent()));
      expect(res.status).toBe(200);
    }

    const slowlorisClosed = await Promise.all(
      trickles.slice(0, SLOWLORIS_SOCKETS).map((t) => t.closedAfterMs),
    );
    // Closed by the server, soon after the headers timeout (checked every second), not later.
    expect(Math.min(...slowlorisClosed)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_S * 1000 - 500);
    expect(Math.max(...slowlorisClosed)).toBeLessThan((HEADERS_TIMEOUT_S + 10) * 1000);

    const slowBodyClosed = await slowBody.closedAfterMs;
    expect(slowBodyClosed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_S * 1000 - 500);
    expect(slowBodyClosed).toBeLessThan((REQUEST_TIMEOUT_S + 10) * 1000);
    expect(slowBody.received()).toMatch(/^HTTP\/1\.1 408/);

    expect((await postRaw(snag.url, path, eventEnvelope(sdkEvent()))).status).toBe(200);
    expect(snag.proc.exitCode).toBeNull();
  }, 60_000);

  it('answers 431 to a header set over 16 KiB and keeps serving', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 40; i++) headers[`x-filler-${i}`] = 'y'.repeat(1_000);
    const res = await fetch(`${snag.url}/_health`, { headers }).catch((err: Error) => err);
    // Node answers 431 and closes; fetch may see the answer or the closed socket.
    if (res instanceof Error) expect(res.message).toMatch(/fetch failed|other side closed/);
    else expect(res.status).toBe(431);
    expect((await fetch(`${snag.url}/_health`)).status).toBe(200);
  });
});
