/**
 * A classic `transaction` event (envelope item or store post; @sentry/node with
 * `traceLifecycle: 'static'`, sentry-python, sentry-ruby) → `TransactionRecord`.
 *
 * Fields and where each SDK puts them: test/fixtures/apm/NOTES.md §3 and §6. The root span is
 * `contexts.trace`; the HTTP status is read from three places because each SDK uses a different
 * one (`contexts.response`, the trace's data, Python's string tag `http.status_code`).
 */
import { parseTimestamp } from '../events/normalize.js';
import {
  isObject,
  readId,
  readTags,
  readText,
  readUser,
  scrubParts,
  SPAN_ID,
  TRACE_ID,
} from './event-parts.js';
import { queriesFromBreadcrumbs } from './n-plus-one.js';
import { analyzeSpans, clockSkewMs } from './span-analysis.js';
import type { StreamedSpan } from './span-container.js';
import { UNLABELED_TRANSACTION } from './segment-fields.js';
import { scrubUrl } from './span-ops.js';
import type { RawSpan } from './span-tree.js';
import { readHttpStatus, resolveStatus, isErrorTransaction } from './status.js';
import {
  DEFAULT_SCRUB_OPTIONS,
  InvalidTransactionError,
  type TransactionOptions,
} from './transaction-options.js';
import type { TransactionRecord } from './types.js';

export { DEFAULT_TRANSACTION_OPTIONS, InvalidTransactionError } from './transaction-options.js';
export type { TransactionOptions } from './transaction-options.js';

export interface EventContext {
  projectId: number;
  eventId: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  options: TransactionOptions;
}

type Json = Record<string, unknown>;

const MAX_MEASUREMENTS = 100;

export function transactionFromEvent(raw: unknown, ctx: EventContext): TransactionRecord {
  if (!isObject(raw)) throw new InvalidTransactionError('transaction payload is not a JSON object');
  const startSeconds = parseTimestamp(raw.start_timestamp);
  const endSeconds = parseTimestamp(raw.timestamp);
  if (startSeconds === undefined || endSeconds === undefined) {
    throw new InvalidTransactionError('transaction has no valid start_timestamp and timestamp');
  }
  const contexts = isObject(raw.contexts) ? raw.contexts : {};
  const trace = isObject(contexts.trace) ? contexts.trace : {};
  const traceId = readId(trace.trace_id, TRACE_ID);
  if (!traceId) throw new InvalidTransactionError('transaction has no contexts.trace.trace_id');

  const shift = clockSkewMs(Math.max(endSeconds, startSeconds) * 1000, ctx.receivedAt);
  const start = startSeconds * 1000 + shift;
  const end = Math.max(endSeconds * 1000 + shift, start);
  const traceData = isObject(trace.data) ? trace.data : {};
  const tags = readTags(raw.tags);
  const response = isObject(contexts.response) ? contexts.response : {};
  const httpStatus =
    readHttpStatus(response.status_code) ??
    readHttpStatus(traceData['http.response.status_code']) ??
    readHttpStatus(tags['http.status_code']);
  const status = resolveStatus(readText(trace.status), httpStatus);
  const name = readText(raw.transaction) ?? UNLABELED_TRANSACTION;
  const root: RawSpan = {
    span_id: readId(trace.span_id, SPAN_ID) ?? ctx.eventId.slice(0, 16),
    parent_span_id: readId(trace.parent_span_id, SPAN_ID) ?? null,
    op: readText(trace.op) ?? 'default',
    description: name,
    status,
    start,
    end,
    data: withOrigin(traceData, trace.origin),
  };
  const children = readSpans(raw.spans, shift);
  const analysis = analyzeSpans(root, children, ctx.options, queriesFromBreadcrumbs(raw.breadcrumbs));

  const request = isObject(raw.request) ? raw.request : null;
  const url = readText(request?.url) ?? readText(traceData['url.full']);
  const { trace: _trace, ...otherContexts } = contexts;
  const parts = scrubParts(
    { user: readUser(raw.user), tags, request, contexts: otherContexts },
    ctx.options.scrub ?? DEFAULT_SCRUB_OPTIONS,
  );
  const sdk = isObject(raw.sdk) ? raw.sdk : {};
  const sdkName = readText(sdk.name);
  const sdkVersion = readText(sdk.version);
  return {
    projectId: ctx.projectId,
    eventId: ctx.eventId,
    traceId,
    spanId: root.span_id,
    parentSpanId: root.parent_span_id,
    name,
    op: root.op,
    source: readText(isObject(raw.transaction_info) ? raw.transaction_info.source : undefined) ?? 'unknown',
    start,
    end,
    durationMs: roundMs(end - start),
    status,
    environment: readText(raw.environment) ?? 'production',
    release: readText(raw.release),
    serverName: readText(raw.server_name),
    httpMethod:
      (readText(request?.method) ?? readText(traceData['http.request.method']))?.toUpperCase() ?? null,
    httpUrl: url ? scrubUrl(url) : null,
    httpStatus,
    isError: isErrorTransaction(status, httpStatus),
    user: parts.user,
    tags: parts.tags,
    ...analysis,
    incomplete: false,
    sdk: sdkName ? `${sdkName}${sdkVersion ? `/${sdkVersion}` : ''}` : null,
    platform: readText(raw.platform),
    contexts: parts.contexts,
    request: parts.request,
    measurements: readMeasurements(raw.measurements),
  };
}

/**
 * A static-lifecycle child that ended after its segment was sent comes as its own transaction,
 * marked `sentry.parent_span_already_sent` (NOTES.md §5; @sentry/core deferSegmentSpanCapture).
 * In stream mode the same span is a late span of the segment, so to store the same thing the
 * consumer can attach these spans to the stored parent with `mergeLateSpans` when
 * `parentSpanId` names one, and store the event as a transaction of its own otherwise.
 */
export function deferredChildSpans(raw: unknown): { parentSpanId: string; spans: StreamedSpan[] } | null {
  if (!isObject(raw) || !isObject(raw.contexts) || !isObject(raw.contexts.trace)) return null;
  const trace = raw.contexts.trace;
  const data = isObject(trace.data) ? trace.data : {};
  const traceId = readId(trace.trace_id, TRACE_ID);
  const spanId = readId(trace.span_id, SPAN_ID);
  const parentSpanId = readId(trace.parent_span_id, SPAN_ID);
  const start = parseTimestamp(raw.start_timestamp);
  if (data['sentry.parent_span_already_sent'] !== true || !traceId || !spanId || !parentSpanId) return null;
  if (start === undefined) return null;
  const toStreamed = (span: RawSpan): StreamedSpan => ({
    trace_id: traceId,
    span_id: span.span_id,
    parent_span_id: span.parent_span_id,
    name: span.description,
    status: span.status,
    is_segment: false,
    start_timestamp: span.start / 1000,
    end_timestamp: (span.end ?? span.start) / 1000,
    attributes: { ...span.data, 'sentry.op': span.op },
  });
  const end = parseTimestamp(raw.timestamp) ?? start;
  const root: RawSpan = {
    span_id: spanId,
    parent_span_id: parentSpanId,
    op: readText(trace.op) ?? 'default',
    description: readText(raw.transaction) ?? '',
    status: readText(trace.status) ?? 'ok',
    start: start * 1000,
    end: end * 1000,
    data,
  };
  return { parentSpanId, spans: [root, ...readSpans(raw.spans, 0)].map(toStreamed) };
}

/** `spans[]` of the event: those without an id or a start cannot be placed and are dropped. */
function readSpans(value: unknown, shift: number): RawSpan[] {
  if (!Array.isArray(value)) return [];
  const spans: RawSpan[] = [];
  for (const span of value) {
    if (!isObject(span)) continue;
    const spanId = readId(span.span_id, SPAN_ID);
    const start = parseTimestamp(span.start_timestamp);
    if (!spanId || start === undefined) continue;
    const end = parseTimestamp(span.timestamp);
    // sentry-python puts a span's status in its tags (NOTES.md §6).
    const tags = isObject(span.tags) ? span.tags : {};
    spans.push({
      span_id: spanId,
      parent_span_id: readId(span.parent_span_id, SPAN_ID) ?? null,
      op: readText(span.op) ?? 'default',
      description: typeof span.description === 'string' ? span.description : '',
      status: readText(span.status) ?? readText(tags.status) ?? 'ok',
      start: start * 1000 + shift,
      end: end === undefined ? null : end * 1000 + shift,
      data: withOrigin(isObject(span.data) ? span.data : {}, span.origin),
    });
  }
  return spans;
}

function withOrigin(data: Json, origin: unknown): Json {
  return typeof origin === 'string' && !('sentry.origin' in data)
    ? { ...data, 'sentry.origin': origin }
    : data;
}

function readMeasurements(value: unknown): TransactionRecord['measurements'] {
  const measurements: TransactionRecord['measurements'] = {};
  if (!isObject(value)) return measurements;
  let count = 0;
  for (const [key, entry] of Object.entries(value)) {
    if (!isObject(entry) || typeof entry.value !== 'number' || !Number.isFinite(entry.value)) continue;
    measurements[key] =
      typeof entry.unit === 'string' ? { value: entry.value, unit: entry.unit } : { value: entry.value };
    if (++count >= MAX_MEASUREMENTS) break;
  }
  return measurements;
}

function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
