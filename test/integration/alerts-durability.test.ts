/**
 * A delivery survives `kill -9`: a real Snag whose webhook receiver is failing is killed after the
 * first attempt; restarted on the same data dir, it sends the same delivery (same X-Snag-Delivery)
 * once the receiver is back, and routes the outbox row no second time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sendAlertEvents } from '../helpers/alerts.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

describe('alert delivery across a crash', () => {
  let snag: RunningSnag | undefined;
  let receiver: HttpReceiver | undefined;

  afterAll(async () => {
    await stopAndRemove(snag);
    await receiver?.close();
  });

  it('sends a pending delivery after kill -9 and a restart, exactly once more', async () => {
    receiver = await startHttpReceiver({ status: 503 });
    const env = {
      SNAG_WEBHOOK_URL: `${receiver.url}/in`,
      SNAG_WEBHOOK_SECRET: 'durability-test-secret',
      // The retry is due 4 s after the failed attempt: after the restart, not before the kill.
      SNAG_ALERT_RETRY_SECONDS: '4',
    };
    snag = await startSnag({ env });
    await sendAlertEvents(snag.dsn, ['durable:1']);
    await waitFor(() => receiver!.requests.length >= 1, 30_000, 'the first (failed) attempt');
    await snag.kill();
    const first = receiver.requests[0]!;
    expect(first.status).toBe(503);

    receiver.status = 200;
    snag = await startSnag({ dataDir: snag.dataDir, env });
    const retried = await waitFor(
      () => receiver!.requests.find((r) => r.status === 200),
      20_000,
      'the retry',
    );
    expect(retried.headers['x-snag-delivery']).toBe(first.headers['x-snag-delivery']);
    expect((retried.json as { trigger: string }).trigger).toBe('new_issue');
    // The outbox row was routed before the crash (cursor and delivery in one transaction): no second alert.
    await new Promise((r) => setTimeout(r, 2000));
    expect(receiver.requests).toHaveLength(2);
  });
});
