/**
 * GitHub login: plain OAuth 2.0 (GitHub has no OpenID Connect for people, so no ID token), with
 * `state` and PKCE S256 (GitHub accepts PKCE since July 2025). Identity comes from the REST API:
 * the numeric user id as subject (logins can be renamed and reused) and the primary email only if
 * GitHub marks it verified. With SNAG_ALLOWED_GITHUB_ORGS, membership is read from /user/orgs, which
 * with the `read:org` scope includes private memberships. SNAG_GITHUB_URL / SNAG_GITHUB_API_URL
 * point at GitHub Enterprise Server (or, in the tests, a local stand-in of GitHub's endpoints).
 */
import * as client from 'openid-client';
import type { GithubSettings } from '../config.js';
import type { Identity } from '../domain/users/service.js';
import { LoginError, type LoginFlow, type LoginProvider } from './login-provider.js';

/** ms: a GitHub slower than this fails the sign-in instead of hanging it. */
const GITHUB_TIMEOUT_MS = 10_000;
/** GitHub caps a page at 100; a person in more orgs than that is checked against the first 100. */
const ORGS_PAGE_SIZE = 100;

interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export function createGithubProvider(settings: GithubSettings, redirectUri: () => string): LoginProvider {
  const scopes = ['read:user', 'user:email', ...(settings.allowedOrgs.length > 0 ? ['read:org'] : [])];

  async function call<T>(url: string, init: RequestInit, what: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS) });
    } catch (err) {
      throw new LoginError(502, `GitHub could not be reached for ${what}: ${(err as Error).message}.`, {
        cause: err,
      });
    }
    if (!res.ok) throw new LoginError(502, `GitHub answered ${res.status} to ${what}.`);
    return (await res.json()) as T;
  }

  const api = <T>(path: string, token: string, what: string) =>
    call<T>(
      `${settings.apiUrl}${path}`,
      {
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'snag',
        },
      },
      what,
    );

  return {
    displayName: 'GitHub',
    providerId: 'github',

    async buildAuthorizationUrl(flow: LoginFlow): Promise<URL> {
      const url = new URL(`${settings.webUrl}/login/oauth/authorize`);
      url.search = new URLSearchParams({
        client_id: settings.clientId,
        redirect_uri: redirectUri(),
        scope: scopes.join(' '),
        state: flow.state,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
        allow_signup: 'false',
      }).toString();
      return url;
    },

    async finishLogin(callbackUrl: URL, flow: LoginFlow): Promise<Identity> {
      const q = callbackUrl.searchParams;
      if (q.get('state') !== flow.state) {
        throw new LoginError(400, 'The sign-in response does not belong to this sign-in (state mismatch).');
      }
      const error = q.get('error');
      if (error)
        throw new LoginError(403, `GitHub refused the sign-in: ${q.get('error_description') ?? error}.`);
      const code = q.get('code');
      if (!code) throw new LoginError(400, 'The sign-in response has no authorization code.');

      // GitHub answers errors here with 200 and an `error` field.
      const token = await call<{ access_token?: string; error?: string; error_description?: string }>(
        `${settings.webUrl}/login/oauth/access_token`,
        {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: settings.clientId,
            client_secret: settings.clientSecret,
            code,
            redirect_uri: redirectUri(),
            code_verifier: flow.codeVerifier,
          }),
        },
        'the code exchange',
      );
      if (!token.access_token) {
        throw new LoginError(
          400,
          `GitHub refused the code: ${token.error_description ?? token.error ?? 'no access token'}.`,
        );
      }
      const accessToken = token.access_token;
      const user = await api<{ id: number; login: string; name: string | null }>(
        '/user',
        accessToken,
        '/user',
      );
      const emails = await api<GithubEmail[]>('/user/emails', accessToken, '/user/emails');
      const primary = emails.find((e) => e.primary);
      if (settings.allowedOrgs.length > 0) {
        const orgs = await api<{ login: string }[]>(
          `/user/orgs?per_page=${ORGS_PAGE_SIZE}`,
          accessToken,
          '/user/orgs',
        );
        const member = orgs.some((o) => settings.allowedOrgs.includes(o.login.toLowerCase()));
        if (!member) {
          throw new LoginError(
            403,
            `GitHub user ${user.login} is not a member of ${settings.allowedOrgs.join(', ')} (SNAG_ALLOWED_GITHUB_ORGS), or has not granted Snag access to that organization.`,
          );
        }
      }
      return {
        provider: 'github',
        subject: String(user.id),
        email: primary?.email ?? '',
        emailVerified: primary?.verified ?? false,
        name: user.name ?? user.login,
      };
    },

    buildEndSessionUrl: () => Promise.resolve(undefined),
  };
}
