/** Performance (APM) routes: parse → PerformanceService → JSON. Shapes in src/domain/transactions/views.ts. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import { PERFORMANCE_RANGES } from '../domain/transactions/performance-service.js';
import type { ApiDeps } from './deps.js';
import { optionalInt, optionalOneOf, optionalString, optionalTime } from './params.js';

type Q = Record<string, unknown>;
type P = { Params: { project: string }; Querystring: Q };

export function registerPerformanceRoutes(app: FastifyInstance, { performance }: ApiDeps): void {
  const filters = (q: Q) => ({
    range: optionalOneOf(q, 'range', PERFORMANCE_RANGES),
    environment: optionalString(q, 'environment'),
    release: optionalString(q, 'release'),
  });

  app.get<P>('/api/v1/projects/:project/performance', async (request) =>
    performance.overview(request.params.project, filters(request.query)),
  );

  app.get<P>('/api/v1/projects/:project/performance/endpoint', async (request) => {
    const name = optionalString(request.query, 'name', 1000);
    if (name === undefined)
      throw badRequest('name is required: the endpoint (transaction name), e.g. GET /users/:id.');
    return performance.endpoint(request.params.project, name, filters(request.query));
  });

  app.get<P>('/api/v1/projects/:project/performance/compare', async (request) => {
    const q = request.query;
    const atMs = optionalTime(q, 'at');
    return performance.compare(request.params.project, {
      name: optionalString(q, 'name', 1000),
      a: optionalString(q, 'a'),
      b: optionalString(q, 'b'),
      at: atMs,
      windowRange: optionalOneOf(q, 'window', PERFORMANCE_RANGES),
    });
  });

  app.get<P>('/api/v1/projects/:project/performance/n-plus-one', async (request) =>
    performance.nPlusOne(request.params.project, filters(request.query)),
  );

  app.get<P>('/api/v1/projects/:project/transactions', async (request) => {
    const q = request.query;
    return performance.search(request.params.project, {
      ...filters(q),
      name: optionalString(q, 'name', 1000),
      minDurationMs: optionalNumber(q, 'min_duration'),
      maxDurationMs: optionalNumber(q, 'max_duration'),
      status: optionalString(q, 'status', 50),
      method: optionalString(q, 'method', 20)?.toUpperCase(),
      httpStatus: optionalInt(q, 'http_status'),
      nPlusOne: optionalOneOf(q, 'n_plus_one', ['true', 'false'] as const)?.startsWith('t'),
      tags: tagFilters(q['tag']),
      limit: optionalInt(q, 'limit'),
      cursor: optionalString(q, 'cursor', 50),
    });
  });

  app.get<{ Params: { project: string; id: string } }>(
    '/api/v1/projects/:project/transactions/:id',
    async (request) => performance.detail(request.params.project, request.params.id.toLowerCase()),
  );
}

function optionalNumber(q: Q, name: string): number | undefined {
  const v = optionalString(q, name, 30);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw badRequest(`${name} must be a number of milliseconds ≥ 0; got ${JSON.stringify(v)}.`);
  return n;
}

/** `tag=key:value`, repeatable; the value may itself contain colons. */
function tagFilters(raw: unknown): [string, string][] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > 10) throw badRequest('At most 10 tag filters.');
  return list.map((t) => {
    const s = String(t);
    const i = s.indexOf(':');
    if (i <= 0) throw badRequest(`tag must be key:value; got ${JSON.stringify(s)}.`);
    return [s.slice(0, i), s.slice(i + 1)];
  });
}
