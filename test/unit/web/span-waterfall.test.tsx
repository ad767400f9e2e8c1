import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SpanCategory, SpanRecord } from '../../../web/src/api/client';
import { SpanWaterfall } from '../../../web/src/components/span-waterfall';
import {
  axisTicks,
  barPosition,
  categoryClass,
  groupSiblings,
  groupsHiding,
  isFailedStatus,
  spanTree,
  timelineOf,
  waterfallRows,
  type GroupRow,
} from '../../../web/src/components/waterfall-layout';
import { tagWith } from './markup';

/** 2026-11-22T10:00:00.000Z, and every span below is an offset in ms from it. */
const T0 = Date.UTC(2026, 10, 22, 10);
let nextId = 0x1000;
function span(
  depth: number,
  op: string,
  description: string,
  from: number,
  to: number,
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  const category: SpanCategory = op.startsWith('db')
    ? 'db'
    : op.startsWith('http.client')
      ? 'http'
      : op.startsWith('cache')
        ? 'cache'
        : op.startsWith('template')
          ? 'view'
          : 'other';
  return {
    span_id: (nextId++).toString(16).padStart(16, '0'),
    parent_span_id: null,
    depth,
    op,
    description,
    status: 'ok',
    start: T0 + from,
    end: T0 + to,
    category,
    ...extra,
  };
}

/**
 * GET /orders as @sentry/node records it (test/helpers/node-apm-app.js): a count with a query-log
 * comment, the orders, one users query per order (the N+1), then the same settings read 5 times.
 */
const root = span(0, 'http.server', 'GET /orders', 0, 48.6);
const middleware = span(1, 'middleware.express', 'query', 0.4, 1.1);
const count = span(1, 'db', 'SELECT COUNT(*) AS total FROM orders', 1.3, 2.2, {
  call_site: 'application:Shop,controller:orders,action:index',
  data: { 'db.system': 'sqlite' },
});
const orders = span(1, 'db', 'SELECT * FROM orders', 2.4, 4.9);
const users = Array.from({ length: 8 }, (_, i) =>
  span(1, 'db', 'SELECT * FROM users WHERE id = ?', 5 + i * 3.1, 7.6 + i * 3.1),
);
const settings = Array.from({ length: 5 }, (_, i) =>
  span(1, 'db', 'SELECT * FROM settings WHERE key = ?', 31 + i * 2, 32.4 + i * 2),
);
const render = span(1, 'template.render', 'orders/index.html', 41.5, 47.9);
const partial = span(2, 'template.render', 'orders/_row.html', 42, 44.5);
const ORDERS: SpanRecord[] = [root, middleware, count, orders, ...users, ...settings, render, partial];

describe('spanTree', () => {
  it('rebuilds parents from the depth-first order', () => {
    const [top, ...rest] = spanTree(ORDERS);
    expect(rest).toHaveLength(0);
    expect(top!.span).toBe(root);
    expect(top!.children.map((c) => c.span)).toEqual([
      middleware,
      count,
      orders,
      ...users,
      ...settings,
      render,
    ]);
    expect(top!.children.at(-1)!.children.map((c) => c.span)).toEqual([partial]);
  });

  it('hangs a span under the nearest shallower one when depths jump (truncated trees)', () => {
    const a = span(0, 'http.server', 'GET /', 0, 10);
    const deep = span(3, 'db', 'SELECT 1', 1, 2);
    const [top] = spanTree([a, deep]);
    expect(top!.children.map((c) => c.span)).toEqual([deep]);
  });
});

describe('groupSiblings', () => {
  it('folds runs of 3 or more identical siblings, and only consecutive ones', () => {
    const groups = groupSiblings(spanTree(ORDERS)[0]!.children);
    const shape = groups.map((g) =>
      Array.isArray(g) ? `${g.length}× ${g[0]!.span.description}` : g.span.op,
    );
    expect(shape).toEqual([
      'middleware.express',
      'db',
      'db',
      '8× SELECT * FROM users WHERE id = ?',
      '5× SELECT * FROM settings WHERE key = ?',
      'template.render',
    ]);
  });

  it('leaves two in a row, and the same query split by another, as rows', () => {
    const parent = span(0, 'http.server', 'GET /', 0, 10);
    const q = () => span(1, 'db', 'SELECT * FROM users WHERE id = ?', 1, 2);
    const other = span(1, 'cache.get', 'user:1', 2, 3);
    const groups = groupSiblings(spanTree([parent, q(), q(), other, q(), q()])[0]!.children);
    expect(groups.every((g) => !Array.isArray(g))).toBe(true);
    // Same description under another op is other work.
    const mixed = [parent, q(), q(), span(1, 'db.query', 'SELECT * FROM users WHERE id = ?', 3, 4)];
    expect(groupSiblings(spanTree(mixed)[0]!.children).some(Array.isArray)).toBe(false);
  });
});

describe('waterfallRows', () => {
  it('draws each group as one row with its count and total time while folded', () => {
    const rows = waterfallRows(ORDERS, new Set());
    expect(rows.map((r) => [r.kind, r.depth])).toEqual([
      ['span', 0],
      ['span', 1],
      ['span', 1],
      ['span', 1],
      ['group', 1],
      ['group', 1],
      ['span', 1],
      ['span', 2],
    ]);
    const group = rows[4] as GroupRow;
    expect(group.key).toBe(`group-${users[0]!.span_id}`);
    expect(group.spans).toHaveLength(8);
    expect(group.expanded).toBe(false);
    expect(group.start).toBe(users[0]!.start);
    expect(group.end).toBe(users[7]!.end);
    // Epoch milliseconds carry about 0.0002 ms of float resolution: 3 decimals is what is real.
    expect(group.totalMs).toBeCloseTo(8 * 2.6, 3);
    expect((rows[5] as GroupRow).totalMs).toBeCloseTo(5 * 1.4, 3);
  });

  it('shows the members one level deeper, under their group, once expanded', () => {
    const key = `group-${users[0]!.span_id}`;
    const rows = waterfallRows(ORDERS, new Set([key]));
    expect(rows).toHaveLength(8 + 8);
    const members = rows.slice(5, 13);
    expect(members.map((r) => (r.kind === 'span' ? r.span : null))).toEqual(users);
    expect(members.every((r) => r.depth === 2 && r.group === key)).toBe(true);
    expect(rows[4]).toMatchObject({ kind: 'group', expanded: true });
    expect(rows[13]).toMatchObject({ kind: 'group', expanded: false, group: null });
  });

  it('finds the groups to open so a given span gets its own row', () => {
    expect(groupsHiding(ORDERS, settings[3]!.span_id)).toEqual([`group-${settings[0]!.span_id}`]);
    expect(groupsHiding(ORDERS, count.span_id)).toEqual([]);
    expect(groupsHiding(ORDERS, 'ffffffffffffffff')).toEqual([]);
  });
});

describe('timeline and bars', () => {
  const tx = { start: root.start, end: root.end };

  it('places a bar by its offset and duration in % of the transaction', () => {
    const t = timelineOf(tx, ORDERS);
    expect(t).toEqual({ start: root.start, end: root.end, txEndPct: null });
    expect(barPosition(root.start, root.end, t)).toEqual({ left: 0, width: 100 });
    const bar = barPosition(render.start, render.end, t);
    expect(bar.left).toBeCloseTo((41.5 / 48.6) * 100, 3);
    expect(bar.width).toBeCloseTo((6.4 / 48.6) * 100, 3);
  });

  it('widens the timeline for a span that ends after its transaction, and marks where it ended', () => {
    // GET /slow: an analytics span published after the response, ending 1 s later.
    const slow = span(0, 'http.server', 'GET /slow', 0, 305);
    const late = span(1, 'queue.publish', 'send analytics', 302, 1302);
    const t = timelineOf({ start: slow.start, end: slow.end }, [slow, late]);
    expect(t.end).toBe(late.end);
    expect(t.txEndPct).toBeCloseTo((305 / 1302) * 100, 3);
    const bar = barPosition(late.start, late.end, t);
    expect(bar.left + bar.width).toBeCloseTo(100, 3);
  });

  it('keeps bars inside the timeline whatever the clocks say', () => {
    const t = timelineOf(tx, ORDERS);
    expect(barPosition(T0 - 5, T0 + 10, t).left).toBe(0);
    expect(barPosition(T0 + 60, T0 + 70, t)).toEqual({ left: 100, width: 0 });
    expect(barPosition(T0, T0, { start: T0, end: T0, txEndPct: null })).toEqual({ left: 0, width: 100 });
  });

  it('labels the axis at round steps', () => {
    expect(axisTicks(48.6)).toEqual([0, 10, 20, 30, 40]);
    expect(axisTicks(1302)).toEqual([0, 500, 1000]);
    expect(axisTicks(0.8)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(axisTicks(0)).toEqual([0]);
  });
});

describe('categories and statuses', () => {
  it('gives every category a class and draws unknown ones as other', () => {
    expect(categoryClass('db')).toBe('span-cat-db');
    expect(categoryClass('queue')).toBe('span-cat-queue');
    expect(categoryClass('ai')).toBe('span-cat-other');
  });

  it('treats ok, unknown and OpenTelemetry unset as not failed', () => {
    expect(['ok', 'unknown', 'unset', ''].map(isFailedStatus)).toEqual([false, false, false, false]);
    expect(isFailedStatus('internal_error')).toBe(true);
    expect(isFailedStatus('deadline_exceeded')).toBe(true);
  });
});

describe('<SpanWaterfall>', () => {
  it('renders a tree with one Tab stop, levels, and folded groups that say how many', () => {
    const html = renderToStaticMarkup(<SpanWaterfall spans={ORDERS} txStart={root.start} txEnd={root.end} />);
    expect(html).toContain('role="tree" aria-label="Spans"');
    expect(html.match(/role="treeitem"/g)).toHaveLength(8);
    expect(html.match(/tabindex="0"/g)).toHaveLength(1);
    expect(html.match(/aria-expanded="false"/g)).toHaveLength(2);
    expect(html).toContain('× 8');
    expect(html).toContain('× 5');
    expect(html).toContain('aria-level="3"');
    expect(html).toMatch(tagWith('div', 'class="wf-row span-cat-view"', 'aria-level="2"'));
    // Six legend entries, one per category.
    expect(html.match(/<li><span (?:aria-hidden="true" )?class="wf-swatch span-cat/g)).toHaveLength(6);
  });

  it('marks failed spans', () => {
    const failed = [
      root,
      span(1, 'http.client', 'GET http://127.0.0.1/inventory', 1, 9, { status: 'internal_error' }),
    ];
    const html = renderToStaticMarkup(<SpanWaterfall spans={failed} txStart={root.start} txEnd={root.end} />);
    expect(html).toContain('wf-row span-cat-http wf-failed');
  });
});
