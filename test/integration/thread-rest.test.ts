/**
 * Idle digest threads stop and start again on demand (src/workers/runner.ts,
 * SNAG_WORKER_REST_AFTER_IDLE_SECONDS): with the rest set to 1 s, the transactions and logs threads
 * stop once idle (the process has two threads fewer), and then a transaction, a log record and a
 * maintenance task that needs every thread are each handled as if they had never stopped.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { loadFixture, replayFixture } from '../helpers/fixtures.js';
import { snagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const threadCount = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).length;

describe('resting digest threads', () => {
  let snag: RunningSnag;
  let busyThreads: number;

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_WORKER_REST_AFTER_IDLE_SECONDS: '1' } });
    busyThreads = threadCount(snag.proc.pid!);
  });
  afterAll(() => stopAndRemove(snag));

  const rested = () =>
    waitFor(
      () => threadCount(snag.proc.pid!) === busyThreads - 2,
      20_000,
      'transactions and logs threads resting',
    );

  it('stops the idle transactions and logs threads, and keeps the errors thread', async () => {
    await rested();
    // Errors still flow through the thread that never rests.
    const api = snagApi(snag);
    const before = (await api.health()).event_count;
    expect((await replayFixture(snag, loadFixture('node-sdk-envelope'))).status).toBe(200);
    await waitFor(async () => (await api.health()).event_count > before, 10_000, 'event stored');
  });

  it('starts them again for a transaction and a log record, which are stored as usual', async () => {
    await rested();
    const api = snagApi(snag);
    expect((await replayFixture(snag, loadFixture('apm/node-static-transaction'))).status).toBe(200);
    expect((await replayFixture(snag, loadFixture('logs/otlp-json'))).status).toBe(200);
    const health = await waitFor(
      async () => {
        const h = await api.health();
        return h.transaction_count >= 1 && h.log_count >= 1 && h.queue_depth === 0 ? h : undefined;
      },
      15_000,
      'transaction and logs stored after the rest',
    );
    expect([health.invalid_transactions, health.invalid_logs, health.parked_jobs]).toEqual([0, 0, 0]);
    // And they rest again.
    await rested();
  });

  it('runs a maintenance task that needs every thread while two of them rest', async () => {
    await rested();
    const res = await fetch(`${snag.url}/api/v1/settings/maintenance/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'storage statistics' }),
    });
    expect(res.status).toBe(200);
    // Each file's statistics come from the thread that owns it: all five means all three ran it.
    const body = (await res.json()) as { result: { files: string[] } };
    expect(body.result.files.sort()).toEqual(['app', 'errors', 'logs', 'queue', 'transactions']);
  });
});
