/**
 * The Sentry ingest endpoints over real HTTP against one running Snag: every auth variant SDKs
 * use, every Content-Encoding, path spellings, envelope framings, CORS, redelivery, PII scrubbing
 * and /_health. Size caps and backpressure need their own servers: ingest-limits.test.ts.
 * Longer than most files because it is the protocol's whole surface against one server, section
 * by section as in shared/reference/sentry-protocol.md.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { compress as zstdCompress } from 'zstd-napi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import {
  buildEnvelope,
  eventEnvelope,
  expectCors,
  newEventId,
  postRaw,
  sdkEvent,
} from '../helpers/ingest.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { REPO_ROOT, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const run = promisify(execFile);

describe('Sentry ingest over HTTP', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let envelopePath: string;
  let keyed: string;

  const post = (p: string, body: Buffer, headers: Record<string, string> = {}) =>
    postRaw(snag.url, p, body, headers);
  const waitStored = (eventId: string, slug = 'default') =>
    waitFor(() => api.findEvent(eventId, slug), 10_000, `event ${eventId} stored`);
  /**
   * Proves refused requests stored nothing: sends a good event after them, waits for it (the
   * digest goes in queue order), then checks that none of `refused` exists.
   */
  async function expectNoneStored(refused: string[]): Promise<void> {
    const sentinel = sdkEvent();
    expect((await post(keyed, eventEnvelope(sentinel))).status).toBe(200);
    await waitStored(sentinel['event_id'] as string);
    for (const id of refused) expect(await api.findEvent(id), `event ${id}`).toBeUndefined();
  }

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    envelopePath = `/api/${snag.projectId}/envelope/`;
    keyed = `${envelopePath}?sentry_key=${snag.publicKey}&sentry_version=7`;
  });

  afterAll(() => stopAndRemove(snag));

  describe('authentication', () => {
    it('accepts the key from the query, X-Sentry-Auth, Authorization and the envelope dsn', async () => {
      const variants: [string, string, Record<string, string>, Record<string, unknown>][] = [
        ['?sentry_key=', `${envelopePath}?sentry_key=${snag.publicKey}`, {}, {}],
        [
          'X-Sentry-Auth',
          envelopePath,
          { 'x-sentry-auth': `Sentry sentry_version=7, sentry_client=raw/1.0, sentry_key=${snag.publicKey}` },
          {},
        ],
        [
          'Authorization: Sentry',
          envelopePath,
          { authorization: `Sentry sentry_key=${snag.publicKey}, sentry_version=7` },
          {},
        ],
        ['Authorization: Bearer', envelopePath, { authorization: `Bearer ${snag.publicKey}` }, {}],
        ['envelope dsn', envelopePath, {}, { dsn: snag.dsn }],
      ];
      const before = (await api.health()).event_count;
      for (const [label, p, headers, envelopeHeaders] of variants) {
        const event = sdkEvent({ tags: { via: label } });
        const res = await post(p, eventEnvelope(event, envelopeHeaders), headers);
        expect([label, res.status, res.json]).toEqual([label, 200, { id: event['event_id'] }]);
        expectCors(res);
        const stored = await waitStored(event['event_id'] as string);
        expect(stored.payload['tags']).toEqual([['via', label]]);
      }
      expect((await api.health()).event_count).toBe(before + variants.length);
    });

    it('refuses unknown keys, keys of another project and missing auth, storing nothing', async () => {
      // The CLI writes the new project into the data dir while the server runs on it.
      const { stdout } = await run(
        process.execPath,
        [path.join(REPO_ROOT, 'bin/snag.js'), 'project', 'create', 'other', '--json'],
        {
          cwd: REPO_ROOT,
          env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: snag.dataDir, SNAG_LOG_LEVEL: 'warn' },
        },
      );
      const other = JSON.parse(stdout) as { id: number; slug: string; public_key: string };
      expect(other).toMatchObject({ slug: 'other', id: snag.projectId + 1 });
      expect(other.public_key).toMatch(/^[0-9a-f]{32}$/);

      const refused: string[] = [];
      const attempt = async (p: string, headers: Record<string, string> = {}) => {
        const event = sdkEvent();
        refused.push(event['event_id'] as string);
        const res = await post(p, eventEnvelope(event), headers);
        expectCors(res);
        expect(typeof res.json?.['detail']).toBe('string');
        expect(res.headers['x-sentry-error']).toBeTruthy();
        return res;
      };
      const unknown = await attempt(`${envelopePath}?sentry_key=${'ab'.repeat(16)}`);
      expect([unknown.status, unknown.json?.['code']]).toEqual([403, 'unknown_key']);
      const wrongProject = await attempt(`${envelopePath}?sentry_key=${other.public_key}`);
      expect([wrongProject.status, wrongProject.json?.['code']]).toEqual([403, 'project_mismatch']);
      const wrongHeader = await attempt(envelopePath, {
        'x-sentry-auth': `Sentry sentry_key=${other.public_key}`,
      });
      expect(wrongHeader.status).toBe(403);
      const none = await attempt(envelopePath);
      expect([none.status, none.json?.['code']]).toEqual([401, 'unauthorized']);
      const malformed = await attempt(`${envelopePath}?sentry_key=not-a-key`);
      expect(malformed.status).toBe(401);

      await expectNoneStored(refused);

      // The new project's key works at once, on its own project.
      const event = sdkEvent();
      const ok = await post(
        `/api/${other.id}/envelope/?sentry_key=${other.public_key}`,
        eventEnvelope(event),
      );
      expect([ok.status, ok.json]).toEqual([200, { id: event['event_id'] }]);
      expect((await waitStored(event['event_id'] as string, 'other')).project_id).toBe(other.id);
      expect(await api.findEvent(event['event_id'] as string, 'default')).toBeUndefined();
    });
  });

  describe('content encodings', () => {
    const encodings: [string, Record<string, string>, (b: Buffer) => Buffer][] = [
      ['identity (no header)', {}, (b) => b],
      ['empty Content-Encoding', { 'content-encoding': '' }, (b) => b],
      ['identity', { 'content-encoding': 'identity' }, (b) => b],
      ['gzip', { 'content-encoding': 'gzip' }, (b) => zlib.gzipSync(b)],
      ['x-gzip', { 'content-encoding': 'x-gzip' }, (b) => zlib.gzipSync(b)],
      ['deflate (zlib)', { 'content-encoding': 'deflate' }, (b) => zlib.deflateSync(b)],
      ['deflate (raw)', { 'content-encoding': 'deflate' }, (b) => zlib.deflateRawSync(b)],
      ['br', { 'content-encoding': 'br' }, (b) => zlib.brotliCompressSync(b)],
      ['zstd', { 'content-encoding': 'zstd' }, (b) => zstdCompress(b)],
      ['gzip without a header (sniffed)', {}, (b) => zlib.gzipSync(b)],
      ['zstd without a header (sniffed)', {}, (b) => zstdCompress(b)],
      ['gzip then br', { 'content-encoding': 'gzip, br' }, (b) => zlib.brotliCompressSync(zlib.gzipSync(b))],
    ];

    it.each(encodings)('decodes %s', async (label, headers, encode) => {
      const event = sdkEvent({ tags: { encoding: label } });
      const res = await post(keyed, encode(eventEnvelope(event)), {
        'content-type': 'application/x-sentry-envelope',
        ...headers,
      });
      expect([res.status, res.json]).toEqual([200, { id: event['event_id'] }]);
      const stored = await waitStored(event['event_id'] as string);
      expect(stored.payload['tags']).toEqual([['encoding', label]]);
    });

    it('refuses an unknown encoding with 415 and a body that does not match its encoding with 400', async () => {
      const a = sdkEvent();
      const unknown = await post(keyed, eventEnvelope(a), { 'content-encoding': 'compress' });
      expect(unknown.status).toBe(415);
      expect(unknown.json?.['detail']).toMatch(/Content-Encoding "compress" is not supported/);
      expectCors(unknown);
      const b = sdkEvent();
      const mismatch = await post(keyed, eventEnvelope(b), { 'content-encoding': 'gzip' });
      expect(mismatch.status).toBe(400);
      expect(mismatch.json?.['detail']).toMatch(/could not decompress body as gzip/);
      await expectNoneStored([a['event_id'] as string, b['event_id'] as string]);
    });
  });

  describe('paths', () => {
    it.each([
      ['/api/<id>/envelope/', (id: number) => `/api/${id}/envelope/`],
      ['/api/<id>/envelope', (id: number) => `/api/${id}/envelope`],
      ['//api/<id>/envelope/', (id: number) => `//api/${id}/envelope/`],
    ])('accepts %s', async (_label, toPath) => {
      const event = sdkEvent();
      const res = await post(`${toPath(snag.projectId)}?sentry_key=${snag.publicKey}`, eventEnvelope(event));
      expect([res.status, res.json]).toEqual([200, { id: event['event_id'] }]);
      await waitStored(event['event_id'] as string);
    });

    it.each([
      ['/api/<id>/store/', (id: number) => `/api/${id}/store/`],
      ['/api/<id>/store', (id: number) => `/api/${id}/store`],
    ])('accepts %s with one JSON event', async (_label, toPath) => {
      const event = sdkEvent();
      const res = await post(
        `${toPath(snag.projectId)}?sentry_key=${snag.publicKey}`,
        Buffer.from(JSON.stringify(event)),
        {
          'content-type': 'application/json',
        },
      );
      expect([res.status, res.json]).toEqual([200, { id: event['event_id'] }]);
      await waitStored(event['event_id'] as string);
    });

    it('answers 400 for a project id that is not a number', async () => {
      const res = await post(`/api/abc/envelope/?sentry_key=${snag.publicKey}`, eventEnvelope(sdkEvent()));
      expect(res.status).toBe(400);
      expect(res.json?.['detail']).toMatch(/is not a project id/);
    });
  });

  describe('envelope framing', () => {
    it('reads items without length (JavaScript style) and with length plus a trailing newline (Python style)', async () => {
      const js = sdkEvent();
      const py = sdkEvent();
      const jsBody = buildEnvelope({ event_id: js['event_id'] }, [
        { headers: { type: 'event' }, payload: js },
      ]);
      const pyBody = buildEnvelope(
        { event_id: py['event_id'] },
        [{ headers: { type: 'event', content_type: 'application/json' }, payload: py }],
        {
          withLength: true,
          trailingNewline: true,
        },
      );
      expect(jsBody.includes('"length"')).toBe(false);
      expect(pyBody.at(-1)).toBe(0x0a);
      for (const [event, body] of [
        [js, jsBody],
        [py, pyBody],
      ] as const) {
        const res = await post(keyed, body);
        expect([res.status, res.json]).toEqual([200, { id: event['event_id'] }]);
        await waitStored(event['event_id'] as string);
      }
    });

    it('skips a binary attachment by its length and a zero-length item', async () => {
      const before = (await api.health()).items_accepted['attachment'] ?? 0;
      const event = sdkEvent();
      const binary = Buffer.from([0x00, 0x0a, 0xff, 0x7b, 0x0a, 0x0a, 0x7d, 0x0d, 0x0a]);
      const body = buildEnvelope(
        { event_id: event['event_id'] },
        [
          {
            headers: { type: 'attachment', filename: 'core.bin', content_type: 'application/octet-stream' },
            payload: binary,
          },
          { headers: { type: 'attachment', filename: 'empty.txt' }, payload: Buffer.alloc(0) },
          { headers: { type: 'event' }, payload: event },
        ],
        { withLength: true, trailingNewline: true },
      );
      expect(body.includes('"length":0')).toBe(true);
      const res = await post(keyed, body);
      expect([res.status, res.json]).toEqual([200, { id: event['event_id'] }]);
      await waitStored(event['event_id'] as string);
      expect((await api.health()).items_accepted['attachment']).toBe(before + 2);
    });

    it("uses the envelope header's event_id over the payload's", async () => {
      const headerId = newEventId();
      const event = sdkEvent();
      const body = buildEnvelope({ event_id: headerId }, [{ headers: { type: 'event' }, payload: event }]);
      const res = await post(keyed, body);
      expect([res.status, res.json]).toEqual([200, { id: headerId }]);
      const stored = await waitStored(headerId);
      expect(stored.event_id).toBe(headerId);
      expect(stored.payload['event_id']).toBe(headerId);
      expect(await api.findEvent(event['event_id'] as string)).toBeUndefined();
    });

    it('answers {} when the envelope holds no event, and drops item types it does not digest', async () => {
      const health = await api.health();
      const session = {
        sid: newEventId(),
        status: 'ok',
        started: new Date().toISOString(),
        attrs: { release: 'r@1' },
      };
      const cases = [
        Buffer.from('{}\n'),
        Buffer.from('{}'),
        buildEnvelope({}, [{ headers: { type: 'session' }, payload: session }]),
        buildEnvelope({ sent_at: new Date().toISOString() }, [
          { headers: { type: 'made_up_item' }, payload: { a: 1 } },
        ]),
      ];
      for (const body of cases) {
        const res = await post(keyed, body);
        expect([res.status, res.json]).toEqual([200, {}]);
      }
      // An unknown item next to an event: accepted, dropped, and the event still stored.
      const event = sdkEvent();
      const mixed = buildEnvelope({ event_id: event['event_id'] }, [
        { headers: { type: 'made_up_item' }, payload: 'anything at all' },
        { headers: { type: 'event' }, payload: event },
      ]);
      expect((await post(keyed, mixed)).json).toEqual({ id: event['event_id'] });
      await waitStored(event['event_id'] as string);
      const after = await api.health();
      expect(after.items_dropped['made_up_item'] ?? 0).toBe((health.items_dropped['made_up_item'] ?? 0) + 2);
      expect(after.items_dropped['session'] ?? 0).toBe((health.items_dropped['session'] ?? 0) + 1);
    });

    it('answers 400 with a reason for a malformed envelope, storing nothing', async () => {
      const event = sdkEvent();
      const id = event['event_id'] as string;
      const payload = JSON.stringify(event);
      const malformed: [string, Buffer, RegExp][] = [
        [
          'header not JSON',
          Buffer.from(`not json\n{"type":"event"}\n${payload}`),
          /envelope header is not valid JSON/,
        ],
        [
          'header an array',
          Buffer.from(`[]\n{"type":"event"}\n${payload}`),
          /envelope header must be a JSON object/,
        ],
        ['item without type', Buffer.from(`{"event_id":"${id}"}\n{"length":2}\n{}`), /has no "type"/],
        [
          'length past the end',
          Buffer.from(`{"event_id":"${id}"}\n{"type":"event","length":99999}\n${payload}`),
          /runs past the end/,
        ],
        [
          'length too short',
          Buffer.from(`{"event_id":"${id}"}\n{"type":"event","length":5}\n${payload}`),
          /followed by more data/,
        ],
        ['bad event_id', Buffer.from(`{"event_id":"nope"}\n{"type":"event"}\n${payload}`), /is not a UUID/],
        ['empty body', Buffer.alloc(0), /empty/],
      ];
      for (const [label, body, reason] of malformed) {
        const res = await post(keyed, body);
        expect([label, res.status]).toEqual([label, 400]);
        expect(res.json?.['detail']).toMatch(reason);
        expectCors(res);
      }
      await expectNoneStored([id]);
    });

    it('accepts an event item that is not JSON but stores only valid events', async () => {
      const before = (await api.health()).invalid_events;
      const badId = newEventId();
      const bad = buildEnvelope({ event_id: badId }, [
        { headers: { type: 'event' }, payload: '{"message": "cut off' },
      ]);
      const res = await post(keyed, bad);
      expect([res.status, res.json]).toEqual([200, { id: badId }]);
      await expectNoneStored([badId]);
      expect((await api.health()).invalid_events).toBe(before + 1);
    });
  });

  it('stores a redelivered event once', async () => {
    const event = sdkEvent({
      fingerprint: ['redelivery-test'],
      exception: undefined,
      message: 'Redelivered once',
    });
    const body = eventEnvelope(event);
    const before = (await api.health()).duplicate_events;
    for (let i = 0; i < 2; i++) expect((await post(keyed, body)).json).toEqual({ id: event['event_id'] });
    const stored = await waitStored(event['event_id'] as string);
    await expectNoneStored([]);
    const issue = await api.getIssue(stored.issue_id);
    expect(issue).toMatchObject({ count: 1, title: 'Redelivered once' });
    expect((await api.listIssueEvents(issue.id)).events.map((e) => e.event_id)).toEqual([event['event_id']]);
    expect((await api.health()).duplicate_events).toBe(before + 1);

    // A redelivery of an old event is not a regression: the resolved issue stays resolved.
    await api.setIssueStatus(issue.id, 'resolved');
    expect((await post(keyed, body)).json).toEqual({ id: event['event_id'] });
    await expectNoneStored([]);
    expect(await api.getIssue(issue.id)).toMatchObject({ status: 'resolved', count: 1 });
    expect((await api.health()).duplicate_events).toBe(before + 2);
  });

  it('scrubs secrets and card numbers before storing', async () => {
    const event = sdkEvent({
      exception: undefined,
      message: 'Payment failed for card 4111 1111 1111 1111',
      request: {
        url: 'https://shop.example.com/pay',
        method: 'POST',
        headers: { Authorization: 'Bearer sk_live_abcdef123456', 'X-Request-Id': 'req-77' },
      },
      extra: { password: 'hunter2', note: 'card 4111-1111-1111-1111 on file', order: 'o-1' },
    });
    expect((await post(keyed, eventEnvelope(event))).status).toBe(200);
    const stored = await waitStored(event['event_id'] as string);
    const p = stored.payload as unknown as {
      request: { headers: Record<string, string> };
      extra: Record<string, string>;
      logentry: { formatted: string };
    };
    expect(p.request.headers).toEqual({ Authorization: '[Filtered]', 'X-Request-Id': 'req-77' });
    expect(p.extra).toEqual({ password: '[Filtered]', note: 'card [Filtered] on file', order: 'o-1' });
    expect(p.logentry.formatted).toBe('Payment failed for card [Filtered]');
    expect(stored.title).toBe('Payment failed for card [Filtered]');
    expect((await api.getIssue(stored.issue_id)).title).toBe('Payment failed for card [Filtered]');
    const raw = JSON.stringify(stored);
    for (const secret of ['4111', 'hunter2', 'sk_live']) expect(raw).not.toContain(secret);
  });

  it('answers a CORS preflight without auth', async () => {
    for (const p of [envelopePath, `/api/${snag.projectId}/store/`]) {
      const res = await postRaw(
        snag.url,
        p,
        Buffer.alloc(0),
        {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-sentry-auth',
        },
        'OPTIONS',
      );
      expect(res.status).toBe(200);
      expectCors(res);
      expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
      const allowed = String(res.headers['access-control-allow-headers']).split(/,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining([
          'x-sentry-auth',
          'content-type',
          'content-encoding',
          'authorization',
          'sentry-trace',
          'baggage',
        ]),
      );
    }
  });

  it('reports its state on /_health, counting transactions per minute', async () => {
    const before = await api.health();
    expect(before).toMatchObject({ status: 'ok', queue_status: 'ok' });
    // transaction_count stays a placeholder until transactions are stored (the APM work).
    for (const field of [
      'transaction_count',
      'queue_depth',
      'event_count',
      'issue_count',
      'transactions_per_second',
      'transactions_per_minute',
    ] as const) {
      expect(typeof before[field], field).toBe('number');
    }
    expect(Math.abs(Date.parse(before.timestamp) - Date.now())).toBeLessThan(60_000);
    expect(before.event_count).toBeGreaterThan(0);
    expect(before.issue_count).toBeGreaterThan(0);

    const start = Date.now() / 1000;
    const transaction = {
      type: 'transaction',
      transaction: 'GET /health-test',
      start_timestamp: start,
      timestamp: start + 0.05,
      contexts: { trace: { trace_id: newEventId(), span_id: newEventId().slice(0, 16), op: 'http.server' } },
      spans: [],
    };
    const id = newEventId();
    const res = await post(
      keyed,
      buildEnvelope({ event_id: id }, [{ headers: { type: 'transaction' }, payload: transaction }]),
    );
    expect([res.status, res.json]).toEqual([200, { id }]);
    const after = await api.health();
    expect(after.transactions_per_minute).toBe(before.transactions_per_minute + 1);
    expect(after.transactions_per_second).toBe(Math.round((after.transactions_per_minute / 60) * 100) / 100);
    expect(after.items_accepted['transaction']).toBe((before.items_accepted['transaction'] ?? 0) + 1);
  });
});
