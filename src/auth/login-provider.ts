/**
 * What the login routes need from a provider, OIDC or GitHub: where to send the browser, how to
 * turn its return into an identity, and how to end the provider's session. The state, nonce and
 * PKCE verifier of one attempt travel together as a LoginFlow (login-flows.ts keeps them).
 */
import type { Identity } from '../domain/users/service.js';

export interface LoginFlow {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to go after sign-in: a path on this Snag, validated (return-to.ts). */
  returnTo: string;
  createdAt: number;
}

export interface LoginProvider {
  /** Shown on pages and in Settings ("Okta", "GitHub"). */
  displayName: string;
  /** Recorded with users: the same subject at two providers is two people. */
  providerId: string;
  buildAuthorizationUrl(flow: LoginFlow): Promise<URL>;
  /** Validates the callback (state, code, PKCE, ID token) and returns who signed in. */
  finishLogin(callbackUrl: URL, flow: LoginFlow): Promise<Identity>;
  /** RP-initiated logout at the provider, when it supports it. */
  buildEndSessionUrl(idTokenHint: string | null, postLogoutRedirectUri: string): Promise<URL | undefined>;
  /** Back-channel logout, when the provider has it (OIDC). */
  verifyLogoutToken?(token: string): Promise<{ subject?: string; sid?: string }>;
}

/** A failed login the person can act on: shown on the error page with this status. */
export class LoginError extends Error {
  constructor(
    readonly status: 400 | 403 | 502,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
