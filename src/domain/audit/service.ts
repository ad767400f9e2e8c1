/**
 * The audit trail of settings changes. Callers pass the actor (api/operations.ts `auditActorOf`,
 * the one place that turns a request into a name) and the values before and after the change.
 */
import type { AuditEntry, AuditStore } from '../../storage/audit-store.js';

export interface AuditView {
  id: number;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  /** ISO 8601 */
  created_at: string;
}

const MAX_AUDIT_PAGE = 200;

export function createAuditService(store: AuditStore) {
  const view = (e: AuditEntry): AuditView => ({
    id: e.id,
    actor: e.actor,
    action: e.action,
    target: e.target,
    before: e.before,
    after: e.after,
    created_at: new Date(e.createdAt).toISOString(),
  });
  return {
    record(actor: string, action: string, target: string, before: unknown, after: unknown): void {
      store.record({ actor, action, target, before, after });
    },
    list(limit = 50, beforeId: number | null = null): AuditView[] {
      return store.list(Math.min(Math.max(1, limit), MAX_AUDIT_PAGE), beforeId).map(view);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
