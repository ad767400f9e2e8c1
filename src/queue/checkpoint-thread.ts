/**
 * A thread that only checkpoints queue.db (checkpointer.ts starts it): on each `checkpoint`
 * message it runs the repeated PASSIVE passes (storage/queue-checkpoint.ts) and answers with the
 * frames left. Nothing else is loaded here, so the isolate stays small (~11 MiB of RSS; with
 * queue-store.ts and Kysely it was ~22), and it runs at the digest threads' lower
 * priority: under overload the main thread keeps first claim on a CPU.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointQueue } from '../storage/queue-checkpoint.js';
import { openSqlite } from '../storage/sqlite.js';
import { DIGEST_THREAD_NICE, lowerThisThreadPriority } from '../workers/thread-priority.js';
import type { CheckpointReply, CheckpointRequest } from './checkpointer.js';

/** A checkpoint streams WAL frames into the file; it needs next to no page cache. */
const CACHE_KIB = 256;

const { file } = workerData as { file: string };
const port = parentPort!;
const priorityRefusal = lowerThisThreadPriority(DIGEST_THREAD_NICE);
const db = openSqlite(file, { synchronous: 'FULL', cacheKiB: CACHE_KIB });

port.on('message', (request: CheckpointRequest) => {
  if (request.type === 'stop') {
    db.close();
    port.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    reply = { type: 'checkpointed', wal: checkpointQueue(db), priorityRefusal };
  } catch (err) {
    reply = { type: 'failed', message: (err as Error).message };
  }
  port.postMessage(reply);
});
