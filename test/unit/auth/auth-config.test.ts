import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { describeAuthWarnings } from '../../../src/auth/runtime.js';

const OIDC = {
  SNAG_OIDC_ISSUER: 'https://login.example.com',
  SNAG_OIDC_CLIENT_ID: 'snag',
  SNAG_OIDC_CLIENT_SECRET: 'secret',
};

describe('config.auth', () => {
  it('is open by default, and warns only when bound beyond loopback', () => {
    const local = loadConfig({}).auth;
    expect(local.mode).toBe('open');
    expect(describeAuthWarnings(local, '127.0.0.1')).toEqual([]);
    const exposed = loadConfig({ SNAG_HOST: '0.0.0.0' }).auth;
    expect(describeAuthWarnings(exposed, '0.0.0.0')[0]).toMatch(/OPEN TO THE NETWORK/);
  });

  it('turns OIDC on with issuer, client id and secret; adds openid to the scopes', () => {
    const auth = loadConfig({
      ...OIDC,
      SNAG_OIDC_SCOPES: 'email,profile',
      SNAG_ALLOWED_USERS: 'A@B.example',
    }).auth;
    expect(auth.mode).toBe('oidc');
    expect(auth.oidc).toMatchObject({
      providerName: 'login.example.com',
      scopes: ['openid', 'email', 'profile'],
    });
    expect(auth.allowedUsers).toEqual(['a@b.example']);
  });

  it('is misconfigured, naming what is missing, when only some variables are set', () => {
    const auth = loadConfig({ SNAG_OIDC_ISSUER: 'https://login.example.com' }).auth;
    expect(auth.mode).toBe('misconfigured');
    expect(auth.problems.join(' ')).toMatch(/SNAG_OIDC_CLIENT_ID, SNAG_OIDC_CLIENT_SECRET/);
    expect(loadConfig({ SNAG_GITHUB_CLIENT_ID: 'x' }).auth.problems.join(' ')).toMatch(
      /SNAG_GITHUB_CLIENT_SECRET/,
    );
    expect(loadConfig({ ...OIDC, SNAG_GITHUB_CLIENT_ID: 'x' }).auth.mode).toBe('misconfigured');
    expect(loadConfig({ SNAG_ALLOWED_DOMAINS: 'example.com' }).auth.mode).toBe('misconfigured');
    expect(
      loadConfig({ ...OIDC, SNAG_OIDC_TOKEN_URL: 'https://login.example.com/token' }).auth.problems.join(' '),
    ).toMatch(/SNAG_OIDC_AUTHORIZATION_URL, SNAG_OIDC_JWKS_URL/);
  });

  it('warns that nobody can sign in when both allowlists are empty', () => {
    const auth = loadConfig(OIDC).auth;
    expect(describeAuthWarnings(auth, '127.0.0.1')[0]).toMatch(/nobody can sign in/);
  });

  it('refuses plain-http providers except on loopback', () => {
    expect(() => loadConfig({ ...OIDC, SNAG_OIDC_ISSUER: 'http://login.example.com' })).toThrow(/https/);
    expect(loadConfig({ ...OIDC, SNAG_OIDC_ISSUER: 'http://127.0.0.1:9000' }).auth.mode).toBe('oidc');
  });

  it('configures GitHub with org names lower-cased and Enterprise URLs', () => {
    const auth = loadConfig({
      SNAG_GITHUB_CLIENT_ID: 'id',
      SNAG_GITHUB_CLIENT_SECRET: 'secret',
      SNAG_ALLOWED_GITHUB_ORGS: 'Acme, Widgets',
      SNAG_GITHUB_URL: 'https://ghe.example.com/',
      SNAG_GITHUB_API_URL: 'https://ghe.example.com/api/v3',
    }).auth;
    expect(auth.mode).toBe('github');
    expect(auth.github).toMatchObject({
      allowedOrgs: ['acme', 'widgets'],
      webUrl: 'https://ghe.example.com',
      apiUrl: 'https://ghe.example.com/api/v3',
    });
  });
});
