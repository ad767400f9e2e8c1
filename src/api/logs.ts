/** Logs routes: parse → LogsService → JSON. Shapes in src/domain/logs/views.ts. */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import { LOG_RANGES, type LogSearchParams } from '../domain/logs/service.js';
import { LOG_LEVELS, type LogLevel } from '../domain/logs/types.js';
import type { ApiDeps } from './deps.js';
import { optionalInt, optionalOneOf, optionalString, optionalTime } from './params.js';

type Q = Record<string, unknown>;
type P = { Params: { project: string }; Querystring: Q };

export function registerLogRoutes(app: FastifyInstance, { logs }: ApiDeps): void {
  app.get<P>('/api/v1/projects/:project/logs', async (request) => {
    const q = request.query;
    const after = optionalString(q, 'after', 20);
    const params = { ...searchParams(q), limit: optionalInt(q, 'limit') };
    if (after !== undefined) return logs.tail(request.params.project, { ...params, afterId: after });
    return logs.search(request.params.project, { ...params, cursor: optionalString(q, 'cursor', 20) });
  });

  app.get<P>('/api/v1/projects/:project/logs/histogram', async (request) =>
    logs.histogram(request.params.project, searchParams(request.query)),
  );

  app.get<P>('/api/v1/projects/:project/logs/facets', async (request) => logs.facets(request.params.project));

  app.get<{ Params: { project: string; id: string } }>(
    '/api/v1/projects/:project/logs/:id',
    async (request) => logs.get(request.params.project, request.params.id),
  );

  app.get<{ Params: { project: string; traceId: string }; Querystring: Q }>(
    '/api/v1/projects/:project/traces/:traceId/logs',
    async (request) =>
      logs.ofTrace(request.params.project, request.params.traceId, optionalInt(request.query, 'limit')),
  );
}

function searchParams(q: Q): LogSearchParams {
  return {
    q: optionalString(q, 'q', 1000),
    levels: levelsOf(q['level']),
    environment: optionalString(q, 'environment'),
    service: optionalString(q, 'service'),
    release: optionalString(q, 'release'),
    logger: optionalString(q, 'logger'),
    range: optionalOneOf(q, 'range', LOG_RANGES),
    startMs: optionalTime(q, 'start'),
    endMs: optionalTime(q, 'end'),
  };
}

/** `level=error&level=fatal` or `level=error,fatal`. */
function levelsOf(raw: unknown): LogLevel[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const names = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(','));
  for (const n of names) {
    if (!(LOG_LEVELS as readonly string[]).includes(n))
      throw badRequest(`level must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(n)}.`);
  }
  return names as LogLevel[];
}
