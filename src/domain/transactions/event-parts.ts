/**
 * The event-like parts of a transaction (user, tags, request, contexts), bounded and scrubbed the
 * way error events are: the same `scrubEvent` with the same options, so a secret filtered from an
 * error is filtered from the transaction of the same request too (architecture.md invariant 7).
 */
import { scrubEvent, type ScrubOptions } from '../events/scrub.js';
import type { NormalizedEvent } from '../events/types.js';
import type { TransactionRecord } from './types.js';

type Json = Record<string, unknown>;
export type TransactionUser = TransactionRecord['user'];

/** Bounds the per-transaction tag bookkeeping, as for error events (digest-event.ts). */
export const MAX_TAGS = 50;
// Relay's limits (protocol/tags.rs).
const MAX_TAG_KEY_CHARS = 200;
const MAX_TAG_VALUE_CHARS = 200;

export interface EventParts {
  user: TransactionUser;
  tags: Record<string, string>;
  request: Json | null;
  contexts: Json;
}

export function scrubParts(parts: EventParts, options: ScrubOptions): EventParts {
  if (!options.enabled) return parts;
  // scrubEvent walks every top-level key but the skipped ones, so a minimal event carrying only
  // these parts gets exactly the errors' treatment; it mutates, hence the copies.
  const event = {
    exception: { values: [] },
    tags: Object.entries(parts.tags),
    contexts: copyJson(parts.contexts),
    user: { ...parts.user },
    ...(parts.request ? { request: copyJson(parts.request) } : {}),
  } as unknown as NormalizedEvent;
  scrubEvent(event, options);
  const user = event.user as Json;
  return {
    user: {
      id: readText(user.id),
      email: readText(user.email),
      username: readText(user.username),
      ip_address: readText(user.ip_address),
    },
    tags: Object.fromEntries(event.tags),
    request: (event.request as Json | undefined) ?? null,
    contexts: event.contexts,
  };
}

/**
 * A deep copy of parsed JSON (plain objects, arrays, scalars): what structuredClone gives for such
 * data, at a third of its cost (~15 → 5 µs for the bench's contexts and request). A `__proto__`
 * key stays an own property, as JSON.parse made it.
 */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const key of Object.keys(value)) {
    const copy = copyJson((value as Json)[key]);
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    } else out[key] = copy;
  }
  return out;
}

export function readUser(value: unknown): TransactionUser {
  const user = isObject(value) ? value : {};
  return {
    id: readText(user.id),
    email: readText(user.email),
    username: readText(user.username),
    ip_address: user.ip_address === '{{auto}}' ? null : readText(user.ip_address),
  };
}

/** `{key: value}` or `[[key, value]]`, scalars as strings, the first MAX_TAGS. */
export function readTags(value: unknown): Record<string, string> {
  const entries = Array.isArray(value)
    ? value.filter((pair): pair is [unknown, unknown] => Array.isArray(pair) && pair.length === 2)
    : isObject(value)
      ? Object.entries(value)
      : [];
  const tags: Record<string, string> = {};
  let count = 0;
  for (const [key, raw] of entries) {
    const text = readScalar(raw);
    if (typeof key !== 'string' || key.trim() === '' || text === null) continue;
    tags[key.trim().slice(0, MAX_TAG_KEY_CHARS)] = text.slice(0, MAX_TAG_VALUE_CHARS);
    if (++count >= MAX_TAGS) break;
  }
  return tags;
}

/** A non-empty string, or a number rendered as one. */
export function readText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text === '' ? null : text;
}

export function readScalar(value: unknown): string | null {
  return typeof value === 'boolean' ? String(value) : readText(value);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A hex id (trace 32, span 16 characters), lowercased, UUID dashes removed. */
export function readId(value: unknown, pattern: RegExp): string | undefined {
  if (typeof value !== 'string') return undefined;
  // What SDKs send: already the canonical form, so trimming, dashes and case change nothing.
  if (pattern.test(value)) return value;
  const id = value.trim().replaceAll('-', '').toLowerCase();
  return pattern.test(id) ? id : undefined;
}

export const TRACE_ID = /^[0-9a-f]{32}$/;
export const SPAN_ID = /^[0-9a-f]{16}$/;
