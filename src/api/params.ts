/** Query-string and body parsing for the JSON API: bad input becomes a 400 that names the field. */
import { badRequest } from '../errors.js';

type Query = Record<string, unknown>;

export function optionalString(q: Query, name: string, maxChars = 500): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be given once, as a string.`);
  if (v.length > maxChars) throw badRequest(`${name} is longer than ${maxChars} characters.`);
  return v;
}

export function optionalInt(q: Query, name: string): number | undefined {
  const v = optionalString(q, name, 20);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name} must be a whole number; got ${JSON.stringify(v)}.`);
  return Number(v);
}

export function optionalOneOf<T extends string>(
  q: Query,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const v = optionalString(q, name, 50);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw badRequest(`${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(v)}.`);
  }
  return v as T;
}

/**
 * Latest time a query may name: 9999-12-31T23:59:59.999Z. Date objects reach ±8.64e15 ms, but a
 * window added to a time near that edge is an Invalid Date, and `end=99999999999999999999` (a
 * valid whole number) made the logs histogram throw at toISOString: a 500 (docs/reliability.md,
 * fuzzing finding 4).
 */
const MAX_QUERY_TIME_MS = 253_402_300_799_999;

/** An ISO 8601 time or epoch milliseconds, from 1970 to 9999; 400 otherwise. */
export function optionalTime(q: Query, name: string): number | undefined {
  const v = optionalString(q, name, 40);
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_QUERY_TIME_MS)
    throw badRequest(
      `${name} must be an ISO 8601 time (2026-11-22T10:00:00Z) or epoch milliseconds, from 1970 to 9999; got ${JSON.stringify(v)}.`,
    );
  return ms;
}

export function pathId(raw: string, what: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw badRequest(`${what} id must be a positive whole number; got ${JSON.stringify(raw)}.`);
  return Number(raw);
}

export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}
