import { describe, expect, it } from 'vitest';
import {
  isFiltered,
  logApiPath,
  logHistogramApiPath,
  logPageParams,
  logsApiPath,
  logsHref,
  parseLevels,
  readLogFilters,
  toggleLevel,
  traceLogsApiPath,
  withCurrent,
  zoomWindow,
} from '../../../web/src/routes/log-filters';

const q = (s: string) => new URLSearchParams(s);

describe('logs filters in the query string', () => {
  it('reads search, levels, facets, range, zoom and live tail', () => {
    const f = readLogFilters(
      q(
        'q=status:422+timeout&level=error,fatal&level=warn&environment=prod&service=api&release=v2' +
          '&logger=db&range=7d&start=2026-11-22T08:00:00.000Z&end=2026-11-22T09:00:00.000Z&tail=1',
      ),
    );
    expect(f).toEqual({
      q: 'status:422 timeout',
      levels: ['warn', 'error', 'fatal'],
      environment: 'prod',
      service: 'api',
      release: 'v2',
      logger: 'db',
      range: '7d',
      start: '2026-11-22T08:00:00.000Z',
      end: '2026-11-22T09:00:00.000Z',
      tail: true,
    });
  });

  it('falls back to 24h and drops unknown levels and a zoom that is not a window', () => {
    const f = readLogFilters(
      q('range=2y&level=loud,INFO&start=2026-11-22T09:00:00Z&end=2026-11-22T08:00:00Z'),
    );
    expect(f.range).toBe('24h');
    expect(f.levels).toEqual(['info']);
    expect([f.start, f.end]).toEqual(['', '']);
    expect(readLogFilters(q('start=yesterday&end=today')).start).toBe('');
    expect(readLogFilters(q('tail=yes')).tail).toBe(false);
  });

  it('round-trips through the page URL, leaving out empty values and the default range', () => {
    const url = 'q=trace%3Aabc&level=debug%2Cerror&service=api&range=1h&tail=1';
    expect(logPageParams(readLogFilters(q(url))).toString()).toBe(url);
    expect(logPageParams(readLogFilters(q('range=24h'))).toString()).toBe('');
  });

  it('asks the API for the range, or for the zoomed window instead of it', () => {
    const f = readLogFilters(q('q=a b&level=warn&range=6h'));
    expect(logsApiPath('my shop', f)).toBe(
      '/api/v1/projects/my%20shop/logs?q=a+b&level=warn&range=6h&limit=100',
    );
    expect(logsApiPath('s', f, { cursor: '42' })).toMatch(/range=6h&limit=100&cursor=42$/);
    expect(logsApiPath('s', f, { after: '42', cursor: '7', limit: 500 })).toMatch(/limit=500&after=42$/);
    const zoomed = readLogFilters(q('range=6h&start=2026-11-22T08:00:00Z&end=2026-11-22T08:05:00Z'));
    expect(logHistogramApiPath('s', zoomed)).toBe(
      '/api/v1/projects/s/logs/histogram?start=2026-11-22T08%3A00%3A00Z&end=2026-11-22T08%3A05%3A00Z',
    );
  });

  it('builds the detail, trace and page paths', () => {
    expect(logApiPath('s', '114901573381377')).toBe('/api/v1/projects/s/logs/114901573381377');
    expect(traceLogsApiPath('s', 'ab12')).toBe('/api/v1/projects/s/traces/ab12/logs?limit=200');
    expect(logsHref.detail('my shop', '12')).toBe('/projects/my%20shop/logs/12');
    expect(logsHref.list('s')).toBe('/projects/s/logs');
    expect(logsHref.list('s', { service: 'api', q: undefined })).toBe('/projects/s/logs?service=api');
    expect(logsHref.trace('s', 'ab12')).toBe('/projects/s/logs?q=trace%3Aab12&range=30d');
  });

  it('knows a search or filter from a range alone', () => {
    expect(isFiltered(readLogFilters(q('range=7d&tail=1')))).toBe(false);
    expect(isFiltered(readLogFilters(q('level=error')))).toBe(true);
    expect(isFiltered(readLogFilters(q('q=x')))).toBe(true);
  });
});

describe('level toggles', () => {
  it('adds and removes a level, keeping severity order', () => {
    expect(toggleLevel(['error'], 'debug')).toEqual(['debug', 'error']);
    expect(toggleLevel(['debug', 'error'], 'error')).toEqual(['debug']);
    expect(parseLevels(['fatal, trace'])).toEqual(['trace', 'fatal']);
  });

  it('keeps a value from the URL selectable when the facets lack it', () => {
    expect(withCurrent(['a', 'b'], 'c')).toEqual(['c', 'a', 'b']);
    expect(withCurrent(['a', 'b'], 'a')).toEqual(['a', 'b']);
    expect(withCurrent(['a'], '')).toEqual(['a']);
  });
});

describe('zoomWindow', () => {
  const t = Date.parse('2026-11-22T08:00:00Z');
  it('orders the ends and keeps a window of at least a minute', () => {
    expect(zoomWindow(t + 600_000, t)).toEqual({
      start: '2026-11-22T08:00:00.000Z',
      end: '2026-11-22T08:10:00.000Z',
    });
    expect(zoomWindow(t, t + 10_000)).toEqual({
      start: '2026-11-22T07:59:35.000Z',
      end: '2026-11-22T08:00:35.000Z',
    });
  });
});
