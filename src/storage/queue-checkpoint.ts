/**
 * queue.db's periodic checkpoint, apart from queue-store.ts so that the checkpoint thread
 * (src/queue/checkpoint-thread.ts) loads only this and better-sqlite3: with queue-store.ts and
 * its Kysely runner the thread added ~22 MiB to the process RSS, ~11 MiB without (a 2-MB young
 * generation too; measured by starting and stopping it in a bare process).
 */
import type { Db } from './sqlite.js';

/**
 * A PASSIVE checkpoint copies what was committed before it started; one that ends with nothing left
 * lets the writer's next commit restart the WAL from its beginning. Under steady ingest a commit
 * almost always lands during the copy, so the WAL never restarted and grew by ~12 MB a second
 * (239 MiB after a 20-s bench run), every commit appending to fresh, unallocated file blocks. Each
 * further pass copies only what arrived during the previous one, so a few converge.
 */
const MAX_CHECKPOINT_PASSES = 4;

/** Where a checkpoint left the WAL: frames in it when its last pass began, and how many it left uncopied. */
export interface WalProgress {
  frames: number;
  left: number;
}

/**
 * Copies WAL frames into queue.db without blocking the writer (PASSIVE), so the WAL does not grow
 * while the HTTP thread's connection never checkpoints, and repeats while commits landed during
 * the copy so that the WAL can restart.
 */
export function checkpointQueue(db: Db): WalProgress {
  let frames = 0;
  let left = 0;
  let framesBefore = -1;
  for (let pass = 0; pass < MAX_CHECKPOINT_PASSES; pass++) {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as {
      busy: number;
      /** Frames in the WAL when this pass began, so commits during the copy are not counted. */
      log: number;
      checkpointed: number;
    }[];
    if (!row) break;
    frames = row.log;
    left = row.log - row.checkpointed;
    // Nothing committed since the previous pass began, or a reader holds frames back.
    if (row.busy || left > 0 || row.log === framesBefore) break;
    framesBefore = row.log;
  }
  return { frames, left };
}
