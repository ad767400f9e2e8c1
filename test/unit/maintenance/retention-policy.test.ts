import { describe, expect, it } from 'vitest';
import {
  checkRetentionInput,
  effectiveRetention,
  retentionCutoffs,
} from '../../../src/domain/maintenance/retention-policy.js';

const DAY = 86_400_000;
const DEFAULTS = { events: 90, transactions: 90, spans: 30, logs: 14, rollups: 540 };
const NOW = Date.UTC(2026, 10, 22, 12);

describe('retention policy', () => {
  it('lets Settings override the environment per kind, ignoring stored values out of range', () => {
    expect(effectiveRetention(DEFAULTS, { events: 30, logs: 0, rollups: 1.5 })).toEqual({
      ...DEFAULTS,
      events: 30,
    });
  });

  it('derives cutoffs; spans never outlive transactions; 5-minute rollups are 1/270 of hourly, at most 2 days', () => {
    const c = retentionCutoffs(DEFAULTS, NOW);
    expect(NOW - c.events).toBe(90 * DAY);
    expect(NOW - c.spans).toBe(30 * DAY);
    expect(NOW - c.rollups).toBe(540 * DAY);
    expect(NOW - c.fineRollups).toBe(2 * DAY);
    const short = retentionCutoffs({ ...DEFAULTS, transactions: 7, spans: 30, rollups: 27 }, NOW);
    expect(NOW - short.spans).toBe(7 * DAY);
    expect(NOW - short.fineRollups).toBe(0.1 * DAY);
  });

  it('refuses unknown kinds and values that are not whole days in range', () => {
    expect(checkRetentionInput({ events: 30 })).toEqual({ days: { events: 30 }, problems: [] });
    const bad = checkRetentionInput({ events: 0, logs: 2.5, bogus: 1, spans: '9' });
    expect(bad.days).toEqual({});
    expect(bad.problems).toHaveLength(4);
    expect(checkRetentionInput([1]).problems[0]).toContain('JSON object');
  });
});
