import { describe, expect, it } from 'vitest';
import { narrowToRowCap } from '../../../src/mcp/tools/performance/perf-common.js';
import { mcpEndpoint } from '../../../src/cli/mcp.js';

const H = 3_600_000;
const TO = Date.parse('2026-03-10T12:00:00Z');

describe('narrowToRowCap', () => {
  it('keeps a window that fits', () => {
    expect(narrowToRowCap({ from: TO - 24 * H, to: TO }, () => 100, 1000)).toEqual({
      from: TO - 24 * H,
      rows: 100,
    });
  });

  it('moves the start later, in whole hours, until the rest fits', () => {
    // 1,000 rows an hour over 30 days, a cap of 60,000: the last 60 hours.
    const perHour = (from: number) => ((TO - from) / H) * 1000;
    const { from, rows } = narrowToRowCap({ from: TO - 720 * H, to: TO }, perHour, 60_000);
    expect(rows).toBe(720_000);
    expect(TO - from).toBe(60 * H);
    expect(perHour(from)).toBeLessThanOrEqual(60_000);
  });

  it('re-counts when traffic is uneven, and never goes below one hour', () => {
    // Everything in the last 2 hours: 10,000 rows an hour there, nothing before.
    const recent = (from: number) => Math.min(2, (TO - from) / H) * 10_000;
    const narrowed = narrowToRowCap({ from: TO - 100 * H, to: TO }, recent, 5_000);
    expect(TO - narrowed.from).toBe(H);
  });
});

describe('mcpEndpoint', () => {
  it('appends /mcp to a base URL and keeps one that has it', () => {
    expect(mcpEndpoint('https://snag.example.com').href).toBe('https://snag.example.com/mcp');
    expect(mcpEndpoint('https://example.com/snag/').href).toBe('https://example.com/snag/mcp');
    expect(mcpEndpoint('http://127.0.0.1:8000/mcp').href).toBe('http://127.0.0.1:8000/mcp');
    expect(() => mcpEndpoint('snag.example.com')).toThrow(/is not a URL/);
  });
});
