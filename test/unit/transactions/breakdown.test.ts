import { describe, expect, it } from 'vitest';
import { computeBreakdown } from '../../../src/domain/transactions/breakdown.js';
import type { Breakdown, SpanCategory, SpanRecord } from '../../../src/domain/transactions/types.js';

let nextId = 0;
function span(category: SpanCategory, start: number, end: number, depth = 1): SpanRecord {
  return {
    span_id: `s${nextId++}`,
    parent_span_id: null,
    depth,
    op: category,
    description: '',
    status: 'ok',
    start,
    end,
    category,
  };
}

const root = (start: number, end: number) => span('other', start, end, 0);
const zero: Omit<Breakdown, 'other'> = { db: 0, view: 0, http: 0, cache: 0, queue: 0 };

describe('computeBreakdown', () => {
  it('gives time inside a render to the query running in it, not to both', () => {
    const spans = [root(0, 100), span('view', 10, 60, 1), span('db', 20, 30, 2), span('db', 40, 45, 2)];
    expect(computeBreakdown(spans, 0, 100)).toEqual({ ...zero, view: 35, db: 15, other: 50 });
  });

  it('merges overlapping siblings of one category instead of adding them', () => {
    const spans = [root(0, 100), span('db', 0, 40), span('db', 20, 60), span('db', 50, 55)];
    expect(computeBreakdown(spans, 0, 100)).toEqual({ ...zero, db: 60, other: 40 });
  });

  it('splits overlapping siblings of different categories, each instant once', () => {
    // Same depth: the later-starting span owns the overlap.
    const spans = [root(0, 100), span('db', 0, 40), span('http', 20, 60)];
    expect(computeBreakdown(spans, 0, 100)).toEqual({ ...zero, db: 20, http: 40, other: 40 });
  });

  it('looks through uncategorized spans between a render and its query', () => {
    const spans = [root(0, 50), span('view', 0, 40, 1), span('other', 5, 35, 2), span('db', 10, 20, 3)];
    expect(computeBreakdown(spans, 0, 50)).toEqual({ ...zero, view: 30, db: 10, other: 10 });
  });

  it('clips spans to the transaction and ignores empty or inverted ones', () => {
    const spans = [
      root(0, 100),
      span('db', -50, 10),
      span('http', 90, 500),
      span('cache', 200, 300),
      span('queue', 30, 30),
      span('view', 60, 50),
    ];
    expect(computeBreakdown(spans, 0, 100)).toEqual({ ...zero, db: 10, http: 10, other: 80 });
  });

  it('does not count the root, whatever its op', () => {
    expect(computeBreakdown([span('db', 0, 10, 0)], 0, 10)).toEqual({ ...zero, other: 10 });
  });

  it('rounds to the microsecond and never makes other negative', () => {
    const result = computeBreakdown([root(0, 1), span('db', 0.0001234, 0.3334567)], 0, 1);
    expect(result.db).toBe(0.333);
    expect(result.other).toBe(0.667);
    expect(computeBreakdown([span('db', 0, 10)], 0, 0).other).toBe(0);
  });

  it('agrees with a brute-force reference on 1,000 random nested spans', () => {
    const random = seeded(42);
    const categories: SpanCategory[] = ['db', 'view', 'http', 'cache', 'queue', 'other'];
    const spans: SpanRecord[] = [root(0, 10_000)];
    for (let i = 0; i < 1_000; i++) {
      const start = Math.floor(random() * 10_000);
      const length = Math.floor(random() * 800);
      const category = categories[Math.floor(random() * categories.length)] as SpanCategory;
      spans.push(span(category, start, start + length, 1 + Math.floor(random() * 5)));
    }
    // Speed is the bench's to measure (bench/transactions-digest.js), not a timed test's: this box is shared.
    const result = computeBreakdown(spans, 0, 10_000);
    const expected = bruteForce(spans, 0, 10_000);
    for (const key of Object.keys(expected) as (keyof Breakdown)[]) {
      expect(result[key], key).toBeCloseTo(expected[key], 3);
    }
    const sum = Object.values(result).reduce((total, value) => total + value, 0);
    expect(sum).toBeCloseTo(10_000, 2);
  });
});

/** Every elementary interval, its owner found by scanning all spans: O(n²), obviously right. */
function bruteForce(spans: SpanRecord[], start: number, end: number): Breakdown {
  const timed = spans.filter((s) => s.depth > 0 && s.category !== 'other');
  const points = [...new Set([start, end, ...timed.flatMap((s) => [s.start, s.end])])]
    .filter((p) => p >= start && p <= end)
    .sort((a, b) => a - b);
  const rank: Record<string, number> = { db: 5, http: 4, cache: 3, queue: 2, view: 1 };
  const totals: Breakdown = { ...zero, other: 0 };
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i] as number;
    const to = points[i + 1] as number;
    let owner: SpanRecord | undefined;
    for (const s of timed) {
      if (!(s.start <= from && s.end >= to && s.end > s.start)) continue;
      const better =
        !owner ||
        s.depth > owner.depth ||
        (s.depth === owner.depth &&
          (s.start > owner.start ||
            (s.start === owner.start && (rank[s.category] ?? 0) > (rank[owner.category] ?? 0))));
      if (better) owner = s;
    }
    totals[owner ? owner.category : 'other'] += to - from;
  }
  return totals;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
