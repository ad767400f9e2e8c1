/**
 * Reads the request bodies captured from real SDKs in test/fixtures/apm/ (see NOTES.md there):
 * gzip-decoded when the SDK compressed them, split with the real envelope parser.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseEnvelope } from '../../../src/ingest/sentry/envelope.js';
import type { QueryPattern } from '../../../src/domain/transactions/types.js';

const FIXTURES = new URL('../../fixtures/apm/', import.meta.url);

export interface FixtureItem {
  type: string;
  payload: unknown;
}

export function readFixtureItems(name: string): FixtureItem[] {
  let body = readFileSync(new URL(name, FIXTURES));
  if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
  return parseEnvelope(body).items.map((item) => ({
    type: item.type,
    payload: JSON.parse(item.payload.toString('utf8')) as unknown,
  }));
}

/** The payload of the one item of type `type` in a fixture. */
export function readFixturePayload(name: string, type: string): Record<string, unknown> {
  const item = readFixtureItems(name).find((candidate) => candidate.type === type);
  if (!item) throw new Error(`${name} has no ${type} item`);
  return item.payload as Record<string, unknown>;
}

/** What the /orders route of both helper apps runs (test/helpers/node-apm-app.js). */
export const ORDERS_PATTERNS: Partial<QueryPattern>[] = [
  { pattern: 'SELECT * FROM users WHERE id = ?', count: 8, distinct: 8, n_plus_one: true },
  { pattern: 'SELECT * FROM settings WHERE key = ?', count: 5, distinct: 1, n_plus_one: true },
  {
    pattern: 'SELECT COUNT(*) AS total FROM orders',
    count: 1,
    distinct: 1,
    n_plus_one: false,
    call_site: 'application:Shop,controller:orders,action:index',
  },
  { pattern: 'SELECT * FROM orders', count: 1, distinct: 1, n_plus_one: false },
];

export function summarizePatterns(patterns: QueryPattern[]): Partial<QueryPattern>[] {
  return ORDERS_PATTERNS.map((expected) => {
    const found = patterns.find((p) => p.pattern === expected.pattern);
    if (!found) return { pattern: `missing: ${expected.pattern}` };
    const { pattern, count, distinct, n_plus_one, call_site } = found;
    return call_site === undefined
      ? { pattern, count, distinct, n_plus_one }
      : { pattern, count, distinct, n_plus_one, call_site };
  });
}

/** The union of the given [start, end] intervals in ms, computed the obvious way. */
export function unionMs(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [start, end] of sorted) {
    if (start > to) {
      if (to > from) total += to - from;
      [from, to] = [start, end];
    } else to = Math.max(to, end);
  }
  if (to > from) total += to - from;
  return total;
}
