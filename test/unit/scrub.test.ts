import { describe, it, expect } from 'vitest';
import { normalizeEvent } from '../../src/domain/events/normalize.js';
import { scrubEvent, scrubString, type ScrubOptions } from '../../src/domain/events/scrub.js';

const defaults = { enabled: true, ipAddresses: true, extraKeys: [], safeKeys: [] };
const F = '[Filtered]';

// Shaped like sentry-python (Django, send_default_pii=True) reports a failed checkout.
function djangoEvent() {
  return normalizeEvent(
    {
      event_id: '0d9a1c2b3e4f45a6b7c8d9e0f1a2b3c4',
      timestamp: '2024-05-31T16:08:37.123456Z',
      platform: 'python',
      fingerprint: ['checkout', '4111111111111111'],
      exception: {
        values: [
          {
            type: 'PaymentError',
            value: 'Card 4111 1111 1111 1111 declined',
            mechanism: { type: 'django', handled: false, data: { api_key: 'sk_live_123' } },
            stacktrace: {
              frames: [
                {
                  module: 'shop.payments',
                  filename: 'shop/payments.py',
                  abs_path: '/home/deploy/shop/payments.py',
                  function: 'charge',
                  context_line: '    stripe.Charge.create(api_key=settings.STRIPE_SECRET)',
                  vars: {
                    password: "'hunter2'",
                    amount: '100',
                    card: { number: '5555555555554444', cvc: '123' },
                  },
                  in_app: true,
                },
              ],
            },
          },
        ],
      },
      request: {
        url: 'https://shop.example.com/checkout?token=abc123&step=2#pay',
        method: 'POST',
        headers: {
          Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig',
          Cookie: 'sessionid=s3cr3t; theme=dark',
          'X-Api-Key': 'key_123',
          'X-Forwarded-For': '203.0.113.9',
          'User-Agent': 'Mozilla/5.0',
        },
        cookies: 'sessionid=s3cr3t; csrftoken=tok; theme=dark',
        query_string: 'token=abc123&step=2',
        data: { username: 'alice', password: 'hunter2', nested: { credit_card: '4111-1111-1111-1111' } },
        env: { REMOTE_ADDR: '203.0.113.9', SERVER_NAME: 'shop-1' },
      },
      user: { id: '42', email: 'alice@example.com', ip_address: '203.0.113.9' },
      sdk: { name: 'sentry.python.django', version: '2.5.1', client_ip: '203.0.113.9' },
      extra: {
        db_url: 'postgres://shop:Pa55word@db.internal:5432/shop',
        author: 'x',
        note: 'Authorization: Bearer abcdef123456',
      },
      contexts: { payment: { provider: 'stripe', secret_key: 'sk_live_123' } },
      breadcrumbs: {
        values: [
          { category: 'http', message: 'GET /me', data: { auth: 'Basic dXNlcjpwYXNz', status_code: 200 } },
        ],
      },
      tags: { session_token: 'abc', region: 'eu' },
      modules: { 'google-auth': '2.29.0', django: '5.0.6' },
      debug_meta: {
        images: [{ type: 'sourcemap', debug_id: 'secret-looking-id', code_file: '/app/token.js' }],
      },
    },
    { receivedAt: 1_717_171_800_000 },
  );
}

describe('scrubEvent', () => {
  it('filters values under sensitive keys in every scrubbed part of the event', () => {
    const event = scrubEvent(djangoEvent(), defaults);
    const frame = event.exception.values[0]!.stacktrace!.frames[0]!;
    expect(frame.vars).toEqual({ password: F, amount: '100', card: { number: F, cvc: '123' } });
    expect(event.exception.values[0]!.mechanism?.data).toEqual({ api_key: F });
    expect(event.request?.headers).toEqual({
      Authorization: F,
      Cookie: F,
      'X-Api-Key': F,
      'X-Forwarded-For': F,
      'User-Agent': 'Mozilla/5.0',
    });
    expect(event.request?.data).toEqual({ username: 'alice', password: F, nested: { credit_card: F } });
    expect(event.contexts.payment).toEqual({ provider: 'stripe', secret_key: F });
    expect(event.breadcrumbs.values[0]!.data).toEqual({ auth: F, status_code: 200 });
    expect(event.tags).toEqual([
      ['region', 'eu'],
      ['session_token', F],
    ]);
    // Relay's `auth` rule matches substrings, so "author" goes too; that is the Sentry default.
    expect(event.extra?.author).toBe(F);
  });

  it('filters cookies and query parameters by name inside strings', () => {
    const request = scrubEvent(djangoEvent(), defaults).request!;
    expect(request.cookies).toBe(`sessionid=${F}; csrftoken=${F}; theme=dark`);
    expect(request.query_string).toBe(`token=${F}&step=2`);
    expect(request.url).toBe(`https://shop.example.com/checkout?token=${F}&step=2#pay`);
  });

  it('replaces secrets found inside strings', () => {
    const event = scrubEvent(djangoEvent(), defaults);
    expect(event.exception.values[0]!.value).toBe(`Card ${F} declined`);
    expect(event.extra?.db_url).toBe(`postgres://shop:${F}@db.internal:5432/shop`);
    expect(event.extra?.note).toBe(`Authorization: Bearer ${F}`);
  });

  it('leaves identifiers, code locations and package names alone', () => {
    const event = scrubEvent(djangoEvent(), defaults);
    const frame = event.exception.values[0]!.stacktrace!.frames[0]!;
    expect(event.event_id).toBe('0d9a1c2b3e4f45a6b7c8d9e0f1a2b3c4');
    expect(event.fingerprint).toEqual(['checkout', '4111111111111111']);
    expect(event.exception.values[0]!.type).toBe('PaymentError');
    expect(frame.abs_path).toBe('/home/deploy/shop/payments.py');
    expect(frame.context_line).toBe('    stripe.Charge.create(api_key=settings.STRIPE_SECRET)');
    expect(event.modules).toEqual({ 'google-auth': '2.29.0', django: '5.0.6' });
    expect(event.debug_meta).toEqual({
      images: [{ type: 'sourcemap', debug_id: 'secret-looking-id', code_file: '/app/token.js' }],
    });
    expect(event.user?.email).toBe('alice@example.com');
  });

  it('removes stored IP addresses only when asked to', () => {
    const scrubbed = scrubEvent(djangoEvent(), defaults);
    expect(scrubbed.user).toEqual({ id: '42', email: 'alice@example.com' });
    expect(scrubbed.request?.env).toEqual({ SERVER_NAME: 'shop-1' });
    expect(scrubbed.sdk).not.toHaveProperty('client_ip');
    const kept = scrubEvent(djangoEvent(), { ...defaults, ipAddresses: false });
    expect(kept.user?.ip_address).toBe('203.0.113.9');
    expect(kept.request?.env).toEqual({ REMOTE_ADDR: '203.0.113.9', SERVER_NAME: 'shop-1' });
    expect((kept.request?.headers as Record<string, string>)['X-Forwarded-For']).toBe('203.0.113.9');
  });

  it('applies extra sensitive keys and never filters safe keys', () => {
    const event = scrubEvent(djangoEvent(), {
      ...defaults,
      extraKeys: ['Username'],
      safeKeys: ['author', 'X-API-KEY'],
    });
    expect((event.request?.data as Record<string, unknown>).username).toBe(F);
    expect(event.extra?.author).toBe('x');
    expect((event.request?.headers as Record<string, string>)['X-Api-Key']).toBe('key_123');
  });

  it('keeps the key verdicts of different options apart', () => {
    const cookies = (options: ScrubOptions) => scrubEvent(djangoEvent(), options).request?.cookies;
    const stricter = { ...defaults, extraKeys: ['theme'] };
    expect(cookies(defaults)).toBe(`sessionid=${F}; csrftoken=${F}; theme=dark`);
    expect(cookies(stricter)).toBe(`sessionid=${F}; csrftoken=${F}; theme=${F}`);
    expect(cookies({ ...defaults, safeKeys: ['sessionid'] })).toBe(
      `sessionid=s3cr3t; csrftoken=${F}; theme=dark`,
    );
    expect(cookies(defaults)).toBe(`sessionid=${F}; csrftoken=${F}; theme=dark`);
  });

  it('returns the event untouched when disabled', () => {
    const event = djangoEvent();
    const before = structuredClone(event);
    expect(scrubEvent(event, { ...defaults, enabled: false })).toEqual(before);
  });

  it('survives hostile nesting by cutting it off', () => {
    let deep: Record<string, unknown> = { leaf: 'bottom' };
    for (let level = 0; level < 100_000; level++) deep = { child: deep };
    const event = djangoEvent();
    event.extra = { deep };
    scrubEvent(event, defaults);
    let node: unknown = event.extra.deep;
    let depth = 0;
    while (typeof node === 'object' && node !== null) {
      node = (node as Record<string, unknown>).child;
      depth++;
    }
    expect(node).toBe('[Filtered: nested too deep]');
    expect(depth).toBeLessThan(70);
  });
});

describe('scrubString', () => {
  it.each([
    ['Visa with spaces', 'paid with 4111 1111 1111 1111 today', `paid with ${F} today`],
    ['Mastercard plain', 'card=5555555555554444', `card=${F}`],
    ['Amex with dashes', '3782-822463-10005', F],
    ['Discover', '6011111111111117', F],
    ['Luhn-invalid number stays', 'order 4111111111111112 shipped', 'order 4111111111111112 shipped'],
    ['longer number stays', 'id 41111111111111110000', 'id 41111111111111110000'],
    ['bearer token', 'Authorization: bearer abc.def-ghi_123', `Authorization: bearer ${F}`],
    ['bearer as a word stays', 'the bearer of bad news', 'the bearer of bad news'],
    ['shortest bearer token', 'Bearer 12345678', `Bearer ${F}`],
    [
      'url password behind a percent-encoded user',
      'amqp://us%40er:pa55@mq/vhost',
      `amqp://us%40er:${F}@mq/vhost`,
    ],
    ['url password', 'redis://:hunter22@cache:6379/0', `redis://:${F}@cache:6379/0`],
    ['email is not a url password', 'mail alice@example.com now', 'mail alice@example.com now'],
    [
      'pem private key',
      'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end',
      `key: ${F} end`,
    ],
  ])('%s', (_name, input, expected) => {
    expect(scrubString(input)).toBe(expected);
  });
});
