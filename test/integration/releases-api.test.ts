/**
 * Releases from real SDK traffic, read back through the JSON API: the real @sentry/node sends
 * errors and transactions with release shop@1, an issue is resolved, then shop@2 brings a new
 * issue and the resolved one back. Checks what each release brought (new, regressed), the counts
 * (errors, transactions; an SDK retry counted once), p95 against the release before, deploys
 * (POST/GET) and the chart markers switching from first events to deploys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeployView, ReleaseDetail, ReleaseList } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { runNodeApm, runNodeSdk } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { getJson, startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';

const APM_TIMEOUT_MS = 60_000;
/** node-apm-app.js `requests`: /users/7, /orders, /checkout (+ /inventory it calls), /slow; /checkout also sends an error. */
const APM_TRANSACTIONS = 5;

describe('releases from real SDK traffic', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let base: string;
  let first: Record<string, string>;
  let second: Record<string, string>;
  let eventsSent = 0;

  const releases = () => getJson<ReleaseList>(`${base}/releases`);
  const release = (v: string) => getJson<ReleaseDetail>(`${base}/releases/${encodeURIComponent(v)}`);
  const postDeploy = (v: string, body: unknown) =>
    fetch(`${base}/releases/${encodeURIComponent(v)}/deploys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Release counters land in app.db just after the errors.db commit: wait for them, not for the events. */
  const releaseWhere = (v: string, ok: (r: ReleaseDetail) => boolean) =>
    waitFor(
      async () => {
        const r = await release(v).catch(() => undefined);
        return r && ok(r) ? r : undefined;
      },
      20_000,
      `release ${v}`,
    );

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    base = `${snag.url}/api/v1/projects/default`;

    // shop@1: issue A (2 events) and, from the APM app, transactions and its checkout error (issue C).
    first = await runNodeSdk(snag.dsn, ['user-not-found'], { release: 'shop@1' });
    await runNodeApm(snag.dsn, 'static', 'requests', { release: 'shop@1' });
    eventsSent = 3;
    await waitForDigest(snag, eventsSent);
    await releaseWhere('shop@1', (r) => r.error_events === 3 && r.transactions >= APM_TRANSACTIONS);

    const issueA = (await api.getEvent(first['user-0']!)).issue_id;
    await api.setIssueStatus(issueA, 'resolved');

    // shop@2: a new issue B, issue A again (a regression), and the APM app again.
    second = await runNodeSdk(snag.dsn, ['other-path', 'user-not-found'], { release: 'shop@2' });
    await runNodeApm(snag.dsn, 'static', 'requests', { release: 'shop@2' });
    eventsSent += 4;
    await waitForDigest(snag, eventsSent);
    await releaseWhere('shop@2', (r) => r.error_events === 4 && r.transactions >= APM_TRANSACTIONS);
  }, APM_TIMEOUT_MS * 2);

  afterAll(() => stopAndRemove(snag));

  it('stamps issues with their first and last release', async () => {
    const a = await api.getIssue((await api.getEvent(second['user-0']!)).issue_id);
    expect(a).toMatchObject({ first_release: 'shop@1', last_release: 'shop@2', status: 'open' });
    const b = await api.getIssue((await api.getEvent(second['other']!)).issue_id);
    expect(b).toMatchObject({ first_release: 'shop@2', last_release: 'shop@2' });
  });

  it('lists each release with what it brought, newest first', async () => {
    const list = await releases();
    expect(list.releases.map((r) => r.version)).toEqual(['shop@2', 'shop@1']);
    const [two, one] = list.releases;
    expect(one).toMatchObject({
      error_events: 3,
      new_issue_count: 2,
      regression_count: 0,
      previous_version: null,
    });
    expect(two).toMatchObject({
      error_events: 4,
      new_issue_count: 1,
      regression_count: 1,
      previous_version: 'shop@1',
    });
    expect(one!.transactions).toBe(APM_TRANSACTIONS);
    // p95 from the APM rollups, and its change against the release before.
    expect(one!.latency.p95).toBeGreaterThan(0);
    expect(two!.latency.previous_p95).toBe(one!.latency.p95);
    const expected = ((two!.latency.p95! - one!.latency.p95!) / one!.latency.p95!) * 100;
    expect(two!.latency.p95_change_percent).toBeCloseTo(expected, 0);
  });

  it('names the new issues and the regressions of a release', async () => {
    const two = await release('shop@2');
    const issueA = (await api.getEvent(second['user-0']!)).issue_id;
    const issueB = (await api.getEvent(second['other']!)).issue_id;
    expect(two.new_issues.map((i) => i.id)).toEqual([issueB]);
    expect(two.regressions).toHaveLength(1);
    expect(two.regressions[0]).toMatchObject({ id: issueA, status: 'open' });
    // The event that reopened it is the first of shop@2's two user-not-found events.
    expect([second['user-0'], second['user-1']]).toContain(two.regressions[0]!.event_id);
    const one = await release('shop@1');
    expect(one.new_issues.map((i) => i.id)).toContain(issueA);
    expect(one.regressions).toEqual([]);
  });

  it('counts an event an SDK sent twice once', async () => {
    const event = sdkEvent({ release: 'retry@1' });
    const path = `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`;
    for (const body of [
      eventEnvelope(event),
      eventEnvelope(event),
      eventEnvelope(sdkEvent({ release: 'retry@1' })),
    ])
      expect((await postRaw(snag.url, path, body)).status).toBe(200);
    await waitFor(async () => (await api.health()).duplicate_events >= 1, 10_000, 'the duplicate');
    const r = await releaseWhere('retry@1', (x) => x.error_events >= 2);
    expect(r.error_events).toBe(2);
  });

  it('draws markers at first events until a deploy is recorded, then at deploys', async () => {
    const before = await api.listIssues();
    expect(before.release_markers.map((m) => [m.version, m.environment])).toEqual(
      expect.arrayContaining([
        ['shop@1', null],
        ['shop@2', null],
      ]),
    );

    const res = await postDeploy('shop@2', {
      environment: 'production',
      url: 'https://ci.example/runs/12',
      name: 'deploy 12',
      started_at: new Date(Date.now() - 90_000).toISOString(),
    });
    expect(res.status).toBe(201);
    const deploy = (await res.json()) as DeployView;
    expect(deploy).toMatchObject({ version: 'shop@2', environment: 'production', name: 'deploy 12' });

    const after = await api.listIssues();
    expect(after.release_markers).toEqual([
      { version: 'shop@2', first_seen: deploy.finished_at, environment: 'production' },
    ]);
    const issue = await api.getIssue((await api.getEvent(second['other']!)).issue_id);
    expect(issue.release_markers.map((m) => m.environment)).toEqual(['production']);
    const perf = await api.performance();
    const endpoint = await api.endpoint(perf.endpoints[0]!.name);
    expect(endpoint.deploys).toEqual([
      { version: 'shop@2', first_seen: deploy.finished_at, environment: 'production' },
    ]);

    const { deploys } = await getJson<{ deploys: DeployView[] }>(`${base}/releases/shop%402/deploys`);
    expect(deploys).toEqual([deploy]);
    expect((await release('shop@2')).deploys).toEqual([deploy]);
  });

  it('records a deploy of a release no event has named yet, at the time given', async () => {
    const res = await postDeploy('shop@3', { environment: 'staging', time: 1_767_225_600 });
    expect(res.status).toBe(201);
    const r = await release('shop@3');
    expect(r).toMatchObject({ first_seen: null, error_events: 0 });
    expect(r.deploys[0]!.finished_at).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses deploys without an environment, with a bad url or time, and unknown projects', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /environment/],
      [{ environment: 'production', url: 'javascript:alert(1)' }, /url must be an http/],
      [{ environment: 'production', time: 'yesterday' }, /ISO 8601/],
      [{ environment: 'prod/eu' }, /without slashes/],
    ];
    for (const [body, message] of cases) {
      const res = await postDeploy('shop@2', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(message);
    }
    const unknown = await fetch(`${snag.url}/api/v1/projects/nope/releases/x/deploys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'production' }),
    });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${base}/releases/never-seen`)).status).toBe(404);
  });
});
