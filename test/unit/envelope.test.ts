import { describe, it, expect } from 'vitest';
import { AppError } from '../../src/errors.js';
import { parseEnvelope } from '../../src/ingest/sentry/envelope.js';

const EVENT_ID = '9ec79c33ec9942ab8353589fcb2e04dc';
const DSN = 'https://0123456789abcdef0123456789abcdef@snag.example.com/1';

function bytes(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}

function expectBadRequest(body: Buffer, message: string): void {
  let caught: unknown;
  try {
    parseEnvelope(body);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.status).toBe(400);
  expect(err.code).toBe('bad_request');
  expect(err.message).toContain(message);
}

describe('parseEnvelope: what SDKs send', () => {
  it('reads the JS shape: JSON items without length, attachment with length, no trailing newline', () => {
    const event = `{"event_id":"${EVENT_ID}","message":"boom"}`;
    const session = '{"sid":"abc","status":"ok"}';
    const attachment = Buffer.from([0x00, 0x0a, 0xff, 0x0a, 0x0d]);
    const body = bytes(
      `{"event_id":"${EVENT_ID}","sent_at":"2025-01-01T00:00:00.000Z","sdk":{"name":"sentry.javascript.node","version":"10.0.0"}}\n`,
      '{"type":"event"}\n',
      event,
      '\n{"type":"session"}\n',
      session,
      `\n{"type":"attachment","length":5,"filename":"bin.dat"}\n`,
      attachment,
    );
    const envelope = parseEnvelope(body);
    expect(envelope.headers).toEqual({
      event_id: EVENT_ID,
      sent_at: '2025-01-01T00:00:00.000Z',
      sdk: { name: 'sentry.javascript.node', version: '10.0.0' },
    });
    expect(envelope.items.map((item) => item.type)).toEqual(['event', 'session', 'attachment']);
    expect(envelope.items[0]!.payload.toString()).toBe(event);
    expect(envelope.items[1]!.payload.toString()).toBe(session);
    expect(envelope.items[2]!.payload).toEqual(attachment);
    expect(envelope.items[2]!.headers).toEqual({ type: 'attachment', length: 5, filename: 'bin.dat' });
  });

  it('reads the Python shape: length on every item and a trailing newline', () => {
    const event = `{"event_id":"${EVENT_ID}","level":"error"}`;
    const transaction = '{"type":"transaction","spans":[]}';
    const body = bytes(
      `{"event_id":"${EVENT_ID}","sent_at":"2025-01-01T00:00:00Z"}\n`,
      `{"type":"event","content_type":"application/json","length":${event.length}}\n${event}\n`,
      `{"type":"transaction","content_type":"application/json","length":${transaction.length}}\n${transaction}\n`,
    );
    const envelope = parseEnvelope(body);
    expect(envelope.items).toHaveLength(2);
    expect(envelope.items[0]!.payload.toString()).toBe(event);
    expect(envelope.items[1]!.type).toBe('transaction');
    expect(envelope.items[1]!.payload.toString()).toBe(transaction);
  });

  it('reads the Ruby shape: dsn header, JSON items without length, attachment with length', () => {
    const event = `{"event_id":"${EVENT_ID}","platform":"ruby"}`;
    const log = 'line one\nline two\n';
    const body = bytes(
      `{"event_id":"${EVENT_ID}","dsn":"${DSN}","sdk":{"name":"sentry.ruby","version":"5.22.0"}}\n`,
      `{"type":"event","content_type":"application/json"}\n${event}\n`,
      `{"type":"attachment","length":${log.length},"filename":"log.txt","content_type":"text/plain"}\n${log}`,
    );
    const envelope = parseEnvelope(body);
    expect(envelope.headers.dsn).toBe(DSN);
    expect(envelope.items.map((item) => [item.type, item.payload.toString()])).toEqual([
      ['event', event],
      ['attachment', log],
    ]);
  });
});

describe('parseEnvelope: edges of the grammar', () => {
  it('accepts a header-only envelope, with or without a newline', () => {
    expect(parseEnvelope(Buffer.from('{}'))).toEqual({ headers: {}, items: [] });
    expect(parseEnvelope(Buffer.from('{}\n'))).toEqual({ headers: {}, items: [] });
  });

  it('accepts length 0, in the middle and at the end', () => {
    const envelope = parseEnvelope(
      Buffer.from(
        '{}\n{"type":"attachment","length":0}\n\n{"type":"event"}\n{}\n{"type":"attachment","length":0}',
      ),
    );
    expect(envelope.items.map((item) => [item.type, item.payload.length])).toEqual([
      ['attachment', 0],
      ['event', 2],
      ['attachment', 0],
    ]);
  });

  it('keeps \\r as payload bytes: it is never a line end', () => {
    const envelope = parseEnvelope(
      Buffer.from('{}\r\n{"type":"event"}\r\n{"a":1}\r\n{"type":"log","length":4}\r\na\rb\r\n'),
    );
    expect(envelope.items).toHaveLength(2);
    expect(envelope.items[0]!.payload.toString()).toBe('{"a":1}\r');
    // The header line ends in \r (JSON whitespace); the payload starts after its \n and keeps its own \r.
    expect(envelope.items[1]!.payload.toString()).toBe('a\rb\r');
  });

  it('rejects a \\r\\n after a length-delimited payload: the \\r is an extra byte', () => {
    expectBadRequest(
      Buffer.from('{}\n{"type":"attachment","length":2}\nab\r\n'),
      'envelope item 1: the 2-byte payload is followed by more data instead of a newline',
    );
  });

  it('takes a binary payload containing newlines exactly by its length', () => {
    const payload = Buffer.from([0x0a, 0x0a, 0x7b, 0x0a, 0x00, 0x0a]);
    const body = bytes('{}\n{"type":"replay_recording","length":6}\n', payload, '\n{"type":"event"}\n{}');
    const envelope = parseEnvelope(body);
    expect(envelope.items[0]!.payload).toEqual(payload);
    expect(envelope.items[1]!.type).toBe('event');
  });

  it('skips blank and whitespace-only lines between and after items', () => {
    const envelope = parseEnvelope(
      Buffer.from('{}\n\n{"type":"event"}\n{"x":1}\n\n \r\n\t\n{"type":"session"}\n{}\n\n\n'),
    );
    expect(envelope.items.map((item) => [item.type, item.payload.toString()])).toEqual([
      ['event', '{"x":1}'],
      ['session', '{}'],
    ]);
  });

  it('gives an empty payload to an item header at the very end', () => {
    const envelope = parseEnvelope(Buffer.from('{}\n{"type":"event"}'));
    expect(envelope.items).toHaveLength(1);
    expect(envelope.items[0]!.payload.length).toBe(0);
  });

  it('treats "length": null as no length, as Relay does', () => {
    const envelope = parseEnvelope(Buffer.from('{}\n{"type":"event","length":null}\n{"a":1}'));
    expect(envelope.items[0]!.payload.toString()).toBe('{"a":1}');
  });

  it('returns payloads as views of the body, not copies', () => {
    const body = Buffer.from('{}\n{"type":"event"}\n{"a":1}');
    const payload = parseEnvelope(body).items[0]!.payload;
    expect(payload.buffer).toBe(body.buffer);
    expect(payload.byteOffset).toBe(body.byteOffset + 20);
  });

  it('keeps unknown item header keys', () => {
    const envelope = parseEnvelope(
      Buffer.from(
        '{}\n{"type":"span","item_count":2,"content_type":"application/vnd.sentry.items.span.v2+json"}\n{}',
      ),
    );
    expect(envelope.items[0]!.headers).toEqual({
      type: 'span',
      item_count: 2,
      content_type: 'application/vnd.sentry.items.span.v2+json',
    });
  });

  it('normalizes a dashed, upper-case event_id to 32 lower-case hex', () => {
    const envelope = parseEnvelope(Buffer.from('{"event_id":"9EC79C33-EC99-42AB-8353-589FCB2E04DC"}'));
    expect(envelope.headers.event_id).toBe(EVENT_ID);
  });
});

describe('parseEnvelope: malformed bodies are 400s that say what is wrong', () => {
  it('rejects an empty body', () => {
    expectBadRequest(Buffer.alloc(0), 'envelope is empty');
  });

  it('rejects an envelope header that is not JSON, or not an object', () => {
    expectBadRequest(Buffer.from('hello\n{"type":"event"}\n{}'), 'envelope header is not valid JSON');
    expectBadRequest(Buffer.from('[1,2]\n'), 'envelope header must be a JSON object');
    expectBadRequest(Buffer.from('null'), 'envelope header must be a JSON object');
    expectBadRequest(Buffer.from('\n{}'), 'envelope header is not valid JSON');
  });

  it('rejects an item header that is not a JSON object', () => {
    expectBadRequest(
      Buffer.from('{}\n{"type":"event"}\n{}\n{"type":'),
      'envelope item 2 header is not valid JSON',
    );
    expectBadRequest(Buffer.from('{}\n"event"\n{}'), 'envelope item 1 header must be a JSON object');
  });

  it('rejects an item header without a string type', () => {
    expectBadRequest(Buffer.from('{}\n{"length":2}\n{}'), 'envelope item 1: the header has no "type"');
    expectBadRequest(Buffer.from('{}\n{"type":7}\n{}'), 'envelope item 1: the header has no "type"');
    expectBadRequest(Buffer.from('{}\n{"type":""}\n{}'), 'envelope item 1: the header has no "type"');
  });

  it('rejects a length that is not a non-negative integer', () => {
    for (const length of ['-1', '1.5', '"3"', 'true', '1e300']) {
      expectBadRequest(
        Buffer.from(`{}\n{"type":"attachment","length":${length}}\nabc`),
        'envelope item 1: "length" must be a non-negative whole number of bytes, got ',
      );
    }
  });

  it('rejects a length that runs past the end of the body', () => {
    expectBadRequest(
      bytes('{}\n{"type":"event"}\n{}\n{"type":"attachment","length":500}\n', Buffer.alloc(300, 0x61)),
      'envelope item 2: length 500 runs past the end of the body (300 bytes left)',
    );
    expectBadRequest(
      Buffer.from('{}\n{"type":"attachment","length":1}'),
      'envelope item 1: length 1 runs past the end of the body (0 bytes left)',
    );
  });

  it('rejects data right after a length-delimited payload', () => {
    expectBadRequest(
      Buffer.from('{}\n{"type":"attachment","length":3}\nabcd\n'),
      'envelope item 1: the 3-byte payload is followed by more data instead of a newline',
    );
  });

  it('rejects an event_id that is not a UUID', () => {
    expectBadRequest(
      Buffer.from('{"event_id":"not-an-id"}'),
      'envelope header event_id "not-an-id" is not a UUID',
    );
    expectBadRequest(Buffer.from(`{"event_id":"${EVENT_ID}0"}`), 'is not a UUID');
    expectBadRequest(Buffer.from('{"event_id":12}'), 'envelope header event_id 12 is not a UUID');
  });
});
