/**
 * Wiring of the operations features for `snag serve` (main.ts): the retention and audit services,
 * the maintenance scheduler and its timetable, and what the Settings → Storage API and /metrics
 * read. Kept out of main.ts so the composition root stays a list of parts.
 */
import type { OperationsDeps } from '../api/operations.js';
import type { Metrics, MetricsDeps } from '../api/metrics.js';
import type { Config } from '../config.js';
import { createAuditService } from '../domain/audit/service.js';
import { createRetentionService } from '../domain/maintenance/retention-service.js';
import type { IngestStats } from '../ingest/stats.js';
import type { Logger } from '../log.js';
import type { Queue } from '../queue/queue.js';
import { measureDataFiles } from '../storage/data-files.js';
import type { Storage } from '../storage/index.js';
import type { Workers } from '../workers/runner.js';
import { VERSION } from '../version.js';
import { installSelfMonitor } from '../self-monitor/install.js';
import { SCHEDULER_LEASE, startScheduler, type Scheduler } from './scheduler.js';
import { buildMaintenanceTasks } from './tasks.js';

export function startOperations(deps: {
  config: Config;
  storage: Storage;
  workers: Workers;
  queue: Queue;
  stats: IngestStats;
  metrics: Metrics;
  log: Logger;
}): { api: OperationsDeps; metrics: MetricsDeps; scheduler: Scheduler; stop(): void } {
  const { config, storage, queue, log } = deps;
  const selfMonitor = config.selfMonitor.dsn
    ? installSelfMonitor({
        dsn: config.selfMonitor.dsn,
        release: `snag@${VERSION}`,
        log,
        tracesSampleRate: config.selfMonitor.tracesSampleRate,
      })
    : undefined;
  const audit = createAuditService(storage.audit);
  const retention = createRetentionService({
    store: storage.retentionSettings,
    audit,
    defaults: config.retention,
  });
  const scheduler = startScheduler({
    leases: storage.leases,
    log,
    tasks: buildMaintenanceTasks({
      workers: deps.workers,
      retention: retention.current,
      retentionSchedule: config.maintenance.retentionSchedule,
      app: {
        checkpoint: () => storage.appFile.checkpoint(),
        vacuumStep: () => storage.appFile.vacuumStep(),
        saveStats: (s) => storage.storageStats.save(s),
      },
    }),
  });
  const measureFiles = () => measureDataFiles(config.dataDir);
  const oldestJobReceivedAt = () => storage.queue.oldestJobReceivedAt();
  return {
    scheduler,
    stop() {
      scheduler.stop();
      selfMonitor?.stop();
    },
    api: {
      selfMonitor: selfMonitor && {
        sendTestError: selfMonitor.sendTestError,
        traceRequest: config.selfMonitor.tracesSampleRate > 0 ? selfMonitor.traceRequest : undefined,
        stats: () => selfMonitor.reporter.stats(),
      },
      retention,
      audit,
      measureFiles,
      fileStats: () => storage.storageStats.readAll(),
      listParked: (limit) => storage.operations.listParked(limit),
      queueDepth: queue.depth,
      oldestJobReceivedAt,
      scheduler: () => scheduler,
      schedulerLease: () => storage.leases.read(SCHEDULER_LEASE),
      versions: { snag: VERSION, node: process.version, sqlite: storage.operations.sqliteVersion() },
    },
    metrics: {
      metrics: deps.metrics,
      stats: deps.stats,
      queueDepth: queue.depth,
      oldestJobReceivedAt,
      measureFiles,
      token: config.metrics.token,
      loginEnabled: config.auth.mode !== 'open',
    },
  };
}
