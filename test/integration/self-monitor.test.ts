/**
 * Self-monitoring: a Snag with SNAG_SENTRY_DSN reports an error it logs (forced through POST
 * /api/v1/settings/self-monitor/test, which logs it the way any failure is logged) to a second
 * Snag exactly once; with SNAG_SENTRY_TRACES_SAMPLE_RATE, the requests it serves (never ingest) as
 * transactions; and a Snag reporting to itself stores its own error once, with no loop.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { snagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const running: RunningSnag[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function forceError(snag: RunningSnag): Promise<string> {
  const res = await fetch(`${snag.url}/api/v1/settings/self-monitor/test`, { method: 'POST' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { test_id: string }).test_id;
}

async function eventsMentioning(snag: RunningSnag, text: string): Promise<number> {
  const api = snagApi(snag);
  const { issues } = await api.listIssues();
  let n = 0;
  for (const issue of issues.filter((i) => i.title.includes(text))) {
    n += (await api.listIssueEvents(issue.id)).events.length;
  }
  return n;
}

describe('self-monitoring', () => {
  it('reports a forced error to another Snag exactly once', async () => {
    const receiver = await startSnag();
    running.push(receiver);
    const monitored = await startSnag({ env: { SNAG_SENTRY_DSN: receiver.dsn } });
    running.push(monitored);

    const id = await forceError(monitored);
    await waitFor(async () => (await eventsMentioning(receiver, id)) === 1, 15_000, 'self-report received');
    const issue = (await snagApi(receiver).listIssues()).issues.find((i) => i.title.includes(id))!;
    const detail = await snagApi(receiver).getIssue(issue.id);
    expect(detail.title).toContain(`Snag self-monitoring test ${id}`);
    // Nothing more arrives: no retry, no duplicate.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await eventsMentioning(receiver, id)).toBe(1);

    const off = await fetch(`${receiver.url}/api/v1/settings/self-monitor/test`, { method: 'POST' });
    expect(off.status).toBe(409);
  }, 60_000);

  it('reports served requests as transactions with SNAG_SENTRY_TRACES_SAMPLE_RATE, never ingest', async () => {
    const receiver = await startSnag();
    running.push(receiver);
    const monitored = await startSnag({
      env: { SNAG_SENTRY_DSN: receiver.dsn, SNAG_SENTRY_TRACES_SAMPLE_RATE: '1' },
    });
    running.push(monitored);
    for (let i = 0; i < 3; i++) expect((await fetch(`${monitored.url}/api/v1/projects`)).status).toBe(200);
    expect((await fetch(`${monitored.url}/api/v1/issues/999999`)).status).toBe(404);
    // Ingest on the monitored Snag is never traced.
    const path = `/api/${monitored.projectId}/envelope/?sentry_key=${monitored.publicKey}`;
    expect((await postRaw(monitored.url, path, eventEnvelope(sdkEvent()))).status).toBe(200);

    const api = snagApi(receiver);
    const list = await waitFor(
      async () => {
        const t = await api.searchTransactions({ limit: '50' });
        return t.transactions.length >= 4 ? t : undefined;
      },
      15_000,
      'self-reported transactions',
    );
    const names = list.transactions.map((t) => t.name).sort();
    expect(names).toEqual([
      'GET /api/v1/issues/:id',
      'GET /api/v1/projects',
      'GET /api/v1/projects',
      'GET /api/v1/projects',
    ]);
    const notFound = list.transactions.find((t) => t.name === 'GET /api/v1/issues/:id')!;
    expect(notFound.http_status).toBe(404);
  }, 60_000);

  it('reports to itself without a feedback loop', async () => {
    // First start creates the project (and its DSN); the second reports to that DSN on the same port.
    const first = await startSnag();
    const { dataDir, dsn } = first;
    const port = new URL(first.url).port;
    await first.stop();
    const started = await startSnag({ dataDir, env: { SNAG_PORT: port, SNAG_SENTRY_DSN: dsn } });
    running.push(started);
    // The helper's url names the port it picked; this Snag listens on the DSN's.
    const self = { ...started, url: new URL(started.dsn).origin };

    const id = await forceError(self);
    await waitFor(async () => (await eventsMentioning(self, id)) === 1, 15_000, 'own error stored');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await eventsMentioning(self, id)).toBe(1);
    const { event_count: total } = await snagApi(self).health();
    expect(total).toBe(1);
    const stats = (await (await fetch(`${self.url}/api/v1/settings/self-monitor`)).json()) as {
      sent: number;
    };
    expect(stats.sent).toBe(1);
  }, 60_000);
});
