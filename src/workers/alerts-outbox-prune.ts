/**
 * The errors thread's chore for alerting: deletes errors.db outbox rows (storage/digest-store.ts)
 * that the alerts loop on the main thread has read (its cursor lives in app.db) and that are over
 * a day old. Rows it has not read are kept however old, so an alert waits out a long outage.
 */
import type { WorkerStorage } from '../storage/index.js';
import type { Chore } from './consumer-groups.js';

const PRUNE_INTERVAL_MS = 10 * 60_000;
/** Read rows stay a day: enough to see what was routed when reading a delivery log. */
const OUTBOX_KEEP_MS = 24 * 3_600_000;

export function createAlertOutboxPrune(storage: Pick<WorkerStorage, 'digest' | 'alertOutboxCursor'>): Chore {
  let last = 0;
  return {
    name: 'prune alert outbox',
    run(now) {
      if (now - last < PRUNE_INTERVAL_MS) return;
      last = now;
      storage.digest.pruneAlertOutbox(now - OUTBOX_KEEP_MS, storage.alertOutboxCursor());
    },
  };
}
