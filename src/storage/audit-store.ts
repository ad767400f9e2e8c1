/** app.db `audit_log`: who changed which setting, from what to what. Values are stored as JSON. */
import type { Db } from './sqlite.js';

export interface AuditEntry {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  /** epoch ms */
  createdAt: number;
}

export function createAuditStore(db: Db) {
  const insert = db.prepare(
    'INSERT INTO audit_log (actor, action, target, before, after, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const list = db.prepare(
    `SELECT id, actor, action, target, before, after, created_at AS createdAt FROM audit_log
     WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
  );
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  return {
    record(e: Omit<AuditEntry, 'id' | 'createdAt'>, nowMs = Date.now()): number {
      return Number(
        insert.run(e.actor, e.action, e.target, json(e.before), json(e.after), nowMs).lastInsertRowid,
      );
    },
    /** Newest first; `beforeId` pages back. */
    list(limit: number, beforeId: number | null = null): AuditEntry[] {
      const rows = list.all(beforeId, beforeId, limit) as (Omit<AuditEntry, 'before' | 'after'> & {
        before: string | null;
        after: string | null;
      })[];
      return rows.map((r) => ({
        ...r,
        before: r.before === null ? null : (JSON.parse(r.before) as unknown),
        after: r.after === null ? null : (JSON.parse(r.after) as unknown),
      }));
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
