import { describe, it, expect } from 'vitest';
import { normalizeEvent } from '../../src/domain/events/normalize.js';
import { groupEvent } from '../../src/domain/issues/grouping.js';

const ctx = { receivedAt: 1_717_171_800_000 };
type RawFrame = Record<string, unknown>;

// prettier-ignore
const nodeInternal: RawFrame = { filename: 'node:internal/process/task_queues', function: 'process.processTicksAndRejections', lineno: 95, colno: 5, in_app: false };
// prettier-ignore
const expressLayer: RawFrame = { filename: '/app/node_modules/express/lib/router/layer.js', module: 'express.lib.router:layer', function: 'Layer.handle [as handle_request]', lineno: 95, colno: 5, in_app: false };
const appFrame = (fn: string, lineno = 42, extra: RawFrame = {}): RawFrame => ({
  filename: '/app/src/handlers/user.ts',
  module: 'handlers:user',
  function: fn,
  lineno,
  colno: 17,
  in_app: true,
  context_line: `  const id = ${fn}(req).id;`,
  ...extra,
});

function errorEvent(platform: string, type: string, value: string, frames?: RawFrame[], extra = {}) {
  const exception = { type, value, ...(frames ? { stacktrace: { frames } } : {}) };
  return normalizeEvent({ platform, exception: { values: [exception] }, ...extra }, ctx);
}

const nodeError = (
  frames: RawFrame[],
  value = "Cannot read properties of undefined (reading 'id')",
  extra = {},
) => errorEvent('node', 'TypeError', value, frames, extra);
const pythonError = (value: string, frames?: RawFrame[]) => errorEvent('python', 'ValueError', value, frames);
const hashOf = (event: ReturnType<typeof normalizeEvent>) => groupEvent(event).hash;

describe('groupEvent', () => {
  it('labels a Node error from its primary exception and top in-app frame', () => {
    const grouping = groupEvent(nodeError([nodeInternal, expressLayer, appFrame('getUser')]));
    expect(grouping).toMatchObject({
      title: "TypeError: Cannot read properties of undefined (reading 'id')",
      culprit: 'getUser(handlers:user)',
      type: 'TypeError',
      value: "Cannot read properties of undefined (reading 'id')",
    });
    expect(grouping.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the culprit by module for Python and by file for Ruby', () => {
    // prettier-ignore
    const python = errorEvent('python', 'ZeroDivisionError', 'division by zero\nsecond line', [
      { module: 'shop.views', filename: 'shop/views.py', abs_path: '/srv/shop/views.py', function: 'checkout', lineno: 17, context_line: '    return total / count', in_app: true },
      { module: 'django.db.models', abs_path: '/usr/lib/python3.12/site-packages/django/db/models/base.py', function: 'save', lineno: 800, in_app: true },
    ]);
    expect(groupEvent(python)).toMatchObject({
      culprit: 'shop.views in checkout',
      title: 'ZeroDivisionError: division by zero',
    });
    // prettier-ignore
    const ruby = errorEvent('ruby', 'ActiveRecord::RecordNotFound', "Couldn't find User with 'id'=42", [
      { abs_path: '/app/app/models/user.rb', filename: 'app/models/user.rb', function: 'save', lineno: 12, in_app: true },
      { abs_path: '/usr/local/bundle/gems/activerecord-7.1.3/lib/active_record/core.rb', filename: 'active_record/core.rb', function: 'find', lineno: 253, in_app: false },
    ], { transaction: 'UsersController#show' });
    expect(groupEvent(ruby).culprit).toBe('app/models/user.rb in save');
  });

  it('falls back to the transaction for the culprit, and to "<unlabeled event>" for the title', () => {
    const noFrames = normalizeEvent({ exception: [{ type: 'Timeout' }], transaction: 'GET /health' }, ctx);
    expect(groupEvent(noFrames)).toMatchObject({ title: 'Timeout', culprit: 'GET /health', value: '' });
    const empty = groupEvent(normalizeEvent({}, ctx));
    expect(empty).toMatchObject({ title: '<unlabeled event>', culprit: '', type: '', value: '' });
    expect(empty.hash).toBe(groupEvent(normalizeEvent({ level: 'info', tags: { a: 'b' } }, ctx)).hash);
  });

  it('groups events that differ only by line and column numbers', () => {
    const before = nodeError([nodeInternal, expressLayer, appFrame('loadUser', 10), appFrame('getUser', 42)]);
    const after = nodeError([
      { ...nodeInternal, lineno: 81 },
      expressLayer,
      appFrame('loadUser', 14, { colno: 3 }),
      appFrame('getUser', 49),
    ]);
    expect(hashOf(after)).toBe(hashOf(before));
  });

  it('groups stackless events whose values differ only by ids and numbers', () => {
    const first = pythonError(
      'Order 1234 not found for user 7c1811ed-e98f-4c9c-a9f9-58c757ff494f at 2024-01-01T10:00:00Z',
    );
    const second = pythonError(
      'Order 98 not found for user 0a1b2c3d-e98f-4c9c-a9f9-58c757ff494f at 2024-06-30T23:59:59Z',
    );
    expect(hashOf(second)).toBe(hashOf(first));
    expect(hashOf(pythonError('Payment declined'))).not.toBe(hashOf(first));
  });

  it('splits different call paths', () => {
    const sameLine = { context_line: '  return load(req);' };
    const viaGetUser = nodeError([expressLayer, appFrame('getUser', 42, sameLine)]);
    const viaListUsers = nodeError([expressLayer, appFrame('listUsers', 42, sameLine)]);
    expect(hashOf(viaListUsers)).not.toBe(hashOf(viaGetUser));
  });

  it('ignores library frames even when the SDK calls them in-app', () => {
    const base = nodeError([nodeInternal, expressLayer, appFrame('getUser')]);
    const otherLibraries = nodeError([
      { ...nodeInternal, function: 'runMicrotasks' },
      { filename: '/app/node_modules/koa-compose/index.js', function: 'dispatch', lineno: 42, in_app: true },
      { ...expressLayer, function: 'next', in_app: undefined },
      appFrame('getUser'),
    ]);
    expect(hashOf(otherLibraries)).toBe(hashOf(base));
  });

  it('falls back to system frames when no frame is in-app', () => {
    const pg = (fn: string) =>
      nodeError(
        [{ filename: '/app/node_modules/pg/lib/client.js', function: fn, lineno: 1, in_app: false }],
        'connection refused',
      );
    expect(hashOf(pg('Client.connect'))).not.toBe(hashOf(pg('Client.query')));
    expect(groupEvent(pg('Client.connect')).culprit).toBe('');
  });

  it('counts recursion once and normalizes Ruby block names', () => {
    expect(hashOf(nodeError([appFrame('walk'), appFrame('walk'), appFrame('walk')]))).toBe(
      hashOf(nodeError([appFrame('walk')])),
    );
    const rubyFrame = (fn: string) =>
      normalizeEvent(
        {
          platform: 'ruby',
          exception: [
            {
              type: 'NoMethodError',
              stacktrace: { frames: [{ filename: 'app/jobs/sync.rb', function: fn, in_app: true }] },
            },
          ],
        },
        ctx,
      );
    expect(hashOf(rubyFrame('block (2 levels) in perform'))).toBe(hashOf(rubyFrame('block in perform')));
  });

  it('counts a function again when it recurses from another line', () => {
    const once = hashOf(nodeError([appFrame('walk', 42)]));
    expect(hashOf(nodeError([appFrame('walk', 42), appFrame('walk', 42)]))).toBe(once);
    expect(hashOf(nodeError([appFrame('walk', 42), appFrame('walk', 43)]))).not.toBe(once);
  });

  it('reads function names and context lines the same however the SDK spelled them', () => {
    const frame = (fn: string, contextLine: string) => appFrame(fn, 42, { context_line: contextLine });
    const plain = hashOf(nodeError([frame('getUser', 'const id = getUser(req).id;')]));
    expect(hashOf(nodeError([frame('async getUser', ' const  id =\tgetUser(req).id; ')]))).toBe(plain);
    expect(hashOf(nodeError([frame('Object.getUser', 'const id = getUser(req).id;')]))).toBe(plain);
    expect(hashOf(nodeError([frame('getUser', 'const id = getUser(req).name;')]))).not.toBe(plain);
    const erb = (fn: string) =>
      errorEvent('ruby', 'NameError', 'undefined', [
        { filename: 'app/views/show.erb', function: fn, in_app: true },
      ]);
    expect(hashOf(erb('_app_views_show_erb__1234567_8901234'))).toBe(hashOf(erb('_app_views_show_erb')));
  });

  it('treats Windows library paths like POSIX ones', () => {
    const windowsLibrary = {
      filename: 'C:\\app\\node_modules\\express\\lib\\router\\layer.js',
      function: 'handle',
      in_app: true,
    };
    const event = nodeError([windowsLibrary, appFrame('getUser')]);
    expect(hashOf(event)).toBe(hashOf(nodeError([appFrame('getUser')])));
    expect(groupEvent(nodeError([appFrame('getUser'), windowsLibrary])).culprit).toBe(
      'getUser(handlers:user)',
    );
  });

  it('hashes every exception of a chain', () => {
    const chained = (causeType: string) =>
      normalizeEvent(
        {
          platform: 'python',
          exception: {
            values: [
              {
                type: causeType,
                value: 'boom',
                stacktrace: { frames: [{ module: 'shop.db', function: 'fetch', in_app: true }] },
              },
              {
                type: 'RuntimeError',
                value: 'checkout failed',
                stacktrace: { frames: [{ module: 'shop.views', function: 'checkout', in_app: true }] },
              },
            ],
          },
        },
        ctx,
      );
    expect(hashOf(chained('KeyError'))).not.toBe(hashOf(chained('TimeoutError')));
    expect(groupEvent(chained('KeyError')).type).toBe('RuntimeError');
  });

  it('ignores the type of a synthetic exception', () => {
    const synthetic = (type: string) =>
      nodeError([appFrame('getUser')], 'x', {}).exception.values.map((value) => ({
        ...value,
        type,
        mechanism: { type: 'generic', synthetic: true },
      }));
    const first = normalizeEvent({ platform: 'node', exception: synthetic('Error') }, ctx);
    const second = normalizeEvent({ platform: 'node', exception: synthetic('Object') }, ctx);
    expect(hashOf(second)).toBe(hashOf(first));
  });

  it('expands {{ default }} in fingerprints with or without spaces', () => {
    const event = nodeError([appFrame('getUser')]);
    const withFingerprint = (fingerprint: string[]) => hashOf({ ...event, fingerprint });
    expect(withFingerprint(['{{ default }}', 'x'])).toBe(withFingerprint(['{{default}}', 'x']));
    expect(withFingerprint(['{{ default }}', 'x'])).not.toBe(withFingerprint(['x']));
    expect(withFingerprint(['{{ default }}', 'x'])).not.toBe(hashOf(event));
    expect(withFingerprint(['{{ default }}'])).toBe(hashOf(event));
  });

  it('treats an empty fingerprint like no fingerprint', () => {
    const raw = { platform: 'node', exception: [{ type: 'Error', value: 'x' }] };
    expect(hashOf(normalizeEvent({ ...raw, fingerprint: [] }, ctx))).toBe(hashOf(normalizeEvent(raw, ctx)));
  });

  it('groups otherwise different events that share a custom fingerprint', () => {
    const database = ['database-unavailable'];
    const a = nodeError([appFrame('getUser')], 'ECONNREFUSED 10.0.0.5:5432', { fingerprint: database });
    const b = pythonError('could not connect to server', [
      { module: 'shop.db', function: 'connect', in_app: true },
    ]);
    expect(hashOf({ ...b, fingerprint: database })).toBe(hashOf(a));
    expect(groupEvent(a).title).toBe('TypeError: ECONNREFUSED 10.0.0.5:5432');
  });

  it('groups log messages by their template and titles them by the formatted text', () => {
    const log = (params: unknown[]) =>
      normalizeEvent(
        {
          platform: 'python',
          level: 'error',
          logentry: { message: 'Payment %s failed for user %s', params },
        },
        ctx,
      );
    expect(hashOf(log(['p_1', 'alice']))).toBe(hashOf(log(['p_2', 'bob'])));
    expect(groupEvent(log(['p_1', 'alice']))).toMatchObject({
      title: 'Payment p_1 failed for user alice',
      type: '',
    });
    const plain = (message: string) => normalizeEvent({ platform: 'ruby', message }, ctx);
    expect(hashOf(plain('Sync took 1532ms for 42 records'))).toBe(
      hashOf(plain('Sync took 87ms for 3 records')),
    );
    expect(hashOf(plain('Sync failed\nretry 1'))).not.toBe(hashOf(plain('Sync failed\nretry later')));
  });

  it('truncates long titles to 200 characters', () => {
    const grouping = groupEvent(pythonError('x'.repeat(500)));
    expect(grouping.title).toHaveLength(200);
    expect(grouping.title.startsWith('ValueError: xxx')).toBe(true);
  });
});

describe('culprit of browser events', () => {
  it('uses the module Sentry derives from a URL filename, not the whole URL', () => {
    const event = normalizeEvent(
      {
        platform: 'javascript',
        exception: {
          values: [
            {
              type: 'TypeError',
              value: 'x is undefined',
              stacktrace: {
                frames: [
                  {
                    filename: 'http://127.0.0.1:4000/assets/checkout.js?v=3',
                    function: 'applyCoupon',
                    lineno: 3,
                    in_app: true,
                  },
                ],
              },
            },
          ],
        },
      },
      { receivedAt: 0 },
    );
    expect(groupEvent(event).culprit).toBe('applyCoupon(assets/checkout)');
  });
});
