import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LogDetail, LogHistogram, LogLevel } from '../../../web/src/api/client';
import { LogHistogramChart, formatCount, stackHistogram } from '../../../web/src/components/log-histogram';
import { formatLogTime, formatLogTimestamp } from '../../../web/src/components/log-time';
import { attributeRows, rawRecord } from '../../../web/src/routes/log-record';
import { otlpSettings } from '../../../web/src/routes/logs-setup';

const T0 = Date.parse('2026-11-22T08:00:00Z');
const counts = (c: Partial<Record<LogLevel, number>>): Record<LogLevel, number> => ({
  trace: 0,
  debug: 0,
  info: 0,
  warn: 0,
  error: 0,
  fatal: 0,
  ...c,
});
const histogram: LogHistogram = {
  bucket_ms: 60_000,
  buckets: [
    { start: new Date(T0).toISOString(), counts: counts({ info: 5, error: 2, fatal: 1 }) },
    { start: new Date(T0 + 60_000).toISOString(), counts: counts({}) },
    { start: new Date(T0 + 120_000).toISOString(), counts: counts({ trace: 3, warn: 4 }) },
  ],
  approximate: false,
  partial: false,
};

describe('stackHistogram', () => {
  const s = stackHistogram(histogram);

  it('puts bars at bucket centres over the whole window, in seconds', () => {
    expect(s.x).toEqual([30, 90, 150].map((sec) => T0 / 1000 + sec));
    expect(s.from).toBe(T0 / 1000);
    expect(s.to).toBe(T0 / 1000 + 180);
    expect(s.starts[2]).toBe(T0 + 120_000);
  });

  it('stacks errors at the bottom: each layer is the running total up to its level, tallest drawn first', () => {
    expect(s.layers.map((l) => l.level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
    const top = Object.fromEntries(s.layers.map((l) => [l.level, l.top]));
    expect(top['fatal']).toEqual([1, 0, 0]);
    expect(top['error']).toEqual([3, 0, 0]);
    expect(top['warn']).toEqual([3, 0, 4]);
    expect(top['info']).toEqual([8, 0, 4]);
    expect(top['trace']).toEqual([8, 0, 7]);
    expect(s.layers.find((l) => l.level === 'warn')!.counts).toEqual([0, 0, 4]);
  });

  it('totals each level and the window', () => {
    expect(s.totals).toEqual(counts({ info: 5, error: 2, fatal: 1, trace: 3, warn: 4 }));
    expect(s.total).toBe(15);
    expect(stackHistogram({ bucket_ms: 1000, buckets: [] })).toMatchObject({ total: 0, from: 0, to: 0 });
  });

  it('says in words what the canvas shows', () => {
    const html = renderToStaticMarkup(<LogHistogramChart data={s} />);
    expect(html).toContain('aria-label="Log volume by level"');
    expect(html).toContain('15 lines: 1 fatal, 2 error, 4 warn, 5 info, 0 debug, 3 trace');
  });

  it('writes axis counts short', () => {
    expect([formatCount(7), formatCount(1200), formatCount(15_000), formatCount(2_500_000)]).toEqual([
      '7',
      '1.2k',
      '15k',
      '2.5M',
    ]);
  });
});

describe('log times', () => {
  const local = new Date(2026, 10, 22, 8, 4, 5, 7);

  it('prints the time to the millisecond, with the date only when it is not today', () => {
    expect(formatLogTime(local.toISOString(), local.getTime() + 3_600_000)).toBe('08:04:05.007');
    expect(formatLogTime(local.toISOString(), local.getTime() + 2 * 86_400_000)).toBe('Nov 22 08:04:05.007');
    expect(formatLogTime('garbage')).toBe('garbage');
  });

  it('keeps the microseconds in the full timestamp', () => {
    const iso = local.toISOString().replace(/\.\d+Z$/, '.007123Z');
    expect(formatLogTimestamp(iso)).toBe('2026-11-22 08:04:05.007123');
    expect(formatLogTimestamp(local.toISOString().replace(/\.\d+Z$/, '.5Z'))).toBe(
      '2026-11-22 08:04:05.500000',
    );
  });
});

describe('the log record on its page', () => {
  it('lists attributes by key, nested values as indented JSON', () => {
    expect(
      attributeRows({
        status: 422,
        'http.request.header': { 'x-request-id': 'abc' },
        method: 'POST',
        'retry.delays_ms': [100, 250.5],
        cached: false,
        missing: null,
      }),
    ).toEqual([
      { key: 'cached', text: 'false', nested: false },
      { key: 'http.request.header', text: '{\n  "x-request-id": "abc"\n}', nested: true },
      { key: 'method', text: 'POST', nested: false },
      { key: 'missing', text: 'null', nested: false },
      { key: 'retry.delays_ms', text: '[\n  100,\n  250.5\n]', nested: true },
      { key: 'status', text: '422', nested: false },
    ]);
  });

  it('copies the record without the API id and links', () => {
    const detail = {
      id: '1',
      body: 'x',
      links: { transaction: null, errors: [], trace_log_count: 0 },
    } as unknown as LogDetail;
    expect(rawRecord(detail)).toEqual({ body: 'x' });
  });

  it('derives the OTLP endpoint and bearer header from the DSN', () => {
    expect(otlpSettings('http://abc123@snag.example:8000/1')).toEqual({
      endpoint: 'http://snag.example:8000/v1/logs',
      headers: 'Authorization=Bearer abc123',
    });
    expect(otlpSettings('not a dsn')).toBeNull();
  });
});
