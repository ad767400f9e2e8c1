/**
 * Idle digest threads stop and start again on demand (src/workers/runner.ts,
 * SNAG_WORKER_REST_AFTER_IDLE_SECONDS): with the rest set to 1 s, all three digest threads stop once
 * idle (the process has three threads fewer), and then an event, a transaction, a log record and a
 * maintenance task that needs every thread are each handled as if they had never stopped. queue.db
 * is checkpointed by a thread of its own (queue/checkpointer.ts), which also rests when commits stop.
 * Retention every 2 s shows clock-driven tasks skipping resting threads with nothing new. With the
 * default rest of a minute, threads that only ran the scheduler's start-up tasks rest within
 * seconds (digest-thread.ts TASK_ONLY_REST_MS).
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
    snag = await startSnag({
      env: { SNAG_WORKER_REST_AFTER_IDLE_SECONDS: '1', SNAG_RETENTION_SCHEDULE: '*/2 * * * * *' },
    });
    busyThreads = threadCount(snag.proc.pid!);
  });
  afterAll(() => stopAndRemove(snag));

  const rested = () =>
    waitFor(() => threadCount(snag.proc.pid!) === busyThreads - 3, 20_000, 'all digest threads resting');

  it('stops all three idle threads, and starts the errors thread again for an event', async () => {
    await rested();
    const api = snagApi(snag);
    const before = (await api.health()).event_count;
    expect((await replayFixture(snag, loadFixture('node-sdk-envelope'))).status).toBe(200);
    await waitFor(async () => (await api.health()).event_count > before, 10_000, 'event stored');
    await rested();
  });

  it('skips clock-driven retention while the threads rest with nothing new', async () => {
    const retention = async () => {
      const res = await fetch(`${snag.url}/api/v1/settings/storage`);
      const body = (await res.json()) as {
        scheduler: {
          tasks: { name: string; last_started: string | null; last_ok: boolean | null; running: boolean }[];
        };
      };
      return body.scheduler.tasks.find((t) => t.name === 'retention')!;
    };
    const runAfter = (since: number) =>
      waitFor(
        async () => {
          const r = await retention();
          return r.last_started && Date.parse(r.last_started) > since && !r.running ? r : undefined;
        },
        10_000,
        'a retention run',
      );
    // The first run after the event above may start the errors thread once: it has new rows.
    await rested();
    await runAfter(Date.now());
    await rested();
    const most = { threads: 0 };
    const sampler = setInterval(
      () => (most.threads = Math.max(most.threads, threadCount(snag.proc.pid!))),
      20,
    );
    try {
      const run = await runAfter(Date.now());
      expect(run.last_ok).toBe(true);
    } finally {
      clearInterval(sampler);
    }
    // Not one thread was started for it.
    expect(most.threads).toBe(busyThreads - 3);
  });

  it('starts the logs thread and the queue checkpoint thread for a log record, not the errors thread', async () => {
    await rested();
    const api = snagApi(snag);
    const before = (await api.health()).log_count;
    expect((await replayFixture(snag, loadFixture('logs/otlp-json'))).status).toBe(200);
    // Logs and the checkpoint thread up, errors and transactions still resting.
    await waitFor(
      () => threadCount(snag.proc.pid!) === busyThreads - 1,
      10_000,
      'logs and checkpoint threads',
    );
    await waitFor(async () => (await api.health()).log_count > before, 10_000, 'log stored');
    await rested();
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

  it('runs a maintenance task that needs every thread while they rest', async () => {
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

describe('threads that only ran the start-up tasks', () => {
  let snag: RunningSnag;
  afterAll(() => stopAndRemove(snag));

  it('rest within seconds of them, not after the minute of idleness', async () => {
    const startedAt = Date.now();
    snag = await startSnag({ env: { SNAG_WORKER_REST_AFTER_IDLE_SECONDS: '60' } });
    const pid = snag.proc.pid!;
    // The three digest threads start with the process and are still up for the start-up tasks.
    const busy = threadCount(pid);
    await waitFor(() => threadCount(pid) === busy - 3, 30_000, 'all three digest threads resting');
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    // And an event still starts the errors thread and is stored.
    const api = snagApi(snag);
    expect((await replayFixture(snag, loadFixture('node-sdk-envelope'))).status).toBe(200);
    await waitFor(async () => (await api.health()).event_count >= 1, 10_000, 'event stored');
  });
});
