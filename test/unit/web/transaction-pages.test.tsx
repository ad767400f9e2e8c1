import { describe, expect, it } from 'vitest';
import type { NPlusOneRow } from '../../../web/src/api/client';
import {
  filterParams,
  httpStatusClass,
  isFiltered,
  nPlusOneApiPath,
  parseTagInput,
  rankByWaste,
  readTransactionFilters,
  transactionApiPath,
  transactionsApiPath,
} from '../../../web/src/routes/transaction-pages';

const q = (s: string) => new URLSearchParams(s);

describe('transaction search filters', () => {
  it('reads every filter from the query string, tags repeatable, the range checked', () => {
    const f = readTransactionFilters(
      q(
        'range=7d&name=GET+%2Forders&min_duration=250&status=internal_error&method=get&http_status=500' +
          '&environment=production&release=shop%402.4.0&tag=region:eu&tag=db.system:sqlite&tag=nocolon',
      ),
    );
    expect(f).toEqual({
      range: '7d',
      name: 'GET /orders',
      minDuration: '250',
      status: 'internal_error',
      method: 'GET',
      httpStatus: '500',
      environment: 'production',
      release: 'shop@2.4.0',
      tags: ['region:eu', 'db.system:sqlite'],
    });
    expect(readTransactionFilters(q('range=2y')).range).toBe('24h');
    expect(isFiltered(readTransactionFilters(q('range=7d')))).toBe(false);
    expect(isFiltered(f)).toBe(true);
  });

  it('asks the API with its own parameter names, always with a range, and the cursor last', () => {
    const f = readTransactionFilters(q('min_duration=250&tag=region:eu&tag=tier:gold&name=GET /orders'));
    expect(transactionsApiPath('shop', f)).toBe(
      '/api/v1/projects/shop/transactions?name=GET+%2Forders&min_duration=250&tag=region%3Aeu&tag=tier%3Agold&range=24h',
    );
    expect(transactionsApiPath('my shop', readTransactionFilters(q('range=1h')), 'abc')).toBe(
      '/api/v1/projects/my%20shop/transactions?range=1h&cursor=abc',
    );
  });

  it('keeps the default range and empty filters out of the page URL', () => {
    const f = readTransactionFilters(q('range=24h&status=ok'));
    expect(filterParams(f).toString()).toBe('status=ok');
  });

  it('splits typed tags on spaces and drops words without key:value', () => {
    expect(parseTagInput('  region:eu   oops  url:http://x/y ')).toEqual(['region:eu', 'url:http://x/y']);
    expect(parseTagInput('')).toEqual([]);
  });
});

describe('N+1 worklist', () => {
  const row = (name: string, wasted_ms: number, affected: number): NPlusOneRow => ({
    name,
    op: 'http.server',
    count: 20,
    affected,
    affected_rate: affected / 20,
    wasted_ms,
    avg_wasted_ms_per_affected: affected ? wasted_ms / affected : 0,
    avg_queries: 10,
    max_queries: 14,
    pattern: null,
  });

  it('ranks endpoints by wasted time, then by requests affected, then by name', () => {
    const ranked = rankByWaste([
      row('GET /b', 10, 2),
      row('GET /orders', 420, 20),
      row('GET /a', 10, 2),
      row('GET /c', 10, 5),
    ]);
    expect(ranked.map((r) => r.name)).toEqual(['GET /orders', 'GET /c', 'GET /a', 'GET /b']);
  });

  it('asks the API for the range and filters', () => {
    expect(nPlusOneApiPath('shop', { range: '7d', environment: 'production', release: '' })).toBe(
      '/api/v1/projects/shop/performance/n-plus-one?range=7d&environment=production',
    );
  });
});

describe('transactionApiPath', () => {
  it('names the transaction by its root span id', () => {
    expect(transactionApiPath('shop', '927646af4d6509cc')).toBe(
      '/api/v1/projects/shop/transactions/927646af4d6509cc',
    );
  });
});

describe('httpStatusClass', () => {
  it('colours server errors, client errors and successes apart', () => {
    expect(httpStatusClass(503)).toBe('tx-http tx-http-5xx');
    expect(httpStatusClass(404)).toBe('tx-http tx-http-4xx');
    expect(httpStatusClass(200)).toBe('tx-http tx-http-ok');
    expect(httpStatusClass(null)).toBe('tx-http');
  });
});
