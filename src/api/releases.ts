/** Release and deploy routes of the JSON API: parse → ReleaseService → JSON (src/domain/releases/views.ts). */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import { MAX_RELEASES_PAGE, type ReleaseService } from '../domain/releases/service.js';
import { bodyObject, optionalInt, optionalString } from './params.js';

export interface ReleaseApiDeps {
  releases: ReleaseService;
}

/** The largest time a JavaScript Date holds (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

type P = { Params: { project: string }; Querystring: Record<string, unknown> };
type V = { Params: { project: string; version: string } };

export function registerReleaseRoutes(app: FastifyInstance, { releases }: ReleaseApiDeps): void {
  app.get<P>('/api/v1/projects/:project/releases', async (request) => {
    const limit = optionalInt(request.query, 'limit');
    if (limit !== undefined && (limit < 1 || limit > MAX_RELEASES_PAGE))
      throw badRequest(`limit must be from 1 to ${MAX_RELEASES_PAGE}.`);
    return releases.list(request.params.project, {
      limit,
      cursor: optionalString(request.query, 'cursor', 1000),
    });
  });

  app.get<V>('/api/v1/projects/:project/releases/:version', async (request) =>
    releases.get(request.params.project, request.params.version),
  );

  app.get<V>('/api/v1/projects/:project/releases/:version/deploys', async (request) => ({
    deploys: releases.listDeploys(request.params.project, request.params.version),
  }));

  app.post<V>('/api/v1/projects/:project/releases/:version/deploys', async (request, reply) => {
    const body = bodyObject(request.body);
    const environment = body['environment'];
    if (typeof environment !== 'string')
      throw badRequest(
        'Send {"environment": "production"} (plus optional "time", "started_at", "url", "name").',
      );
    const deploy = releases.createDeploy(request.params.project, request.params.version, {
      environment,
      name: optionalText(body, 'name'),
      url: optionalText(body, 'url'),
      startedAt: optionalTime(body, 'started_at'),
      finishedAt: optionalTime(body, 'time'),
    });
    return reply.code(201).send(deploy);
  });
}

function optionalText(body: Record<string, unknown>, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string.`);
  return v;
}

/** An ISO 8601 time, or a Unix time in seconds (what shell scripts have at hand: `date +%s`). */
function optionalTime(body: Record<string, unknown>, name: string): number | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN;
  // Date objects reach ±8.64e15 ms: past that, toISOString throws when the deploy is shown.
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS)
    throw badRequest(
      // Only scalars are quoted back: JSON.stringify of a 10,000-deep array overflows the stack.
      `${name} must be an ISO 8601 time such as 2026-11-22T10:00:00Z or Unix seconds; got ${typeof v === 'object' ? typeof v : JSON.stringify(v)}.`,
    );
  return ms;
}
