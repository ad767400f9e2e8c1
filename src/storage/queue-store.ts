/** queue.db statements. Delivery semantics live in src/queue/queue.ts; this file only holds SQL. */
import { Runner } from './query.js';
import type { Db } from './sqlite.js';

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

export function createQueueStore(db: Db) {
  const run = new Runner(db);
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

    /** Returns how many rows went. */
    deleteJobsUpTo(kinds: readonly string[], upToId: number): number {
      const placeholders = kinds.map(() => '?').join(', ');
      return run.prepare(`DELETE FROM jobs WHERE kind IN (${placeholders}) AND id <= ?`).run(...kinds, upToId)
        .changes;
    },

    /**
     * Copies WAL frames into queue.db without blocking the writer (PASSIVE), so the WAL does not
     * grow while the HTTP thread's connection never checkpoints. Returns frames left uncopied.
     */
    checkpoint(): number {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as {
        busy: number;
        log: number;
        checkpointed: number;
      }[];
      return row ? row.log - row.checkpointed : 0;
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
