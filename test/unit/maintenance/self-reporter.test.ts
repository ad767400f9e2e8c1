/** The self-monitoring sender against a local HTTP receiver: envelope shape, dedupe, rate limit, loop guard. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfReporter, parseDsn } from '../../../src/self-monitor/reporter.js';

const received: { url: string; auth: string; body: string }[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', auth: String(req.headers['x-sentry-auth']), body });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('self-monitoring reporter', () => {
  it('parses DSNs with a path prefix', () => {
    const dsn = parseDsn('https://abc@example.com/sentry/42');
    expect(dsn.envelopeUrl).toBe('https://example.com/sentry/api/42/envelope/');
    expect(dsn.ingestPathPrefix).toBe('/sentry/api/42/');
    expect(dsn.publicKey).toBe('abc');
  });

  it('sends one envelope per distinct error, at most 10 a minute, never for self-ingest requests', async () => {
    received.length = 0;
    let now = 1_000_000;
    const reporter = createSelfReporter({
      dsn: `http://key1@${base}/7`,
      release: 'snag@test',
      now: () => now,
    });
    const err = new Error('boom');
    expect(reporter.captureError(err)).toBe(true);
    expect(reporter.captureError(err)).toBe(false); // same error: deduped
    expect(reporter.captureError(new Error('other'), { url: '/api/7/envelope/' })).toBe(false);
    for (let i = 0; i < 12; i++) reporter.captureError(new Error(`distinct ${i}`));
    await reporter.flush();
    expect(received).toHaveLength(10);
    expect(reporter.stats()).toMatchObject({ sent: 10, failed: 0 });
    now += 61_000;
    expect(reporter.captureError(new Error('next minute'))).toBe(true);
    await reporter.flush();

    const first = received[0]!;
    expect(first.url).toBe('/api/7/envelope/');
    expect(first.auth).toContain('sentry_key=key1');
    const [header, itemHeader, payload] = first.body.split('\n');
    const event = JSON.parse(payload!) as {
      event_id: string;
      exception: { values: { type: string; value: string; stacktrace: { frames: unknown[] } }[] };
      tags: Record<string, string>;
    };
    expect(JSON.parse(header!).event_id).toBe(event.event_id);
    expect(JSON.parse(itemHeader!)).toEqual({ type: 'event', length: Buffer.byteLength(payload!) });
    expect(event.exception.values[0]).toMatchObject({ type: 'Error', value: 'boom' });
    expect(event.exception.values[0]!.stacktrace.frames.length).toBeGreaterThan(0);
    expect(event.tags['snag_self_report']).toBe('true');
  });
});
