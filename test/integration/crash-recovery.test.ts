/**
 * "Once the client has its 200, a crash (even kill -9) loses nothing" (BRIEF.md), tested with a
 * real kill -9: concurrent senders fire events with unique ids, the server is SIGKILLed mid-stream,
 * restarted on the same data dir, and every acknowledged event must be stored exactly once.
 * Events whose request was in flight at the kill may or may not be stored; none may be stored twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stopAndRemove, stopWithin } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { snagApi } from '../helpers/snag-api.js';
import { startSnag, tempDataDir, waitForDigest, type RunningSnag } from '../helpers/snag.js';

const SENDERS = 6;
const ACKS_BEFORE_KILL = 300;
const KILLS = 2;

let sequence = 0;

/** Fires events from SENDERS loops until ACKS_BEFORE_KILL are acknowledged, SIGKILLs, and reports. */
async function fireAndKill(snag: RunningSnag): Promise<{ acknowledged: string[]; attempted: string[] }> {
  const path = `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`;
  const acknowledged: string[] = [];
  const attempted: string[] = [];
  let killSent = false;

  async function sender(): Promise<void> {
    for (;;) {
      const event = sdkEvent({ exception: undefined, message: `Crash test event ${++sequence}` });
      const id = event['event_id'] as string;
      attempted.push(id);
      let status: number;
      try {
        const res = await postRaw(snag.url, path, eventEnvelope(event));
        status = res.status;
        if (status === 200) expect(res.json).toEqual({ id });
      } catch (err) {
        if (killSent) return; // refused or reset: the server is gone, as intended
        throw err;
      }
      if (status !== 200) throw new Error(`unexpected ${status} before the kill`);
      acknowledged.push(id);
      if (acknowledged.length >= ACKS_BEFORE_KILL && !killSent) {
        killSent = true;
        // The other senders keep firing into the dying process.
        snag.proc.kill('SIGKILL');
      }
    }
  }

  await Promise.all(Array.from({ length: SENDERS }, sender));
  await snag.kill();
  return { acknowledged, attempted };
}

describe('crash recovery', () => {
  const dataDir = tempDataDir('snag-crash');
  let snag: RunningSnag | undefined;

  afterAll(() => stopAndRemove(snag));

  it('keeps every acknowledged event across two kill -9s, each stored exactly once', async () => {
    const acknowledged = new Set<string>();
    const attempted = new Set<string>();
    snag = await startSnag({ dataDir });
    const firstKey = snag.publicKey;

    for (let round = 1; round <= KILLS; round++) {
      const result = await fireAndKill(snag);
      expect(result.acknowledged.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
      result.acknowledged.forEach((id) => acknowledged.add(id));
      result.attempted.forEach((id) => attempted.add(id));
      expect(snag.proc.signalCode).toBe('SIGKILL');
      // A new port; the DSN key lives in the data dir, so it still works.
      snag = await startSnag({ dataDir });
      expect(snag.publicKey).toBe(firstKey);
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL * KILLS);

    await waitForDigest(snag, acknowledged.size, 30_000);
    const api = snagApi(snag);
    const health = await api.health();

    // Every acknowledged id answers on its own URL.
    const missing: string[] = [];
    const ids = [...acknowledged];
    for (let i = 0; i < ids.length; i += 25) {
      const found = await Promise.all(ids.slice(i, i + 25).map((id) => api.findEvent(id)));
      found.forEach((event, j) => {
        if (!event) missing.push(ids[i + j]!);
        else expect(event.event_id).toBe(ids[i + j]);
      });
    }
    expect(missing).toEqual([]);

    // Exactly once: all events sit in one issue ("Crash test event <int>"); page through it.
    const { issues } = await api.listIssues({ limit: '100' });
    expect(issues).toHaveLength(1);
    const stored: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api.listIssueEvents(issues[0]!.id, { limit: '100', ...(cursor ? { cursor } : {}) });
      stored.push(...page.events.map((e) => e.event_id));
      cursor = page.next_cursor;
    } while (cursor);
    const storedSet = new Set(stored);
    expect(storedSet.size).toBe(stored.length);
    expect([...acknowledged].filter((id) => !storedSet.has(id))).toEqual([]);
    expect(stored.filter((id) => !attempted.has(id))).toEqual([]);
    expect(issues[0]!.count).toBe(stored.length);
    expect(health.event_count).toBe(stored.length);
    expect(health.issue_count).toBe(1);
    expect(health.invalid_events).toBe(0);
    // What may exceed the acknowledged set: events committed whose 200 was lost in the kill.
    expect(stored.length - acknowledged.size).toBeLessThanOrEqual(SENDERS * KILLS);
  });

  // Fails at the time of writing: after close() the digest worker thread stays alive, because
  // src/workers/digest-thread.ts keeps its parentPort 'message' listener after sending 'stopped'
  // and src/workers/runner.ts stop() neither terminates nor unrefs the Worker, so the process
  // never exits (process._getActiveHandles() after close() shows one MessagePort).
  it('exits by itself on SIGTERM, keeping what it acknowledged', async () => {
    const running = snag!;
    const event = sdkEvent({ exception: undefined, message: 'Before a clean stop' });
    const res = await postRaw(
      running.url,
      `/api/${running.projectId}/envelope/?sentry_key=${running.publicKey}`,
      eventEnvelope(event),
    );
    expect(res.status).toBe(200);
    // Close takes ~150 ms (drain the queue commit, stop the worker, close SQLite); 5 s is generous.
    const exitedCleanly = await stopWithin(running, 5_000);
    expect(exitedCleanly, `snag serve did not exit within 5 s of SIGTERM:\n${running.output()}`).toBe(true);
    expect(running.proc.exitCode).toBe(0);

    snag = await startSnag({ dataDir });
    expect(await snagApi(snag).findEvent(event['event_id'] as string)).toBeDefined();
  });
});
