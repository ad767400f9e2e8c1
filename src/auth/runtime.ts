/**
 * Everything login needs at request time, built once from config.auth: the mode, the provider
 * (OIDC or GitHub), sign-ins in progress, the user/session service and the rate limiter. It hangs
 * off the Fastify instance (`snagAuth`), so readSessionUser(request) works from any route,
 * including H2's consent page, without being handed anything.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthConfig, AuthMode } from '../config.js';
import type { UserService } from '../domain/users/service.js';
import { createGithubProvider } from './github.js';
import { createLoginFlows, type LoginFlows } from './login-flows.js';
import type { LoginProvider } from './login-provider.js';
import { createOidcProvider } from './oidc.js';
import { createRateLimiter, type RateLimiter } from './rate-limit.js';

export interface AuthRuntime {
  mode: AuthMode;
  config: AuthConfig;
  /** undefined in open and misconfigured modes. */
  provider: LoginProvider | undefined;
  users: UserService;
  flows: LoginFlows;
  rateLimiter: RateLimiter;
  /** Known once listening; cookies are `Secure` when it is https. */
  publicUrl: () => string;
  secureCookies: () => boolean;
  /** The open-mode warning the UI shows, or null. */
  banner: string | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    snagAuth: AuthRuntime | undefined;
  }
}

export function createAuthRuntime(opts: {
  config: AuthConfig;
  users: UserService;
  publicUrl: () => string;
  host: string;
}): AuthRuntime {
  const { config } = opts;
  const redirectUri = () => `${opts.publicUrl()}/auth/callback`;
  const provider =
    config.mode === 'oidc' && config.oidc
      ? createOidcProvider(config.oidc, redirectUri)
      : config.mode === 'github' && config.github
        ? createGithubProvider(config.github, redirectUri)
        : undefined;
  return {
    mode: config.mode,
    config,
    provider,
    users: opts.users,
    flows: createLoginFlows(),
    rateLimiter: createRateLimiter({
      burst: config.loginRateLimitPerMinute,
      perMinute: config.loginRateLimitPerMinute,
    }),
    publicUrl: opts.publicUrl,
    secureCookies: () => opts.publicUrl().startsWith('https:'),
    banner:
      config.mode === 'open' && !config.loopbackBind
        ? `Snag listens on ${opts.host} without login: anyone who can reach it can read your errors, traces and logs and change issues. Turn on login (docs/auth.md).`
        : null,
  };
}

/** Startup warnings for main.ts to log: exposed open mode, an empty allowlist, a half-set provider. */
export function describeAuthWarnings(config: AuthConfig, host: string): string[] {
  const warnings: string[] = [];
  if (config.mode === 'open' && !config.loopbackBind) {
    warnings.push(
      `SNAG IS OPEN TO THE NETWORK: it listens on ${host} and login is off, so anyone who can reach this address can read every error, trace and log and change issues. Set SNAG_OIDC_ISSUER/SNAG_OIDC_CLIENT_ID/SNAG_OIDC_CLIENT_SECRET or SNAG_GITHUB_CLIENT_ID/SNAG_GITHUB_CLIENT_SECRET with SNAG_ALLOWED_USERS or SNAG_ALLOWED_DOMAINS (docs/auth.md), or bind to 127.0.0.1.`,
    );
  }
  if (config.mode === 'misconfigured') {
    warnings.push(
      `Login is misconfigured, so the UI and JSON API answer 503 until it is fixed (ingest, OTLP, /mcp and /_health keep working): ${config.problems.join(' ')}`,
    );
  }
  if (
    (config.mode === 'oidc' || config.mode === 'github') &&
    config.allowedUsers.length === 0 &&
    config.allowedDomains.length === 0
  ) {
    warnings.push(
      'Login is on but SNAG_ALLOWED_USERS and SNAG_ALLOWED_DOMAINS are both empty: nobody can sign in. List the people or email domains allowed.',
    );
  }
  return warnings;
}

export function attachAuthRuntime(app: FastifyInstance, runtime: AuthRuntime | undefined): void {
  app.decorate('snagAuth', runtime);
}
