import { describe, expect, it } from 'vitest';
import { buildSpanTree, SPAN_CAP, type RawSpan } from '../../../src/domain/transactions/span-tree.js';

function raw(id: string, parent: string | null, start: number, extra: Partial<RawSpan> = {}): RawSpan {
  return {
    span_id: id,
    parent_span_id: parent,
    op: 'function',
    description: id,
    status: 'ok',
    start,
    end: start + 1,
    data: {},
    ...extra,
  };
}

const ROOT = raw('root', null, 0, { op: 'http.server', description: 'GET /orders', end: 100 });
const depths = (spans: { span_id: string; depth: number }[]) =>
  Object.fromEntries(spans.map((span) => [span.span_id, span.depth]));

describe('buildSpanTree', () => {
  it('derives depth from parent links, whatever order the spans come in', () => {
    const { spans, truncated } = buildSpanTree(ROOT, [
      raw('c', 'b', 3),
      raw('a', 'root', 1),
      raw('b', 'a', 2),
      raw('d', 'root', 4),
    ]);
    expect(truncated).toBe(false);
    expect(spans.map((span) => span.span_id)).toEqual(['root', 'a', 'b', 'c', 'd']);
    expect(depths(spans)).toEqual({ root: 0, a: 1, b: 2, c: 3, d: 1 });
  });

  it('hangs a span with an unknown or missing parent under the root, keeping the parent id', () => {
    const { spans } = buildSpanTree(ROOT, [raw('a', 'gone', 1), raw('b', null, 2), raw('c', 'a', 3)]);
    expect(depths(spans)).toEqual({ root: 0, a: 1, b: 1, c: 2 });
    expect(spans.find((span) => span.span_id === 'a')?.parent_span_id).toBe('gone');
  });

  it('cuts self-parents and cycles under the root', () => {
    const { spans } = buildSpanTree(ROOT, [
      raw('self', 'self', 1),
      raw('x', 'y', 2),
      raw('y', 'z', 3),
      raw('z', 'x', 4),
      raw('w', 'z', 5),
    ]);
    const result = depths(spans);
    expect(result.self).toBe(1);
    // The cycle x → y → z → x is cut where the walk from x closes it: z hangs under the root.
    expect([result.z, result.y, result.x]).toEqual([1, 2, 3]);
    expect(result.w).toBe(2);
  });

  it(`keeps the root and the earliest ${SPAN_CAP} children`, () => {
    const children = Array.from({ length: 1_500 }, (_, i) => raw(`s${i}`, 'root', 1_500 - i));
    const { spans, truncated } = buildSpanTree(ROOT, children);
    expect(truncated).toBe(true);
    expect(spans).toHaveLength(SPAN_CAP + 1);
    expect(spans[0]?.span_id).toBe('root');
    expect(spans[1]?.start).toBe(1);
    expect(spans.at(-1)?.start).toBe(1_000);
    expect(buildSpanTree(ROOT, children.slice(0, 10), 5).spans).toHaveLength(6);
  });

  it('ends a span that ends before it starts, or never, at its start, keeping its status', () => {
    const { spans } = buildSpanTree(ROOT, [
      raw('a', 'root', 10, { end: 5, status: 'internal_error' }),
      raw('b', 'root', 20, { end: null }),
      raw('c', 'root', 30, { end: Number.NaN }),
    ]);
    expect(spans.slice(1).map(({ start, end, status }) => ({ start, end, status }))).toEqual([
      { start: 10, end: 10, status: 'internal_error' },
      { start: 20, end: 20, status: 'ok' },
      { start: 30, end: 30, status: 'ok' },
    ]);
  });

  it('drops a repeated id and a child claiming the root id', () => {
    const { spans } = buildSpanTree(ROOT, [raw('a', 'root', 1), raw('a', 'root', 2), raw('root', null, 3)]);
    expect(spans.map((span) => span.span_id)).toEqual(['root', 'a']);
  });

  it('stores what span-ops allows: normalized SQL, its call site, category, picked data', () => {
    const { spans } = buildSpanTree(ROOT, [
      raw('q', 'root', 1, {
        op: 'db.sql.active_record',
        description: "SELECT * FROM users WHERE email = 'a@b.c' /*action:index*/",
        data: { 'db.system': 'postgresql', 'db.query.parameters': ['a@b.c'] },
      }),
    ]);
    expect(spans[1]).toEqual({
      span_id: 'q',
      parent_span_id: 'root',
      depth: 1,
      op: 'db.sql.active_record',
      description: 'SELECT * FROM users WHERE email = ?',
      status: 'ok',
      start: 1,
      end: 2,
      category: 'db',
      data: { 'db.system': 'postgresql' },
      call_site: 'action:index',
    });
  });

  it('builds a 5,000-span tree of depth > 5', () => {
    const children = Array.from({ length: 5_000 }, (_, i) =>
      raw(`s${i}`, i === 0 ? 'root' : `s${Math.floor(i / 2)}`, i, { op: 'db', description: `SELECT ${i}` }),
    );
    const { spans } = buildSpanTree(ROOT, children);
    expect(Math.max(...spans.map((span) => span.depth))).toBeGreaterThan(5);
  });
});
