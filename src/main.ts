/**
 * Composition root: config → storage → migrate → queue → workers → http. Returns a handle whose
 * close() drains in the safe order: stop accepting, commit what was accepted, stop the worker,
 * close the files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import type { ProjectView } from './domain/projects/service.js';
import { createStatusService } from './domain/status/service.js';
import { createTokenService } from './domain/tokens/service.js';
// API tokens + OAuth for MCP clients (issue 7, H2)
import { createBearerVerifier } from './auth/bearer.js';
import { mcpResourceOf, resourceMetadataUrlOf } from './auth/mcp-oauth/index.js';
import { createOAuthService } from './domain/tokens/oauth-service.js';
// Login (issue 7, H1)
import { createAuthRuntime, describeAuthWarnings } from './auth/runtime.js';
import { createUserService } from './domain/users/service.js';
import { buildApp } from './http/app.js';
import { startAlerting } from './workers/alerts-loop.js'; // Alerts (issue 8, H3)
// Operations (issue 8, H5)
import { createMetrics } from './api/metrics.js';
import { startOperations } from './scheduler/start-operations.js';
import { createIngestStats } from './ingest/stats.js';
import { createRateLimits } from './ingest/rate-limits.js'; // Rate limits (issue 9, H6)
import { createLogger, type Logger } from './log.js';
import { createBearerAuth } from './mcp/auth.js';
import { CHECKPOINT_INTERVAL_MS, startQueueCheckpointer } from './queue/checkpointer.js';
import { createQueue } from './queue/queue.js';
import { createServices } from './services.js';
import { createFreeSpaceProbe } from './storage/data-files.js';
import { DATA_FILES, migrateAll, openStorage } from './storage/index.js';
import { startWorkers } from './workers/runner.js';
import { VERSION } from './version.js';

export interface Server {
  url: string;
  defaultProject: ProjectView;
  log: Logger;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<Server> {
  const log = createLogger(config.logLevel);
  fs.mkdirSync(config.dataDir, { recursive: true });
  migrateAll(config.dataDir);
  const storage = openStorage(config.dataDir);

  const { projects, issues, performance, logs, releases } = createServices(storage, config.publicUrl);
  const defaultProject = projects.ensureDefaultProject(config.defaultProjectName);

  const queue = createQueue(storage.queue, {
    maxDepth: config.queue.maxDepth,
    log,
    freeSpace: createFreeSpaceProbe(config.dataDir),
    diskReserveBytes: config.queue.diskReserveBytes,
  });
  // queue.db's checkpoints on a thread of their own, neither the errors thread nor this one;
  // it rests when idle like the digest threads.
  const checkpointer = startQueueCheckpointer(
    path.join(config.dataDir, DATA_FILES.queue),
    log,
    { intervalMs: CHECKPOINT_INTERVAL_MS, restAfterIdleMs: config.queue.restAfterIdleMs },
    (wal) => queue.finishCheckpoint(wal),
  );
  queue.onCommit(() => checkpointer.noteCommit());
  const metrics = createMetrics(); // Operations (issue 8, H5): /metrics
  const workers = startWorkers(
    {
      dataDir: config.dataDir,
      batchSize: config.queue.batchSize,
      restAfterIdleMs: config.queue.restAfterIdleMs,
      scrub: config.scrub,
      maxDecompressedBytes: config.limits.maxDecompressedBytes,
      apm: config.apm,
      logs: config.logs,
      logLevel: config.logLevel,
    },
    queue,
    log,
    { onBatch: metrics.observeBatch }, // Operations (issue 8, H5)
  );
  const stats = createIngestStats();
  // Operations (issue 8, H5): retention, scheduler (lease in app.db), Settings → Storage, /metrics.
  const operations = startOperations({ config, storage, workers, queue, stats, metrics, log });
  const tokens = createTokenService(storage.tokens, projects); // API tokens (issue 7, H2)
  const status = createStatusService({
    app: storage.app,
    issues: storage.issues,
    transactions: storage.transactions,
    queueDepth: queue.depth,
    dataDir: config.dataDir,
    version: VERSION,
    runtime: `Node.js ${process.version}`,
  });
  // Known once listening (port 0 picks one); the Settings page shows URLs built from it.
  let publicUrl = config.publicUrl;
  // Alerts (issue 8, H3): routes new issues and regressions from errors.db's outbox, evaluates
  // bursts, spikes and endpoint thresholds, sends deliveries with retries (workers/alerts-loop.ts).
  const alerting = startAlerting({
    config: config.alerts,
    storage,
    projects,
    performance,
    publicUrl: () => publicUrl,
    log,
    isActive: () => operations.scheduler.isLeader(),
  });
  // API tokens + OAuth for MCP clients (issue 7, H2): one verifier for the JSON API guard and /mcp.
  const oauth = createOAuthService(storage.oauth);
  const bearer = createBearerVerifier({
    envToken: config.mcp.token,
    tokens,
    oauth,
    mcpResource: () => mcpResourceOf(publicUrl),
  });

  // Login (issue 7, H1): mode, provider, sessions (docs/auth.md). Warnings are loud on purpose.
  for (const warning of describeAuthWarnings(config.auth, config.host)) log.warn(warning);
  const authRuntime = createAuthRuntime({
    config: config.auth,
    users: createUserService(storage.users, {
      allowlist: { users: config.auth.allowedUsers, domains: config.auth.allowedDomains },
      idleMs: config.auth.sessionIdleMs,
      maxAgeMs: config.auth.sessionMaxAgeMs,
    }),
    publicUrl: () => publicUrl,
    host: config.host,
  });

  const app = buildApp({
    log,
    ingest: {
      findProjectByKey: projects.findProjectByKey,
      queue,
      stats,
      maxEventBytes: config.limits.maxEventBytes,
      rateLimits: createRateLimits(config.rateLimits), // Rate limits (issue 9, H6)
      limits: {
        maxEnvelopeBytes: config.limits.maxEnvelopeBytes,
        maxDecompressedBytes: config.limits.maxDecompressedBytes,
      },
    },
    api: { projects, issues, performance, logs },
    releases: { releases }, // Releases and deploys (issue 8, H4)
    health: {
      queueDepth: queue.depth,
      thresholds: { warningDepth: config.queue.warningDepth, criticalDepth: config.queue.criticalDepth },
      issuesStore: storage.issues,
      transactionsStore: storage.transactions,
      logsStore: storage.logs,
      stats,
      version: VERSION,
    },
    mcp: {
      tools: {
        projects,
        issues,
        performance,
        status,
        logs,
        logRetentionHours: config.logs.retentionMs / 3_600_000,
        version: VERSION,
        log,
      },
      auth: createBearerAuth({
        verifier: bearer,
        resourceMetadataUrl: () => resourceMetadataUrlOf(publicUrl),
      }),
    },
    // Login (issue 7, H1). bearer: H2's BearerVerifier (API tokens) once it is wired here.
    auth: { runtime: authRuntime, bearer },
    settings: {
      publicUrl: () => publicUrl,
      dataDir: config.dataDir,
      mcpEnvTokenConfigured: config.mcp.token !== undefined,
      tokens,
      oauth, // OAuth for MCP clients (issue 7, H2)
      host: config.host,
    },
    // API tokens + OAuth for MCP clients (issue 7, H2)
    tokenApi: { tokens },
    mcpOAuth: { oauth, publicUrl: () => publicUrl, host: config.host },
    operations: operations.api, // Operations (issue 8, H5)
    metrics: { ...operations.metrics, bearer }, // Operations (issue 8, H5): a read-scoped API token also opens /metrics
    alerts: alerting.service, // Alerts (issue 8, H3)
  });

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  publicUrl = config.publicUrl.replace(/:0$/, `:${port}`);

  let closing: Promise<void> | undefined;
  return {
    url: publicUrl,
    defaultProject,
    log,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await alerting.stop(); // Alerts (issue 8, H3)
        operations.stop(); // Operations (issue 8, H5): releases the scheduler lease at once
        await queue.flush();
        await workers.stop();
        await checkpointer.stop();
        storage.close();
      })()),
  };
}
