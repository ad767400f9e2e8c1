import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { QueryPattern } from '../../../web/src/api/client';
import { QueryAnalysis, distinctAdvice, orderPatterns } from '../../../web/src/components/query-analysis';

/** The patterns of GET /orders (test/helpers/node-apm-app.js), in the order a server might list them. */
const count: QueryPattern = {
  pattern: 'SELECT COUNT(*) AS total FROM orders',
  count: 1,
  distinct: 1,
  total_ms: 0.9,
  example_span_id: 'a1a1a1a1a1a1a1a1',
  call_site: 'application:Shop,controller:orders,action:index',
  n_plus_one: false,
};
const orders: QueryPattern = {
  pattern: 'SELECT * FROM orders',
  count: 1,
  distinct: 1,
  total_ms: 2.5,
  example_span_id: 'b2b2b2b2b2b2b2b2',
  n_plus_one: false,
};
const users: QueryPattern = {
  pattern: 'SELECT * FROM users WHERE id = ?',
  count: 8,
  distinct: 8,
  total_ms: 20.8,
  example_span_id: 'c3c3c3c3c3c3c3c3',
  n_plus_one: true,
};
const settings: QueryPattern = {
  pattern: 'SELECT * FROM settings WHERE key = ?',
  count: 5,
  distinct: 1,
  total_ms: 7,
  example_span_id: 'd4d4d4d4d4d4d4d4',
  n_plus_one: true,
};

describe('orderPatterns', () => {
  it('puts N+1 patterns first, each group by total time, without touching the input', () => {
    const input = [count, orders, settings, users];
    expect(orderPatterns(input).map((p) => p.pattern)).toEqual([
      users.pattern,
      settings.pattern,
      orders.pattern,
      count.pattern,
    ]);
    expect(input[0]).toBe(count);
  });

  it('breaks ties by count, then by the SQL', () => {
    const a = { ...orders, pattern: 'SELECT a', total_ms: 5, count: 2 };
    const b = { ...orders, pattern: 'SELECT b', total_ms: 5, count: 3 };
    const c = { ...orders, pattern: 'SELECT c', total_ms: 5, count: 3 };
    expect(orderPatterns([a, c, b]).map((p) => p.pattern)).toEqual(['SELECT b', 'SELECT c', 'SELECT a']);
  });
});

describe('distinctAdvice', () => {
  it('tells a repeated statement (memoize) from a loop over rows (eager load)', () => {
    expect(distinctAdvice(settings)).toMatch(/^The same statement 5 times: memoize/);
    expect(distinctAdvice(users)).toMatch(
      /8 statements differing only in their values: a loop over rows \(N\+1\); .*eager load/,
    );
    expect(distinctAdvice({ count: 10, distinct: 4 })).toMatch(/^4 distinct statements over 10 runs/);
    expect(distinctAdvice(count)).toBe('Ran once.');
  });
});

describe('<QueryAnalysis>', () => {
  it('lists N+1 patterns first with a badge, the SQL as text, and the call site', () => {
    const html = renderToStaticMarkup(
      <QueryAnalysis queries={[count, users, orders]} onShowSpan={() => {}} />,
    );
    const items = html.split('<li ').slice(1);
    expect(items).toHaveLength(3);
    expect(items[0]).toContain('class="qa-item qa-n1"');
    expect(items[0]).toContain('>N+1</span>');
    expect(items[0]).toContain('<code>SELECT * FROM users WHERE id = ?</code>');
    expect(items[2]).toContain('<code>application:Shop,controller:orders,action:index</code>');
    expect(items[2]).not.toContain('N+1');
    expect(html.match(/Show in waterfall/g)).toHaveLength(3);
  });

  it('says so when the transaction ran no SQL', () => {
    expect(renderToStaticMarkup(<QueryAnalysis queries={[]} />)).toContain('No database queries');
  });
});
