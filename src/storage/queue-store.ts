/** queue.db statements. Delivery semantics live in src/queue/queue.ts; this file only holds SQL. */
import type { WalProgress } from './queue-checkpoint.js';
import { Runner } from './query.js';
import type { Db } from './sqlite.js';

/** PRAGMA synchronous reads back as a number: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
const SYNCHRONOUS_NORMAL = 1;

export interface NewJob {
  kind: string;
  projectId: number;
  receivedAt: number;
  /** JSON text: event id, client ip, envelope headers the digest needs. */
  meta: string;
  payload: Buffer;
}

export interface Job extends NewJob {
  id: number;
}

/**
 * The writer copies the rest itself once the WAL holds this many frames (16 MiB of 4-KiB pages)
 * and the checkpoint thread has left at most WAL_RESTART_MAX_TAIL_FRAMES (1.5 MiB, a few ms with
 * the fsync): its own commits cannot land during its own checkpoint, so the next one restarts.
 */
const WAL_RESTART_MIN_FRAMES = 4096;
const WAL_RESTART_MAX_TAIL_FRAMES = 384;

export function createQueueStore(db: Db) {
  const run = new Runner(db);
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const insert = run.prepare(
    'INSERT INTO jobs (kind, project_id, received_at, meta, payload) VALUES (?, ?, ?, ?, ?)',
  );
  const insertMany = db.transaction((jobs: NewJob[]) => {
    for (const j of jobs) insert.run(j.kind, j.projectId, j.receivedAt, j.meta, j.payload);
  });

  return {
    /** All or nothing, in one transaction: one WAL fsync for the whole group. */
    insertJobs(jobs: NewJob[]): void {
      insertMany.immediate(jobs);
    },

    readJobsAfter(kinds: readonly string[], afterId: number, limit: number): Job[] {
      const placeholders = kinds.map(() => '?').join(', ');
      const rows = run
        .prepare(
          `SELECT id, kind, project_id, received_at, meta, payload FROM jobs
           WHERE kind IN (${placeholders}) AND id > ? ORDER BY id LIMIT ?`,
        )
        .all(...kinds, afterId, limit) as {
        id: number;
        kind: string;
        project_id: number;
        received_at: number;
        meta: string;
        payload: Buffer;
      }[];
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        projectId: r.project_id,
        receivedAt: r.received_at,
        meta: r.meta,
        payload: r.payload,
      }));
    },

    /**
     * Returns how many rows went. Without an fsync of its own: a delete lost in a power cut only
     * brings back jobs at or below a consumer's cursor, which no consumer reads again, and the
     * next delete removes them. The next enqueue's FULL commit syncs this one's frames anyway.
     */
    deleteJobsUpTo(kinds: readonly string[], upToId: number): number {
      const placeholders = kinds.map(() => '?').join(', ');
      const remove = run.prepare(`DELETE FROM jobs WHERE kind IN (${placeholders}) AND id <= ?`);
      if (synchronous <= SYNCHRONOUS_NORMAL) return remove.run(...kinds, upToId).changes;
      db.pragma(`synchronous = ${SYNCHRONOUS_NORMAL}`);
      try {
        return remove.run(...kinds, upToId).changes;
      } finally {
        db.pragma(`synchronous = ${synchronous}`);
      }
    },

    /**
     * Finishes what the periodic checkpoint (`wal`, its report) started, on the writer's
     * connection, when only a little is left; see WAL_RESTART_MIN_FRAMES. Returns whether it
     * checkpointed. The progress comes from that checkpoint, never from reading queue.db-shm: a
     * file descriptor opened and closed on it would drop every POSIX lock this process holds there,
     * and the next process to open queue.db (`snag backup`, a sqlite3 shell) would then take it for
     * unused and truncate the WAL index under our mapping (SIGBUS).
     */
    restartWalIfCaughtUp(wal: WalProgress): boolean {
      if (wal.frames < WAL_RESTART_MIN_FRAMES) return false;
      // 0: nothing to copy, the next commit restarts the WAL by itself.
      if (wal.left === 0 || wal.left > WAL_RESTART_MAX_TAIL_FRAMES) return false;
      db.pragma('wal_checkpoint(PASSIVE)');
      return true;
    },

    isOpen: (): boolean => db.open,

    /** Whether any job of `kinds` with an id above `afterId` waits (index jobs_by_kind). */
    hasJobsAfter(kinds: readonly string[], afterId: number): boolean {
      const placeholders = kinds.map(() => '?').join(', ');
      return (
        run
          .prepare(`SELECT 1 FROM jobs WHERE kind IN (${placeholders}) AND id > ? LIMIT 1`)
          .get(...kinds, afterId) !== undefined
      );
    },

    countJobs(): number {
      return (run.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
    },

    oldestJobReceivedAt(): number | null {
      const row = run.prepare('SELECT min(received_at) AS t FROM jobs').get() as { t: number | null };
      return row.t;
    },
  };
}

export type QueueStore = ReturnType<typeof createQueueStore>;
