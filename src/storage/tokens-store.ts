/** app.db: access tokens (API and MCP bearer tokens), stored as hashes. */
import { createBuilder, Runner } from './query.js';
import type { AccessTokenRow, AppSchema } from './schema.js';
import type { Db } from './sqlite.js';

export type AccessToken = Omit<AccessTokenRow, 'id'> & { id: number };
export type NewAccessToken = Omit<AccessToken, 'id' | 'last_used_at' | 'revoked_at'>;

const qb = createBuilder<AppSchema>();

export function createTokensStore(db: Db) {
  const run = new Runner(db);

  return {
    insertToken(t: NewAccessToken): AccessToken {
      const { lastInsertRowid } = run.run(qb.insertInto('access_tokens').values(t));
      return { ...t, id: lastInsertRowid, last_used_at: null, revoked_at: null };
    },

    /** Revoked tokens too, newest first: the listing shows what was revoked and when. */
    listTokens(): AccessToken[] {
      return run.all(qb.selectFrom('access_tokens').selectAll().orderBy('id', 'desc')) as AccessToken[];
    },

    /** Revoked and expired ones too, so a refusal can say which it was. */
    findTokenByHash(tokenHash: string): AccessToken | undefined {
      return run.first(qb.selectFrom('access_tokens').selectAll().where('token_hash', '=', tokenHash)) as
        AccessToken | undefined;
    },

    findActiveTokenByName(name: string): AccessToken | undefined {
      return run.first(
        qb.selectFrom('access_tokens').selectAll().where('name', '=', name).where('revoked_at', 'is', null),
      ) as AccessToken | undefined;
    },

    findTokenById(id: number): AccessToken | undefined {
      return run.first(qb.selectFrom('access_tokens').selectAll().where('id', '=', id)) as
        AccessToken | undefined;
    },

    countActiveTokens(): number {
      return (
        run.first(
          qb
            .selectFrom('access_tokens')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('revoked_at', 'is', null),
        )?.n ?? 0
      );
    },

    revokeToken(id: number, now: number): boolean {
      return (
        run.run(
          qb
            .updateTable('access_tokens')
            .set({ revoked_at: now })
            .where('id', '=', id)
            .where('revoked_at', 'is', null),
        ).changes > 0
      );
    },

    touchToken(id: number, now: number): void {
      run.run(qb.updateTable('access_tokens').set({ last_used_at: now }).where('id', '=', id));
    },
  };
}

export type TokensStore = ReturnType<typeof createTokensStore>;
