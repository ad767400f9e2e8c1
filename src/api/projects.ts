import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { bodyObject } from './params.js';

export function registerProjectRoutes(
  app: FastifyInstance,
  { projects, issues, performance }: ApiDeps,
): void {
  app.get('/api/v1/projects', async () => {
    const apm = performance.projectsLast24h();
    return {
      projects: projects.listProjects().map((p) => ({
        ...p,
        stats: { ...issues.projectStats(p.id), performance: apm.get(p.id) ?? null },
      })),
    };
  });

  app.post('/api/v1/projects', async (request, reply) => {
    const { name } = bodyObject(request.body);
    if (typeof name !== 'string') throw badRequest('Send {"name": "<project name>"}.');
    return reply.code(201).send(projects.createProject(name));
  });

  app.get<{ Params: { project: string } }>('/api/v1/projects/:project', async (request) =>
    projects.getProject(request.params.project),
  );

  app.patch<{ Params: { project: string } }>('/api/v1/projects/:project', async (request) => {
    const { name } = bodyObject(request.body);
    if (typeof name !== 'string')
      throw badRequest('Send {"name": "<new project name>"}; the slug and DSN stay the same.');
    return projects.renameProject(request.params.project, name);
  });

  app.post<{ Params: { project: string } }>('/api/v1/projects/:project/rotate-key', async (request) =>
    projects.rotateKey(request.params.project),
  );
}
