/**
 * How long each kind of data is kept. Defaults come from SNAG_RETENTION_* (config.ts); Settings →
 * Storage saves overrides in app.db, and every retention run reads the values anew, so a change
 * applies at the next run without a restart.
 *
 * Coarse data outlives the raw data it summarises: rollups (540 days) keep charts, percentiles and
 * sparklines long after raw transactions (90) and events (90) are gone. 5-minute rollups serve the
 * 1 h and 6 h views only and are kept 1/270 of the hourly retention, 2 days at the default
 * (never longer: reads assume 2 days, domain/transactions/rollup.ts); 6-hourly and daily rows
 * are kept as long as hourly ones.
 */
import { FINE_ROLLUP_RETENTION_MS } from '../transactions/rollup.js';

export const RETENTION_KINDS = ['events', 'transactions', 'spans', 'logs', 'rollups'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];
export type RetentionDays = Record<RetentionKind, number>;

export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;
const DAY_MS = 86_400_000;
const FINE_ROLLUP_SHARE = 1 / 270;

/** Epoch-ms cutoffs: rows older than these are deleted (or, for spans, stripped). */
export interface RetentionCutoffs {
  events: number;
  transactions: number;
  spans: number;
  logs: number;
  rollups: number;
  fineRollups: number;
}

export function effectiveRetention(
  defaults: RetentionDays,
  overrides: Partial<RetentionDays>,
): RetentionDays {
  const days = { ...defaults };
  for (const kind of RETENTION_KINDS) {
    const v = overrides[kind];
    if (typeof v === 'number' && Number.isInteger(v) && v >= MIN_RETENTION_DAYS && v <= MAX_RETENTION_DAYS)
      days[kind] = v;
  }
  return days;
}

export function retentionCutoffs(days: RetentionDays, nowMs: number): RetentionCutoffs {
  // A span tree never outlives its transaction.
  const spans = Math.min(days.spans, days.transactions);
  const fineMs = Math.min(FINE_ROLLUP_RETENTION_MS, days.rollups * DAY_MS * FINE_ROLLUP_SHARE);
  return {
    events: nowMs - days.events * DAY_MS,
    transactions: nowMs - days.transactions * DAY_MS,
    spans: nowMs - spans * DAY_MS,
    logs: nowMs - days.logs * DAY_MS,
    rollups: nowMs - days.rollups * DAY_MS,
    fineRollups: nowMs - fineMs,
  };
}

/**
 * Checks a Settings change: known kinds only, whole days in range. Returns the problems, each
 * saying what to send instead; empty when the input is valid.
 */
export function checkRetentionInput(input: unknown): { days: Partial<RetentionDays>; problems: string[] } {
  const problems: string[] = [];
  const days: Partial<RetentionDays> = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { days, problems: ['send a JSON object of days per kind, e.g. {"events": 30}'] };
  }
  for (const [key, value] of Object.entries(input)) {
    if (!(RETENTION_KINDS as readonly string[]).includes(key)) {
      problems.push(`unknown kind "${key}": use ${RETENTION_KINDS.join(', ')}`);
    } else if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < MIN_RETENTION_DAYS ||
      value > MAX_RETENTION_DAYS
    ) {
      problems.push(
        `${key} must be a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}`,
      );
    } else {
      days[key as RetentionKind] = value;
    }
  }
  return { days, problems };
}
