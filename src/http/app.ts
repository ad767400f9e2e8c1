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
import { CORS_HEADERS, registerSentryRoutes } from '../ingest/sentry/routes.js';
import { registerOtlpRoutes } from '../ingest/otlp/routes.js';
import { cacheProjectKeys } from '../ingest/project-keys.js';
import { registerMcpRoute, type McpHttpDeps } from '../mcp/http-route.js';
import { registerUi } from './static.js';
import { registerSecurityHeaders } from './security-headers.js';
// Alerts (issue 8, H3)
import { registerAlertRoutes } from '../api/alerts.js';
import type { AlertService } from '../domain/alerts/service.js';
// Releases and deploys (issue 8, H4)
import { registerReleaseRoutes, type ReleaseApiDeps } from '../api/releases.js';
import { registerSentryReleaseRoutes } from '../api/sentry-releases.js';
// Operations (issue 8, H5)
import { registerHttpMetrics, registerMetricsRoute, type MetricsDeps } from '../api/metrics.js';
import { registerOperationsRoutes, type OperationsDeps } from '../api/operations.js';
// Login (issue 7, H1)
import type { BearerVerifier } from '../auth/bearer.js';
import { createGuard } from '../auth/guard.js';
import { registerAuthRoutes } from '../auth/routes.js';
import { attachAuthRuntime, type AuthRuntime } from '../auth/runtime.js';
// API tokens + OAuth for MCP clients (issue 7, H2)
import { registerTokenApiRoutes, type TokenApiDeps } from '../api/tokens.js';
import { registerMcpOAuthRoutes, type McpOAuthDeps } from '../auth/mcp-oauth/index.js';

export interface AppDeps {
  log: Logger;
  ingest: AcceptDeps & { limits: BodyLimits };
  api: ApiDeps;
  health: HealthDeps;
  mcp: McpHttpDeps;
  settings: SettingsDeps;
  // Releases and deploys (issue 8, H4): the release API and sentry-cli's release/deploy routes.
  releases?: ReleaseApiDeps;
  // Operations (issue 8, H5): Settings → Storage, retention, audit; /metrics. Absent: not mounted.
  operations?: OperationsDeps;
  metrics?: MetricsDeps;
  // Login (issue 7, H1): absent = open mode (no login), as before.
  auth?: { runtime: AuthRuntime; bearer?: BearerVerifier };
  // API tokens + OAuth for MCP clients (issue 7, H2). Absent: not mounted.
  tokenApi?: TokenApiDeps;
  mcpOAuth?: McpOAuthDeps;
  // Alerts (issue 8, H3): channels, rules, deliveries. Absent: not mounted.
  alerts?: AlertService;
}

/** Bytes: JSON bodies of our own API are small (a status change, a project name). */
const MAX_API_BODY_BYTES = 1024 * 1024;
/** A request (headers and body) must arrive within this, so slow clients cannot pin sockets. */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * Slow clients (docs/reliability.md): the headers must arrive within HEADERS_TIMEOUT_MS (Node's
 * default is 60 s; a slowloris client trickling header lines holds a socket that long), checked
 * every CONNECTIONS_CHECK_INTERVAL_MS (Node's default, 30 s, would let them live 40 s more).
 * MAX_HEADER_BYTES is Node's default made explicit: bigger header sets get 431.
 */
const HEADERS_TIMEOUT_MS = 10_000;
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;
const MAX_HEADER_BYTES = 16 * 1024;
/**
 * Ingest routes refused at the queue's cap before their bodies are read. Under issue 9's overload
 * the main thread waited for a CPU half of its wall time (docs/benchmarks.md, bench/stall-report.js),
 * and every request it inflated and parsed only to answer 429 lengthened the UI's wait behind it.
 */
const SHED_AT_CAP_ROUTES: ReadonlySet<string> = new Set([
  '/api/:projectId/envelope/',
  '/api/:projectId/store/',
  '/v1/logs',
  '/api/:projectId/integration/otlp/v1/logs',
]);

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // Typed as Fastify's base logger so route modules take a plain FastifyInstance.
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request logs would cost more than an ingest request itself; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_API_BODY_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout: HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
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

  registerSecurityHeaders(app); // before the routes, so it sees every answer
  app.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'POST' || !SHED_AT_CAP_ROUTES.has(request.routeOptions.url ?? '')) return done();
    const refusal = deps.ingest.queue.refusal();
    if (!refusal) return done();
    // The ingest scopes set CORS in hooks that an error here skips; browser SDKs must read the 429.
    reply.headers(CORS_HEADERS);
    done(refusal);
  });

  // Mount table            guard
  if (deps.metrics) registerHttpMetrics(app, deps.metrics.metrics); // Operations (H5): latency of every route
  const traceRequest = deps.operations?.selfMonitor?.traceRequest;
  if (traceRequest) {
    // Self-monitoring traces (SNAG_SENTRY_TRACES_SAMPLE_RATE): the reporter samples and skips ingest.
    app.addHook('onResponse', (request, reply, done) => {
      const durationMs = reply.elapsedTime;
      traceRequest({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        url: request.url,
        status: reply.statusCode,
        startMs: Date.now() - durationMs,
        durationMs,
      });
      done();
    });
  }
  // Both ingest edges share one short-lived cache of project keys.
  const ingest = { ...deps.ingest, findProjectByKey: cacheProjectKeys(deps.ingest.findProjectByKey) };
  registerSentryRoutes(app, ingest); // DSN public key (per project)
  registerOtlpRoutes(app, ingest); // DSN public key (per project), as a Bearer token
  registerHealthRoute(app, deps.health); // none: liveness for load balancers
  if (deps.metrics) registerMetricsRoute(app, deps.metrics); // SNAG_METRICS_TOKEN bearer; open only without login
  // Login (issue 7, H1): `guarded` puts a route group behind src/auth/guard.ts: open mode lets all
  // through; with login, a session cookie (+ CSRF on changes) or a Bearer API token (scope by
  // method, admin for settings, project-scoped tokens to their project); misconfigured → 503.
  attachAuthRuntime(app, deps.auth?.runtime);
  const guard = createGuard({
    bearer: deps.auth?.bearer,
    projectIdOf: (ref) => tryOrUndefined(() => deps.api.projects.getProject(ref).id),
    issueProjectIdOf: (id) => tryOrUndefined(() => deps.api.issues.getIssue(id).project_id),
  });
  app.decorateRequest('snagCaller', undefined);
  const guarded = (register: (scope: FastifyInstance) => void) =>
    app.register(async (scope) => {
      scope.addHook('onRequest', guard.guardApi);
      register(scope);
    });
  if (deps.auth) registerAuthRoutes(app, deps.auth.runtime); // none (rate limited): /auth/*, GET /api/v1/session
  guarded((s) => registerProjectRoutes(s, deps.api)); // session or token
  guarded((s) => registerIssueRoutes(s, deps.api)); // session or token
  guarded((s) => registerPerformanceRoutes(s, deps.api)); // session or token
  guarded((s) => registerLogRoutes(s, deps.api)); // session or token
  // Releases (H4): session or token (deploys need write). sentry-cli sends `Bearer <token>`; its
  // /api/0/organizations/… routes name projects in the body, so the handler checks a project token.
  if (deps.releases) guarded((s) => registerReleaseRoutes(s, deps.releases!)); // session or token
  if (deps.releases) guarded((s) => registerSentryReleaseRoutes(s, deps.releases!)); // token (write for POST/PUT)
  guarded((s) => registerSettingsRoutes(s, deps.settings)); // session or admin token
  if (deps.operations) guarded((s) => registerOperationsRoutes(s, deps.operations!)); // session or admin token (H5)
  if (deps.tokenApi) guarded((s) => registerTokenApiRoutes(s, deps.tokenApi!)); // session or admin token (H2)
  if (deps.alerts) guarded((s) => registerAlertRoutes(s, deps.alerts!)); // session or token (H3)
  registerMcpRoute(app, deps.mcp); // Bearer: SNAG_MCP_TOKEN, an API token, or an OAuth access token for /mcp
  // none: discovery, registration, token endpoints (rate limited); /oauth/authorize checks the session itself (H2)
  if (deps.mcpOAuth) registerMcpOAuthRoutes(app, deps.mcpOAuth);
  app.register(async (scope) => {
    scope.addHook('onRequest', guard.guardUi);
    registerUi(scope);
  }); // the SPA, for every other GET: pages need a session (else → /auth/login), assets do not

  return app;
}

function tryOrUndefined<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Header values must be Latin-1 without control characters; our messages use arrows and ellipses. */
function toHeaderValue(message: string): string {
  return message
    .replace(/→/g, '->')
    .replace(/…/g, '...')
    .replace(/[^\t\x20-\x7e]/g, '?')
    .slice(0, 500);
}
