/**
 * Access tokens for MCP clients: minted with `snag token create`, shown once, stored as a SHA-256,
 * revocable. Verification is one indexed lookup per request; last use is recorded at most once a
 * minute per token so an agent's burst of calls does not turn into a burst of app.db writes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError, badRequest } from '../../errors.js';
import type { AccessToken, TokensStore } from '../../storage/index.js';

export interface TokenView {
  id: number;
  name: string;
  /** The token's first characters (`snag_ab12…`), to tell tokens apart in a listing. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Identifies our tokens in logs and secret scanners; the rest is 256 random bits. */
const TOKEN_PREFIX = 'snag_';
const TOKEN_RANDOM_BYTES = 32;
const SHOWN_PREFIX_CHARS = 12;
const MAX_NAME_CHARS = 64;
/** ms: last_used_at is rewritten at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function view(t: AccessToken): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: `${t.prefix}…`,
    created_at: iso(t.created_at)!,
    last_used_at: iso(t.last_used_at),
    revoked_at: iso(t.revoked_at),
  };
}

export function createTokenService(store: TokensStore) {
  function findActive(ref: string): AccessToken {
    const s = ref.trim();
    const t =
      store.findActiveTokenByName(s) ?? (/^\d+$/.test(s) ? store.findTokenById(Number(s)) : undefined);
    if (!t || t.revoked_at !== null) {
      throw new AppError(
        'token_not_found',
        404,
        `No active token "${ref}": list them with \`snag token list\` (revoke by id or name).`,
      );
    }
    return t;
  }

  return {
    /** Returns the token in clear text: the only time it is ever available. */
    createToken(rawName: string, now = Date.now()): TokenView & { token: string } {
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
      const token = TOKEN_PREFIX + randomBytes(TOKEN_RANDOM_BYTES).toString('base64url');
      const row = store.insertToken({
        name,
        token_hash: hashToken(token),
        prefix: token.slice(0, SHOWN_PREFIX_CHARS),
        created_at: now,
      });
      return { ...view(row), token };
    },

    listTokens: (): TokenView[] => store.listTokens().map(view),

    countActiveTokens: () => store.countActiveTokens(),

    revokeToken(ref: string, now = Date.now()): TokenView {
      const t = findActive(ref);
      store.revokeToken(t.id, now);
      return view({ ...t, revoked_at: now });
    },

    /** The token's record when it is valid (not revoked), else undefined. */
    verifyToken(token: string, now = Date.now()): TokenView | undefined {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined;
      const t = store.findActiveTokenByHash(hashToken(token));
      if (!t) return undefined;
      if (t.last_used_at === null || now - t.last_used_at >= TOUCH_INTERVAL_MS) {
        store.touchToken(t.id, now);
        t.last_used_at = now;
      }
      return view(t);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
