/**
 * The part of a transaction computed from its spans, shared by both ways one arrives (a classic
 * `transaction` event, a streamed segment), so that the same request gives the same tree,
 * breakdown and query patterns in both lifecycles.
 */
import { computeBreakdown } from './breakdown.js';
import { analyzeQueries, summarize, type QueryInput } from './n-plus-one.js';
import { isQuerySpan, queryText, sqlDialectOf } from './span-ops.js';
import { assembleSpanTree, buildSpanTree, describeRawSpan, type RawSpan } from './span-tree.js';
import { createSqlNormalizer } from './sql-normalize.js';
import type { TransactionOptions } from './transaction-options.js';
import type { QueryPattern, TransactionRecord } from './types.js';

/** Relay's clock-skew rule, as for error events (digest-event.ts). */
const MAX_FUTURE_SKEW_MS = 60_000;
const MAX_AGE_MS = 30 * 24 * 3_600_000;

export type SpanAnalysis = Pick<
  TransactionRecord,
  'spans' | 'spansTruncated' | 'breakdown' | 'queryCount' | 'queryPatterns' | 'nPlusOne' | 'nPlusOneMs'
>;

export function analyzeSpans(
  root: RawSpan,
  children: RawSpan[],
  options: TransactionOptions,
  fallbackQueries: QueryInput[] = [],
): SpanAnalysis {
  const spans = uniqueSpans(children, new Set([root.span_id]));
  // The tree and the N+1 analysis normalize the same statements: once each.
  const normalize = createSqlNormalizer();
  const tree = buildSpanTree(root, spans, options.maxSpans, normalize);
  // Queries come from every child, not only those under the cap: a loop of 5,000 queries is the
  // very N+1 that overflows the cap, and counting 1,000 of them would understate it.
  const fromSpans = queriesFromSpans(spans);
  const queries = analyzeQueries(
    fromSpans.length > 0 ? fromSpans : fallbackQueries,
    { threshold: options.nPlusOneThreshold, denylist: options.nPlusOneDenylist },
    normalize,
  );
  const end = root.end ?? root.start;
  return {
    spans: tree.spans,
    spansTruncated: tree.truncated,
    breakdown: computeBreakdown(tree.spans, root.start, end),
    queryCount: queries.queryCount,
    queryPatterns: queries.patterns,
    nPlusOne: queries.nPlusOne,
    nPlusOneMs: queries.nPlusOneMs,
  };
}

/**
 * Spans that arrived after the transaction was stored, added to it. Stored patterns keep no raw
 * statements, so for a pattern seen before and after, `distinct` is the sum of both sides'
 * distinct counts: an upper bound (the same raw statement on both sides counts twice). A pattern
 * cut by the 100-pattern cap before cannot be added to and starts again from the late count.
 */
export function mergeSpans(
  record: TransactionRecord,
  late: RawSpan[],
  options: TransactionOptions,
): SpanAnalysis {
  const [root, ...stored] = record.spans;
  if (!root) throw new Error('a stored transaction always has its root span');
  const fresh = uniqueSpans(late, new Set(record.spans.map((span) => span.span_id)));
  const normalize = createSqlNormalizer();
  const tree = assembleSpanTree(
    root,
    [...stored, ...fresh.map((span) => describeRawSpan(span, normalize))],
    options.maxSpans,
  );
  const lateQueries = analyzeQueries(
    queriesFromSpans(fresh),
    { threshold: options.nPlusOneThreshold, denylist: options.nPlusOneDenylist },
    normalize,
  );
  const merged = new Map<string, QueryPattern>(record.queryPatterns.map((p) => [p.pattern, { ...p }]));
  for (const pattern of lateQueries.patterns) {
    const before = merged.get(pattern.pattern);
    if (!before) merged.set(pattern.pattern, pattern);
    else {
      before.count += pattern.count;
      before.distinct += pattern.distinct;
      before.total_ms = Math.round((before.total_ms + pattern.total_ms) * 1000) / 1000;
      before.call_site ??= pattern.call_site;
    }
  }
  const summary = summarize([...merged.values()], record.queryCount + lateQueries.queryCount, {
    threshold: options.nPlusOneThreshold,
    denylist: options.nPlusOneDenylist,
  });
  return {
    spans: tree.spans,
    spansTruncated: record.spansTruncated || tree.truncated,
    breakdown: computeBreakdown(tree.spans, record.start, record.end),
    queryCount: summary.queryCount,
    queryPatterns: summary.patterns,
    nPlusOne: summary.nPlusOne,
    nPlusOneMs: summary.nPlusOneMs,
  };
}

/** The query spans' statements in start order, so a pattern's example is its first occurrence. */
export function queriesFromSpans(children: RawSpan[]): QueryInput[] {
  return children
    .filter((span) => isQuerySpan(span.op, span.data))
    .sort((a, b) => a.start - b.start)
    .map((span) => ({
      spanId: span.span_id,
      raw: queryText(span.data) || span.description,
      durationMs: span.end !== null && span.end > span.start ? span.end - span.start : 0,
      dialect: sqlDialectOf(span.data),
    }));
}

/**
 * First occurrence of each span id, none of `seen`: an SDK retrying an envelope, or the consumer
 * handing over pending spans twice, must not count a query twice.
 */
function uniqueSpans(spans: RawSpan[], seen: Set<string>): RawSpan[] {
  const unique: RawSpan[] = [];
  for (const span of spans) {
    if (seen.has(span.span_id)) continue;
    seen.add(span.span_id);
    unique.push(span);
  }
  return unique;
}

/** How far to move a transaction whose clock is off: it then ends when it was received. */
export function clockSkewMs(endMs: number, receivedAt: number): number {
  const skewed = endMs > receivedAt + MAX_FUTURE_SKEW_MS || endMs < receivedAt - MAX_AGE_MS;
  return skewed ? receivedAt - endMs : 0;
}
