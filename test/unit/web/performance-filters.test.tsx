import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EndpointRow } from '../../../web/src/api/client';
import { Sparkline } from '../../../web/src/components/sparkline';
import {
  compareApiPath,
  DEFAULT_SORT,
  endpointApiPath,
  newestReleases,
  perfHref,
  performanceApiPath,
  readCompareQuery,
  readPerfFilters,
  readSort,
  sortEndpoints,
  toLocalInput,
  withDefaultReleases,
} from '../../../web/src/routes/performance-filters';

const q = (s: string) => new URLSearchParams(s);

describe('performance filters in the query string', () => {
  it('reads range, environment and release, with 24h for anything unknown', () => {
    expect(readPerfFilters(q('range=6h&environment=prod&release=v2'))).toEqual({
      range: '6h',
      environment: 'prod',
      release: 'v2',
    });
    expect(readPerfFilters(q('range=14d')).range).toBe('24h');
    expect(readPerfFilters(q('')).range).toBe('24h');
  });

  it('maps them to the API, leaving out empty filters', () => {
    const f = readPerfFilters(q('range=7d&environment=prod'));
    expect(performanceApiPath('my shop', f)).toBe(
      '/api/v1/projects/my%20shop/performance?range=7d&environment=prod',
    );
    expect(endpointApiPath('shop', 'GET /users/:id', f)).toBe(
      '/api/v1/projects/shop/performance/endpoint?name=GET+%2Fusers%2F%3Aid&range=7d&environment=prod',
    );
  });

  it('links pages with the default range left out', () => {
    expect(perfHref.endpoint('shop', 'GET /a', { range: '24h' })).toBe(
      '/projects/shop/performance/endpoint?name=GET+%2Fa',
    );
    expect(perfHref.endpoint('shop', 'GET /a', { range: '1h', release: 'v1' })).toBe(
      '/projects/shop/performance/endpoint?name=GET+%2Fa&range=1h&release=v1',
    );
    expect(perfHref.transaction('shop', 'abc')).toBe('/projects/shop/performance/transactions/abc');
  });
});

describe('release comparison query', () => {
  it('reads two releases or a moment and a window', () => {
    expect(readCompareQuery(q('a=v1&b=v2&name=GET+%2F'))).toEqual({
      mode: 'releases',
      name: 'GET /',
      a: 'v1',
      b: 'v2',
    });
    expect(readCompareQuery(q('at=2026-11-22T10:00:00.000Z&window=6h'))).toEqual({
      mode: 'timestamp',
      name: '',
      at: '2026-11-22T10:00:00.000Z',
      window: '6h',
    });
    expect(readCompareQuery(q('at=2026-11-22T10:00:00Z&window=2y'))).toMatchObject({ window: '24h' });
  });

  it('asks the API only once it has what it needs', () => {
    expect(compareApiPath('shop', { mode: 'releases', name: '', a: 'v1', b: '' })).toBeNull();
    expect(compareApiPath('shop', { mode: 'releases', name: '', a: 'v1', b: 'v2' })).toBe(
      '/api/v1/projects/shop/performance/compare?a=v1&b=v2',
    );
    expect(compareApiPath('shop', { mode: 'timestamp', name: 'GET /', at: 'soon', window: '1h' })).toBeNull();
    expect(
      compareApiPath('shop', {
        mode: 'timestamp',
        name: 'GET /',
        at: '2026-11-22T10:00:00.000Z',
        window: '1h',
      }),
    ).toBe(
      '/api/v1/projects/shop/performance/compare?name=GET+%2F&at=2026-11-22T10%3A00%3A00.000Z&window=1h',
    );
  });

  it('defaults to the newest release against the one before', () => {
    const c = readCompareQuery(q(''));
    expect(withDefaultReleases(c, ['v3', 'v2', 'v1'])).toMatchObject({ a: 'v2', b: 'v3' });
    expect(withDefaultReleases(readCompareQuery(q('a=v3')), ['v3', 'v2'])).toMatchObject({
      a: 'v3',
      b: 'v2',
    });
    expect(withDefaultReleases(readCompareQuery(q('b=v1')), ['v3', 'v2'])).toMatchObject({
      a: 'v3',
      b: 'v1',
    });
    expect(withDefaultReleases(c, ['v3'])).toMatchObject({ a: '', b: 'v3' });
  });

  it('orders releases newest first, by first-seen time where known', () => {
    expect(newestReleases(['shop@1.0', 'shop@1.1', 'shop@1.2'])).toEqual([
      'shop@1.2',
      'shop@1.1',
      'shop@1.0',
    ]);
    expect(
      newestReleases(
        ['a', 'b', 'c'],
        [
          { version: 'a', first_seen: '2026-11-22T10:00:00Z' },
          { version: 'b', first_seen: '2026-11-22T09:00:00Z' },
        ],
      ),
    ).toEqual(['a', 'b', 'c']);
  });

  it('shows a time in a datetime-local field as local wall time', () => {
    const d = new Date(2026, 10, 22, 9, 5);
    expect(toLocalInput(d.toISOString())).toBe('2026-11-22T09:05');
    expect(toLocalInput('nope')).toBe('');
  });
});

const row = (name: string, p95: number | null, total_ms: number): EndpointRow => ({
  name,
  op: 'http.server',
  count: 1,
  throughput_per_minute: 1,
  p50: p95,
  p95,
  p99: p95,
  avg: p95,
  min: p95,
  max: p95,
  error_rate: 0,
  total_ms,
  avg_queries: 0,
  n_plus_one_rate: 0,
  p95_series: [],
});

describe('sorting the endpoints table', () => {
  const rows = [row('GET /b', 30, 100), row('GET /a', null, 0), row('GET /c', 10, 500)];

  it('reads the sort from the query string, defaulting to impact', () => {
    expect(readSort(q(''))).toEqual(DEFAULT_SORT);
    expect(readSort(q('sort=p95&dir=asc'))).toEqual({ column: 'p95', direction: 'asc' });
    expect(readSort(q('sort=evil'))).toEqual(DEFAULT_SORT);
  });

  it('sorts numbers both ways with empty values last, and names alphabetically', () => {
    const names = (s: Parameters<typeof sortEndpoints>[1]) => sortEndpoints(rows, s).map((r) => r.name);
    expect(names(DEFAULT_SORT)).toEqual(['GET /c', 'GET /b', 'GET /a']);
    expect(names({ column: 'p95', direction: 'desc' })).toEqual(['GET /b', 'GET /c', 'GET /a']);
    expect(names({ column: 'p95', direction: 'asc' })).toEqual(['GET /c', 'GET /b', 'GET /a']);
    expect(names({ column: 'name', direction: 'asc' })).toEqual(['GET /a', 'GET /b', 'GET /c']);
  });
});

describe('<Sparkline> with gaps (latency per bucket)', () => {
  it('draws no bar for a null bucket and takes a summary instead of an event total', () => {
    const html = renderToStaticMarkup(
      <Sparkline values={[null, 20, null, 10]} label="p95" summary="peak 20 ms" />,
    );
    expect(html).toContain('aria-label="p95: peak 20 ms"');
    expect(html.match(/d="([^"]*)"/)![1]!.match(/M/g)).toHaveLength(2);
  });
});
