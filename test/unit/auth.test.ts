import { describe, it, expect } from 'vitest';
import { AppError } from '../../src/errors.js';
import { extractAuth, formatDsn, parseDsn, type AuthInput } from '../../src/ingest/sentry/auth.js';

const KEY = '0123456789abcdef0123456789abcdef';
const OTHER_KEY = 'fedcba9876543210fedcba9876543210';
const DSN = `https://${KEY}@snag.example.com/3`;

function auth(input: Partial<AuthInput>) {
  return extractAuth({ query: {}, headers: {}, ...input });
}

function expectUnauthorized(input: Partial<AuthInput>, message: string): void {
  let caught: unknown;
  try {
    auth(input);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const err = caught as AppError;
  expect(err.status).toBe(401);
  expect(err.code).toBe('unauthorized');
  expect(err.message).toContain(message);
}

describe('extractAuth: each source', () => {
  it('reads the query string the browser and Node SDKs send', () => {
    expect(
      auth({
        query: { sentry_version: '7', sentry_key: KEY, sentry_client: 'sentry.javascript.node/10.1.0' },
      }),
    ).toEqual({
      publicKey: KEY,
      source: 'query',
      sentryVersion: '7',
      client: 'sentry.javascript.node/10.1.0',
    });
  });

  it('takes the first value of a repeated query parameter', () => {
    expect(auth({ query: { sentry_key: [KEY, OTHER_KEY] } })).toEqual({ publicKey: KEY, source: 'query' });
  });

  it("reads Python's X-Sentry-Auth", () => {
    const header = `Sentry sentry_key=${KEY}, sentry_version=7, sentry_client=sentry.python/2.19.0`;
    expect(auth({ headers: { 'x-sentry-auth': header } })).toEqual({
      publicKey: KEY,
      source: 'x-sentry-auth',
      sentryVersion: '7',
      client: 'sentry.python/2.19.0',
    });
  });

  it("reads Ruby's X-Sentry-Auth, with a timestamp and secret to ignore", () => {
    const header = `Sentry sentry_version=7, sentry_timestamp=1700000000, sentry_key=${KEY}, sentry_client=sentry-ruby/5.22.0, sentry_secret=s3cr3t`;
    expect(auth({ headers: { 'x-sentry-auth': header } })).toEqual({
      publicKey: KEY,
      source: 'x-sentry-auth',
      sentryVersion: '7',
      client: 'sentry-ruby/5.22.0',
    });
  });

  it('accepts a lower-case prefix, keys without sentry_, odd spacing and an upper-case key', () => {
    const header = `sentry   key = ${KEY.toUpperCase()} ,version=7`;
    expect(auth({ headers: { 'x-sentry-auth': header } })).toEqual({
      publicKey: KEY,
      source: 'x-sentry-auth',
      sentryVersion: '7',
    });
  });

  it('reads Authorization: Sentry …', () => {
    expect(auth({ headers: { authorization: `SENTRY sentry_key=${KEY}, sentry_version=7` } })).toEqual({
      publicKey: KEY,
      source: 'authorization',
      sentryVersion: '7',
    });
  });

  it('reads Authorization: Bearer <key>', () => {
    expect(auth({ headers: { authorization: `Bearer ${KEY}` } })).toEqual({
      publicKey: KEY,
      source: 'bearer',
    });
  });

  it('reads Authorization: Basic base64(key:secret) and base64(key)', () => {
    const withSecret = Buffer.from(`${KEY}:secret`).toString('base64');
    const keyOnly = Buffer.from(KEY).toString('base64');
    expect(auth({ headers: { authorization: `Basic ${withSecret}` } })).toEqual({
      publicKey: KEY,
      source: 'basic',
    });
    expect(auth({ headers: { authorization: `basic ${keyOnly}` } })).toEqual({
      publicKey: KEY,
      source: 'basic',
    });
  });

  it("reads the envelope's dsn header", () => {
    expect(auth({ envelopeDsn: `https://${KEY}:secret@snag.example.com:8443/sentry/3` })).toEqual({
      publicKey: KEY,
      source: 'envelope-dsn',
    });
  });
});

describe('extractAuth: several sources', () => {
  const everything: Partial<AuthInput> = {
    query: { sentry_key: KEY },
    headers: { 'x-sentry-auth': `Sentry sentry_key=${OTHER_KEY}`, authorization: `Bearer ${OTHER_KEY}` },
    envelopeDsn: `https://${OTHER_KEY}@snag.example.com/3`,
  };

  it('takes the query first and does not 401 on several sources', () => {
    expect(auth(everything).source).toBe('query');
    expect(auth(everything).publicKey).toBe(KEY);
  });

  it('then X-Sentry-Auth, then Authorization, then the envelope dsn', () => {
    expect(auth({ ...everything, query: {} }).source).toBe('x-sentry-auth');
    expect(auth({ ...everything, query: {}, headers: { authorization: `Bearer ${KEY}` } }).source).toBe(
      'bearer',
    );
    expect(auth({ ...everything, query: {}, headers: {} }).source).toBe('envelope-dsn');
  });

  it('ignores query parameters other than sentry_key', () => {
    expect(auth({ query: { sentry_version: '7' }, envelopeDsn: DSN })).toEqual({
      publicKey: KEY,
      source: 'envelope-dsn',
    });
  });

  it("passes over an Authorization scheme that is not Sentry's (a proxy's login)", () => {
    expect(auth({ headers: { authorization: 'Digest username="x"' }, envelopeDsn: DSN })).toEqual({
      publicKey: KEY,
      source: 'envelope-dsn',
    });
  });
});

describe('extractAuth: 401s that say what to do', () => {
  it('rejects a request with no key at all', () => {
    expectUnauthorized(
      {},
      "missing authorization: send the DSN's public key as ?sentry_key=, an X-Sentry-Auth header or the envelope's dsn header",
    );
    expectUnauthorized({ headers: { authorization: 'Digest x' } }, 'missing authorization');
    expectUnauthorized({ envelopeDsn: null }, 'missing authorization');
  });

  it('rejects keys that are not 32 hex characters', () => {
    const fix = 'is not a 32-character hex key: copy the DSN from Settings → Projects';
    expectUnauthorized({ query: { sentry_key: 'abc' } }, `sentry_key ${fix}`);
    expectUnauthorized({ query: { sentry_key: '' } }, `sentry_key ${fix}`);
    expectUnauthorized({ query: { sentry_key: `${KEY}0` } }, `sentry_key ${fix}`);
    expectUnauthorized({ query: { sentry_key: KEY.replace('a', 'g') } }, `sentry_key ${fix}`);
    expectUnauthorized(
      { headers: { 'x-sentry-auth': 'Sentry sentry_key=12-34' } },
      `sentry_key in the X-Sentry-Auth header ${fix}`,
    );
    expectUnauthorized({ headers: { authorization: 'Bearer snag_api_token' } }, `the Bearer token ${fix}`);
    expectUnauthorized({ headers: { authorization: 'Bearer' } }, `the Bearer token ${fix}`);
    expectUnauthorized(
      { headers: { authorization: `Basic ${Buffer.from('admin:hunter2').toString('base64')}` } },
      `the Basic auth user name ${fix}`,
    );
    expectUnauthorized(
      { envelopeDsn: 'https://notakey@snag.example.com/3' },
      `the envelope dsn public key ${fix}`,
    );
  });

  it('rejects an X-Sentry-Auth header without sentry_key', () => {
    expectUnauthorized(
      { headers: { 'x-sentry-auth': 'Sentry sentry_version=7, sentry_client=x' } },
      'the X-Sentry-Auth header has no sentry_key',
    );
  });

  it('rejects an envelope dsn that is not a DSN', () => {
    expectUnauthorized({ envelopeDsn: 'not a dsn' }, 'the envelope header "dsn" is not a valid DSN');
    expectUnauthorized({ envelopeDsn: 42 }, 'the envelope header "dsn" is not a valid DSN');
  });
});

describe('parseDsn', () => {
  it('reads key, project id and host', () => {
    expect(parseDsn(DSN)).toEqual({ publicKey: KEY, projectId: 3, host: 'snag.example.com' });
  });

  it('keeps the port, skips the secret and the path prefix', () => {
    expect(parseDsn(`http://${KEY}:secret@localhost:8000/sentry/12`)).toEqual({
      publicKey: KEY,
      projectId: 12,
      host: 'localhost:8000',
    });
    expect(parseDsn(`http://${KEY}@[::1]:9000/1`)?.host).toBe('[::1]:9000');
  });

  it('refuses what SDKs refuse', () => {
    expect(parseDsn('')).toBeNull();
    expect(parseDsn('not a url')).toBeNull();
    expect(parseDsn(`ftp://${KEY}@host/1`)).toBeNull();
    expect(parseDsn('https://host/1')).toBeNull();
    expect(parseDsn(`https://${KEY}@host`)).toBeNull();
    expect(parseDsn(`https://${KEY}@host/`)).toBeNull();
    expect(parseDsn(`https://${KEY}@host/3/`)).toBeNull();
    expect(parseDsn(`https://${KEY}@host/abc`)).toBeNull();
    expect(parseDsn(`https://${KEY}@host/0`)).toBeNull();
    expect(parseDsn(`https://${KEY}@host/99999999999999999999`)).toBeNull();
  });
});

describe('formatDsn', () => {
  it('builds a DSN from the public URL', () => {
    expect(formatDsn('https://snag.example.com', KEY, 3)).toBe(`https://${KEY}@snag.example.com/3`);
    expect(formatDsn('http://127.0.0.1:8000/', KEY, 1)).toBe(`http://${KEY}@127.0.0.1:8000/1`);
  });

  it('keeps a path prefix', () => {
    expect(formatDsn('https://host/sentry', KEY, 3)).toBe(`https://${KEY}@host/sentry/3`);
    expect(formatDsn('https://host/sentry/', KEY, 3)).toBe(`https://${KEY}@host/sentry/3`);
  });

  it('round-trips through parseDsn and extractAuth', () => {
    const dsn = formatDsn('https://snag.example.com:8443/errors', KEY, 42);
    expect(parseDsn(dsn)).toEqual({ publicKey: KEY, projectId: 42, host: 'snag.example.com:8443' });
    expect(auth({ envelopeDsn: dsn })).toEqual({ publicKey: KEY, source: 'envelope-dsn' });
  });
});
