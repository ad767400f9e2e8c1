/**
 * What an operator (or an agent) asks first: is Snag keeping up, how much does it hold, which
 * version is it. The same counters /_health reports, plus file sizes and project counts.
 */
import { measureDataFiles, type DataFileSize } from '../../storage/data-files.js';
import type { AppStore, IssuesStore, TransactionsStore } from '../../storage/index.js';

export interface StatusSnapshot {
  version: string;
  runtime: string;
  data_dir: string;
  queue_depth: number;
  projects: number;
  counts: Record<string, number>;
  storage: DataFileSize[];
  storage_total_bytes: number;
}

export function createStatusService(deps: {
  app: Pick<AppStore, 'listProjects'>;
  issues: Pick<IssuesStore, 'readCounters' | 'countParkedJobs'>;
  transactions: Pick<TransactionsStore, 'readCounters' | 'countParkedJobs' | 'countPendingSpans'>;
  queueDepth: () => number;
  dataDir: string;
  version: string;
  runtime: string;
}) {
  return {
    snapshot(): StatusSnapshot {
      const errors = deps.issues.readCounters();
      const apm = deps.transactions.readCounters();
      const storage = measureDataFiles(deps.dataDir);
      return {
        version: deps.version,
        runtime: deps.runtime,
        data_dir: deps.dataDir,
        queue_depth: deps.queueDepth(),
        projects: deps.app.listProjects().length,
        counts: {
          issues: errors['issues'] ?? 0,
          events: errors['events'] ?? 0,
          transactions: apm['transactions'] ?? 0,
          invalid_events: errors['invalid_events'] ?? 0,
          duplicate_events: errors['duplicate_events'] ?? 0,
          invalid_transactions: apm['invalid_transactions'] ?? 0,
          parked_jobs: deps.issues.countParkedJobs() + deps.transactions.countParkedJobs(),
          pending_spans: deps.transactions.countPendingSpans(),
        },
        storage,
        storage_total_bytes: storage.reduce((sum, f) => sum + f.bytes + f.wal_bytes, 0),
      };
    },
  };
}

export type StatusService = ReturnType<typeof createStatusService>;
