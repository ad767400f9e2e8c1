/**
 * Sign-ins in progress: state, nonce and PKCE verifier of each, kept server-side under a random
 * key that only the browser which started the sign-in holds (the `snag_login` cookie). In memory:
 * a sign-in lasts seconds, and one lost to a restart is retried by clicking again.
 */
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { LoginFlow } from './login-provider.js';

/** ms: a sign-in not finished within this is forgotten (the provider's login page may need a password reset). */
export const LOGIN_FLOW_TTL_MS = 10 * 60_000;
/** Flows kept at most; the oldest go first. Bounds memory if someone starts sign-ins in a loop. */
const MAX_PENDING_FLOWS = 10_000;

/**
 * `return_to` is a path on this Snag only: `/projects/x?y`, never `//evil.example` or a URL, so the
 * login cannot be used to redirect someone elsewhere (an open redirect).
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\'))
    return '/';
  // eslint-disable-next-line no-control-regex -- control characters never belong in a path
  if (/[\u0000-\u001f\\]/.test(raw) || raw.startsWith('/auth/')) return '/';
  return raw;
}

export function createLoginFlows() {
  const flows = new Map<string, LoginFlow>();

  return {
    /** A new flow and the cookie value that finds it again. */
    start(returnTo: string, now = Date.now()): { key: string; flow: LoginFlow } {
      for (const [k, f] of flows) {
        if (now - f.createdAt < LOGIN_FLOW_TTL_MS && flows.size < MAX_PENDING_FLOWS) break;
        flows.delete(k);
      }
      const key = randomBytes(32).toString('base64url');
      const flow: LoginFlow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
        returnTo: safeReturnTo(returnTo),
        createdAt: now,
      };
      flows.set(key, flow);
      return { key, flow };
    },

    /** The flow for this cookie value, once: a callback cannot be replayed. */
    take(key: string | undefined, now = Date.now()): LoginFlow | undefined {
      if (!key) return undefined;
      const flow = flows.get(key);
      flows.delete(key);
      return flow && now - flow.createdAt < LOGIN_FLOW_TTL_MS ? flow : undefined;
    },
  };
}

export type LoginFlows = ReturnType<typeof createLoginFlows>;
