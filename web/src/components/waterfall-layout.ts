/**
 * The span waterfall's layout, without React: the tree back from the API's depth-first list, runs
 * of identical siblings folded into groups, the rows to draw, bar positions on the timeline, axis
 * ticks, category classes. Tested in test/unit/web/span-waterfall.test.tsx.
 */
import type { SpanCategory, SpanRecord } from '../api/client';

/** Legend order: the breakdown bar's (components/breakdown-bar.tsx), whose colours these are too. */
export const CATEGORIES: readonly SpanCategory[] = ['db', 'view', 'http', 'cache', 'queue', 'other'];

/**
 * The class that colours a category (span-waterfall.css maps each to the breakdown bar's colour,
 * one per theme); a category this UI does not know yet is drawn as `other`.
 */
export function categoryClass(category: string): string {
  return `span-cat-${(CATEGORIES as readonly string[]).includes(category) ? category : 'other'}`;
}

/**
 * Siblings that fold into one row. Sentry's trace view waits for 5 (MIN_SIBLING_GROUP_SIZE); 3 is
 * enough to make a loop of queries one row, while two in a row (a read and its write) stay rows.
 */
export const MIN_COLLAPSED_SIBLINGS = 3;

/** The time the waterfall spans, epoch ms: the transaction, widened to any span outside it. */
export interface Timeline {
  start: number;
  end: number;
  /** Where the transaction itself ends, in % of the timeline, when late spans run past it. */
  txEndPct: number | null;
}

export function timelineOf(tx: { start: number; end: number }, spans: readonly SpanRecord[]): Timeline {
  let start = tx.start;
  let end = tx.end;
  for (const s of spans) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  const txEndPct = end > tx.end ? ((tx.end - start) / (end - start)) * 100 : null;
  return { start, end, txEndPct };
}

/** Left offset and width of a bar, in % of the timeline, always inside it. */
export function barPosition(start: number, end: number, t: Timeline): { left: number; width: number } {
  const total = t.end - t.start;
  if (!(total > 0)) return { left: 0, width: 100 };
  const left = Math.min(100, Math.max(0, ((start - t.start) / total) * 100));
  const width = Math.min(100 - left, Math.max(0, ((end - Math.max(start, t.start)) / total) * 100));
  return { left, width };
}

/** Evenly spaced axis labels at a round step (1, 2 or 5 × 10ⁿ ms), at most about `target` of them. */
export function axisTicks(durationMs: number, target = 6): number[] {
  if (!(durationMs > 0)) return [0];
  const rough = durationMs / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = 0; t <= durationMs + step * 1e-9; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

export interface SpanNode {
  span: SpanRecord;
  children: SpanNode[];
}

/**
 * The tree back from the depth-first list: a span's parent is the nearest span before it one
 * level up. By depth rather than parent_span_id, because the server hangs orphans under the root
 * (depth 1) while their parent_span_id still names a span that never arrived.
 */
export function spanTree(spans: readonly SpanRecord[]): SpanNode[] {
  const roots: SpanNode[] = [];
  const stack: SpanNode[] = [];
  for (const span of spans) {
    const node: SpanNode = { span, children: [] };
    while (stack.length > 0 && stack.at(-1)!.span.depth >= span.depth) stack.pop();
    const parent = stack.at(-1);
    if (parent) parent.children.push(node);
    else roots.push(node);
    stack.push(node);
  }
  return roots;
}

const sameWork = (a: SpanRecord, b: SpanRecord) => a.op === b.op && a.description === b.description;

/** Siblings with runs of MIN_COLLAPSED_SIBLINGS or more identical spans (op + description) as arrays. */
export function groupSiblings(nodes: readonly SpanNode[]): (SpanNode | SpanNode[])[] {
  const out: (SpanNode | SpanNode[])[] = [];
  for (let i = 0; i < nodes.length;) {
    let j = i + 1;
    while (j < nodes.length && sameWork(nodes[j]!.span, nodes[i]!.span)) j++;
    if (j - i >= MIN_COLLAPSED_SIBLINGS) out.push(nodes.slice(i, j));
    else out.push(...nodes.slice(i, j));
    i = j;
  }
  return out;
}

export interface SpanRow {
  kind: 'span';
  key: string;
  /** Indentation: the span's depth, plus one inside an expanded group. */
  depth: number;
  span: SpanRecord;
  /** Key of the expanded group this row belongs to (directly or through its parents). */
  group: string | null;
}

export interface GroupRow {
  kind: 'group';
  key: string;
  depth: number;
  spans: SpanRecord[];
  op: string;
  description: string;
  category: SpanCategory;
  start: number;
  end: number;
  /** Sum of the members' durations (they may overlap). */
  totalMs: number;
  expanded: boolean;
  group: string | null;
}

export type WaterfallRow = SpanRow | GroupRow;

export const groupKey = (first: SpanRecord) => `group-${first.span_id}`;

/** The rows to draw: groups folded unless their key is in `expanded`. */
export function waterfallRows(spans: readonly SpanRecord[], expanded: ReadonlySet<string>): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  const walk = (nodes: readonly SpanNode[], depth: number, group: string | null) => {
    for (const item of groupSiblings(nodes)) {
      if (!Array.isArray(item)) {
        rows.push({ kind: 'span', key: item.span.span_id, depth, span: item.span, group });
        walk(item.children, depth + 1, group);
        continue;
      }
      const members = item.map((n) => n.span);
      const first = members[0]!;
      const key = groupKey(first);
      const open = expanded.has(key);
      rows.push({
        kind: 'group',
        key,
        depth,
        spans: members,
        op: first.op,
        description: first.description,
        category: first.category,
        start: Math.min(...members.map((s) => s.start)),
        end: Math.max(...members.map((s) => s.end)),
        totalMs: members.reduce((sum, s) => sum + (s.end - s.start), 0),
        expanded: open,
        group,
      });
      if (open) for (const node of item) walk([node], depth + 1, key);
    }
  };
  walk(spanTree(spans), 0, null);
  return rows;
}

/** The keys of the groups to expand so that span `spanId` gets a row of its own. */
export function groupsHiding(spans: readonly SpanRecord[], spanId: string): string[] {
  const path: string[] = [];
  const find = (nodes: readonly SpanNode[]): boolean => {
    for (const item of groupSiblings(nodes)) {
      const group = Array.isArray(item) ? item : null;
      for (const node of group ?? [item as SpanNode]) {
        if (group) path.push(groupKey(group[0]!.span));
        if (node.span.span_id === spanId || find(node.children)) return true;
        if (group) path.pop();
      }
    }
    return false;
  };
  return find(spanTree(spans)) ? path : [];
}

/** Statuses that are not failures (OpenTelemetry's unset is Sentry's "unknown"). */
const OK_STATUSES = new Set(['ok', 'unknown', 'unset', '']);

export function isFailedStatus(status: string): boolean {
  return !OK_STATUSES.has(status);
}
