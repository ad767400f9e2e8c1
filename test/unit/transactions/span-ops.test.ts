import { describe, expect, it } from 'vitest';
import {
  categorizeSpan,
  describeSpan,
  isQuerySpan,
  pickSpanData,
  scrubUrl,
} from '../../../src/domain/transactions/span-ops.js';

describe('categorizeSpan', () => {
  it.each([
    ['db', 'db'],
    ['db.sql.active_record', 'db'],
    ['db.query', 'db'],
    ['db.sql.sequel', 'db'],
    ['db.redis', 'cache'],
    ['cache.get', 'cache'],
    ['cache.put', 'cache'],
    ['template.render_template.action_view', 'view'],
    ['template.render', 'view'],
    ['view.render', 'view'],
    ['ui.render', 'view'],
    ['ui.react.render', 'view'],
    ['render', 'view'],
    ['view.process_action.action_controller', 'other'],
    ['http.client', 'http'],
    ['http.client.stream', 'http'],
    ['http.request', 'http'],
    ['http', 'http'],
    ['http.server', 'other'],
    ['queue.publish', 'queue'],
    ['queue.submit.celery', 'queue'],
    ['queue.process', 'other'],
    ['queue.task.celery', 'other'],
    ['function', 'other'],
    ['file.service_upload.active_storage', 'other'],
    ['DB', 'db'],
  ])('%s → %s', (op, category) => {
    expect(categorizeSpan(op)).toBe(category);
  });

  it('counts a redis or memcached db span as cache', () => {
    expect(categorizeSpan('db', { 'db.system': 'redis' })).toBe('cache');
    expect(categorizeSpan('db', { 'db.system.name': 'memcached' })).toBe('cache');
    expect(categorizeSpan('db', { 'db.system': 'postgresql' })).toBe('db');
  });
});

describe('isQuerySpan', () => {
  it('counts SQL db spans only', () => {
    expect(isQuerySpan('db.sql.active_record', { 'db.system': 'postgresql' })).toBe(true);
    expect(isQuerySpan('db')).toBe(true);
    expect(isQuerySpan('db.redis')).toBe(false);
    expect(isQuerySpan('db', { 'db.system': 'mongodb' })).toBe(false);
    expect(isQuerySpan('cache.get')).toBe(false);
    expect(isQuerySpan('http.client')).toBe(false);
  });
});

describe('describeSpan', () => {
  it('normalizes SQL and returns its call site', () => {
    expect(
      describeSpan(
        'db.sql.active_record',
        'SELECT * FROM users WHERE id = 42 /*controller:users,action:show*/',
        {
          'db.system': 'postgresql',
        },
      ),
    ).toEqual({ description: 'SELECT * FROM users WHERE id = ?', callSite: 'controller:users,action:show' });
  });

  it('prefers the statement attribute over a summary name', () => {
    expect(
      describeSpan('db', 'SELECT users', { 'db.query.text': "SELECT * FROM users WHERE email = 'a@b.c'" }),
    ).toEqual({
      description: 'SELECT * FROM users WHERE email = ?',
    });
    expect(describeSpan('db', '', { 'db.statement': 'DELETE FROM t WHERE id = 9' }).description).toBe(
      'DELETE FROM t WHERE id = ?',
    );
  });

  it('keeps the method and URL of an outbound call, without query values or userinfo', () => {
    expect(
      describeSpan('http.client', 'GET https://user:hunter2@api.example.com/v1/users/7?token=abc&page=2#frag')
        .description,
    ).toBe('GET https://api.example.com/v1/users/7?token=?&page=?');
  });

  it('replaces cache keys and redis arguments', () => {
    expect(describeSpan('db.redis', 'GET session:alice@example.com').description).toBe('GET *');
    expect(describeSpan('db', 'hgetall user:42', { 'db.system': 'redis' }).description).toBe('HGETALL *');
    expect(describeSpan('cache.get', 'cart:42').description).toBe('*');
    expect(describeSpan('cache.get', 'ActiveSupport::Cache::RedisCacheStore').description).toBe(
      'ActiveSupport::Cache::RedisCacheStore',
    );
  });

  it('redacts the values of a document-store command', () => {
    const command = JSON.stringify({
      find: 'users',
      filter: { email: 'alice@example.com', age: { $gt: 30 } },
    });
    expect(describeSpan('db', command, { 'db.system': 'mongodb' }).description).toBe(
      '{"find":"users","filter":{"email":"?","age":{"$gt":"?"}}}',
    );
  });

  it('scrubs secrets with a shape of their own from other descriptions', () => {
    expect(describeSpan('function', 'charge 4111 1111 1111 1111').description).toBe('charge [Filtered]');
    expect(describeSpan('template.render', 'checkout/summary.html').description).toBe(
      'checkout/summary.html',
    );
  });
});

describe('pickSpanData', () => {
  it('keeps allowlisted keys as strings and drops the rest', () => {
    expect(
      pickSpanData({
        'db.system': 'postgresql',
        'server.port': 5432,
        'cache.hit': false,
        'cache.key': ['user:42'],
        'http.response.status_code': 200,
        'url.full': 'https://a:b@x.io/p?q=1',
        'messaging.destination.name': 'emails',
        'thread.name': 'main',
        'code.lineno': 12,
        'db.query.text': 'SELECT 1',
        'http.request.header.cookie': ['secret'],
        params: { password: 'x' },
      }),
    ).toEqual({
      'db.system': 'postgresql',
      'server.port': '5432',
      'cache.hit': 'false',
      'http.response.status_code': '200',
      'url.full': 'https://x.io/p?q=?',
      'messaging.destination.name': 'emails',
      'thread.name': 'main',
      'code.lineno': '12',
    });
    expect(pickSpanData({ params: 'x' })).toBeUndefined();
  });
});

describe('scrubUrl', () => {
  it('keeps keys, replaces values, handles bare query parts', () => {
    expect(scrubUrl('/search?q=alice&flag&x=')).toBe('/search?q=?&?&x=?');
    expect(scrubUrl('http://example.com/a/b')).toBe('http://example.com/a/b');
  });
});
