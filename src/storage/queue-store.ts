/** queue.db statements. Delivery semantics live in src/queue/queue.ts; this file only holds SQL. */
import fs from 'node:fs';
import { checkpointQueue, type WalProgress } from './queue-checkpoint.js';
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
/**
 * The WAL file's layout (https://www.sqlite.org/fileformat.html#the_write_ahead_log): a 32-byte
 * header whose salts (bytes 16–23) change each time the WAL restarts, then frames of a 24-byte
 * header (the same salts at bytes 8–15) and a page. Big-endian.
 */
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;
const WAL_SALTS_AT = 16;
const FRAME_SALTS_AT = 8;

export function createQueueStore(db: Db) {
  const run = new Runner(db);
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const walFrameBytes = (db.pragma('page_size', { simple: true }) as number) + WAL_FRAME_HEADER_BYTES;
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
     * Finishes what a checkpoint (`wal`, its report) started, on the writer's connection, when
     * only a little is left; see WAL_RESTART_MIN_FRAMES. Returns where the WAL stands when another
     * look soon may still restart it (a reader kept frames back, or kept the next commit from
     * restarting), or null: the WAL has restarted, or has too much left for this thread.
     *
     * Left to copy: the frames in the WAL now (walFramesIn: this connection is the only writer,
     * so nothing is being appended) minus those the checkpoint had copied. Never read from
     * queue.db-shm's header: a file descriptor opened and closed on it drops every POSIX lock this
     * process holds there, and the next process to open queue.db (`snag backup`, a sqlite3 shell)
     * takes the WAL index for unused and truncates it under our mapping (SIGBUS). SQLite locks
     * the database and -shm files, never the -wal file.
     */
    restartWalIfCaughtUp(wal: WalProgress): WalProgress | null {
      if (wal.frames < WAL_RESTART_MIN_FRAMES) return null;
      const now = walFramesIn(`${db.name}-wal`, walFrameBytes);
      // Fewer frames than the checkpoint saw: the WAL has restarted since (or cannot be read).
      if (now < wal.frames) return null;
      const tail = now - (wal.frames - wal.left);
      if (tail > WAL_RESTART_MAX_TAIL_FRAMES) return null;
      // 0: all copied; the next commit restarts the WAL unless a reader still holds old frames.
      return tail === 0 ? wal : checkpointQueue(db);
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

/**
 * Frames written since the WAL last restarted: those whose salts match the file header's. A
 * restart writes over the file from its start, so these are a prefix of the file, found by binary
 * search (~15 reads of 8 bytes for 80 MiB). Frames of a rolled-back transaction count too; an
 * unreadable file counts 0. Both only mistime a checkpoint.
 */
function walFramesIn(walFile: string, frameBytes: number): number {
  let fd: number | undefined;
  try {
    fd = fs.openSync(walFile, 'r');
    const salts = Buffer.alloc(8);
    if (fs.readSync(fd, salts, 0, 8, WAL_SALTS_AT) < 8) return 0;
    const frame = Buffer.alloc(8);
    const saltsMatch = (i: number) =>
      fs.readSync(fd!, frame, 0, 8, WAL_HEADER_BYTES + i * frameBytes + FRAME_SALTS_AT) === 8 &&
      frame.equals(salts);
    // Frames 0..lo-1 match; hi: the first known not to (or the end of the file).
    let lo = 0;
    let hi = Math.floor((fs.fstatSync(fd).size - WAL_HEADER_BYTES) / frameBytes);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (saltsMatch(mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
