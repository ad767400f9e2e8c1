import { describe, it, expect } from 'vitest';
import { AppError } from '../../src/errors.js';
import { normalizeEvent, type NormalizeContext } from '../../src/domain/events/normalize.js';

const RECEIVED_AT_MS = 1_717_171_800_000;
const ctx = { receivedAt: RECEIVED_AT_MS };
const normalize = (raw: unknown, extra: Partial<NormalizeContext> = {}) =>
  normalizeEvent(raw, { ...ctx, ...extra });

// Payloads shaped as the SDKs send them; kept one frame per line so they read like captured JSON.

// @sentry/node 8.x, uncaught error: float timestamp, breadcrumbs as a bare list.
// prettier-ignore
const nodeEvent = {
  event_id: '9f2c1e0b7d4a4c7e8b1a2f3d4e5c6b7a', timestamp: 1717171717.123, platform: 'node', level: 'error',
  server_name: 'web-1 ', environment: 'staging', release: 'shop@1.4.0',
  sdk: { name: 'sentry.javascript.node', version: '8.9.2', packages: [{ name: 'npm:@sentry/node', version: '8.9.2' }] },
  contexts: { runtime: { name: 'node', version: 'v20.11.0' }, trace: { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) } },
  tags: { route: 'GET /users/:id', 'feature flag': true },
  exception: { values: [{
    type: 'TypeError', value: "Cannot read properties of undefined (reading 'id')",
    mechanism: { type: 'onuncaughtexception', handled: false },
    stacktrace: { frames: [
      { filename: 'node:internal/process/task_queues', function: 'process.processTicksAndRejections', lineno: 95, colno: 5, in_app: false },
      { filename: '/app/node_modules/express/lib/router/layer.js', module: 'express.lib.router:layer', function: 'Layer.handle [as handle_request]', lineno: 95, colno: 5, in_app: false },
      { filename: '/app/src/handlers/user.ts', module: 'handlers:user', function: 'getUser', lineno: 42, colno: 17, in_app: true, context_line: '  const id = req.user.id;' },
    ] },
  }] },
  breadcrumbs: [
    { timestamp: 1717171716.5, category: 'console', level: 'log', message: 'loading user' },
    { timestamp: 1717171717.0, category: 'http', type: 'http', data: { method: 'GET', status_code: 200 } },
  ],
  transaction_info: { source: 'route' },
};

// sentry-python 2.x (Django): ISO timestamps, `module: null`, site-packages frames.
// prettier-ignore
const pythonEvent = {
  event_id: '0d9a1c2b3e4f45a6b7c8d9e0f1a2b3c4', timestamp: '2024-05-31T16:08:37.123456Z', platform: 'python',
  level: 'error', logger: 'django.request',
  exception: { values: [{
    module: null, type: 'ZeroDivisionError', value: 'division by zero', mechanism: { type: 'django', handled: false },
    stacktrace: { frames: [
      { filename: 'django/core/handlers/exception.py', abs_path: '/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py', module: 'django.core.handlers.exception', function: 'inner', lineno: 55, context_line: '                response = get_response(request)', in_app: false },
      { filename: 'shop/views.py', abs_path: '/srv/shop/views.py', module: 'shop.views', function: 'checkout', lineno: 17, context_line: '    return total / count', pre_context: ['def checkout(request):', null], vars: { count: '0' }, in_app: true },
    ] },
  }] },
  breadcrumbs: { values: [{ type: 'log', level: 'warning', category: 'shop', message: 'empty cart', timestamp: '2024-05-31T16:08:36.001Z' }] },
  extra: { 'sys.argv': ['manage.py', 'runserver'] },
  modules: { django: '5.0.6', 'sentry-sdk': '2.5.1' },
};

// sentry-ruby 5.x (Rails): Time#iso8601 timestamp, integer breadcrumb timestamps, numeric user id.
// prettier-ignore
const rubyEvent = {
  event_id: '3b9f8e7d6c5b4a3928170f6e5d4c3b2a', timestamp: '2024-05-31T16:08:37Z', platform: 'ruby', level: 'error',
  message: '', tags: { request_id: 'c0ffee', locale: 'en' }, user: { id: 42, ip_address: '{{auto}}' },
  sdk: { name: 'sentry.ruby.rails', version: '5.17.3' },
  breadcrumbs: { values: [
    { timestamp: 1717171716, category: 'process_action.action_controller', level: null, message: null, type: null, data: { controller: 'UsersController' } },
  ] },
  request: {
    url: 'http://localhost:3000/users/42', method: 'GET',
    headers: [['Host', 'localhost:3000'], ['Accept', '*/*']], env: { SERVER_NAME: 'localhost' },
  },
};

describe('normalizeEvent', () => {
  it('keeps a Node SDK event intact while filling the canonical shape', () => {
    const event = normalize(structuredClone(nodeEvent));
    expect(event.event_id).toBe('9f2c1e0b7d4a4c7e8b1a2f3d4e5c6b7a');
    expect(event.timestamp).toBe(1717171717.123);
    expect(event.received).toBe(1717171800);
    expect(event.platform).toBe('node');
    expect(event.environment).toBe('staging');
    expect(event.server_name).toBe('web-1');
    expect(event.exception.values).toHaveLength(1);
    expect(event.exception.values[0]!.stacktrace!.frames.map((frame) => frame.function)).toEqual([
      'process.processTicksAndRejections',
      'Layer.handle [as handle_request]',
      'getUser',
    ]);
    expect(event.breadcrumbs.values.map((crumb) => crumb.level)).toEqual(['info', undefined]);
    expect(event.breadcrumbs.values[1]!.timestamp).toBe(1717171717);
    expect(event.tags).toEqual([
      ['feature-flag', 'True'],
      ['route', 'GET /users/:id'],
    ]);
    expect(event.contexts.runtime).toEqual({ name: 'node', version: 'v20.11.0' });
    expect(event.sdk?.name).toBe('sentry.javascript.node');
    expect(event.transaction_info).toEqual({ source: 'route' });
    expect(event.fingerprint).toBeNull();
  });

  it('reads Python ISO timestamps with microseconds and drops null fields', () => {
    const event = normalize(structuredClone(pythonEvent));
    expect(event.timestamp).toBeCloseTo(1717171717.123456, 6);
    expect(event.breadcrumbs.values[0]!.timestamp).toBeCloseTo(1717171716.001, 6);
    expect(event.breadcrumbs.values[0]!.level).toBe('warning');
    expect(event.exception.values[0]).not.toHaveProperty('module');
    expect(event.exception.values[0]!.stacktrace!.frames[1]!.pre_context).toEqual([
      'def checkout(request):',
      '',
    ]);
    expect(event.logger).toBe('django.request');
    expect(event.environment).toBe('production');
    expect(event.modules).toEqual({ django: '5.0.6', 'sentry-sdk': '2.5.1' });
  });

  it('reads Ruby events: second-precision timestamps, pairs, numeric user ids', () => {
    const event = normalize(structuredClone(rubyEvent), { clientIp: '203.0.113.9' });
    expect(event.timestamp).toBe(1717171717);
    expect(event.breadcrumbs.values[0]).toEqual({
      timestamp: 1717171716,
      category: 'process_action.action_controller',
      data: { controller: 'UsersController' },
    });
    expect(event.user).toEqual({ id: '42', ip_address: '203.0.113.9' });
    expect(event.request?.headers).toEqual({ Host: 'localhost:3000', Accept: '*/*' });
    expect(event.logentry).toBeUndefined();
    expect(event).not.toHaveProperty('message');
  });

  it('prefers the envelope event_id and normalizes dashed ids', () => {
    const dashed = '9F2C1E0B-7D4A-4C7E-8B1A-2F3D4E5C6B7A';
    expect(normalize({ event_id: dashed }).event_id).toBe('9f2c1e0b7d4a4c7e8b1a2f3d4e5c6b7a');
    const fromHeader = normalize({ event_id: dashed }, { eventId: '11111111222233334444555555555555' });
    expect(fromHeader.event_id).toBe('11111111222233334444555555555555');
    const generated = normalize({ event_id: 'not-an-id' }).event_id;
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect(normalize({}).event_id).not.toBe(generated);
  });

  it.each([
    [1717171717, 1717171717],
    ['1717171717.5', 1717171717.5],
    ['2024-05-31T16:08:37', 1717171717],
    ['2024-05-31 16:08:37', 1717171717],
    ['2024-05-31T16:08:37+02:00', 1717164517],
    ['2024-05-31T16:08:37.250-00:00', 1717171717.25],
    ['yesterday', 1717171800],
    ['2024-02-30T00:00:00Z', 1717171800],
    [-5, 1717171800],
    [null, 1717171800],
  ])('reads timestamp %j as %d', (timestamp, expected) => {
    expect(normalize({ timestamp }).timestamp).toBeCloseTo(expected, 6);
  });

  // prettier-ignore
  it.each([
    ['warn', 'warning'], ['WARNING', 'warning'], ['log', 'info'], ['critical', 'fatal'], [10, 'debug'],
    [20, 'info'], [30, 'warning'], [40, 'error'], [50, 'fatal'], ['verbose', 'error'], [undefined, 'error'],
  ])('maps level %j to %s', (level, expected) => {
    expect(normalize({ level }).level).toBe(expected);
  });

  it('accepts exception as a bare list, a single object or the legacy interface key', () => {
    const frames = { frames: [{ function: 'main' }] };
    const bare = normalize({ exception: [{ type: 'KeyError', stacktrace: frames }, 'junk', null] });
    expect(bare.exception.values.map((value) => value.type)).toEqual(['KeyError']);
    const single = normalize({ exception: { type: 'IOError', value: 'disk full' } });
    expect(single.exception.values[0]?.value).toBe('disk full');
    const legacy = normalize({ 'sentry.interfaces.Exception': { values: [{ type: 'Error' }] } });
    expect(legacy.exception.values[0]?.type).toBe('Error');
    expect(legacy).not.toHaveProperty('sentry.interfaces.Exception');
    expect(normalize({}).exception).toEqual({ values: [] });
  });

  it('normalizes tags the way Relay does', () => {
    const tags = [
      ['browser', 'Chrome'],
      { key: ' server name ', value: 'web\n1' },
      ['retries', 3],
      ['debug', false],
      ['browser', 'Firefox'],
      ['', 'no key'],
      ['empty', null],
      ['long', 'x'.repeat(300)],
      'junk',
    ];
    const event = normalize({ tags });
    expect(event.tags).toEqual([
      ['browser', 'Firefox'],
      ['debug', 'False'],
      ['long', 'x'.repeat(200)],
      ['retries', '3'],
      ['server-name', 'web 1'],
    ]);
  });

  it('turns legacy message and logentry into a formatted logentry', () => {
    expect(normalize({ message: 'Disk almost full' }).logentry).toEqual({
      formatted: 'Disk almost full',
    });
    const python = normalize({
      logentry: { message: 'Payment %s failed for user %d (100%%)', params: ['p_123', 42] },
    });
    expect(python.logentry).toEqual({
      message: 'Payment %s failed for user %d (100%%)',
      formatted: 'Payment p_123 failed for user 42 (100%)',
      params: ['p_123', 42],
    });
    const named = normalize({ logentry: { message: 'Order %(order)s stuck', params: { order: 7 } } });
    expect(named.logentry?.formatted).toBe('Order 7 stuck');
    const both = normalize({ logentry: { formatted: 'from logentry' }, message: 'from message' });
    expect(both.logentry).toEqual({ formatted: 'from logentry' });
    expect(normalize({ message: 'y'.repeat(10_000) }).logentry?.formatted).toHaveLength(8192);
  });

  it('keeps fingerprints as strings and treats empty ones as absent', () => {
    expect(normalize({ fingerprint: ['{{ default }}', 42, 'db'] }).fingerprint).toEqual([
      '{{ default }}',
      '42',
      'db',
    ]);
    expect(normalize({ fingerprint: [] }).fingerprint).toBeNull();
    expect(normalize({ fingerprint: 'db' }).fingerprint).toBeNull();
  });

  it('trims optional strings and applies Sentry defaults', () => {
    const event = normalize({
      release: '  ',
      dist: ' 7 ',
      transaction: '/checkout',
      environment: '',
      platform: '',
    });
    expect(event).not.toHaveProperty('release');
    expect(event.dist).toBe('7');
    expect(event.transaction).toBe('/checkout');
    expect(event.environment).toBe('production');
    expect(event.platform).toBe('other');
  });

  it('infers the user IP only when the SDK asks for it and the edge knows it', () => {
    const auto = { sdk: { settings: { infer_ip: 'auto' } } };
    expect(normalize(auto, { clientIp: '198.51.100.7' }).user).toEqual({
      ip_address: '198.51.100.7',
    });
    expect(normalize(auto).user).toBeUndefined();
    expect(normalize({ user: { ip_address: '{{auto}}', email: 'a@b.co' } }).user).toEqual({
      email: 'a@b.co',
    });
    const kept = normalize({ ...auto, user: { ip_address: '10.0.0.1' } }, { clientIp: '198.51.100.7' });
    expect(kept.user?.ip_address).toBe('10.0.0.1');
    expect(normalize({ user: { id: 7 } }, { clientIp: '198.51.100.7' }).user).toEqual({
      id: '7',
    });
  });

  it('turns request pairs into objects and drops non-object contexts', () => {
    const event = normalize({
      request: { query_string: [['page', '2']], cookies: 'theme=dark', env: 'x' },
      contexts: { os: { name: 'Linux' }, bogus: 'string', list: [1] },
    });
    expect(event.request).toEqual({ query_string: { page: '2' }, cookies: 'theme=dark' });
    expect(event.contexts).toEqual({ os: { name: 'Linux' } });
  });

  it('refuses anything that is not a JSON object with a 400', () => {
    for (const raw of [null, [], 'event', 42, undefined]) {
      expect(() => normalize(raw)).toThrow(AppError);
    }
    try {
      normalize([]);
    } catch (error) {
      expect((error as AppError).status).toBe(400);
    }
  });

  it('keeps canonical frames and breadcrumbs as sent and fixes a copy of the others', () => {
    const canonical = {
      filename: '/app/a.js',
      function: 'f',
      lineno: 3,
      in_app: true,
      pre_context: ['x'],
      custom: {},
    };
    const padded = { ...canonical, filename: ' /app/a.js ', lineno: '3', pre_context: ['x', null] };
    const unset = { ...canonical, colno: undefined };
    const crumb = { timestamp: 1717171716.5, level: 'warning', category: 'console', message: 'slow' };
    const aliased = { ...crumb, level: 'log' };
    const event = normalize({
      exception: [{ type: 'Error', stacktrace: { frames: [canonical, padded, unset] } }],
      breadcrumbs: [crumb, aliased],
    });
    const frames = event.exception.values[0]!.stacktrace!.frames;
    // Not copied: the digest worker owns the parsed payload, and copying was half of normalizing.
    expect(frames[0]).toBe(canonical);
    expect(frames[1]).toEqual({ ...canonical, pre_context: ['x', ''] });
    expect(padded.filename).toBe(' /app/a.js ');
    expect(Object.keys(frames[2]!)).not.toContain('colno');
    expect(event.breadcrumbs.values[0]).toBe(crumb);
    expect(event.breadcrumbs.values[1]).toEqual({ ...crumb, level: 'info' });
    expect(aliased.level).toBe('log');
  });

  it('never throws on odd shapes inside an object', () => {
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < 10_000; level++) deep = { child: deep };
    // prettier-ignore
    const oddities: unknown[] = [
      { exception: 5, breadcrumbs: 'none', tags: 'a=b', contexts: [], user: 'bob', request: [], sdk: 'js' },
      { exception: { values: [null, 1, 'x', { stacktrace: { frames: [null, 'f', { lineno: '12', colno: 1.5, in_app: 'yes', vars: 3 }] } }] } },
      { exception: { values: 'nope' }, breadcrumbs: { values: [null, { timestamp: {}, level: 99, data: [] }] }, threads: 5 },
      { tags: [[1], [null, 'x'], [{}, 'y'], { key: {} }, [['nested'], 'z']], fingerprint: [null, {}, []] },
      { logentry: { message: { nested: true }, params: 'x' }, message: { formatted: null } },
      { timestamp: {}, level: {}, event_id: 12, platform: ['node'], environment: {}, release: false, modules: { a: {}, b: 2 } },
      { user: { id: { x: 1 }, ip_address: 5 }, request: { headers: [[1, 2]], query_string: [['a']], env: null } },
      { logentry: { message: 'Count %d of %s', params: [BigInt(1)] } },
      JSON.parse('{"__proto__": {"polluted": true}, "extra": {"__proto__": 1}}'),
      { extra: deep, contexts: { deep } },
    ];
    for (const raw of oddities) {
      const event = normalize(raw);
      expect(event.event_id).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.isFinite(event.timestamp)).toBe(true);
      expect(Array.isArray(event.exception.values)).toBe(true);
      expect(Array.isArray(event.breadcrumbs.values)).toBe(true);
      expect(Array.isArray(event.tags)).toBe(true);
    }
    const frame = normalize(oddities[1]).exception.values[0]!.stacktrace!.frames[0]!;
    expect(frame).toEqual({ lineno: 12 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
