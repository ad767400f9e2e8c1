/**
 * CSRF protection for requests that change state with a session cookie: the `X-Snag-CSRF` header
 * must carry the session's token (a synchronizer token derived from the session id, served by
 * GET /api/v1/session) and, when the browser says where the request comes from (`Origin`,
 * `Sec-Fetch-Site`), that must be this Snag. SameSite=Lax alone is not enough: it still sends the
 * cookie from sibling subdomains (same site, other origin) and on top-level GET navigations, and
 * older browsers ignore it. A custom header also forces a CORS preflight, which Snag never grants
 * to the JSON API. Bearer-token requests need none of this: nothing sends them automatically.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { SessionView } from '../domain/users/service.js';

export const CSRF_HEADER = 'x-snag-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws 403 unless the request comes from this Snag's own pages. */
export function assertCsrf(request: FastifyRequest, session: SessionView, publicUrl: string): void {
  const origin = request.headers.origin;
  const allowed = new Set([new URL(publicUrl).origin, `${request.protocol}://${request.host}`]);
  const fetchSite = request.headers['sec-fetch-site'];
  if ((origin !== undefined && !allowed.has(origin)) || fetchSite === 'cross-site') {
    throw new AppError(
      'csrf_origin',
      403,
      `This request comes from another site (${origin ?? 'cross-site'}): Snag accepts changes only from its own pages.`,
    );
  }
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
    throw new AppError(
      'csrf_token',
      403,
      'The X-Snag-CSRF header is missing or wrong: reload the page (it reads the token from GET /api/v1/session) and try again.',
    );
  }
}
