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
