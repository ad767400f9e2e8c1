/**
 * app.db: OAuth for MCP clients. Clients (dynamically registered or known by their client ID
 * metadata document), one-time authorization codes, grants (one consent and the chain of refresh
 * tokens descending from it) and their access and refresh tokens. Codes and tokens are kept as
 * SHA-256 hashes only.
 */
import type { Generated } from 'kysely';
import { createBuilder, Runner } from './query.js';
import type { AppSchema } from './schema.js';
import { inWriteTransaction, type Db } from './sqlite.js';

export interface OAuthClientRow {
  id: Generated<number>;
  client_id: string;
  name: string;
  /** JSON array of strings. */
  redirect_uris: string;
  client_uri: string | null;
  /** 'registration' (RFC 7591) or 'metadata_document' (a client_id that is an https URL). */
  source: string;
  created_at: number;
  refreshed_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface OAuthCodeRow {
  code_hash: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  /** Space-separated. */
  scopes: string;
  resource: string;
  user_id: number | null;
  created_at: number;
  expires_at: number;
  /** Set when the code is exchanged: a second exchange revokes this grant (RFC 6749 §4.1.2). */
  grant_id: number | null;
}

export interface OAuthGrantRow {
  id: Generated<number>;
  client_id: string;
  user_id: number | null;
  scopes: string;
  resource: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export interface OAuthTokenRow {
  token_hash: string;
  grant_id: number;
  kind: 'access' | 'refresh';
  created_at: number;
  expires_at: number;
  /** Refresh tokens: when it was exchanged for a new pair. Presenting it again means it leaked. */
  rotated_at: number | null;
  revoked_at: number | null;
}

interface OAuthSchema {
  oauth_clients: OAuthClientRow;
  oauth_codes: OAuthCodeRow;
  oauth_grants: OAuthGrantRow;
  oauth_tokens: OAuthTokenRow;
}

export type OAuthClient = Omit<OAuthClientRow, 'id'> & { id: number };
export type OAuthGrant = Omit<OAuthGrantRow, 'id'> & { id: number };
export type OAuthClientListing = OAuthClient & { active_grants: number };
/** A token with what verifying it needs: its grant and the client's display name. */
export type OAuthTokenFound = OAuthTokenRow & {
  grant: OAuthGrant;
  client_name: string;
};

const qb = createBuilder<AppSchema & OAuthSchema>();

export function createOAuthStore(db: Db) {
  const run = new Runner(db);

  const findGrant = (id: number) =>
    run.first(qb.selectFrom('oauth_grants').selectAll().where('id', '=', id)) as OAuthGrant | undefined;

  return {
    inTransaction: <T>(fn: () => T): T => inWriteTransaction(db, fn),

    insertClient(c: Omit<OAuthClient, 'id' | 'last_used_at' | 'revoked_at'>): OAuthClient {
      const { lastInsertRowid } = run.run(qb.insertInto('oauth_clients').values(c));
      return { ...c, id: lastInsertRowid, last_used_at: null, revoked_at: null };
    },

    /** Metadata documents are fetched again at each authorization: the stored copy follows them. */
    updateClientMetadata(
      clientId: string,
      c: Pick<OAuthClient, 'name' | 'redirect_uris' | 'client_uri' | 'refreshed_at'>,
    ): void {
      run.run(qb.updateTable('oauth_clients').set(c).where('client_id', '=', clientId));
    },

    findClient(clientId: string): OAuthClient | undefined {
      return run.first(qb.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId)) as
        OAuthClient | undefined;
    },

    findClientById(id: number): OAuthClient | undefined {
      return run.first(qb.selectFrom('oauth_clients').selectAll().where('id', '=', id)) as
        OAuthClient | undefined;
    },

    /** Clients not revoked, newest use first, with how many grants still hold a live token. */
    listClients(now: number): OAuthClientListing[] {
      return run.all(
        qb
          .selectFrom('oauth_clients as c')
          .selectAll('c')
          .select((eb) =>
            eb
              .selectFrom('oauth_grants as g')
              .select((e) => e.fn.countAll<number>().as('n'))
              .whereRef('g.client_id', '=', 'c.client_id')
              .where('g.revoked_at', 'is', null)
              .where((e) =>
                e.exists(
                  e
                    .selectFrom('oauth_tokens as t')
                    .select('t.token_hash')
                    .whereRef('t.grant_id', '=', 'g.id')
                    .where('t.revoked_at', 'is', null)
                    .where('t.rotated_at', 'is', null)
                    .where('t.expires_at', '>', now),
                ),
              )
              .as('active_grants'),
          )
          .where('c.revoked_at', 'is', null)
          .orderBy((eb) => eb.fn.coalesce('c.last_used_at', 'c.created_at'), 'desc'),
      ) as OAuthClientListing[];
    },

    setClientRevoked(clientId: string, revokedAt: number | null): void {
      run.run(
        qb.updateTable('oauth_clients').set({ revoked_at: revokedAt }).where('client_id', '=', clientId),
      );
    },

    touchClient(clientId: string, now: number): void {
      run.run(qb.updateTable('oauth_clients').set({ last_used_at: now }).where('client_id', '=', clientId));
    },

    insertCode(c: OAuthCodeRow): void {
      run.run(qb.insertInto('oauth_codes').values(c));
    },

    findCode(codeHash: string): OAuthCodeRow | undefined {
      return run.first(qb.selectFrom('oauth_codes').selectAll().where('code_hash', '=', codeHash)) as
        OAuthCodeRow | undefined;
    },

    setCodeGrant(codeHash: string, grantId: number): void {
      run.run(qb.updateTable('oauth_codes').set({ grant_id: grantId }).where('code_hash', '=', codeHash));
    },

    insertGrant(g: Omit<OAuthGrant, 'id' | 'last_used_at' | 'revoked_at' | 'revoked_reason'>): OAuthGrant {
      const { lastInsertRowid } = run.run(qb.insertInto('oauth_grants').values(g));
      return { ...g, id: lastInsertRowid, last_used_at: null, revoked_at: null, revoked_reason: null };
    },

    findGrant,

    revokeGrant(id: number, now: number, reason: string): boolean {
      return (
        run.run(
          qb
            .updateTable('oauth_grants')
            .set({ revoked_at: now, revoked_reason: reason })
            .where('id', '=', id)
            .where('revoked_at', 'is', null),
        ).changes > 0
      );
    },

    revokeClientGrants(clientId: string, now: number, reason: string): number {
      return run.run(
        qb
          .updateTable('oauth_grants')
          .set({ revoked_at: now, revoked_reason: reason })
          .where('client_id', '=', clientId)
          .where('revoked_at', 'is', null),
      ).changes;
    },

    touchGrant(id: number, now: number): void {
      run.run(qb.updateTable('oauth_grants').set({ last_used_at: now }).where('id', '=', id));
    },

    insertToken(t: Omit<OAuthTokenRow, 'rotated_at' | 'revoked_at'>): void {
      run.run(qb.insertInto('oauth_tokens').values({ ...t, rotated_at: null, revoked_at: null }));
    },

    findToken(tokenHash: string): OAuthTokenFound | undefined {
      const t = run.first(qb.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', tokenHash)) as
        OAuthTokenRow | undefined;
      if (!t) return undefined;
      const grant = findGrant(t.grant_id)!;
      const client = run.first(
        qb.selectFrom('oauth_clients').select('name').where('client_id', '=', grant.client_id),
      );
      return { ...t, grant, client_name: client?.name ?? grant.client_id };
    },

    /** True for the one caller that rotates this refresh token; false if it was rotated already. */
    markRotated(tokenHash: string, now: number): boolean {
      return (
        run.run(
          qb
            .updateTable('oauth_tokens')
            .set({ rotated_at: now })
            .where('token_hash', '=', tokenHash)
            .where('rotated_at', 'is', null),
        ).changes > 0
      );
    },

    revokeToken(tokenHash: string, now: number): void {
      run.run(
        qb
          .updateTable('oauth_tokens')
          .set({ revoked_at: now })
          .where('token_hash', '=', tokenHash)
          .where('revoked_at', 'is', null),
      );
    },

    /** Expired codes and tokens are useless; rotated refresh tokens are kept until they expire, for reuse detection. */
    deleteExpired(now: number): void {
      run.run(qb.deleteFrom('oauth_codes').where('expires_at', '<', now));
      run.run(qb.deleteFrom('oauth_tokens').where('expires_at', '<', now));
    },
  };
}

export type OAuthStore = ReturnType<typeof createOAuthStore>;
