/**
 * The storage seam: everything above this folder gets stores (functions over rows), never a
 * connection or SQL. Files live under the data dir, one per concern.
 */
import path from 'node:path';
import { createAppStore } from './app-store.js';
// Alerts (issue 8, H3)
import { createAlertSignalsStore } from './alerts-signals-store.js';
import { createAlertsStore, readAlertOutboxCursor } from './alerts-store.js';
import { createDigestStore } from './digest-store.js';
import { createIssuesStore } from './issues-store.js';
import { createLogsDigestStore, type LogsIndexLogic } from './logs-digest-store.js';
import { createLogsStore } from './logs-store.js';
import { APP_MIGRATIONS } from './migrations/app.js';
import { ERRORS_MIGRATIONS } from './migrations/errors.js';
import { LOGS_MIGRATIONS } from './migrations/logs.js';
import { QUEUE_MIGRATIONS } from './migrations/queue.js';
import { TRANSACTIONS_MIGRATIONS } from './migrations/transactions.js';
import { createQueueStore } from './queue-store.js';
import { createReleaseIssuesStore } from './release-issues-store.js'; // Releases (issue 8, H4)
import { createTokensStore } from './tokens-store.js';
import { createOAuthStore } from './oauth-store.js'; // OAuth for MCP clients (issue 7)
// Login (issue 7, H1)
import { createUsersStore } from './users-store.js';
import { createTransactionsDigestStore } from './transactions-digest-store.js';
import { createTransactionsStore } from './transactions-store.js';
// Operations (issue 8, H5): retention, audit trail, scheduler lease, storage statistics.
import { createAuditStore } from './audit-store.js';
import {
  createErrorsRetentionStore,
  createFileMaintenance,
  createRetentionSettingsStore,
  createTransactionsRetentionStore,
} from './retention-store.js';
import { createLeaseStore } from './scheduler-lease-store.js';
import { createOperationsReader, createStorageStatsStore } from './storage-stats.js';
import { migrate, openSqlite, type Db, type OpenOptions } from './sqlite.js';

export type { AppStore, Project, ReleaseSeen } from './app-store.js';
// Alerts (issue 8, H3)
export type * from './alerts-store.js';
export type * from './alerts-signals-store.js';
// Releases and deploys (issue 8, H4)
export type { Deploy, NewDeploy, Release, ReleaseChanges } from './app-store.js';
export type { ReleaseIssuesStore, RegressionRow } from './release-issues-store.js';
export type { DigestStore, EventToStore, JobToPark, BatchOutcome } from './digest-store.js';
export type {
  IssuesStore,
  Issue,
  IssueFilter,
  IssueSort,
  StatusChange,
  EventSummary,
  StoredEvent,
} from './issues-store.js';
export type { QueueStore, Job, NewJob } from './queue-store.js';
export type { WalProgress } from './queue-checkpoint.js';
export type { AccessToken, NewAccessToken, TokensStore } from './tokens-store.js';
// OAuth for MCP clients (issue 7)
export type {
  OAuthStore,
  OAuthClient,
  OAuthClientListing,
  OAuthGrant,
  OAuthCodeRow,
  OAuthTokenFound,
} from './oauth-store.js';
// Login (issue 7, H1)
export type { User, Session, SessionWithUser, UsersStore } from './users-store.js';
export type {
  TransactionRow,
  TransactionsBatch,
  RollupDelta,
  TransactionsDigestStore,
} from './transactions-digest-store.js';
export type * from './transactions-store.js';
export type { LogsBatch, LogToStore, LogsIndexLogic, LogsDigestStore } from './logs-digest-store.js';
export type { LogFilter, LogPage, LogHistogramCounts, StoredLog, LogsStore } from './logs-store.js';
export type { LogQuery, LogQueryTerm, LogHotKey, SearchDocument } from './logs-fts.js';
export type { TrainingOutcome } from './logs-dictionary.js';
export type { IssueStatus } from './schema.js';

export const DATA_FILES = {
  app: 'app.db',
  errors: 'errors.db',
  transactions: 'transactions.db',
  logs: 'logs.db',
  queue: 'queue.db',
} as const;

/** Creates or upgrades every file. Run once by the process that owns the data dir, before anything else opens it. */
export function migrateAll(dataDir: string): void {
  for (const [name, migrations, synchronous] of [
    ['app', APP_MIGRATIONS, 'NORMAL'],
    ['errors', ERRORS_MIGRATIONS, 'NORMAL'],
    ['transactions', TRANSACTIONS_MIGRATIONS, 'NORMAL'],
    ['logs', LOGS_MIGRATIONS, 'NORMAL'],
    ['queue', QUEUE_MIGRATIONS, 'FULL'],
  ] as const) {
    const db = openSqlite(path.join(dataDir, DATA_FILES[name]), { synchronous });
    try {
      // Operations (issue 8, H5): a new file takes auto_vacuum=INCREMENTAL before its first table,
      // so retention's free pages can go back to the file system (retention-store.ts). An existing
      // file keeps its mode: switching needs a VACUUM (a full rewrite); docs/architecture.md.
      // queue.db churns by design and reuses its pages at once: no pointer-map pages for it.
      const created = name !== 'queue' && (db.pragma('user_version', { simple: true }) as number) === 0;
      if (created) db.pragma('auto_vacuum = INCREMENTAL');
      migrate(db, name, migrations);
      // A header written before the pragma (WAL mode) keeps the old mode until a VACUUM: of empty tables, a few KB.
      if (created && (db.pragma('auto_vacuum', { simple: true }) as number) !== 2) db.exec('VACUUM');
    } finally {
      db.close();
    }
  }
}

export interface Storage {
  app: ReturnType<typeof createAppStore>;
  tokens: ReturnType<typeof createTokensStore>;
  /** OAuth for MCP clients (issue 7). */
  oauth: ReturnType<typeof createOAuthStore>;
  // Login (issue 7, H1): users and sessions, in app.db.
  users: ReturnType<typeof createUsersStore>;
  issues: ReturnType<typeof createIssuesStore>;
  /** Releases (issue 8, H4): new and regressed issues per release. */
  releaseIssues: ReturnType<typeof createReleaseIssuesStore>;
  transactions: ReturnType<typeof createTransactionsStore>;
  logs: ReturnType<typeof createLogsStore>;
  queue: ReturnType<typeof createQueueStore>;
  // Operations (issue 8, H5), all in app.db.
  audit: ReturnType<typeof createAuditStore>;
  retentionSettings: ReturnType<typeof createRetentionSettingsStore>;
  leases: ReturnType<typeof createLeaseStore>;
  storageStats: ReturnType<typeof createStorageStatsStore>;
  appFile: ReturnType<typeof createFileMaintenance>;
  operations: ReturnType<typeof createOperationsReader>;
  // Alerts (issue 8, H3): channels, rules, deliveries in app.db; errors.db's outbox and counts, read.
  alerts: ReturnType<typeof createAlertsStore>;
  alertSignals: ReturnType<typeof createAlertSignalsStore>;
  close(): void;
}

/** Connections for the HTTP process: it owns queue.db writes and reads the rest. */
export function openStorage(dataDir: string): Storage {
  const dbs: Db[] = [];
  // Operations (issue 8, H5): connections by file, for the read side of Settings → Storage.
  const byName: Partial<Record<keyof typeof DATA_FILES, Db>> = {};
  let operations: ReturnType<typeof createOperationsReader> | undefined;
  const open = (name: keyof typeof DATA_FILES, options: OpenOptions) => {
    const db = openSqlite(path.join(dataDir, DATA_FILES[name]), options);
    dbs.push(db);
    byName[name] = db;
    return db;
  };
  const appDb = open('app', { synchronous: 'NORMAL', cacheKiB: 2 * 1024 });
  const errorsDb = open('errors', { synchronous: 'NORMAL', cacheKiB: 16 * 1024 });
  return {
    app: createAppStore(appDb),
    // MCP tokens live in app.db too: one lookup per MCP request, on the same connection.
    tokens: createTokensStore(appDb),
    // OAuth for MCP clients (issue 7): clients, codes, grants and tokens, checked per /mcp request.
    oauth: createOAuthStore(appDb),
    // Login (issue 7, H1): one session lookup per signed-in request, on the same connection.
    users: createUsersStore(appDb),
    // The API's reads: issue lists and events by index; 16 MiB keeps hot index pages resident.
    issues: createIssuesStore(errorsDb),
    // Releases (issue 8, H4): same connection as the issue reads.
    releaseIssues: createReleaseIssuesStore(errorsDb),
    // Endpoint rollups and recent transactions' indexes for the performance pages.
    transactions: createTransactionsStore(
      open('transactions', { synchronous: 'NORMAL', cacheKiB: 16 * 1024 }),
    ),
    // Search reads index pages of the newest days and a page of rows; 16 MiB keeps them resident.
    logs: createLogsStore(open('logs', { synchronous: 'NORMAL', cacheKiB: 16 * 1024 })),
    // FULL: the 200 for an event is sent after this file's commit, and must survive a power cut.
    // Rows are written once and read once by the worker: a small cache is enough.
    queue: createQueueStore(
      open('queue', { synchronous: 'FULL', cacheKiB: 2 * 1024, autoCheckpoint: false }),
    ),
    // Operations (issue 8, H5)
    audit: createAuditStore(appDb),
    retentionSettings: createRetentionSettingsStore(appDb),
    leases: createLeaseStore(appDb),
    storageStats: createStorageStatsStore(appDb),
    appFile: createFileMaintenance(appDb),
    get operations() {
      return (operations ??= createOperationsReader(
        (['errors', 'transactions', 'logs'] as const).map((file) => ({ file, db: byName[file]! })),
      ));
    },
    // Alerts (issue 8, H3)
    alerts: createAlertsStore(appDb),
    alertSignals: createAlertSignalsStore(errorsDb),
    close: () => dbs.forEach((db) => db.close()),
  };
}

/**
 * Page cache of each digest thread's own file (issues 2 and 9). The caches fill with pages the
 * digest writes once (payloads, new rows) and sit in the thread's malloc arena, which glibc never
 * shrinks: 32/16/32 MiB held 64 MiB arenas under a backlog. At 8 MiB a mixed backlog peaked at
 * 370–381 MiB instead of 421–447 with the same CPU per job (`node bench/backlog-memory.js`). Cost
 * on a large file: the unique event-id and root-span indexes (~35 MB at a million rows) are
 * touched at random and no longer stay cached, about one leaf read from the OS page cache per
 * item (a few µs of the ~500 an event costs). Not measured on a file that size (session 6).
 */
const WRITER_CACHE_KIB = 8 * 1024;

/** Connections for the digest worker: it owns errors.db and transactions.db writes and reads the queue. */
export function openWorkerStorage(
  dataDir: string,
  options: { mergeSketch: (stored: Buffer, delta: Buffer) => Buffer },
) {
  // Issue lookups and the unique event-id index are what the digest touches at random.
  const errors = openSqlite(path.join(dataDir, DATA_FILES.errors), {
    synchronous: 'NORMAL',
    cacheKiB: WRITER_CACHE_KIB,
  });
  const queue = openSqlite(path.join(dataDir, DATA_FILES.queue), { synchronous: 'FULL', cacheKiB: 2 * 1024 });
  const app = openSqlite(path.join(dataDir, DATA_FILES.app), { synchronous: 'NORMAL', cacheKiB: 2 * 1024 });
  // Rollup rows are read and rewritten per batch; pending spans and the unique root-span index too.
  const transactions = openSqlite(path.join(dataDir, DATA_FILES.transactions), {
    synchronous: 'NORMAL',
    cacheKiB: WRITER_CACHE_KIB,
  });
  return {
    digest: createDigestStore(errors),
    transactions: createTransactionsDigestStore(transactions, options),
    queue: createQueueStore(queue),
    app: createAppStore(app),
    // Operations (issue 8, H5): retention deletes and file maintenance, on the owning thread.
    errorsRetention: createErrorsRetentionStore(errors),
    transactionsRetention: createTransactionsRetentionStore(transactions),
    errorsFile: createFileMaintenance(errors),
    transactionsFile: createFileMaintenance(transactions),
    // Alerts (issue 8, H3): how far the alerts loop has read errors.db's outbox, for its prune.
    alertOutboxCursor: () => readAlertOutboxCursor(app),
    close() {
      errors.close();
      transactions.close();
      queue.close();
      app.close();
    },
  };
}

export type WorkerStorage = ReturnType<typeof openWorkerStorage>;

/**
 * Connections for the logs digest thread: it owns logs.db writes and reads the queue. `logic` is
 * the domain's part of the index and the dictionaries (domain/logs/fts-text.ts
 * `buildSearchDocument`, domain/logs/dictionary-trainer.ts `trainDictionary`), passed in because
 * storage imports nothing above it.
 */
export function openLogsWorkerStorage(dataDir: string, logic: LogsIndexLogic) {
  // Index segments being merged and the newest day's B-trees are what the writer touches.
  const logs = openSqlite(path.join(dataDir, DATA_FILES.logs), {
    synchronous: 'NORMAL',
    cacheKiB: WRITER_CACHE_KIB,
  });
  const queue = openSqlite(path.join(dataDir, DATA_FILES.queue), { synchronous: 'FULL', cacheKiB: 2 * 1024 });
  return {
    logs: createLogsDigestStore(logs, logic),
    queue: createQueueStore(queue),
    close() {
      logs.close();
      queue.close();
    },
  };
}

export type LogsWorkerStorage = ReturnType<typeof openLogsWorkerStorage>;
