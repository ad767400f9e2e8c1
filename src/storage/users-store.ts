/**
 * app.db: people who signed in (users) and their server-side sessions. A session row is looked up
 * by the SHA-256 of its cookie value on every request of a signed-in browser; `last_seen_at` is
 * written far less often (the service throttles it).
 */
import type { Generated } from 'kysely';
import { createBuilder, Runner } from './query.js';
import type { Db } from './sqlite.js';

interface UserRow {
  id: Generated<number>;
  email: string;
  name: string | null;
  /** 'oidc:<issuer>' or 'github': the same subject at two providers is two people. */
  provider: string;
  /** The provider's stable id for the person (OIDC `sub`, GitHub user id). */
  subject: string;
  created_at: number;
  last_login_at: number;
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  /** The provider's session id (ID token `sid`), for back-channel logout. */
  idp_sid: string | null;
  /** Kept only as `id_token_hint` for RP-initiated logout. */
  id_token: string | null;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  expires_at: number;
  revoked_at: number | null;
}

interface UsersSchema {
  users: UserRow;
  sessions: SessionRow;
}

export type User = Omit<UserRow, 'id'> & { id: number };
export type Session = SessionRow;
export type SessionWithUser = Session & { user: User };

const qb = createBuilder<UsersSchema>();

export function createUsersStore(db: Db) {
  const run = new Runner(db);

  return {
    /** Inserts or refreshes the person (email and name may change at the provider). */
    upsertUser(u: Omit<User, 'id' | 'created_at'>): User {
      const existing = run.first(
        qb
          .selectFrom('users')
          .selectAll()
          .where('provider', '=', u.provider)
          .where('subject', '=', u.subject),
      ) as User | undefined;
      if (existing) {
        run.run(
          qb
            .updateTable('users')
            .set({ email: u.email, name: u.name, last_login_at: u.last_login_at })
            .where('id', '=', existing.id),
        );
        return { ...existing, ...u };
      }
      const row = { ...u, created_at: u.last_login_at };
      const { lastInsertRowid } = run.run(qb.insertInto('users').values(row));
      return { ...row, id: lastInsertRowid };
    },

    findUserById(id: number): User | undefined {
      return run.first(qb.selectFrom('users').selectAll().where('id', '=', id)) as User | undefined;
    },

    findUsersBySubject(provider: string, subject: string): User[] {
      return run.all(
        qb.selectFrom('users').selectAll().where('provider', '=', provider).where('subject', '=', subject),
      ) as User[];
    },

    insertSession(s: Omit<Session, 'revoked_at'>): void {
      run.run(qb.insertInto('sessions').values({ ...s, revoked_at: null }));
    },

    findSession(idHash: string): SessionWithUser | undefined {
      const session = run.first(qb.selectFrom('sessions').selectAll().where('id_hash', '=', idHash));
      if (!session) return undefined;
      const user = run.first(qb.selectFrom('users').selectAll().where('id', '=', session.user_id));
      return user ? { ...session, user: user as User } : undefined;
    },

    touchSession(idHash: string, lastSeenAt: number, idleExpiresAt: number): void {
      run.run(
        qb
          .updateTable('sessions')
          .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
          .where('id_hash', '=', idHash),
      );
    },

    revokeSession(idHash: string, now: number): boolean {
      return (
        run.run(
          qb
            .updateTable('sessions')
            .set({ revoked_at: now })
            .where('id_hash', '=', idHash)
            .where('revoked_at', 'is', null),
        ).changes > 0
      );
    },

    /** Back-channel logout: by the provider's session id, and/or every session of some users. */
    revokeSessionsWhere(match: { idpSid?: string; userIds?: number[] }, now: number): number {
      let q = qb.updateTable('sessions').set({ revoked_at: now }).where('revoked_at', 'is', null);
      if (match.idpSid !== undefined) q = q.where('idp_sid', '=', match.idpSid);
      if (match.userIds !== undefined) {
        if (match.userIds.length === 0) return 0;
        q = q.where('user_id', 'in', match.userIds);
      }
      return run.run(q).changes;
    },

    /** Rows past either expiry or revoked before `before`: nothing reads them any more. */
    deleteDeadSessions(now: number, before: number): number {
      return run.run(
        qb
          .deleteFrom('sessions')
          .where((eb) =>
            eb.or([
              eb('expires_at', '<', now),
              eb('idle_expires_at', '<', now),
              eb('revoked_at', '<', before),
            ]),
          ),
      ).changes;
    },
  };
}

export type UsersStore = ReturnType<typeof createUsersStore>;
