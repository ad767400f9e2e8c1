/**
 * Alerts API: channels (/api/v1/alert-channels, with "send test"), rules per project
 * (/api/v1/projects/:project/alert-rules, /api/v1/alert-rules/:id) and the delivery log
 * (/api/v1/alert-deliveries). Parsing and validation live in domain/alerts; this file maps
 * routes to the service and says who made each change.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../auth/guard.js';
import type { AlertService } from '../domain/alerts/service.js';
import { AppError } from '../errors.js';
import { bodyObject, optionalInt, optionalOneOf, optionalString, pathId } from './params.js';

type Q = Record<string, unknown>;

/** The audit actor of a change: the signed-in person's email, the token's actor, or 'anonymous'. */
function actor(request: FastifyRequest): string {
  return actorOf(request.snagCaller);
}

/**
 * Channels and the delivery log span every project, so a project-scoped token may not touch them;
 * a rule addressed by id must belong to the token's project. (The guard checks project routes.)
 */
function assertProjectAccess(request: FastifyRequest, projectId: number | null): void {
  const caller = request.snagCaller;
  if (caller?.kind !== 'token' || caller.projectId === null || caller.projectId === projectId) return;
  throw new AppError(
    'forbidden',
    403,
    projectId === null
      ? 'This token is scoped to one project; alert channels and deliveries span all projects: use an unscoped token.'
      : 'This token is scoped to another project than this alert rule.',
  );
}

export function registerAlertRoutes(app: FastifyInstance, alerts: AlertService): void {
  app.addHook('onRequest', async (request) => {
    if (/^\/api\/v1\/alert-(channels|deliveries)(\/|\?|$)/.test(request.url))
      assertProjectAccess(request, null);
  });

  app.get('/api/v1/alert-channels', async () => alerts.listChannels());

  app.post('/api/v1/alert-channels', async (request, reply) =>
    reply.code(201).send(alerts.createChannel(bodyObject(request.body), actor(request))),
  );

  app.patch<{ Params: { id: string } }>('/api/v1/alert-channels/:id', async (request) =>
    alerts.updateChannel(request.params.id, bodyObject(request.body), actor(request)),
  );

  app.delete<{ Params: { id: string } }>('/api/v1/alert-channels/:id', async (request, reply) => {
    alerts.deleteChannel(request.params.id, actor(request));
    return reply.code(204).send();
  });

  // Sends now and answers with the outcome: 200 with ok=false and the error when the channel failed.
  app.post<{ Params: { id: string } }>('/api/v1/alert-channels/:id/test', async (request) =>
    alerts.testChannel(request.params.id, actor(request)),
  );

  app.get<{ Params: { project: string } }>('/api/v1/projects/:project/alert-rules', async (request) =>
    alerts.listRules(request.params.project),
  );

  app.post<{ Params: { project: string } }>('/api/v1/projects/:project/alert-rules', async (request, reply) =>
    reply.code(201).send(alerts.createRule(request.params.project, bodyObject(request.body), actor(request))),
  );

  app.patch<{ Params: { id: string } }>('/api/v1/alert-rules/:id', async (request) => {
    const id = pathId(request.params.id, 'alert rule');
    assertProjectAccess(request, alerts.ruleProjectId(id));
    return alerts.updateRule(id, bodyObject(request.body), actor(request));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/alert-rules/:id', async (request, reply) => {
    const id = pathId(request.params.id, 'alert rule');
    assertProjectAccess(request, alerts.ruleProjectId(id));
    alerts.deleteRule(id, actor(request));
    return reply.code(204).send();
  });

  app.get<{ Querystring: Q }>('/api/v1/alert-deliveries', async (request) =>
    alerts.listDeliveries({
      status: optionalOneOf(request.query, 'status', ['pending', 'sent', 'failed'] as const),
      channel: optionalString(request.query, 'channel', 50),
      limit: optionalInt(request.query, 'limit'),
    }),
  );
}
