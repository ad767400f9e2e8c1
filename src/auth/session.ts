/**
 * The signed-in person of a request, from the `snag_session` cookie: looked up once per request
 * (cached on the request object) through the runtime hung on the Fastify instance. This is what
 * other modules use: the guard, and H2's consent page (`readSessionUser`), which sends people to
 * `loginPath(returnTo)` when login is on and there is no session.
 */
import type { FastifyRequest } from 'fastify';
import type { SessionView } from '../domain/users/service.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

export interface SessionUser {
  id: number;
  email: string;
  name: string | null;
}

const resolved = new WeakMap<FastifyRequest, SessionView | null>();

/** The live session, or null (open or misconfigured mode, no cookie, expired, revoked). */
export function sessionOf(request: FastifyRequest): SessionView | null {
  const auth = request.server.snagAuth;
  if (!auth || (auth.mode !== 'oidc' && auth.mode !== 'github')) return null;
  const cached = resolved.get(request);
  if (cached !== undefined) return cached;
  const raw = readCookie(request, SESSION_COOKIE);
  const session = raw ? auth.users.findSession(raw) : null;
  resolved.set(request, session);
  return session;
}

export function readSessionUser(request: FastifyRequest): SessionUser | null {
  const s = sessionOf(request);
  return s ? { id: s.user.id, email: s.user.email, name: s.user.name } : null;
}

/** Whether people must sign in on this Snag (OIDC or GitHub configured). */
export function isLoginEnabled(request: FastifyRequest): boolean {
  const mode = request.server.snagAuth?.mode;
  return mode === 'oidc' || mode === 'github';
}

/** The login URL convention: `GET /auth/login?return_to=<path on this Snag>`. */
export function loginPath(returnTo: string): string {
  return `/auth/login?${new URLSearchParams({ return_to: returnTo })}`;
}
