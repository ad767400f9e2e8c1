/**
 * Sends queued deliveries (app.db `alert_deliveries`, status `pending`) whose time has come, and
 * records each attempt: sent, or failed with the error and the next attempt after an exponential
 * backoff (SNAG_ALERT_RETRY_SECONDS, doubling, at most an hour apart) until SNAG_ALERT_MAX_ATTEMPTS.
 * A crash during a send leaves the row pending, so it is sent again: delivery is at least once,
 * and receivers can dedupe on the delivery id (the webhook's X-Snag-Delivery header).
 */
import type { AlertDeliveryRow, AlertsStore } from '../../storage/alerts-store.js';
import type { Mailer } from './channels/email.js';
import { sendToChannel } from './channels/send.js';
import { channelOf } from './rows.js';
import type { AlertChannel, AlertMessage } from './types.js';

export const MAX_BACKOFF_MS = 3_600_000;
/** Sends in flight at once: a slow receiver should not hold up the rest of a tick. */
const SEND_BATCH = 20;

export interface DispatcherDeps {
  alerts: AlertsStore;
  envChannels: AlertChannel[];
  mailer: Mailer | null;
  retryBaseMs: number;
  maxAttempts: number;
  log: { warn(obj: object, msg: string): void };
  now?: () => number;
}

export function backoffMs(retryBaseMs: number, attempts: number): number {
  return Math.min(retryBaseMs * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export function createDispatcher(deps: DispatcherDeps) {
  const { alerts } = deps;
  const now = () => deps.now?.() ?? Date.now();
  const inFlight = new Set<number>();

  function resolveChannel(id: string): AlertChannel | undefined {
    if (id.startsWith('env-')) return deps.envChannels.find((c) => c.id === id);
    const row = /^\d+$/.test(id) ? alerts.getChannel(Number(id)) : undefined;
    return row && channelOf(row);
  }

  /** One attempt; `retry: false` gives up on the first failure (a "send test" is not retried). */
  async function attempt(row: AlertDeliveryRow, options: { retry: boolean }): Promise<void> {
    inFlight.add(row.id);
    try {
      const channel = resolveChannel(row.channel_id);
      if (!channel) {
        alerts.markAttemptFailed(row.id, `The channel "${row.channel_name}" no longer exists.`, null);
        return;
      }
      try {
        await sendToChannel(channel, JSON.parse(row.message) as AlertMessage, {
          mailer: deps.mailer,
          deliveryId: String(row.id),
          extraRecipients: JSON.parse(row.extra_to) as string[],
          now: now(),
        });
        alerts.markSent(row.id, now());
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const attempts = row.attempts + 1;
        const giveUp = !options.retry || attempts >= deps.maxAttempts;
        alerts.markAttemptFailed(
          row.id,
          error,
          giveUp ? null : now() + backoffMs(deps.retryBaseMs, attempts),
        );
        deps.log.warn(
          { delivery: row.id, channel: row.channel_name, attempts, giveUp, error },
          'alert delivery failed',
        );
      }
    } finally {
      inFlight.delete(row.id);
    }
  }

  return {
    resolveChannel,
    attempt,
    /** Attempts the deliveries that are due; returns how many were attempted. */
    async sendDue(): Promise<number> {
      const due = alerts
        .listDueDeliveries(now(), SEND_BATCH + inFlight.size)
        .filter((r) => !inFlight.has(r.id))
        .slice(0, SEND_BATCH);
      await Promise.all(due.map((r) => attempt(r, { retry: true })));
      return due.length;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
