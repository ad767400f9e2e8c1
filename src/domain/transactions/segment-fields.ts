/**
 * A streamed segment's transaction-level fields (name, op, source, status, HTTP, user, sdk…), read
 * from its root span's attributes; names and aliases as in test/fixtures/apm/NOTES.md §4 and
 * @sentry/conventions. Environment, release, sdk and user are on every span of a segment, so they
 * are read from any span when the root lacks them, and a segment whose root never arrived still
 * has them (`fieldsFromChildren`).
 *
 * Tags: the root's attributes without a namespace (`plan`, `tenant`: what `setAttribute` sends in
 * place of `setTag`), at most MAX_TAGS; dotted keys are OTel / Sentry conventions with fields or
 * contexts of their own. Server name: `host.name` only; `server.address` is the host the client
 * dialled (static events keep it in the request headers, not in `server_name`).
 */
import { MAX_TAGS, readScalar, readText, readUser, scrubParts } from './event-parts.js';
import type { StreamedSpan } from './span-container.js';
import { scrubUrl } from './span-ops.js';
import { isErrorTransaction, readHttpStatus, resolveStatus, SPAN_STATUSES } from './status.js';
import { DEFAULT_SCRUB_OPTIONS, type TransactionOptions } from './transaction-options.js';
import type { TransactionRecord } from './types.js';

type Attributes = Record<string, unknown>;

// Sentry's name for a transaction without one (Relay, normalize/transactions).
export const UNLABELED_TRANSACTION = '<unlabeled transaction>';
// Flattened scope contexts on the segment (`os.name` → contexts.os.name), as static events nest them.
const CONTEXT_PREFIXES = ['os', 'device', 'app', 'culture', 'cloud', 'browser'];
// Attributes found on every span of a segment.
const COMMON_KEYS = ['sentry.environment', 'sentry.release', 'sentry.sdk.name', 'sentry.sdk.version'];
const USER_KEYS = ['user.id', 'user.email', 'user.name', 'user.ip_address'];
const MAX_TAG_VALUE_CHARS = 200;

export type SegmentFields = Omit<
  TransactionRecord,
  | 'projectId'
  | 'eventId'
  | 'start'
  | 'end'
  | 'durationMs'
  | 'incomplete'
  | 'measurements'
  | 'spans'
  | 'spansTruncated'
  | 'breakdown'
  | 'queryCount'
  | 'queryPatterns'
  | 'nPlusOne'
  | 'nPlusOneMs'
>;

export function fieldsFromRoot(
  root: StreamedSpan,
  others: StreamedSpan[],
  options: TransactionOptions,
): SegmentFields {
  const attrs = root.attributes;
  const common = commonAttributes(root, others);
  const httpStatus = readHttpStatus(
    attrs['http.response.status_code'] ?? attrs['http.status_code'] ?? attrs['http.response_status_code'],
  );
  const status = resolveStatus(sentStatus(root), httpStatus);
  const url = readText(attrs['url.full']) ?? readText(attrs['http.url']) ?? readText(attrs['url.path']);
  const method =
    (readText(attrs['http.request.method']) ?? readText(attrs['http.method']))?.toUpperCase() ?? null;
  const sdkName = readText(common['sentry.sdk.name']);
  const sdkVersion = readText(common['sentry.sdk.version']);
  const parts = scrubParts(
    {
      user: userOf(common),
      tags: tagsOf(attrs),
      request: method || url ? requestOf(attrs, method, url) : null,
      contexts: contextsOf(attrs, httpStatus),
    },
    options.scrub ?? DEFAULT_SCRUB_OPTIONS,
  );
  return {
    traceId: root.trace_id,
    spanId: root.span_id,
    parentSpanId: root.parent_span_id,
    name: readText(root.name) ?? readText(attrs['sentry.segment.name']) ?? UNLABELED_TRANSACTION,
    op: opOf(attrs),
    source:
      readText(attrs['sentry.segment.name.source']) ??
      readText(attrs['sentry.span.source']) ??
      readText(attrs['sentry.source']) ??
      'unknown',
    status,
    environment: readText(common['sentry.environment']) ?? 'production',
    release: readText(common['sentry.release']),
    serverName: readText(attrs['host.name']),
    httpMethod: method,
    httpUrl: url ? scrubUrl(url) : null,
    httpStatus,
    isError: isErrorTransaction(status, httpStatus),
    user: parts.user,
    tags: parts.tags,
    sdk: sdkName ? `${sdkName}${sdkVersion ? `/${sdkVersion}` : ''}` : null,
    platform: readText(attrs['sentry.platform']) ?? platformOf(sdkName),
    contexts: parts.contexts,
    request: parts.request,
  };
}

/** The root never arrived: what every span carries, and `unknown` for what only the root knows. */
export function fieldsFromChildren(
  segmentId: string,
  first: StreamedSpan,
  options: TransactionOptions,
): SegmentFields {
  const stand: StreamedSpan = {
    ...first,
    span_id: segmentId,
    parent_span_id: null,
    name: readText(first.attributes['sentry.segment.name']) ?? UNLABELED_TRANSACTION,
    status: 'unknown',
    attributes: Object.fromEntries(
      [...COMMON_KEYS, ...USER_KEYS]
        .filter((key) => key in first.attributes)
        .map((key) => [key, first.attributes[key]]),
    ),
  };
  return { ...fieldsFromRoot(stand, [first], options), op: 'default', status: 'unknown', isError: false };
}

/** `error` with its detail when the SDK gave one (`sentry.status.message`). */
export function sentStatus(span: StreamedSpan): string {
  if (span.status !== 'error') return span.status;
  const message = readText(span.attributes['sentry.status.message'])?.toLowerCase();
  return message && SPAN_STATUSES.has(message) ? message : 'error';
}

/** `sentry.op`, else what Sentry infers for OTel spans without one (@sentry/opentelemetry). */
export function opOf(attrs: Attributes): string {
  const op = readText(attrs['sentry.op']) ?? readText(attrs['span.op']);
  if (op) return op;
  if (attrs['db.system'] !== undefined || attrs['db.system.name'] !== undefined) return 'db';
  const kind = readText(attrs['sentry.kind']);
  if (attrs['http.request.method'] !== undefined || attrs['http.method'] !== undefined) {
    return kind === 'server' ? 'http.server' : 'http.client';
  }
  return 'default';
}

function commonAttributes(root: StreamedSpan, others: StreamedSpan[]): Attributes {
  const common: Attributes = {};
  for (const key of [...COMMON_KEYS, ...USER_KEYS]) {
    const holder = key in root.attributes ? root : others.find((span) => key in span.attributes);
    if (holder) common[key] = holder.attributes[key];
  }
  return common;
}

function userOf(common: Attributes): TransactionRecord['user'] {
  return readUser({
    id: common['user.id'],
    email: common['user.email'],
    username: common['user.name'],
    ip_address: common['user.ip_address'],
  });
}

function tagsOf(attrs: Attributes): Record<string, string> {
  const tags: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of Object.entries(attrs)) {
    const text = key.includes('.') ? null : readScalar(value);
    if (text === null) continue;
    tags[key] = text.slice(0, MAX_TAG_VALUE_CHARS);
    if (++count >= MAX_TAGS) break;
  }
  return tags;
}

function requestOf(attrs: Attributes, method: string | null, url: string | null): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (!key.startsWith('http.request.header.')) continue;
    const text = Array.isArray(value) ? value.map(String).join(', ') : readScalar(value);
    if (text !== null) headers[key.slice('http.request.header.'.length)] = text;
  }
  return { method, url, headers };
}

function contextsOf(attrs: Attributes, httpStatus: number | null): Record<string, unknown> {
  const contexts: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(attrs)) {
    const dot = key.indexOf('.');
    const prefix = dot < 0 ? '' : key.slice(0, dot);
    if (!CONTEXT_PREFIXES.includes(prefix)) continue;
    (contexts[prefix] ??= {})[key.slice(dot + 1).replaceAll('.', '_')] = value;
  }
  if (httpStatus !== null) contexts.response = { status_code: httpStatus };
  return contexts;
}

function platformOf(sdkName: string | null): string | null {
  if (!sdkName) return null;
  if (/^sentry\.javascript\.(?:node|bun|deno)\b/.test(sdkName)) return 'node';
  const family = /^sentry\.(javascript|python|ruby|php|java|go|dotnet|rust|elixir)\b/.exec(sdkName)?.[1];
  return family === 'dotnet' ? 'csharp' : (family ?? null);
}
