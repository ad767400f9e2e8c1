import { describe, expect, it } from 'vitest';
import type { LogSummary } from '../../../src/domain/logs/views.js';
import { formatLogLine, logRowOf, MAX_LISTED_BODY_CHARS } from '../../../src/mcp/tools/logs/log-parts.js';
import { msOf } from '../../../src/mcp/tools/traces/trace-parts.js';

const summary = (body: string): LogSummary => ({
  id: '42',
  timestamp: '2026-03-01T14:00:00.123456Z',
  level: 'warn',
  body,
  logger: 'app.pay',
  service: 'checkout',
  host: null,
  environment: 'production',
  release: null,
  trace_id: 'ab'.repeat(16),
  span_id: 'cd'.repeat(8),
});

describe('log rows', () => {
  it('orders microsecond log times against millisecond ones', () => {
    const times = ['2026-03-01T14:00:00.124Z', '2026-03-01T14:00:00.123999Z', '2026-03-01T14:00:00.123Z'];
    expect([...times].sort((a, b) => msOf(a) - msOf(b))).toEqual([times[2], times[1], times[0]]);
    expect(msOf('2026-03-01T14:00:00.123456Z') - msOf('2026-03-01T14:00:00.123Z')).toBeCloseTo(0.456, 3);
  });

  it('strips terminal escapes and caps the body of a listed log', () => {
    const row = logRowOf(summary(`\u001b[31mred\u001b[0m ${'x'.repeat(5_000)}`), 'shop');
    expect(row.body).not.toContain('\u001b');
    expect(row.body.startsWith('[31mred[0m x')).toBe(true);
    expect(row.body.length).toBeLessThan(MAX_LISTED_BODY_CHARS + 40);
    expect(row).toMatchObject({ log_id: '42', project: 'shop', level: 'warn', service: 'checkout' });
  });

  it('renders one line per log, the trace or (in a trace’s list) the span', () => {
    const row = logRowOf(summary('two\nlines'), 'shop');
    expect(formatLogLine(row)).toBe(
      `2026-03-01T14:00:00.123456Z WARN  #42 [checkout app.pay] two lines (trace ${'ab'.repeat(16)})`,
    );
    expect(formatLogLine(row, { project: true, trace: false })).toBe(
      `2026-03-01T14:00:00.123456Z WARN  #42 [shop checkout app.pay] two lines (span ${'cd'.repeat(8)})`,
    );
  });
});
