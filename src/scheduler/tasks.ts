/**
 * The maintenance timetable: what runs when (UTC cron), and on which thread. The digest thread
 * owning a file does the writing (one writer per SQLite file); app.db's own maintenance runs here,
 * on the main thread, which writes it. Tasks marked atStart also run when a process becomes the
 * scheduler, so work missed while Snag was down is caught up at once.
 */
import type { RetentionDays } from '../domain/maintenance/retention-policy.js';
import { retentionCutoffs } from '../domain/maintenance/retention-policy.js';
import { FINE_ROLLUP_RETENTION_MS } from '../domain/transactions/rollup.js';
import type { FileStats } from '../storage/storage-stats.js';
import type { TaskDone, Workers } from '../workers/runner.js';
import type { ConsumerGroupName } from '../workers/messages.js';
import type { ThreadTask } from '../domain/maintenance/thread-tasks.js';
import type { ScheduledTask } from './scheduler.js';

/**
 * Default times. Retention deletes in batches and is cheap when there is nothing to delete, so
 * every 5 minutes keeps each run small. Log maintenance (FTS merges, log days dropped, WAL
 * truncated) every minute, as the logs thread did on its own timer before the scheduler.
 * Storage statistics walk every page (storage-stats.ts), so hourly.
 */
export const SCHEDULE = {
  fineRollups: '*/10 * * * *',
  logsMaintenance: '* * * * *',
  dictionaryTraining: '* * * * *',
  checkpoints: '*/5 * * * *',
  vacuum: '*/15 * * * *',
  storageStats: '17 * * * *',
} as const;

/** The result of a task a resting thread was not started for. */
export const SKIPPED = 'skipped: thread resting, nothing new since the last run';

export function buildMaintenanceTasks(deps: {
  workers: Pick<Workers, 'runTask'>;
  /** Read at every run, so a Settings change applies at the next one. */
  retention: () => RetentionDays;
  retentionSchedule: string;
  app: {
    checkpoint(): unknown;
    vacuumStep(): { freedPages: number };
    saveStats(stats: FileStats): void;
  };
}): ScheduledTask[] {
  // A clock-driven run passes a skipKey: a resting thread with nothing new is not started for it
  // (runner.ts). Retention's key holds the settings, so a changed period is applied at once.
  const on = async (
    group: ConsumerGroupName,
    task: ThreadTask,
    trigger: { manual: boolean },
  ): Promise<unknown> => {
    const skipKey = trigger.manual
      ? undefined
      : task.kind === 'retention' || task.kind === 'fine-rollups'
        ? `${task.kind} ${JSON.stringify(deps.retention())}`
        : task.kind;
    const done: TaskDone = await deps.workers.runTask(group, task, { skipKey });
    if (!done.ok) throw new Error(`${task.kind} on the ${group} thread: ${done.error ?? 'failed'}`);
    return done.skipped ? SKIPPED : done.result;
  };
  const everywhere = async (groups: ConsumerGroupName[], task: ThreadTask, trigger: { manual: boolean }) =>
    Object.fromEntries(await Promise.all(groups.map(async (g) => [g, await on(g, task, trigger)] as const)));

  return [
    {
      name: 'retention',
      cron: deps.retentionSchedule,
      atStart: true,
      run: async (trigger) => {
        const cutoffs = retentionCutoffs(deps.retention(), Date.now());
        return everywhere(['errors', 'transactions', 'logs'], { kind: 'retention', cutoffs }, trigger);
      },
    },
    {
      name: 'fine rollups',
      cron: SCHEDULE.fineRollups,
      atStart: true,
      run: (trigger) => {
        const cutoffMs = retentionCutoffs(deps.retention(), Date.now()).fineRollups;
        const task = {
          kind: 'fine-rollups' as const,
          cutoffMs: Math.max(cutoffMs, Date.now() - FINE_ROLLUP_RETENTION_MS),
        };
        return on('transactions', task, trigger);
      },
    },
    {
      name: 'log maintenance',
      cron: SCHEDULE.logsMaintenance,
      atStart: true,
      run: (trigger) => on('logs', { kind: 'logs-maintenance' }, trigger),
    },
    {
      name: 'dictionary training',
      cron: SCHEDULE.dictionaryTraining,
      run: (trigger) => on('logs', { kind: 'train-dictionary' }, trigger),
    },
    {
      name: 'WAL checkpoints',
      cron: SCHEDULE.checkpoints,
      run: async (trigger) => ({
        ...(await everywhere(['errors', 'transactions'], { kind: 'checkpoint' }, trigger)),
        app: deps.app.checkpoint(),
      }),
    },
    {
      name: 'incremental vacuum',
      cron: SCHEDULE.vacuum,
      run: async (trigger) => {
        let appFreed = 0;
        for (let n = deps.app.vacuumStep().freedPages; n > 0; n = deps.app.vacuumStep().freedPages)
          appFreed += n;
        return {
          ...(await everywhere(['errors', 'transactions'], { kind: 'vacuum' }, trigger)),
          app: { freedPages: appFreed },
        };
      },
    },
    {
      name: 'storage statistics',
      cron: SCHEDULE.storageStats,
      atStart: true,
      run: async (trigger) => {
        const results = await Promise.all([
          on('errors', { kind: 'storage-stats', files: ['errors', 'app', 'queue'] }, trigger),
          on('transactions', { kind: 'storage-stats', files: ['transactions'] }, trigger),
          on('logs', { kind: 'storage-stats', files: ['logs'] }, trigger),
        ]);
        // A skipped file keeps its last saved figures.
        const files = results.filter((r) => r !== SKIPPED).flat() as FileStats[];
        for (const f of files) deps.app.saveStats(f);
        return { files: files.map((f) => f.file) };
      },
    },
  ];
}
