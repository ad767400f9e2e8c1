/**
 * The two cookies login needs, parsed and written by hand (RFC 6265 §4): `snag_session` (the
 * session) and `snag_login` (binds a login in progress to the browser that started it, so a
 * callback URL sent to someone else cannot sign them in as the sender). Both HttpOnly, `Secure`
 * when SNAG_PUBLIC_URL is https, and SameSite=Lax: the provider's redirect back to /auth/callback
 * is a cross-site top-level GET, which Strict would send without the login cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'snag_session';
export const LOGIN_COOKIE = 'snag_login';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

export interface CookieOptions {
  secure: boolean;
  path?: string;
  /** Seconds; omitted: a browser-session cookie. 0 deletes the cookie. */
  maxAgeSeconds?: number;
}

export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  // Fastify appends to an existing Set-Cookie rather than replacing it.
  reply.header('set-cookie', parts.join('; '));
}

export function clearCookie(reply: FastifyReply, name: string, options: CookieOptions): void {
  setCookie(reply, name, '', { ...options, maxAgeSeconds: 0 });
}
