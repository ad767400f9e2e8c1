import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../auth/guard.js';
import { badRequest } from '../errors.js';
import { ISSUE_SORTS, ISSUE_STATUSES } from '../domain/issues/service.js';
import type { ApiDeps } from './deps.js';
import { bodyObject, optionalInt, optionalOneOf, optionalString, pathId } from './params.js';

type Q = Record<string, unknown>;
/** The service's own cap (issues/service.ts setStatus), checked here before any lookup. */
const MAX_BULK_IDS = 1000;
/** Who changed a status without login (open mode): the trail has always said 'api' for those. */
const API_ACTOR = 'api';

/** The signed-in person's email or the token's actor (issue 7); 'api' in open mode. */
function auditActor(request: FastifyRequest): string {
  const caller = request.snagCaller;
  return !caller || caller.kind === 'open' ? API_ACTOR : actorOf(caller);
}

export function registerIssueRoutes(app: FastifyInstance, { projects, issues }: ApiDeps): void {
  app.get<{ Params: { project: string }; Querystring: Q }>(
    '/api/v1/projects/:project/issues',
    async (request) => {
      const project = projects.getProject(request.params.project);
      const q = request.query;
      return issues.listIssues({
        projectId: project.id,
        status: optionalOneOf(q, 'status', [...ISSUE_STATUSES, 'all'] as const),
        environment: optionalString(q, 'environment'),
        release: optionalString(q, 'release'),
        query: optionalString(q, 'query'),
        sort: optionalOneOf(q, 'sort', ISSUE_SORTS),
        limit: optionalInt(q, 'limit'),
        cursor: optionalString(q, 'cursor'),
      });
    },
  );

  // Bulk status change: {"ids": [1, 2], "status": "resolved"}.
  app.patch<{ Params: { project: string } }>('/api/v1/projects/:project/issues', async (request) => {
    const project = projects.getProject(request.params.project);
    const { ids, status, reason } = bodyObject(request.body);
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id)) || typeof status !== 'string') {
      throw badRequest('Send {"ids": [<issue id>, …], "status": "open" | "resolved" | "ignored"}.');
    }
    // Before the per-id lookups: a 1 MiB body holds 500,000 ids, each a query.
    if (ids.length > MAX_BULK_IDS)
      throw badRequest(`At most ${MAX_BULK_IDS} issues can change status in one request.`);
    const numeric = ids as number[];
    for (const id of numeric) {
      if (issues.getIssue(id).project_id !== project.id)
        throw badRequest(`Issue ${id} is not in project ${project.slug}.`);
    }
    return issues.setStatus(
      numeric,
      status,
      auditActor(request),
      typeof reason === 'string' ? reason : undefined,
    );
  });

  app.get<{ Params: { id: string } }>('/api/v1/issues/:id', async (request) => {
    const issue = issues.getIssue(pathId(request.params.id, 'issue'));
    const { id, slug, name } = projects.getProject(issue.project_id);
    return { ...issue, project: { id, slug, name } };
  });

  app.patch<{ Params: { id: string } }>('/api/v1/issues/:id', async (request) => {
    const { status, reason } = bodyObject(request.body);
    const id = pathId(request.params.id, 'issue');
    // String() of a 10,000-deep array overflows the stack (Array#join recurses): a 500 once.
    if (typeof status !== 'string') throw badRequest('Send {"status": "open" | "resolved" | "ignored"}.');
    const result = issues.setStatus(
      [id],
      status,
      auditActor(request),
      typeof reason === 'string' ? reason : undefined,
    );
    return { changed: result.changed.length > 0, issue: issues.getIssue(id) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/issues/:id/status-changes', async (request) => ({
    status_changes: issues.listStatusChanges(pathId(request.params.id, 'issue')),
  }));

  app.get<{ Params: { id: string }; Querystring: Q }>('/api/v1/issues/:id/events', async (request) =>
    issues.listIssueEvents(pathId(request.params.id, 'issue'), {
      limit: optionalInt(request.query, 'limit'),
      cursor: optionalString(request.query, 'cursor'),
    }),
  );

  app.get<{ Params: { id: string } }>('/api/v1/issues/:id/events/latest', async (request) =>
    issues.getLatestEvent(pathId(request.params.id, 'issue')),
  );

  app.get<{ Params: { project: string; eventId: string } }>(
    '/api/v1/projects/:project/events/:eventId',
    async (request) => {
      const project = projects.getProject(request.params.project);
      return issues.getEvent(project.id, request.params.eventId);
    },
  );
}
