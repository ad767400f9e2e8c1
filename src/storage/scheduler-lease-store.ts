/**
 * app.db `leases`: a named lease one process holds until it expires. Taking it is one UPSERT that
 * only succeeds when the row is free, expired or already ours, so two processes racing on the same
 * data dir cannot both win (SQLite serializes the writes; the loser sees 0 changes).
 */
import type { Db } from './sqlite.js';

export interface LeaseHolder {
  holder: string;
  acquiredAt: number;
  expiresAt: number;
}

export function createLeaseStore(db: Db) {
  const take = db.prepare(
    `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET
       acquired_at = CASE WHEN holder = excluded.holder THEN acquired_at ELSE excluded.acquired_at END,
       holder = excluded.holder, expires_at = excluded.expires_at
     WHERE holder = excluded.holder OR expires_at <= excluded.acquired_at`,
  );
  const release = db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?');
  const takeOver = db.prepare(
    'UPDATE leases SET holder = ?, acquired_at = ?, expires_at = ? WHERE name = ? AND holder = ?',
  );
  const read = db.prepare(
    'SELECT holder, acquired_at AS acquiredAt, expires_at AS expiresAt FROM leases WHERE name = ?',
  );
  return {
    /** Takes or renews `name` for `holder` until now + ttlMs; false when another holder's lease is live. */
    tryAcquire(name: string, holder: string, ttlMs: number, nowMs = Date.now()): boolean {
      return take.run(name, holder, nowMs, nowMs + ttlMs).changes > 0;
    },
    /** Takes `name` from `fromHolder` (known dead) before its lease expires; false if it changed hands. */
    takeOver(name: string, fromHolder: string, holder: string, ttlMs: number, nowMs = Date.now()): boolean {
      return takeOver.run(holder, nowMs, nowMs + ttlMs, name, fromHolder).changes > 0;
    },
    release(name: string, holder: string): void {
      release.run(name, holder);
    },
    read(name: string): LeaseHolder | undefined {
      return read.get(name) as LeaseHolder | undefined;
    },
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
