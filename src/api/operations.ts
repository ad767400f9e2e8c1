/**
 * Settings → Storage: GET /api/v1/settings/storage (files, tables, queue, versions, scheduler),
 * GET/PUT /api/v1/settings/retention, GET /api/v1/settings/audit. The guard in front of
 * /api/v1/settings* (auth/guard.ts) requires an admin when login is on.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../auth/guard.js';
import { AppError, badRequest } from '../errors.js';
import type { AuditService } from '../domain/audit/service.js';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '../domain/maintenance/retention-policy.js';
import type { RetentionService } from '../domain/maintenance/retention-service.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { DataFileSize } from '../storage/data-files.js';
import type { ServedRequest } from '../self-monitor/reporter.js';
import type { LeaseHolder } from '../storage/scheduler-lease-store.js';
import type { FileStats, ParkedJobRow } from '../storage/storage-stats.js';
import { bodyObject, optionalInt } from './params.js';
import type { AuditEntryView, RetentionSettings, StorageFile, StorageSettings } from './types.js';

export interface OperationsDeps {
  retention: RetentionService;
  audit: AuditService;
  measureFiles(): DataFileSize[];
  fileStats(): FileStats[];
  listParked(limit: number): { jobs: ParkedJobRow[]; counts: Record<string, number> };
  queueDepth(): number;
  oldestJobReceivedAt(): number | null;
  scheduler(): Scheduler | undefined;
  schedulerLease(): LeaseHolder | undefined;
  versions: { snag: string; node: string; sqlite: string };
  /** Present when SNAG_SENTRY_DSN is set. */
  selfMonitor?: {
    sendTestError(): string;
    stats(): { sent: number; failed: number; suppressed: number };
    /** Set when SNAG_SENTRY_TRACES_SAMPLE_RATE > 0: http/app.ts hands it every served request. */
    traceRequest?: (request: ServedRequest) => void;
  };
}

/** The one place a request becomes an audit actor (the guard's caller: email, token or 'anonymous'). */
export function auditActorOf(request: FastifyRequest): string {
  return actorOf(request.snagCaller);
}

const PARKED_SHOWN = 20;
const AUTO_VACUUM = ['none', 'full', 'incremental'] as const;

export function registerOperationsRoutes(app: FastifyInstance, deps: OperationsDeps): void {
  const retentionView = (): RetentionSettings => ({
    ...deps.retention.view(),
    min_days: MIN_RETENTION_DAYS,
    max_days: MAX_RETENTION_DAYS,
  });

  app.get('/api/v1/settings/retention', async () => retentionView());

  app.put('/api/v1/settings/retention', async (request) => {
    deps.retention.update(request.body, auditActorOf(request));
    return retentionView();
  });

  app.get('/api/v1/settings/audit', async (request): Promise<{ entries: AuditEntryView[] }> => {
    const q = request.query as Record<string, unknown>;
    const limit = optionalInt(q, 'limit') ?? 50;
    const before = optionalInt(q, 'before') ?? null;
    return { entries: deps.audit.list(limit, before) };
  });

  // Runs a maintenance task now, on this process (whether or not it holds the scheduler lease).
  app.post('/api/v1/settings/maintenance/run', async (request) => {
    const { task } = bodyObject(request.body);
    const scheduler = deps.scheduler();
    const names = scheduler?.status().map((t) => t.name) ?? [];
    if (typeof task !== 'string' || !names.includes(task))
      throw badRequest(`task must be one of: ${names.join(', ')}.`);
    deps.audit.record(auditActorOf(request), 'maintenance.run', `maintenance/${task}`, null, null);
    return { task, result: await scheduler!.runNow(task) };
  });

  // Logs a test error the way a real one is logged; it reaches SNAG_SENTRY_DSN through the hook.
  app.post('/api/v1/settings/self-monitor/test', async () => {
    if (!deps.selfMonitor)
      throw new AppError(
        'self_monitor_off',
        409,
        'Self-monitoring is off: set SNAG_SENTRY_DSN and restart Snag.',
      );
    return { test_id: deps.selfMonitor.sendTestError(), ...deps.selfMonitor.stats() };
  });

  app.get('/api/v1/settings/self-monitor', async () =>
    deps.selfMonitor ? { enabled: true, ...deps.selfMonitor.stats() } : { enabled: false },
  );

  app.get('/api/v1/settings/storage', async (): Promise<StorageSettings> => {
    const stats = new Map(deps.fileStats().map((s) => [s.file, s]));
    const files: StorageFile[] = deps.measureFiles().map((f) => {
      const s = stats.get(f.name);
      return {
        name: f.name,
        file: f.file,
        bytes: f.bytes,
        wal_bytes: f.wal_bytes,
        measured_at: s ? new Date(s.measuredAt).toISOString() : null,
        page_size: s?.pageSize ?? null,
        free_pages: s?.freePages ?? null,
        auto_vacuum: s ? (AUTO_VACUUM[s.autoVacuum] ?? null) : null,
        tables: (s?.tables ?? []).map(({ name, kind, rows, bytes }) => ({ name, kind, rows, bytes })),
        compression: (s?.compression ?? []).map((c) => ({
          table: c.table,
          raw_bytes: c.rawBytes,
          stored_bytes: c.storedBytes,
          ratio: c.storedBytes > 0 ? Math.round((c.rawBytes / c.storedBytes) * 100) / 100 : null,
        })),
      };
    });
    const oldest = deps.oldestJobReceivedAt();
    const parked = deps.listParked(PARKED_SHOWN);
    const scheduler = deps.scheduler();
    const lease = deps.schedulerLease();
    return {
      files,
      total_bytes: files.reduce((sum, f) => sum + f.bytes + f.wal_bytes, 0),
      queue: {
        depth: deps.queueDepth(),
        oldest_age_seconds: oldest === null ? null : Math.max(0, Math.round((Date.now() - oldest) / 1000)),
        parked_total: Object.values(parked.counts).reduce((a, b) => a + b, 0),
        parked: parked.jobs.map((j) => ({
          file: j.file,
          job_id: j.jobId,
          kind: j.kind,
          project_id: j.projectId,
          error: j.error,
          parked_at: new Date(j.parkedAt).toISOString(),
        })),
      },
      versions: deps.versions,
      scheduler: {
        this_process_runs_it: scheduler?.isLeader() ?? false,
        holder: lease && lease.expiresAt > Date.now() ? lease.holder : null,
        lease_expires_at: lease ? new Date(lease.expiresAt).toISOString() : null,
        tasks: (scheduler?.status() ?? []).map(({ last_result: _r, ...t }) => t),
      },
    };
  });
}
