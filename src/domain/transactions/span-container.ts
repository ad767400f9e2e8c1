/**
 * Streamed spans as they arrive: the span v2 container (`application/vnd.sentry.items.span.v2+json`,
 * `{version: 2, items: [...]}`, sentry-protocol.md §3.2), or one legacy span JSON (a `span` item
 * without that content type: JS standalone web-vitals spans).
 *
 * Typed attributes (`{"value": 200, "type": "integer"}`) are flattened to plain values, so the
 * rest of the code reads `attributes['http.response.status_code']` the way it reads static span
 * `data`. A malformed span is dropped, never the container: one odd span cannot lose its trace.
 */
import { parseTimestamp } from '../events/normalize.js';
import { isObject, readId, readText, SPAN_ID, TRACE_ID } from './event-parts.js';
import { SPAN_STATUSES } from './status.js';
import { InvalidTransactionError } from './transaction-options.js';

/** One streamed span, validated; times in float seconds as sent. Plain JSON, so it can wait in storage. */
export interface StreamedSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  /** `ok` or `error` (v2); a legacy span may carry a full status name. */
  status: string;
  is_segment: boolean;
  start_timestamp: number;
  end_timestamp: number;
  attributes: Record<string, unknown>;
}

// A span carries its segment's common attributes (~20) plus its own; a few hundred is plenty, and
// the bound keeps a hostile span from costing more than its bytes.
const MAX_ATTRIBUTES = 500;
const MAX_ATTRIBUTE_STRING_CHARS = 65_536;
// Older names of the segment id attribute (@sentry/conventions, ATTRIBUTE_METADATA keys).
const SEGMENT_ID_KEYS = ['sentry.segment.id', 'sentry.segment_id', 'transaction.span_id'];

export function parseSpanContainer(raw: unknown): StreamedSpan[] {
  let items: unknown[];
  if (Array.isArray(raw)) items = raw;
  else if (isObject(raw) && Array.isArray(raw.items)) items = raw.items;
  else if (isObject(raw) && typeof raw.span_id === 'string') items = [fromLegacySpan(raw)];
  else throw new InvalidTransactionError('span payload must be {"items": [...]} or one span object');
  const spans: StreamedSpan[] = [];
  for (const item of items) {
    const span = isObject(item) ? parseSpan(item) : undefined;
    if (span) spans.push(span);
  }
  return spans;
}

/** The segment a span belongs to: its own id for a segment, else `sentry.segment.id`. */
export function segmentIdOf(span: StreamedSpan): string {
  if (span.is_segment) return span.span_id;
  for (const key of SEGMENT_ID_KEYS) {
    const id = readId(span.attributes[key], SPAN_ID);
    if (id) return id;
  }
  // No segment named: the span is its own segment (a standalone span).
  return span.span_id;
}

function parseSpan(item: Record<string, unknown>): StreamedSpan | undefined {
  const traceId = readId(item.trace_id, TRACE_ID);
  const spanId = readId(item.span_id, SPAN_ID);
  const start = parseTimestamp(item.start_timestamp);
  if (!traceId || !spanId || start === undefined) return undefined;
  const end = parseTimestamp(item.end_timestamp) ?? start;
  const status = typeof item.status === 'string' ? item.status.trim().toLowerCase() : 'ok';
  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: readId(item.parent_span_id, SPAN_ID) ?? null,
    name: typeof item.name === 'string' ? item.name : '',
    status: status === '' || status === 'ok' ? 'ok' : SPAN_STATUSES.has(status) ? status : 'error',
    is_segment: item.is_segment === true,
    start_timestamp: start,
    end_timestamp: Math.max(end, start),
    attributes: flattenAttributes(item.attributes),
  };
}

function flattenAttributes(value: unknown): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  if (!isObject(value)) return attributes;
  let count = 0;
  for (const [key, entry] of Object.entries(value)) {
    // Typed `{value, type}` (v2), or a bare value (legacy spans' `data`).
    const plain = isObject(entry) && 'value' in entry ? entry.value : entry;
    const kept = keepValue(plain);
    if (kept === undefined) continue;
    attributes[key] = kept;
    if (++count >= MAX_ATTRIBUTES) break;
  }
  return attributes;
}

function keepValue(value: unknown): unknown {
  if (typeof value === 'string') return value.slice(0, MAX_ATTRIBUTE_STRING_CHARS);
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (Array.isArray(value)) {
    const items = value.map(keepValue).filter((item) => item !== undefined && !Array.isArray(item));
    return items.length > 0 ? items : undefined;
  }
  return undefined;
}

/** The pre-v2 span JSON (the static `spans[]` shape plus `segment_id` / `is_segment`). */
function fromLegacySpan(span: Record<string, unknown>): Record<string, unknown> {
  const data = isObject(span.data) ? span.data : {};
  const attributes: Record<string, unknown> = { ...data };
  const op = readText(span.op);
  if (op) attributes['sentry.op'] ??= op;
  if (typeof span.segment_id === 'string') attributes['sentry.segment.id'] ??= span.segment_id;
  return {
    trace_id: span.trace_id,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    name: span.description,
    status: span.status,
    is_segment: span.is_segment,
    start_timestamp: span.start_timestamp,
    end_timestamp: span.timestamp,
    attributes,
  };
}
