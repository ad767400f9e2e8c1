/**
 * Retention as Settings shows and changes it: the defaults (SNAG_RETENTION_*), the overrides saved
 * in app.db, and the effective days; every change is recorded in the audit trail.
 */
import { AppError } from '../../errors.js';
import type { RetentionSettingsStore } from '../../storage/retention-store.js';
import type { AuditService } from '../audit/service.js';
import { checkRetentionInput, effectiveRetention, type RetentionDays } from './retention-policy.js';

export interface RetentionView {
  days: RetentionDays;
  defaults: RetentionDays;
  /** Kinds whose value comes from Settings rather than the environment. */
  overridden: (keyof RetentionDays)[];
}

export function createRetentionService(deps: {
  store: RetentionSettingsStore;
  audit: AuditService;
  defaults: RetentionDays;
}) {
  const read = (): RetentionView => {
    const overrides = deps.store.readOverrides() as Partial<RetentionDays>;
    const days = effectiveRetention(deps.defaults, overrides);
    return {
      days,
      defaults: { ...deps.defaults },
      overridden: (Object.keys(overrides) as (keyof RetentionDays)[]).filter((k) => k in days),
    };
  };
  return {
    /** Read at every retention run, so a change applies without a restart. */
    current: (): RetentionDays => read().days,
    view: read,
    /** Saves the given kinds (others keep their value); a value equal to the default clears the override. */
    update(input: unknown, actor: string): RetentionView {
      const { days, problems } = checkRetentionInput(input);
      if (problems.length > 0)
        throw new AppError('invalid_retention', 400, `Retention: ${problems.join('; ')}.`);
      const before = read();
      const overrides = deps.store.readOverrides();
      for (const [kind, value] of Object.entries(days)) {
        if (value === deps.defaults[kind as keyof RetentionDays]) delete overrides[kind];
        else overrides[kind] = value;
      }
      deps.store.writeOverrides(overrides);
      const after = read();
      deps.audit.record(actor, 'retention.update', 'settings/retention', before.days, after.days);
      return after;
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
