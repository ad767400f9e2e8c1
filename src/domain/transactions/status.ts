/**
 * Span statuses, the HTTP codes they stand for, and which ones make a transaction an error.
 *
 * The mapping is the SDKs' own (`getSpanStatusFromHttpCode`, @sentry/core tracing/spanstatus.js;
 * sentry-protocol.md §6), so a status we derive reads the same as one an SDK sent. A transaction is
 * an error when the server failed, not when the client erred: 5xx, or without an HTTP code a
 * status that means a server-side failure. 4xx statuses (not_found, invalid_argument,
 * permission_denied…) are the caller's fault and would otherwise drown real failures.
 */

export const SPAN_STATUSES = new Set([
  ...['ok', 'cancelled', 'unknown', 'unknown_error', 'invalid_argument', 'deadline_exceeded'],
  ...['not_found', 'already_exists', 'permission_denied', 'resource_exhausted', 'failed_precondition'],
  ...['aborted', 'out_of_range', 'unimplemented', 'internal_error', 'unavailable', 'data_loss'],
  'unauthenticated',
]);

// Everything else (internal_error, unavailable, data_loss, deadline_exceeded, aborted,
// unknown_error, unimplemented, the stream's bare `error`, anything unrecognized) is a failure.
const NOT_FAILURES = new Set([
  ...['ok', 'cancelled', 'unknown', 'not_found', 'already_exists', 'invalid_argument'],
  ...['failed_precondition', 'out_of_range', 'permission_denied', 'unauthenticated', 'resource_exhausted'],
]);

// prettier-ignore
const CLIENT_ERRORS = new Map([
  [401, 'unauthenticated'], [403, 'permission_denied'], [404, 'not_found'], [409, 'already_exists'],
  [413, 'failed_precondition'], [429, 'resource_exhausted'], [499, 'cancelled'],
]);
const SERVER_ERRORS = new Map([
  [501, 'unimplemented'],
  [503, 'unavailable'],
  [504, 'deadline_exceeded'],
]);

export function statusFromHttp(code: number): string {
  if (code >= 100 && code < 400) return 'ok';
  if (code >= 400 && code < 500) return CLIENT_ERRORS.get(code) ?? 'invalid_argument';
  return SERVER_ERRORS.get(code) ?? 'internal_error';
}

/**
 * A root span's status: an explicit failure as sent; otherwise the HTTP code's, because SDKs send
 * `ok` for an unset status (so a 404 is `not_found` whichever lifecycle sent it); otherwise `ok`,
 * or `internal_error` for the stream's bare `error`.
 */
export function resolveStatus(sent: string | null, httpStatus: number | null): string {
  const status = sent?.toLowerCase() ?? null;
  if (status && status !== 'ok' && status !== 'error') return status;
  if (httpStatus !== null) return statusFromHttp(httpStatus);
  return status === 'error' ? 'internal_error' : 'ok';
}

export function isErrorTransaction(status: string, httpStatus: number | null): boolean {
  if (httpStatus !== null) return httpStatus >= 500;
  return !NOT_FAILURES.has(status);
}

/** An HTTP status code from a number or a numeric string (Python sends tags as strings). */
export function readHttpStatus(value: unknown): number | null {
  const code = typeof value === 'string' && /^\s*\d{3}\s*$/.test(value) ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599 ? code : null;
}
