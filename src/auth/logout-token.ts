/**
 * Verifies an OpenID Connect Back-Channel Logout token (spec §2.6,
 * https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation): signature against the
 * provider's JWKS with an asymmetric algorithm, `iss`, `aud`, `iat`/`exp`, the logout event, `sub`
 * or `sid`, and no `nonce` (which tells a logout token from an ID token replayed here).
 * openid-client has no logout-token API, so this is node:crypto over the same JWKS the ID token
 * signature is checked against.
 */
import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface LogoutClaims {
  subject?: string;
  sid?: string;
}

export class LogoutTokenError extends Error {}

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Seconds of clock difference tolerated between us and the provider. */
const CLOCK_SKEW_S = 60;
/** Seconds a logout token may be old: the provider sends it at once; older is a replay. */
const MAX_TOKEN_AGE_S = 600;
/** ms: how long a fetched JWKS is trusted, and how often an unknown `kid` may trigger a refetch. */
const JWKS_TTL_MS = 10 * 60_000;
const JWKS_REFETCH_MIN_MS = 30_000;

type Verifier = (data: Buffer, key: KeyObject, signature: Buffer) => boolean;
const rsa =
  (hash: string): Verifier =>
  (d, key, sig) =>
    verify(hash, d, key, sig);
const pss =
  (hash: string, saltLength: number): Verifier =>
  (d, key, sig) =>
    verify(hash, d, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
const ec =
  (hash: string): Verifier =>
  (d, key, sig) =>
    verify(hash, d, { key, dsaEncoding: 'ieee-p1363' }, sig);
const ed: Verifier = (d, key, sig) => verify(null, d, key, sig);

/** Asymmetric algorithms only: `none` and HMAC (a shared secret anyone holding it could forge) are refused. */
const ALGORITHMS: Record<string, Verifier> = {
  RS256: rsa('sha256'),
  RS384: rsa('sha384'),
  RS512: rsa('sha512'),
  PS256: pss('sha256', 32),
  PS384: pss('sha384', 48),
  PS512: pss('sha512', 64),
  ES256: ec('sha256'),
  ES384: ec('sha384'),
  ES512: ec('sha512'),
  EdDSA: ed,
  Ed25519: ed,
};

type Jwk = JsonWebKey & { kid?: string; use?: string; alg?: string };

function decodePart(part: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new LogoutTokenError(`the logout token's ${what} is not a JSON object`);
}

export function createLogoutTokenVerifier(opts: {
  issuer: () => Promise<{ issuer: string; jwksUri: string | undefined }>;
  clientId: string;
  fetch?: typeof fetch;
}) {
  const doFetch = opts.fetch ?? fetch;
  let jwks: { keys: Jwk[]; at: number } | undefined;

  async function loadKeys(jwksUri: string, force: boolean): Promise<Jwk[]> {
    const now = Date.now();
    if (jwks && now - jwks.at < (force ? JWKS_REFETCH_MIN_MS : JWKS_TTL_MS)) return jwks.keys;
    const res = await doFetch(jwksUri, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new LogoutTokenError(`the provider's JWKS answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new LogoutTokenError("the provider's JWKS has no keys");
    jwks = { keys: body.keys as Jwk[], at: now };
    return jwks.keys;
  }

  async function findKey(jwksUri: string, kid: string | undefined, kty: string): Promise<KeyObject> {
    for (const force of [false, true]) {
      const keys = (await loadKeys(jwksUri, force)).filter(
        (k) =>
          k.kty === kty && (k.use === undefined || k.use === 'sig') && (kid === undefined || k.kid === kid),
      );
      if (keys.length === 1) return createPublicKey({ key: keys[0]!, format: 'jwk' });
      if (keys.length > 1)
        throw new LogoutTokenError('the logout token names no `kid` and several keys match');
    }
    throw new LogoutTokenError(`no key in the provider's JWKS matches kid ${JSON.stringify(kid)}`);
  }

  return async function verifyLogoutToken(token: string, now = Date.now()): Promise<LogoutClaims> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new LogoutTokenError('the logout token is not a signed JWT');
    const header = decodePart(parts[0], 'header');
    const claims = decodePart(parts[1], 'payload');
    const alg = typeof header['alg'] === 'string' ? header['alg'] : '';
    const check = ALGORITHMS[alg];
    if (!check)
      throw new LogoutTokenError(`the logout token's algorithm ${JSON.stringify(alg)} is not accepted`);
    if (header['typ'] !== undefined && String(header['typ']).toLowerCase() !== 'logout+jwt') {
      throw new LogoutTokenError('the token is not a logout token (typ)');
    }
    const { issuer, jwksUri } = await opts.issuer();
    if (!jwksUri) throw new LogoutTokenError('the provider publishes no JWKS');
    const kty = alg.startsWith('ES') ? 'EC' : alg.startsWith('Ed') ? 'OKP' : 'RSA';
    const kid = typeof header['kid'] === 'string' ? header['kid'] : undefined;
    const key = await findKey(jwksUri, kid, kty);
    const data = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
    if (!check(data, key, Buffer.from(parts[2]!, 'base64url'))) {
      throw new LogoutTokenError('the logout token signature does not verify');
    }

    const nowS = Math.floor(now / 1000);
    if (claims['iss'] !== issuer) throw new LogoutTokenError('the logout token is from another issuer');
    const aud = claims['aud'];
    if (!(aud === opts.clientId || (Array.isArray(aud) && aud.includes(opts.clientId)))) {
      throw new LogoutTokenError('the logout token is for another client');
    }
    const iat = claims['iat'];
    if (typeof iat !== 'number' || iat > nowS + CLOCK_SKEW_S || iat < nowS - MAX_TOKEN_AGE_S) {
      throw new LogoutTokenError('the logout token is too old, from the future, or has no iat');
    }
    const exp = claims['exp'];
    if (exp !== undefined && (typeof exp !== 'number' || exp < nowS - CLOCK_SKEW_S)) {
      throw new LogoutTokenError('the logout token has expired');
    }
    const events = claims['events'];
    if (!events || typeof events !== 'object' || !(LOGOUT_EVENT in events)) {
      throw new LogoutTokenError('the token carries no back-channel logout event');
    }
    if ('nonce' in claims) throw new LogoutTokenError('a logout token must not carry a nonce');
    const subject = typeof claims['sub'] === 'string' ? claims['sub'] : undefined;
    const sid = typeof claims['sid'] === 'string' ? claims['sid'] : undefined;
    if (subject === undefined && sid === undefined) {
      throw new LogoutTokenError('the logout token names neither sub nor sid');
    }
    return { subject, sid };
  };
}
