/**
 * Sign-in and sessions. A session is 256 random bits handed to the browser once (the cookie) and
 * stored as its SHA-256, so a copy of app.db cannot be replayed as cookies. Each session has two
 * ends: idle (pushed forward as it is used) and absolute (fixed at sign-in). The CSRF token is
 * derived from the cookie value: only a page that can read our same-origin API (GET
 * /api/v1/session) learns it, and the server needs no second secret to check it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { User, UsersStore } from '../../storage/index.js';
import { checkAllowlist, type Allowlist } from './allowlist.js';

export interface Identity {
  /** 'oidc:<issuer>' or 'github'. */
  provider: string;
  subject: string;
  email: string;
  /** undefined when the provider does not say (refused only when it says false). */
  emailVerified: boolean | undefined;
  name: string | null;
  /** OIDC `sid`, for back-channel logout. */
  idpSid?: string;
  idToken?: string;
}

export interface SessionView {
  user: { id: number; email: string; name: string | null; provider: string };
  idHash: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  idTokenHint: string | null;
}

export type SignInResult =
  { ok: true; user: User; sessionId: string; session: SessionView } | { ok: false; reason: string };

const SESSION_ID_BYTES = 32;
/** ms: last_seen_at is rewritten at most this often (or a quarter of the idle lifetime, if shorter). */
const TOUCH_INTERVAL_MS = 60_000;
/** ms: revoked rows are kept this long (a day), then deleted with expired ones. */
const KEEP_REVOKED_MS = 86_400_000;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64url');

export function hashSessionId(raw: string): string {
  return sha256(raw);
}

export function csrfTokenFor(rawSessionId: string): string {
  return sha256(`snag-csrf:${rawSessionId}`);
}

export function createUserService(
  store: UsersStore,
  opts: { allowlist: Allowlist; idleMs: number; maxAgeMs: number },
) {
  const touchEveryMs = Math.min(TOUCH_INTERVAL_MS, Math.floor(opts.idleMs / 4));

  return {
    /** Allowlist and verified-email checks, then the user row and a new session. */
    signIn(identity: Identity, now = Date.now()): SignInResult {
      if (!identity.email) {
        return {
          ok: false,
          reason:
            'The provider did not share an email address: Snag needs the `email` scope and an account with an email.',
        };
      }
      if (identity.emailVerified === false) {
        return {
          ok: false,
          reason: `${identity.email} is not verified at the provider: verify it there, then sign in again.`,
        };
      }
      const decision = checkAllowlist(identity.email, opts.allowlist);
      if (!decision.allowed) return { ok: false, reason: decision.reason };

      const user = store.upsertUser({
        email: identity.email.trim().toLowerCase(),
        name: identity.name,
        provider: identity.provider,
        subject: identity.subject,
        last_login_at: now,
      });
      store.deleteDeadSessions(now, now - KEEP_REVOKED_MS);
      const sessionId = randomBytes(SESSION_ID_BYTES).toString('base64url');
      const row = {
        id_hash: hashSessionId(sessionId),
        user_id: user.id,
        idp_sid: identity.idpSid ?? null,
        id_token: identity.idToken ?? null,
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + opts.idleMs,
        expires_at: now + opts.maxAgeMs,
      };
      store.insertSession(row);
      return {
        ok: true,
        user,
        sessionId,
        session: {
          user: { id: user.id, email: user.email, name: user.name, provider: user.provider },
          idHash: row.id_hash,
          csrfToken: csrfTokenFor(sessionId),
          createdAt: now,
          expiresAt: Math.min(row.idle_expires_at, row.expires_at),
          idTokenHint: row.id_token,
        },
      };
    },

    /** The live session for a cookie value, or null (unknown, revoked, idle too long, too old). */
    findSession(rawSessionId: string, now = Date.now()): SessionView | null {
      const idHash = hashSessionId(rawSessionId);
      const s = store.findSession(idHash);
      if (!s || s.revoked_at !== null || now >= s.expires_at || now >= s.idle_expires_at) return null;
      let idleExpiresAt = s.idle_expires_at;
      if (now - s.last_seen_at >= touchEveryMs) {
        idleExpiresAt = now + opts.idleMs;
        store.touchSession(idHash, now, idleExpiresAt);
      }
      return {
        user: { id: s.user.id, email: s.user.email, name: s.user.name, provider: s.user.provider },
        idHash,
        csrfToken: csrfTokenFor(rawSessionId),
        createdAt: s.created_at,
        expiresAt: Math.min(idleExpiresAt, s.expires_at),
        idTokenHint: s.id_token,
      };
    },

    /** Logout: the row is revoked at once, whatever the cookie's lifetime. */
    signOut(rawSessionId: string, now = Date.now()): void {
      store.revokeSession(hashSessionId(rawSessionId), now);
    },

    /**
     * Back-channel logout (OpenID Connect Back-Channel Logout 1.0 §2.4): a logout token names the
     * provider's session (`sid`), the person (`sub`), or both; with both, only that session ends.
     */
    revokeByProvider(match: { provider: string; subject?: string; sid?: string }, now = Date.now()): number {
      const userIds =
        match.subject === undefined
          ? undefined
          : store.findUsersBySubject(match.provider, match.subject).map((u) => u.id);
      return store.revokeSessionsWhere({ idpSid: match.sid, userIds }, now);
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
