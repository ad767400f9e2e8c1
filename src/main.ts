/**
 * Composition root: config → storage → migrate → queue → workers → http. Returns a handle whose
 * close() drains in the safe order: stop accepting, commit what was accepted, stop the worker,
 * close the files.
 */
import fs from 'node:fs';
import type { Config } from './config.js';
import type { ProjectView } from './domain/projects/service.js';
import { createStatusService } from './domain/status/service.js';
import { createTokenService } from './domain/tokens/service.js';
import { buildApp } from './http/app.js';
import { createIngestStats } from './ingest/stats.js';
import { createLogger, type Logger } from './log.js';
import { createBearerAuth } from './mcp/auth.js';
import { createQueue } from './queue/queue.js';
import { createServices } from './services.js';
import { migrateAll, openStorage } from './storage/index.js';
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

  const { projects, issues, performance, logs } = createServices(storage, config.publicUrl);
  const defaultProject = projects.ensureDefaultProject(config.defaultProjectName);

  const queue = createQueue(storage.queue, { maxDepth: config.queue.maxDepth, log });
  const workers = startWorkers(
    {
      dataDir: config.dataDir,
      batchSize: config.queue.batchSize,
      scrub: config.scrub,
      maxDecompressedBytes: config.limits.maxDecompressedBytes,
      apm: config.apm,
      logs: config.logs,
      logLevel: config.logLevel,
    },
    queue,
    log,
  );
  const stats = createIngestStats();
  const tokens = createTokenService(storage.tokens);
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

  const app = buildApp({
    log,
    ingest: {
      findProjectByKey: projects.findProjectByKey,
      queue,
      stats,
      maxEventBytes: config.limits.maxEventBytes,
      limits: {
        maxEnvelopeBytes: config.limits.maxEnvelopeBytes,
        maxDecompressedBytes: config.limits.maxDecompressedBytes,
      },
    },
    api: { projects, issues, performance, logs },
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
      auth: createBearerAuth({ envToken: config.mcp.token, tokens }),
    },
    settings: {
      publicUrl: () => publicUrl,
      dataDir: config.dataDir,
      mcpEnvTokenConfigured: config.mcp.token !== undefined,
      tokens,
    },
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
        await queue.flush();
        await workers.stop();
        storage.close();
      })()),
  };
}
