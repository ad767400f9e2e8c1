import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPkce } from '../../../src/domain/tokens/pkce.js';
import {
  checkRedirectUri,
  matchRedirectUri,
  validateRedirectUris,
} from '../../../src/domain/tokens/redirect-uris.js';

describe('redirect URIs', () => {
  it('allow https and loopback http only', () => {
    for (const ok of [
      'https://vscode.dev/redirect',
      'http://127.0.0.1:33418/callback',
      'http://localhost:8080/cb',
      'http://[::1]/cb',
      'http://127.8.9.10/x',
    ])
      expect(checkRedirectUri(ok), ok).toBeUndefined();
    expect(checkRedirectUri('http://example.com/cb')).toMatch(/https, or http to a loopback/);
    expect(checkRedirectUri('http://127.0.0.1.evil.example/cb')).toMatch(/loopback/);
    expect(checkRedirectUri('javascript:alert(1)')).toMatch(/https/);
    expect(checkRedirectUri('https://app.example/cb#x')).toMatch(/fragment/);
    expect(checkRedirectUri('https://user:pw@app.example/cb')).toMatch(/credentials/);
    expect(checkRedirectUri('/relative')).toMatch(/absolute/);
  });

  it('a registration needs 1 to 10 of them', () => {
    expect(() => validateRedirectUris([])).toThrow(/1 to 10/);
    expect(() => validateRedirectUris('https://a.example/cb')).toThrow(/1 to 10/);
    expect(() => validateRedirectUris(['https://a.example/cb', 42])).toThrow(/not a string/);
  });

  it('match exactly, except a loopback URI on any port (RFC 8252 §7.3)', () => {
    const registered = ['http://127.0.0.1:33418/callback', 'https://app.example/cb'];
    expect(matchRedirectUri(registered, 'https://app.example/cb')).toBe('https://app.example/cb');
    expect(matchRedirectUri(registered, 'https://app.example/cb2')).toBeUndefined();
    expect(matchRedirectUri(registered, 'http://127.0.0.1:50001/callback')).toBe(
      'http://127.0.0.1:50001/callback',
    );
    expect(matchRedirectUri(registered, 'http://127.0.0.1:50001/other')).toBeUndefined();
    expect(matchRedirectUri(registered, 'http://localhost:33418/callback')).toBeUndefined();
    expect(matchRedirectUri(['https://app.example:8443/cb'], 'https://app.example:9443/cb')).toBeUndefined();
  });
});

describe('PKCE S256', () => {
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  // RFC 7636 appendix B's example pair.
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

  it('accepts the verifier of the challenge', () => {
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
    expect(verifyPkce(verifier, challenge)).toBe(true);
  });

  it('refuses another verifier, a malformed one, or the challenge itself (plain)', () => {
    expect(verifyPkce(verifier.replace('d', 'e'), challenge)).toBe(false);
    expect(verifyPkce('short', challenge)).toBe(false);
    expect(verifyPkce(challenge, challenge)).toBe(false);
  });
});
