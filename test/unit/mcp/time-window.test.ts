import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { parseIsoTime, resolveWindow } from '../../../src/mcp/time-window.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const H = 3_600_000;
const opts = { now: NOW, maxHours: 90 * 24 };

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('resolveWindow', () => {
  it('defaults to the last 24 hours, and takes hours alone as the last N hours', () => {
    expect(resolveWindow({}, opts)).toEqual({ from: NOW - 24 * H, to: NOW, notes: [] });
    expect(resolveWindow({ hours: 2 }, opts)).toEqual({ from: NOW - 2 * H, to: NOW, notes: [] });
  });

  it('reads hours forward from start_time and back from end_time', () => {
    const start = '2026-03-09T00:00:00Z';
    expect(resolveWindow({ start_time: start, hours: 6 }, opts)).toMatchObject({
      from: Date.parse(start),
      to: Date.parse(start) + 6 * H,
    });
    expect(resolveWindow({ end_time: '2026-03-09T06:00:00Z', hours: 6 }, opts)).toMatchObject({
      from: Date.parse(start),
      to: Date.parse(start) + 6 * H,
    });
  });

  it('takes both bounds as absolute and says hours was ignored', () => {
    const w = resolveWindow(
      { start_time: '2026-03-09T00:00:00Z', end_time: '2026-03-09T01:30:00Z', hours: 5 },
      opts,
    );
    expect(w.to - w.from).toBe(1.5 * H);
    expect(w.notes).toEqual(['hours was ignored: start_time and end_time were both given.']);
  });

  it('reads a window reaching into the future up to now', () => {
    expect(resolveWindow({ start_time: '2026-03-10T11:00:00Z', hours: 5 }, opts).to).toBe(NOW);
  });

  it('clamps a window starting before retention, with a note naming both starts', () => {
    const w = resolveWindow({ hours: 200 * 24 }, opts);
    expect(w.from).toBe(NOW - 90 * 24 * H);
    expect(w.notes).toHaveLength(1);
    expect(w.notes[0]).toContain('Window clamped');
    expect(w.notes[0]).toContain('90 days');
    expect(w.notes[0]).toContain(new Date(NOW - 200 * 24 * H).toISOString());
  });

  it('refuses a window that ends before retention or starts in the future, saying what to ask', () => {
    const old = errorOf(() => resolveWindow({ end_time: '2025-01-01T00:00:00Z' }, opts));
    expect(old.status).toBe(400);
    expect(old.message).toContain('ask about a later window');
    expect(errorOf(() => resolveWindow({ start_time: '2026-04-01T00:00:00Z' }, opts)).message).toContain(
      'future',
    );
    expect(
      errorOf(() =>
        resolveWindow({ start_time: '2026-03-09T02:00:00Z', end_time: '2026-03-09T01:00:00Z' }, opts),
      ).message,
    ).toContain('swap them');
  });
});

describe('parseIsoTime', () => {
  it('accepts dates, zoned and zoneless date-times (as UTC)', () => {
    expect(parseIsoTime('2026-03-01', 'x')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(parseIsoTime('2026-03-01T14:00', 'x')).toBe(Date.parse('2026-03-01T14:00:00Z'));
    expect(parseIsoTime('2026-03-01 14:00:30.5', 'x')).toBe(Date.parse('2026-03-01T14:00:30.500Z'));
    expect(parseIsoTime('2026-03-01T14:00:00+02:00', 'x')).toBe(Date.parse('2026-03-01T12:00:00Z'));
  });

  it('refuses what Date.parse would guess at, naming the argument', () => {
    for (const bad of ['yesterday', '03/01/2026', '2026-13-01', '1700000000']) {
      expect(errorOf(() => parseIsoTime(bad, 'start_time')).message).toMatch(
        /^start_time must be an ISO 8601 time/,
      );
    }
  });
});
