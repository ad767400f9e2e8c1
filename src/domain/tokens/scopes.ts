/**
 * Token scopes. They nest: admin includes write, write includes read, so a check asks for one
 * scope and a token lists every scope it holds (a `--scope admin` token can also read).
 */
import { badRequest } from '../../errors.js';
import type { TokenScope } from './views.js';

export type { TokenScope } from './views.js';

export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

/** Tokens minted before scopes existed were MCP tokens: they keep reading and changing issues. */
export const LEGACY_TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];

const isScope = (s: string): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s);

/** Every scope a set grants, in TOKEN_SCOPES order (the highest one implies the ones below it). */
export function expandScopes(scopes: readonly TokenScope[]): TokenScope[] {
  const top = Math.max(...scopes.map((s) => TOKEN_SCOPES.indexOf(s)));
  return TOKEN_SCOPES.slice(0, top + 1);
}

/** `read,write` or `read write` → scopes; anything unknown is refused with the list of valid ones. */
export function parseScopes(raw: string | readonly string[]): TokenScope[] {
  const parts = (typeof raw === 'string' ? raw.split(/[\s,]+/) : [...raw])
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = parts.filter((s) => !isScope(s));
  if (unknown.length > 0 || parts.length === 0)
    throw badRequest(
      `Unknown token scope ${unknown.map((s) => JSON.stringify(s)).join(', ') || '(none given)'}: use read, write or admin (comma-separated; admin includes write, write includes read).`,
      'invalid_scope',
    );
  return expandScopes(parts as TokenScope[]);
}

/** Stored form: NULL for a legacy token, else comma-separated. */
export function scopesOfRow(stored: string | null): TokenScope[] {
  if (stored === null) return [...LEGACY_TOKEN_SCOPES];
  return expandScopes(stored.split(',').filter(isScope));
}
