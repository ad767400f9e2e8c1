/**
 * Redirect URIs of MCP clients. Allowed: https, and plain http only to a loopback address (a
 * native client's local listener, RFC 8252 §7.3), so an authorization code never crosses a network
 * in clear. Matching is exact, except that a loopback URI matches on any port: RFC 8252 §7.3 asks
 * for that, since a desktop client picks a free port each time it listens.
 */
import { OAuthError } from './oauth-error.js';

const MAX_REDIRECT_URIS = 10;
const MAX_URI_CHARS = 2000;

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Why `raw` cannot be a redirect URI, or undefined when it can. */
export function checkRedirectUri(raw: string): string | undefined {
  if (raw.length > MAX_URI_CHARS) return `is longer than ${MAX_URI_CHARS} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.hash !== '' || raw.includes('#')) return 'has a fragment (RFC 6749 §3.1.2 forbids one)';
  if (url.username !== '' || url.password !== '') return 'carries credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be https, or http to a loopback address (127.0.0.1, [::1] or localhost)';
}

export function validateRedirectUris(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REDIRECT_URIS)
    throw new OAuthError(
      'invalid_redirect_uri',
      `redirect_uris must be a list of 1 to ${MAX_REDIRECT_URIS} URIs.`,
    );
  return value.map((uri: unknown) => {
    const problem = typeof uri === 'string' ? checkRedirectUri(uri) : 'is not a string';
    if (problem)
      throw new OAuthError('invalid_redirect_uri', `Redirect URI ${JSON.stringify(uri)} ${problem}.`);
    return uri as string;
  });
}

/** The registered URI `requested` matches, if any. */
export function matchRedirectUri(registered: readonly string[], requested: string): string | undefined {
  if (registered.includes(requested)) return requested;
  let req: URL;
  try {
    req = new URL(requested);
  } catch {
    return undefined;
  }
  if (req.protocol !== 'http:' || !isLoopbackHost(req.hostname)) return undefined;
  for (const r of registered) {
    const reg = new URL(r);
    if (
      reg.protocol === 'http:' &&
      reg.hostname === req.hostname &&
      reg.pathname === req.pathname &&
      reg.search === req.search
    )
      return requested;
  }
  return undefined;
}
