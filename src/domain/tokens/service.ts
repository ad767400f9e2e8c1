/**
 * API tokens: minted with `snag token create` or in Settings, shown once, stored as a SHA-256,
 * revocable, with scopes (read ⊂ write ⊂ admin), an optional project and an optional expiry. They
 * authenticate the JSON API and /mcp. Verification is one indexed lookup per request; last use is
 * recorded at most once a minute per token so an agent's burst of calls does not turn into a burst
 * of app.db writes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError, badRequest } from '../../errors.js';
import type { AccessToken, TokensStore } from '../../storage/index.js';
import { parseScopes, scopesOfRow } from './scopes.js';
import type { TokenView } from './views.js';

export type { TokenView } from './views.js';

export interface NewTokenOptions {
  scopes?: readonly string[] | string;
  /** Slug, name or id. */
  project?: string | null;
  userId?: number | null;
  /** ms from now; undefined/null: never expires. */
  lifetimeMs?: number | null;
}

export type TokenCheck =
  { ok: true; token: TokenView } | { ok: false; reason: 'invalid' | 'expired' | 'revoked' };

export interface TokenProjects {
  findProject(ref: string | number): { id: number; slug: string } | undefined;
}

/** Identifies our tokens in logs and secret scanners; the rest is 256 random bits. */
export const TOKEN_PREFIX = 'snag_';
const TOKEN_RANDOM_BYTES = 32;
const SHOWN_PREFIX_CHARS = 12;
const MAX_NAME_CHARS = 64;
/** ms: last_used_at is rewritten at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function createTokenService(store: TokensStore, projects: TokenProjects) {
  function view(t: AccessToken): TokenView {
    const project = t.project_id === null ? null : (projects.findProject(t.project_id) ?? null);
    return {
      id: t.id,
      name: t.name,
      prefix: `${t.prefix}…`,
      scopes: scopesOfRow(t.scopes),
      legacy: t.scopes === null,
      project: project && { id: project.id, slug: project.slug },
      user_id: t.user_id,
      created_at: iso(t.created_at)!,
      last_used_at: iso(t.last_used_at),
      expires_at: iso(t.expires_at),
      revoked_at: iso(t.revoked_at),
    };
  }

  function findActive(ref: string): AccessToken {
    const s = ref.trim();
    const t =
      store.findActiveTokenByName(s) ?? (/^\d+$/.test(s) ? store.findTokenById(Number(s)) : undefined);
    if (!t || t.revoked_at !== null) {
      throw new AppError(
        'token_not_found',
        404,
        `No active token "${ref}": list them with \`snag token list\` or in Settings → API tokens (revoke by id or name).`,
      );
    }
    return t;
  }

  function resolveProject(ref: string | null | undefined): number | null {
    if (ref === undefined || ref === null || ref.trim() === '') return null;
    const p = projects.findProject(ref.trim());
    if (!p)
      throw badRequest(
        `No project "${ref}" for a project-scoped token: give a project slug (\`snag project list\`).`,
        'project_not_found',
      );
    return p.id;
  }

  return {
    /** Returns the token in clear text: the only time it is ever available. */
    createToken(
      rawName: string,
      options: NewTokenOptions = {},
      now = Date.now(),
    ): TokenView & { token: string } {
      const name = rawName.trim();
      // eslint-disable-next-line no-control-regex -- names are printed in listings: no control characters
      if (!name || name.length > MAX_NAME_CHARS || /[\u0000-\u001f]/.test(name))
        throw badRequest(
          `A token needs a name of 1 to ${MAX_NAME_CHARS} characters, e.g. \`snag token create --name claude-code\`.`,
        );
      if (store.findActiveTokenByName(name))
        throw badRequest(
          `A token named "${name}" already exists: pick another name, or revoke it first with \`snag token revoke ${name}\`.`,
        );
      const scopes = parseScopes(options.scopes ?? ['read', 'write']);
      const token = TOKEN_PREFIX + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url');
      const row = store.insertToken({
        name,
        token_hash: hashToken(token),
        prefix: token.slice(0, SHOWN_PREFIX_CHARS),
        created_at: now,
        scopes: scopes.join(','),
        project_id: resolveProject(options.project),
        user_id: options.userId ?? null,
        expires_at: options.lifetimeMs ? now + options.lifetimeMs : null,
      });
      return { ...view(row), token };
    },

    listTokens: (): TokenView[] => store.listTokens().map(view),

    /** Not revoked (expired ones included, marked by expires_at), for Settings. */
    listActiveTokens: (): TokenView[] =>
      store
        .listTokens()
        .filter((t) => t.revoked_at === null)
        .map(view),

    countActiveTokens: () => store.countActiveTokens(),

    revokeToken(ref: string, now = Date.now()): TokenView {
      const t = findActive(ref);
      store.revokeToken(t.id, now);
      return view({ ...t, revoked_at: now });
    },

    /** Settings revokes by id: a name may look like a number. */
    revokeTokenById(id: number, now = Date.now()): TokenView {
      const t = store.findTokenById(id);
      if (!t || t.revoked_at !== null)
        throw new AppError(
          'token_not_found',
          404,
          `No active token ${id}: it was revoked already, or never existed.`,
        );
      store.revokeToken(id, now);
      return view({ ...t, revoked_at: now });
    },

    /** Whether `token` is one of ours and usable now; says why not, so a 401 can tell the caller. */
    checkToken(token: string, now = Date.now()): TokenCheck {
      if (!token.startsWith(TOKEN_PREFIX)) return { ok: false, reason: 'invalid' };
      const t = store.findTokenByHash(hashToken(token));
      if (!t) return { ok: false, reason: 'invalid' };
      if (t.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (t.expires_at !== null && t.expires_at <= now) return { ok: false, reason: 'expired' };
      if (t.last_used_at === null || now - t.last_used_at >= TOUCH_INTERVAL_MS) {
        store.touchToken(t.id, now);
        t.last_used_at = now;
      }
      return { ok: true, token: view(t) };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
