/**
 * GET requests over every read route of the JSON API (/api/v1, docs/api.md) with hostile path ids
 * and query parameters: each route's own parameters given values of the wrong shape, repeated, or
 * as raw bytes that do not percent-decode, plus the log search syntax (quotes, FTS5 operators,
 * `key:value`, wildcards) in pieces that do not fit together.
 */
import type { Rng } from './prng.js';

export interface KnownIds {
  project: string[];
  issue: string[];
  event: string[];
  transaction: string[];
  log: string[];
  trace: string[];
  release: string[];
}

interface Route {
  path: string;
  params: readonly string[];
}

const LOG_PARAMS = [
  'q',
  'level',
  'environment',
  'service',
  'release',
  'logger',
  'range',
  'start',
  'end',
  'limit',
  'cursor',
  'after',
];
const PERF_PARAMS = ['range', 'environment', 'release'];

export const API_ROUTES: readonly Route[] = [
  { path: '/api/v1/projects', params: [] },
  { path: '/api/v1/projects/:project', params: [] },
  {
    path: '/api/v1/projects/:project/issues',
    params: ['status', 'sort', 'query', 'environment', 'release', 'limit', 'cursor'],
  },
  { path: '/api/v1/issues/:issue', params: [] },
  { path: '/api/v1/issues/:issue/status-changes', params: [] },
  { path: '/api/v1/issues/:issue/events', params: ['limit', 'cursor'] },
  { path: '/api/v1/issues/:issue/events/latest', params: [] },
  { path: '/api/v1/projects/:project/events/:event', params: [] },
  { path: '/api/v1/projects/:project/logs', params: LOG_PARAMS },
  { path: '/api/v1/projects/:project/logs/histogram', params: LOG_PARAMS },
  { path: '/api/v1/projects/:project/logs/facets', params: [] },
  { path: '/api/v1/projects/:project/logs/:log', params: [] },
  { path: '/api/v1/projects/:project/traces/:trace/logs', params: ['limit'] },
  { path: '/api/v1/projects/:project/performance', params: PERF_PARAMS },
  { path: '/api/v1/projects/:project/performance/endpoint', params: [...PERF_PARAMS, 'name'] },
  { path: '/api/v1/projects/:project/performance/compare', params: ['name', 'a', 'b', 'at', 'window'] },
  { path: '/api/v1/projects/:project/performance/n-plus-one', params: PERF_PARAMS },
  {
    path: '/api/v1/projects/:project/transactions',
    params: [
      ...PERF_PARAMS,
      'name',
      'min_duration',
      'max_duration',
      'status',
      'method',
      'http_status',
      'n_plus_one',
      'tag',
      'limit',
      'cursor',
    ],
  },
  { path: '/api/v1/projects/:project/transactions/:transaction', params: [] },
  { path: '/api/v1/projects/:project/releases', params: ['limit', 'cursor'] },
  { path: '/api/v1/projects/:project/releases/:release', params: [] },
  { path: '/api/v1/projects/:project/releases/:release/deploys', params: [] },
  { path: '/api/v1/projects/:project/alert-rules', params: [] },
  { path: '/api/v1/alert-channels', params: [] },
  { path: '/api/v1/alert-deliveries', params: ['limit', 'cursor', 'project', 'status'] },
  { path: '/api/v1/settings/retention', params: [] },
  { path: '/api/v1/settings/audit', params: ['limit', 'cursor'] },
  { path: '/api/v1/settings/storage', params: [] },
  { path: '/api/v1/settings/mcp', params: [] },
  { path: '/api/v1/tokens', params: [] },
];

/** Values that are right for some parameter, so the fuzz gets past the first check. */
const PLAUSIBLE: Record<string, readonly string[]> = {
  status: ['open', 'resolved', 'ignored', 'all', 'ok', 'error'],
  sort: ['last_seen', 'first_seen', 'events', 'users', 'priority'],
  range: ['1h', '6h', '24h', '7d', '14d', '30d', '90d'],
  window: ['1h', '24h', '7d', '30d'],
  level: ['error', 'fatal,warn', 'info', 'trace,debug,info,warn,error,fatal'],
  limit: ['1', '50', '100', '1000', '0', '-1'],
  start: ['2026-11-22T10:00:00Z', '0', '1795335538117'],
  end: ['2026-11-22T12:00:00Z', '99999999999999999999'],
  at: ['2026-11-22T10:00:00Z', '1970-01-01T00:00:00Z'],
  min_duration: ['0', '1.5', '1e3'],
  max_duration: ['1e308', '100'],
  http_status: ['200', '500', '-1'],
  n_plus_one: ['true', 'false'],
  tag: ['env:prod', 'a:b:c', ':x', 'x:'],
  method: ['GET', 'post', 'X'.repeat(20)],
  name: ['GET /orders', 'GET /users/:id', '%'],
};

const HOSTILE: readonly string[] = [
  '',
  ' ',
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '-99999999999999999999',
  '9007199254740993',
  'null',
  'undefined',
  '[]',
  '{}',
  'true',
  "'",
  '"',
  '\\',
  '%',
  '*',
  '\u0000',
  '\ufeff',
  'é',
  '💥',
  '\ud800',
  'x'.repeat(501),
  'x'.repeat(5000),
  '2026-02-30T25:61:61Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  'eyJpZCI6MX0',
  'MTcwMDAwMDAwMDAwMDox',
  '1700000000000:1',
  '1700000000000:-1',
  ':',
  '::::',
  '../..',
];

const SEARCH_TOKENS: readonly string[] = [
  'level:error',
  'service:"checkout api"',
  'environment:prod',
  'trace:8f3d4e41efadf09d2a348ebb9394f6e3',
  'foo',
  'foo*',
  '*',
  '"unterminated',
  '""',
  '"a" "b"',
  'NEAR(a b)',
  'NEAR(a b, -1)',
  'AND',
  'OR',
  'NOT',
  'a OR',
  '-foo',
  '^start',
  '(',
  ')',
  '{col}:x',
  'key:',
  ':value',
  'a:b:c',
  "'",
  '\u0000',
  '💥',
  'x'.repeat(300),
  'body:hello',
  'attributes.http.method:GET',
  '@@',
  '+',
  '-',
];

function searchQuery(rng: Rng): string {
  return Array.from({ length: rng.between(1, 6) }, () => rng.pick(SEARCH_TOKENS)).join(
    rng.pick([' ', '  ', '\t', '']),
  );
}

function valueFor(rng: Rng, param: string): string {
  const roll = rng.int(10);
  if ((param === 'q' || param === 'query') && roll < 7) return searchQuery(rng);
  if (roll < 4 && PLAUSIBLE[param]) return rng.pick(PLAUSIBLE[param]);
  return rng.pick(HOSTILE);
}

/** Percent-encodes the UTF-8 bytes (encodeURIComponent throws on a lone surrogate). */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

/** Raw query-string pieces that are not valid percent-encoding or UTF-8. */
const RAW_QUERY_DAMAGE = [
  '%',
  '%zz',
  '%00',
  '%ff%fe',
  '%c3%28',
  '%ed%a0%80',
  '&&&',
  '==',
  '&a[b]=1',
  '&__proto__=1',
  '&constructor[prototype]=1',
];

function fillPath(rng: Rng, path: string, ids: KnownIds): string {
  return path.replace(/:(\w+)/g, (_m, name: keyof KnownIds) => {
    const known = ids[name] ?? [];
    const raw = known.length > 0 && rng.chance(0.7) ? rng.pick(known) : rng.pick(HOSTILE);
    return rng.chance(0.05) ? rng.pick(['%', '%zz', '%00', '%2F', '..']) : encode(raw);
  });
}

export function fuzzApiRequest(rng: Rng, ids: KnownIds): string {
  const route = rng.pick(API_ROUTES);
  const pairs: string[] = [];
  for (const param of route.params) {
    if (!rng.chance(0.4)) continue;
    const times = rng.chance(0.1) ? rng.between(2, 12) : 1;
    for (let i = 0; i < times; i++) pairs.push(`${param}=${encode(valueFor(rng, param))}`);
  }
  if (rng.chance(0.1)) pairs.push(`${rng.pick(['x', 'limit', 'q'])}=${encode(rng.pick(HOSTILE))}`);
  let query = pairs.join('&');
  if (rng.chance(0.1)) query += rng.pick(RAW_QUERY_DAMAGE);
  const path = fillPath(rng, route.path, ids);
  return query ? `${path}?${query}` : path;
}
