/**
 * A transaction's spans as stored: the root, then its children in start order, each with a depth.
 *
 * Children are capped at SPAN_CAP, keeping the earliest (Splat's SPAN_CAP, splat-internals.md §5):
 * a runaway loop emits its spans late, and the start of a request is what explains the rest.
 * `parent_span_id` is kept as sent even when that parent is not in the list (dropped by the cap, in
 * another service, still in flight): the span is drawn under the root (depth 1), and a late parent
 * can still adopt it when the tree is assembled again (from-spans.ts `mergeLateSpans`). Parent links
 * come from SDKs, so self-parents and cycles are cut where they close, under the root.
 */
import { categorizeSpan, describeSpan, pickSpanData } from './span-ops.js';
import type { SqlNormalizer } from './sql-normalize.js';
import type { SpanRecord } from './types.js';

/** A span as an SDK described it, times in epoch milliseconds, before anything is scrubbed. */
export interface RawSpan {
  span_id: string;
  parent_span_id: string | null;
  op: string;
  description: string;
  status: string;
  start: number;
  /** null when the SDK sent none; the span then lasts 0 ms. */
  end: number | null;
  data: Record<string, unknown>;
}

export interface SpanTree {
  spans: SpanRecord[];
  truncated: boolean;
}

export const SPAN_CAP = 1_000;

export function buildSpanTree(
  root: RawSpan,
  children: RawSpan[],
  cap = SPAN_CAP,
  normalize?: SqlNormalizer,
): SpanTree {
  // Cap before describing: normalizing SQL of spans that are dropped anyway is wasted work.
  const { kept, truncated } = orderAndCap(root.span_id, children, cap);
  // Described spans keep the raw ones' order and ids (unique, capped, in start order): the tree
  // needs no second ordering pass, and its fresh records take their depth in place instead of
  // being copied once more (a copy per span was ~20 µs per bench transaction).
  const described = kept.map((span) => describeRawSpan(span, normalize));
  return { spans: setDepths(describeRawSpan(root, normalize), described, false), truncated };
}

/** Stored or freshly described spans → ordered, capped, with depths. The root is always first. */
export function assembleSpanTree(root: SpanRecord, children: SpanRecord[], cap = SPAN_CAP): SpanTree {
  const { kept, truncated } = orderAndCap(root.span_id, children, cap);
  return { spans: setDepths(root, kept, true), truncated };
}

/** The root, then `kept`, each with its depth: copies when `copy`, else the records themselves. */
function setDepths(root: SpanRecord, kept: SpanRecord[], copy: boolean): SpanRecord[] {
  const byId = new Map(kept.map((span) => [span.span_id, span]));
  const depths = new Map<string, number>([[root.span_id, 0]]);
  for (const span of kept) if (!depths.has(span.span_id)) resolveDepth(span, root.span_id, byId, depths);
  const spans: SpanRecord[] = [copy ? { ...root, depth: 0 } : root];
  for (const span of kept) {
    const depth = depths.get(span.span_id) ?? 1;
    if (copy) spans.push({ ...span, depth });
    else {
      span.depth = depth;
      spans.push(span);
    }
  }
  return spans;
}

/** The description, category and data that may be stored, and an end that is not before the start. */
export function describeRawSpan(span: RawSpan, normalize?: SqlNormalizer): SpanRecord {
  const end =
    span.end !== null && Number.isFinite(span.end) && span.end >= span.start ? span.end : span.start;
  const category = categorizeSpan(span.op, span.data);
  const { description, callSite } = describeSpan(span.op, span.description, span.data, normalize, category);
  const record: SpanRecord = {
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    depth: 0,
    op: span.op,
    description,
    status: span.status,
    start: span.start,
    end,
    category,
  };
  const data = pickSpanData(span.data);
  if (data) record.data = data;
  if (callSite !== undefined) record.call_site = callSite;
  return record;
}

/** Start order (stable), first occurrence of each id, the root's id never among the children. */
function orderAndCap<T extends { span_id: string; start: number }>(
  rootId: string,
  children: T[],
  cap: number,
): { kept: T[]; truncated: boolean } {
  const seen = new Set<string>([rootId]);
  const unique: T[] = [];
  for (const span of children) {
    if (seen.has(span.span_id)) continue;
    seen.add(span.span_id);
    unique.push(span);
  }
  unique.sort((a, b) => a.start - b.start);
  const limit = Math.max(0, cap);
  return { kept: unique.length > limit ? unique.slice(0, limit) : unique, truncated: unique.length > limit };
}

/** Walks up to a span of known depth; a missing parent, a self-parent or a cycle ends at the root. */
function resolveDepth(
  span: SpanRecord,
  rootId: string,
  byId: Map<string, SpanRecord>,
  depths: Map<string, number>,
): void {
  const path: SpanRecord[] = [];
  const onPath = new Set<string>();
  let current = span;
  let base = 0;
  for (;;) {
    path.push(current);
    onPath.add(current.span_id);
    const parentId = current.parent_span_id;
    if (parentId === null || parentId === rootId) break;
    const known = depths.get(parentId);
    if (known !== undefined) {
      base = known;
      break;
    }
    const parent = byId.get(parentId);
    if (!parent || onPath.has(parentId)) break;
    current = parent;
  }
  for (let index = path.length - 1, depth = base + 1; index >= 0; index--, depth++) {
    depths.set((path[index] as SpanRecord).span_id, depth);
  }
}
