/**
 * Back-channel logout tokens, signed here with node:crypto keys (RSA and EC) and served from a
 * local JWKS endpoint: a valid token passes; each rule of spec §2.6 refuses its own violation.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogoutTokenVerifier, LogoutTokenError } from '../../../src/auth/logout-token.js';

const ISSUER = 'https://idp.example';
const CLIENT_ID = 'snag';
const EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function jwt(
  claims: Record<string, unknown>,
  opts: { alg?: string; kid?: string; key?: KeyObject } = {},
): string {
  const alg = opts.alg ?? 'RS256';
  const head = `${b64({ alg, kid: opts.kid ?? (alg === 'ES256' ? 'ec' : 'rsa'), typ: 'logout+jwt' })}.${b64(claims)}`;
  const key = opts.key ?? (alg === 'ES256' ? ec.privateKey : rsa.privateKey);
  const signature =
    alg === 'ES256'
      ? sign('sha256', Buffer.from(head), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(head), key);
  return `${head}.${signature.toString('base64url')}`;
}

const valid = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: CLIENT_ID,
  iat: Math.floor(Date.now() / 1000),
  jti: 'j1',
  sid: 'session-1',
  sub: 'alice',
  events: EVENT,
  ...extra,
});

describe('verifyLogoutToken', () => {
  let server: http.Server;
  let verify: ReturnType<typeof createLogoutTokenVerifier>;

  beforeAll(async () => {
    const keys = [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa', use: 'sig' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec', use: 'sig' },
    ];
    server = http.createServer((_req, res) => res.end(JSON.stringify({ keys })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    verify = createLogoutTokenVerifier({
      clientId: CLIENT_ID,
      issuer: async () => ({ issuer: ISSUER, jwksUri }),
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a valid token signed with RS256 or ES256 and returns sub and sid', async () => {
    expect(await verify(jwt(valid()))).toEqual({ subject: 'alice', sid: 'session-1' });
    expect(await verify(jwt(valid({ sub: undefined }), { alg: 'ES256' }))).toEqual({
      subject: undefined,
      sid: 'session-1',
    });
  });

  it.each([
    ['another issuer', () => jwt(valid({ iss: 'https://other.example' })), /another issuer/],
    ['another audience', () => jwt(valid({ aud: 'other-client' })), /another client/],
    ['a nonce (an ID token replayed)', () => jwt(valid({ nonce: 'n' })), /nonce/],
    ['no logout event', () => jwt(valid({ events: {} })), /logout event/],
    ['neither sub nor sid', () => jwt(valid({ sub: undefined, sid: undefined })), /neither sub nor sid/],
    ['an old iat', () => jwt(valid({ iat: Math.floor(Date.now() / 1000) - 3600 })), /too old/],
    ['a key not in the JWKS', () => jwt(valid(), { key: stranger.privateKey }), /does not verify/],
    ['alg none', () => `${b64({ alg: 'none' })}.${b64(valid())}.`, /not accepted/],
    ['HS256', () => `${b64({ alg: 'HS256' })}.${b64(valid())}.c2ln`, /not accepted/],
  ])('refuses %s', async (_what, token, message) => {
    const attempt = verify(token());
    await expect(attempt).rejects.toBeInstanceOf(LogoutTokenError);
    await expect(attempt).rejects.toThrow(message);
  });
});
