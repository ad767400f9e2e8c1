/**
 * Where a transaction's time went, by span category, each instant counted once.
 *
 * Sentry's own breakdown (sentry-protocol.md §6) unions intervals per op prefix, so a query inside
 * a template render counts for both `db` and `view` and the parts add up to more than the
 * duration. Here each instant goes to the deepest categorized span active at that instant (the
 * query, not the render around it), overlapping siblings of one category are a union (parallel
 * queries are not summed), and `other` is the remainder: the parts always sum to the duration,
 * which is what a stacked bar needs.
 *
 * A sweep over the span boundaries with a max-heap of active spans: O(n log n), 1,000 spans in
 * well under a millisecond. The root (depth 0) and `other` spans are not categorized, so a
 * `function` span between a render and its query does not hide the query.
 */
import type { Breakdown, SpanCategory, SpanRecord } from './types.js';

type Timed = Exclude<SpanCategory, 'other'>;

interface Active {
  depth: number;
  start: number;
  rank: number;
  category: Timed;
  end: number;
}

// Ties at one depth (a query and an HTTP call in parallel) go to the more specific wait.
const RANK: Record<Timed, number> = { db: 5, http: 4, cache: 3, queue: 2, view: 1 };

export function computeBreakdown(spans: SpanRecord[], start: number, end: number): Breakdown {
  const totals: Record<Timed, number> = { db: 0, view: 0, http: 0, cache: 0, queue: 0 };
  const boundaries: { at: number; span: Active }[] = [];
  for (const span of spans) {
    if (span.depth === 0 || span.category === 'other') continue;
    const from = Math.max(span.start, start);
    const to = Math.min(span.end, end);
    if (!(to > from)) continue;
    const active: Active = {
      depth: span.depth,
      start: from,
      rank: RANK[span.category],
      category: span.category,
      end: to,
    };
    boundaries.push({ at: from, span: active });
  }
  boundaries.sort((a, b) => a.at - b.at);

  const heap = new MaxHeap();
  let now = start;
  let next = 0;
  for (;;) {
    while (next < boundaries.length && (boundaries[next] as { at: number }).at <= now) {
      heap.push((boundaries[next] as { span: Active }).span);
      next++;
    }
    heap.dropEnded(now);
    const top = heap.peek();
    const nextStart = boundaries[next]?.at ?? Infinity;
    if (!top) {
      if (next >= boundaries.length) break;
      now = nextStart;
      continue;
    }
    // Until something changes: the next span starts, or the one on top ends.
    const until = Math.min(nextStart, top.end);
    totals[top.category] += until - now;
    now = until;
  }

  const duration = Math.max(0, end - start);
  const result = { ...totals, other: 0 } as Breakdown;
  let used = 0;
  for (const key of Object.keys(totals) as Timed[]) {
    result[key] = roundMs(totals[key]);
    used += result[key];
  }
  result.other = Math.max(0, roundMs(duration - used));
  return result;
}

function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Deepest first; then the latest to start (the innermost in time); then RANK. */
function outranks(a: Active, b: Active): boolean {
  if (a.depth !== b.depth) return a.depth > b.depth;
  if (a.start !== b.start) return a.start > b.start;
  return a.rank > b.rank;
}

class MaxHeap {
  private readonly items: Active[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Active | undefined {
    return this.items[0];
  }

  /** Ended spans are removed lazily, only when they reach the top. */
  dropEnded(now: number): void {
    while (this.items.length > 0 && (this.items[0] as Active).end <= now) this.pop();
  }

  push(item: Active): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!outranks(items[i] as Active, items[parent] as Active)) break;
      [items[i], items[parent]] = [items[parent] as Active, items[i] as Active];
      i = parent;
    }
  }

  private pop(): void {
    const items = this.items;
    const last = items.pop() as Active;
    if (items.length === 0) return;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && outranks(items[left] as Active, items[best] as Active)) best = left;
      if (right < items.length && outranks(items[right] as Active, items[best] as Active)) best = right;
      if (best === i) return;
      [items[i], items[best]] = [items[best] as Active, items[i] as Active];
      i = best;
    }
  }
}
