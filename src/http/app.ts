/**
 * Builds the HTTP app (it does not listen). The mount table below is the whole surface, with the
 * guard each group sits behind; the single error handler turns AppError into its status and a
 * Sentry-style `{"detail": …}` body and logs everything else as a bug.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { registerHealthRoute, type HealthDeps } from '../api/health.js';
import { registerIssueRoutes } from '../api/issues.js';
import { registerLogRoutes } from '../api/logs.js';
import { registerPerformanceRoutes } from '../api/performance.js';
import { registerProjectRoutes } from '../api/projects.js';
import { registerSettingsRoutes, type SettingsDeps } from '../api/settings.js';
import type { ApiDeps } from '../api/deps.js';
import type { BodyLimits } from '../ingest/decode-body.js';
import type { AcceptDeps } from '../ingest/sentry/accept.js';
import { registerSentryRoutes } from '../ingest/sentry/routes.js';
import { registerOtlpRoutes } from '../ingest/otlp/routes.js';
import { cacheProjectKeys } from '../ingest/project-keys.js';
import { registerMcpRoute, type McpHttpDeps } from '../mcp/http-route.js';
import { registerUi } from './static.js';

export interface AppDeps {
  log: Logger;
  ingest: AcceptDeps & { limits: BodyLimits };
  api: ApiDeps;
  health: HealthDeps;
  mcp: McpHttpDeps;
  settings: SettingsDeps;
}

/** Bytes: JSON bodies of our own API are small (a status change, a project name). */
const MAX_API_BODY_BYTES = 1024 * 1024;
/** A request (headers and body) must arrive within this, so slow clients cannot pin sockets. */
const REQUEST_TIMEOUT_MS = 30_000;

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // Typed as Fastify's base logger so route modules take a plain FastifyInstance.
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request logs would cost more than an ingest request itself; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_API_BODY_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });

  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      if (!err.expose) request.log.error({ err, url: request.url }, 'request failed');
      return reply
        .code(err.status)
        .headers({ ...err.headers, 'X-Sentry-Error': toHeaderValue(err.message) })
        .send({ detail: err.expose ? err.message : 'internal error', code: err.code });
    }
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500
        ? err.statusCode
        : 500;
    if (status === 500) {
      request.log.error({ err, method: request.method, url: request.url }, 'unhandled error');
      return reply.code(500).send({ detail: 'internal error: it has been logged', code: 'internal' });
    }
    return reply.code(status).send({ detail: err.message, code: err.code ?? 'bad_request' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      detail: `No route ${request.method} ${request.url.split('?')[0]}: see docs/api.md.`,
      code: 'not_found',
    }),
  );

  // Mount table            guard
  // Both ingest edges share one short-lived cache of project keys.
  const ingest = { ...deps.ingest, findProjectByKey: cacheProjectKeys(deps.ingest.findProjectByKey) };
  registerSentryRoutes(app, ingest); // DSN public key (per project)
  registerOtlpRoutes(app, ingest); // DSN public key (per project), as a Bearer token
  registerHealthRoute(app, deps.health); // none: liveness for load balancers
  registerProjectRoutes(app, deps.api); // none until login is configured
  registerIssueRoutes(app, deps.api); // none until login is configured
  registerPerformanceRoutes(app, deps.api); // none until login is configured
  registerLogRoutes(app, deps.api); // none until login is configured
  registerSettingsRoutes(app, deps.settings); // none until login is configured
  registerMcpRoute(app, deps.mcp); // Bearer: SNAG_MCP_TOKEN or a `snag token create` token
  registerUi(app); // none until login is configured: the SPA, for every other GET

  return app;
}

/** Header values must be Latin-1 without control characters; our messages use arrows and ellipses. */
function toHeaderValue(message: string): string {
  return message
    .replace(/→/g, '->')
    .replace(/…/g, '...')
    .replace(/[^\t\x20-\x7e]/g, '?')
    .slice(0, 500);
}
