/**
 * A segment of streamed spans (`traceLifecycle: 'stream'`, the @sentry/node 10+ default) →
 * `TransactionRecord`, the same record the static lifecycle's `transaction` event gives
 * (from-event.ts): same name, op, source, status, HTTP fields, tree, breakdown and patterns.
 *
 * What differs from static on the wire (test/fixtures/apm/NOTES.md §4, §7), and how it is bridged:
 * - status is `ok`/`error`, the detail in `sentry.status.message` (segment-fields.ts);
 * - `http.client` spans are named `GET <host>`: the description is rebuilt from
 *   `http.request.method` + `url.full`, as static mode writes it;
 * - db spans may be named by a summary: the statement comes from `db.query.text` (span-ops.ts);
 * - a segment arrives over several envelopes, its root before or after its children: a root that
 *   never comes is synthesized (`incomplete`), and spans after the store go through
 *   `mergeLateSpans`.
 */
import { readText } from './event-parts.js';
import { fieldsFromChildren, fieldsFromRoot, opOf, sentStatus } from './segment-fields.js';
import { analyzeSpans, clockSkewMs, mergeSpans } from './span-analysis.js';
import { segmentIdOf, type StreamedSpan } from './span-container.js';
import { categorizeSpan } from './span-ops.js';
import { describeRawSpan, type RawSpan } from './span-tree.js';
import { readHttpStatus, statusFromHttp } from './status.js';
import { InvalidTransactionError, type TransactionOptions } from './transaction-options.js';
import type { TransactionRecord } from './types.js';

export { parseSpanContainer, segmentIdOf, type StreamedSpan } from './span-container.js';

export interface SegmentContext {
  projectId: number;
  /** Epoch milliseconds. */
  receivedAt: number;
  options: TransactionOptions;
}

export function transactionFromSegment(
  root: StreamedSpan | undefined,
  spans: StreamedSpan[],
  ctx: SegmentContext,
): TransactionRecord {
  const first = root ?? spans[0];
  if (!first) throw new InvalidTransactionError('a segment needs at least one span');
  const segmentId = root?.span_id ?? segmentIdOf(first);
  // A span whose id is the segment id is the segment, whether or not it says `is_segment`.
  const segment = root ?? spans.find((span) => span.span_id === segmentId);
  const children = spans.filter((span) => span.span_id !== segmentId);
  let rawChildren = children.map((span) => toRawSpan(span, 0));
  // As for a static transaction, the root's end decides; without a root, the last child's end.
  const lastEnd = segment ? segment.end_timestamp * 1000 : extentOf(rawChildren).end;
  const shift = clockSkewMs(lastEnd, ctx.receivedAt);
  if (shift !== 0) rawChildren = children.map((span) => toRawSpan(span, shift));
  const fields = segment
    ? fieldsFromRoot(segment, children, ctx.options)
    : fieldsFromChildren(segmentId, first, ctx.options);
  const rootSpan: RawSpan = segment
    ? { ...toRawSpan(segment, shift), description: fields.name, status: fields.status }
    : syntheticRoot(segmentId, fields.name, rawChildren);
  return {
    projectId: ctx.projectId,
    eventId: null,
    ...fields,
    start: rootSpan.start,
    end: rootSpan.end ?? rootSpan.start,
    durationMs: roundMs((rootSpan.end ?? rootSpan.start) - rootSpan.start),
    ...analyzeSpans(rootSpan, rawChildren, ctx.options),
    incomplete: !segment,
    measurements: {},
  };
}

/**
 * Spans that arrived after the record was stored. A late segment span completes an `incomplete`
 * record (its fields replace the synthesized ones); for an incomplete record, the root's extent
 * grows to cover the new spans. See `mergeSpans` for what happens to query patterns.
 */
export function mergeLateSpans(
  record: TransactionRecord,
  late: StreamedSpan[],
  options: TransactionOptions,
): TransactionRecord {
  const lateRoot = late.find((span) => span.span_id === record.spanId);
  const lateChildren = late
    .filter((span) => span.span_id !== record.spanId)
    .map((span) => toRawSpan(span, 0));
  let base = record;
  if (lateRoot && record.incomplete) {
    const fields = fieldsFromRoot(lateRoot, late, options);
    const rootSpan = { ...toRawSpan(lateRoot, 0), description: fields.name, status: fields.status };
    const end = rootSpan.end ?? rootSpan.start;
    base = { ...record, ...fields, start: rootSpan.start, end, incomplete: false };
    base.spans = [describeRawSpan(rootSpan), ...record.spans.slice(1)];
  } else if (record.incomplete && lateChildren.length > 0) {
    const late = extentOf(lateChildren);
    const start = Math.min(record.start, late.start);
    const end = Math.max(record.end, late.end);
    const [root, ...rest] = record.spans;
    base = { ...record, start, end, spans: root ? [{ ...root, start, end }, ...rest] : rest };
  }
  const merged = { ...base, ...mergeSpans(base, lateChildren, options) };
  merged.durationMs = roundMs(merged.end - merged.start);
  return merged;
}

function syntheticRoot(segmentId: string, name: string, children: RawSpan[]): RawSpan {
  const { start, end } = extentOf(children);
  return {
    span_id: segmentId,
    parent_span_id: null,
    op: 'default',
    description: name,
    status: 'unknown',
    start,
    end,
    data: {},
  };
}

function toRawSpan(span: StreamedSpan, shift: number): RawSpan {
  const attrs = span.attributes;
  const op = opOf(attrs);
  let description = span.name;
  const method = readText(attrs['http.request.method']) ?? readText(attrs['http.method']);
  const url = readText(attrs['url.full']) ?? readText(attrs['http.url']);
  if (categorizeSpan(op, attrs) === 'http' && method && url) description = `${method.toUpperCase()} ${url}`;
  const httpStatus = readHttpStatus(attrs['http.response.status_code'] ?? attrs['http.status_code']);
  return {
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    op,
    description,
    status: childStatus(span, httpStatus),
    start: span.start_timestamp * 1000 + shift,
    end: span.end_timestamp * 1000 + shift,
    data: attrs,
  };
}

function childStatus(span: StreamedSpan, httpStatus: number | null): string {
  const status = sentStatus(span);
  if (status !== 'error') return status;
  return httpStatus !== null && httpStatus >= 400 ? statusFromHttp(httpStatus) : 'internal_error';
}

/** Earliest start and latest end; a loop, since spreading thousands of spans into Math.min overflows. */
function extentOf(spans: RawSpan[]): { start: number; end: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const span of spans) {
    start = Math.min(start, span.start);
    end = Math.max(end, span.end ?? span.start);
  }
  return { start, end };
}

function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
