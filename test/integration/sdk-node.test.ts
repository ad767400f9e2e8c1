/**
 * The real @sentry/node SDK (run by test/helpers/node-sdk-sender.js in a child process) against a
 * real Snag, read back through the JSON API: grouping, labels, counts, releases, environments,
 * stored payloads, filters, sorting, pagination and the resolve → regression lifecycle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeSdk } from '../helpers/sdk-senders.js';
import { snagApi, type IssueDetail, type SnagApi } from '../helpers/snag-api.js';
import { REPO_ROOT, startSnag, waitForDigest, type RunningSnag } from '../helpers/snag.js';

const SENDER = path.join(REPO_ROOT, 'test/helpers/node-sdk-sender.js');
const SDK_VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/@sentry/node/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const ALL_SCENARIOS = [
  'user-not-found',
  'other-path',
  'chained',
  'message',
  'fingerprint',
  'default-fingerprint',
  'context',
];
// user-not-found 2, other-path 1, chained 1, message 1, fingerprint 2, default-fingerprint 4, context 1.
const FIRST_RUN_EVENTS = 12;
const FIRST_RUN_ISSUES = 9;

type Frame = {
  function?: string;
  filename?: string;
  in_app?: boolean;
  context_line?: string;
  lineno?: number;
};
type ExceptionValue = {
  type?: string;
  value?: string;
  mechanism?: Record<string, unknown>;
  stacktrace: { frames: Frame[] };
};

describe('@sentry/node → Snag', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let ids: Record<string, string>;
  const issueIdOf = async (eventId: string) => (await api.getEvent(eventId)).issue_id;
  const issueOf = async (eventId: string): Promise<IssueDetail> => api.getIssue(await issueIdOf(eventId));
  const exceptionsOf = async (eventId: string) =>
    ((await api.getEvent(eventId)).payload['exception'] as { values: ExceptionValue[] }).values;

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    ids = await runNodeSdk(snag.dsn, ALL_SCENARIOS, { release: 'app@1.0.0' });
    await waitForDigest(snag, FIRST_RUN_EVENTS);
  });

  afterAll(() => stopAndRemove(snag));

  it('stores every event the SDK sent, as the issues expected', async () => {
    const health = await api.health();
    expect(health.event_count).toBe(FIRST_RUN_EVENTS);
    expect(health.issue_count).toBe(FIRST_RUN_ISSUES);
    expect(health.invalid_events).toBe(0);
    const list = await api.listIssues({ limit: '100' });
    expect(list.counts).toEqual({ open: FIRST_RUN_ISSUES, resolved: 0, ignored: 0 });
    expect(list.issues).toHaveLength(FIRST_RUN_ISSUES);
  });

  it('groups an error whose message differs only by a number into one issue', async () => {
    const issueId = await issueIdOf(ids['user-0']!);
    expect(await issueIdOf(ids['user-1']!)).toBe(issueId);
    const issue = await api.getIssue(issueId);
    expect(issue).toMatchObject({
      title: 'Error: User 123 not found',
      type: 'Error',
      value: 'User 123 not found',
      culprit: 'findUser(node-sdk-sender)',
      level: 'error',
      platform: 'node',
      status: 'open',
      count: 2,
      user_count: 2,
      first_release: 'app@1.0.0',
      last_release: 'app@1.0.0',
      last_event_id: ids['user-1'],
    });
  });

  it('keeps an error thrown from another call path apart', async () => {
    const other = await issueOf(ids['other']!);
    expect(other.id).not.toBe(await issueIdOf(ids['user-0']!));
    expect(other).toMatchObject({
      title: 'Error: User 789 not found',
      culprit: 'findUser(node-sdk-sender)',
      count: 1,
    });
  });

  it('stores the stack trace with in-app frames, oldest first', async () => {
    const [exception] = await exceptionsOf(ids['user-0']!);
    const frames = exception!.stacktrace.frames;
    expect(frames.slice(-3).map((f) => [f.function, f.in_app, f.filename])).toEqual([
      ['handleRequest', true, SENDER],
      ['loadProfile', true, SENDER],
      ['findUser', true, SENDER],
    ]);
    expect(frames.at(-1)!.context_line).toBe('  throw new Error(`User ${id} not found`);');
    // Node's own frames come first and are not the application's.
    expect(frames[0]!.filename).toMatch(/^node:internal\//);
    expect(frames[0]!.in_app).toBe(false);
  });

  it('stores a chained exception with the cause first and the primary exception last', async () => {
    const exceptions = await exceptionsOf(ids['chained']!);
    expect(exceptions.map((e) => [e.type, e.value])).toEqual([
      ['SyntaxError', expect.stringContaining('JSON') as unknown],
      ['Error', 'Config could not be loaded'],
    ]);
    expect(exceptions[0]!.mechanism).toMatchObject({ type: 'chained', source: 'cause' });
    expect(await issueOf(ids['chained']!)).toMatchObject({
      title: 'Error: Config could not be loaded',
      culprit: 'parseConfig(node-sdk-sender)',
      type: 'Error',
    });
  });

  it('labels a captured message with its level and text', async () => {
    const issue = await issueOf(ids['message']!);
    expect(issue).toMatchObject({ title: 'Disk space low on /var', type: '', level: 'warning', count: 1 });
    expect(issue.tags.find((t) => t.key === 'level')?.values).toEqual([
      expect.objectContaining({ value: 'warning', count: 1 }),
    ]);
    const event = await api.getEvent(ids['message']!);
    expect(event.level).toBe('warning');
    expect(event.payload['logentry']).toEqual({ formatted: 'Disk space low on /var' });
  });

  it('groups different errors with the same custom fingerprint into one issue', async () => {
    const issueId = await issueIdOf(ids['card']!);
    expect(await issueIdOf(ids['ship']!)).toBe(issueId);
    expect(await api.getIssue(issueId)).toMatchObject({ count: 2, title: 'TypeError: card declined' });
    expect((await api.getEvent(ids['ship']!)).payload['fingerprint']).toEqual(['my-group']);
  });

  it('extends the default grouping with {{ default }} plus a value', async () => {
    const cardX = await issueIdOf(ids['card-x-1']!);
    expect(await issueIdOf(ids['card-x-2']!)).toBe(cardX);
    const others = await Promise.all([ids['plain']!, ids['ship-x']!, ids['card']!].map(issueIdOf));
    expect(new Set([cardX, ...others]).size).toBe(4);
    expect(await api.getIssue(cardX)).toMatchObject({ count: 2, title: 'TypeError: card declined' });
    expect(await api.getIssue(others[0]!)).toMatchObject({ count: 1, title: 'TypeError: card declined' });
    expect(await api.getIssue(others[1]!)).toMatchObject({
      count: 1,
      title: 'RangeError: no courier available',
    });
  });

  it('stores breadcrumbs, user, tags, contexts, environment and release', async () => {
    const event = await api.getEvent(ids['context']!);
    expect(event).toMatchObject({
      level: 'error',
      environment: 'production',
      release: 'app@1.0.0',
      platform: 'node',
      user: { id: 'user-42', email: 'jane@example.com', ip_address: null },
      sdk: `sentry.javascript.node/${SDK_VERSION}`,
    });
    const p = event.payload;
    expect((p['breadcrumbs'] as { values: unknown[] }).values).toEqual([
      expect.objectContaining({
        category: 'auth',
        message: 'User logged in',
        level: 'info',
        data: { method: 'password' },
      }),
      expect.objectContaining({ category: 'cart', message: 'Added 3 items', level: 'debug' }),
    ]);
    expect(p['user']).toEqual({ id: 'user-42', email: 'jane@example.com' });
    expect(p['tags']).toEqual([['feature', 'checkout']]);
    const contexts = p['contexts'] as Record<string, Record<string, unknown>>;
    expect(contexts['order']).toEqual({ id: 'o-9', items: 3 });
    expect(contexts['runtime']).toMatchObject({ name: 'node', version: process.version });

    const issue = await issueOf(ids['context']!);
    expect(issue).toMatchObject({
      title: 'RangeError: no courier available',
      culprit: 'shipOrder(node-sdk-sender)',
    });
    expect(issue.user_count).toBe(1);
    expect(
      Object.fromEntries(issue.tags.map((t) => [t.key, t.values.map((v) => [v.value, v.count])])),
    ).toEqual({
      environment: [['production', 1]],
      feature: [['checkout', 1]],
      level: [['error', 1]],
      release: [['app@1.0.0', 1]],
      server_name: [[os.hostname(), 1]],
    });
  });

  describe('after a later release in another environment', () => {
    let userIssue: number;
    let stagingId: string;

    beforeAll(async () => {
      userIssue = await issueIdOf(ids['user-0']!);
      const again = await runNodeSdk(snag.dsn, ['user-not-found'], {
        release: 'app@1.1.0',
        environment: 'staging',
        env: { SNAG_USER_IDS: '777' },
      });
      stagingId = again['user-0']!;
      await waitForDigest(snag, FIRST_RUN_EVENTS + 1);
    });

    it('folds the new event into the issue: count, users, releases, tags', async () => {
      expect(await issueIdOf(stagingId)).toBe(userIssue);
      const issue = await api.getIssue(userIssue);
      expect(issue).toMatchObject({
        count: 3,
        user_count: 3,
        first_release: 'app@1.0.0',
        last_release: 'app@1.1.0',
        last_event_id: stagingId,
      });
      const tags = Object.fromEntries(
        issue.tags.map((t) => [t.key, t.values.map((v) => [v.value, v.count])]),
      );
      expect(tags['environment']).toEqual([
        ['production', 2],
        ['staging', 1],
      ]);
      expect(tags['release']).toEqual([
        ['app@1.0.0', 2],
        ['app@1.1.0', 1],
      ]);
      expect((await api.getEvent(stagingId)).environment).toBe('staging');
    });

    it('filters issues by environment and release', async () => {
      const idsOf = async (query: Record<string, string>) =>
        (await api.listIssues({ limit: '100', ...query })).issues.map((i) => i.id);
      expect(await idsOf({ environment: 'staging' })).toEqual([userIssue]);
      expect(await idsOf({ release: 'app@1.1.0' })).toEqual([userIssue]);
      expect(await idsOf({ environment: 'production' })).toHaveLength(FIRST_RUN_ISSUES);
      expect(await idsOf({ environment: 'nowhere' })).toEqual([]);
      const counts = (await api.listIssues({ environment: 'staging' })).counts;
      expect(counts).toEqual({ open: 1, resolved: 0, ignored: 0 });
    });

    it('searches title, value and culprit as text', async () => {
      const search = async (query: string) => (await api.listIssues({ query })).issues.map((i) => i.title);
      expect(await search('config COULD')).toEqual(['Error: Config could not be loaded']);
      expect(await search('parseConfig')).toEqual(['Error: Config could not be loaded']);
      // Newest first: the user issue was seen last.
      expect(await search('not found')).toEqual(['Error: User 123 not found', 'Error: User 789 not found']);
      expect(await search('no such text anywhere')).toEqual([]);
      expect(await search('100%')).toEqual([]);
    });

    it('sorts by count, ties newest issue first', async () => {
      const { issues } = await api.listIssues({ sort: 'count', limit: '100' });
      expect(issues.map((i) => i.count)).toEqual([3, 2, 2, 1, 1, 1, 1, 1, 1]);
      const cardX = await issueIdOf(ids['card-x-1']!);
      const myGroup = await issueIdOf(ids['card']!);
      expect(issues.slice(0, 3).map((i) => i.id)).toEqual([userIssue, cardX, myGroup]);
    });

    it('pages through issues with the cursor, for every sort', async () => {
      for (const sort of ['last_seen', 'first_seen', 'count']) {
        const all = (await api.listIssues({ sort, limit: '100' })).issues.map((i) => i.id);
        expect(all).toHaveLength(FIRST_RUN_ISSUES);
        const paged: number[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await api.listIssues({ sort, limit: '2', ...(cursor ? { cursor } : {}) });
          expect(page.issues.length).toBeLessThanOrEqual(2);
          paged.push(...page.issues.map((i) => i.id));
          cursor = page.next_cursor;
          pages++;
        } while (cursor && pages < 20);
        expect(pages).toBe(Math.ceil(FIRST_RUN_ISSUES / 2));
        expect(paged).toEqual(all);
      }
    });

    it("pages through an issue's events, newest first", async () => {
      const first = await api.listIssueEvents(userIssue, { limit: '2' });
      expect(first.events.map((e) => e.event_id)).toEqual([stagingId, ids['user-1']]);
      expect(first.next_cursor).not.toBeNull();
      const second = await api.listIssueEvents(userIssue, { limit: '2', cursor: first.next_cursor! });
      expect(second.events.map((e) => e.event_id)).toEqual([ids['user-0']]);
      expect(second.next_cursor).toBeNull();
    });
  });

  describe('status lifecycle', () => {
    let resolved: number;
    let ignored: number;
    let regressionIds: Record<string, string>;

    beforeAll(async () => {
      resolved = await issueIdOf(ids['other']!);
      ignored = await issueIdOf(ids['chained']!);
      const r = await api.setIssueStatus(resolved, 'resolved');
      expect(r).toMatchObject({ changed: true, issue: { status: 'resolved' } });
      expect(Date.parse(r.issue.status_changed_at!)).toBeGreaterThan(Date.now() - 60_000);
      const i = await api.setIssueStatus(ignored, 'ignored');
      expect(i).toMatchObject({ changed: true, issue: { status: 'ignored' } });
      regressionIds = await runNodeSdk(snag.dsn, ['other-path', 'chained'], { release: 'app@1.2.0' });
      await waitForDigest(snag, FIRST_RUN_EVENTS + 3);
    });

    it('reopens a resolved issue when it happens again, and records who did what', async () => {
      expect(await issueIdOf(regressionIds['other']!)).toBe(resolved);
      const issue = await api.getIssue(resolved);
      expect(issue).toMatchObject({ status: 'open', count: 2, last_release: 'app@1.2.0' });
      const { status_changes } = await api.listStatusChanges(resolved);
      expect(status_changes.map((c) => [c.from_status, c.to_status, c.actor, c.reason])).toEqual([
        ['open', 'resolved', 'api', 'manual'],
        ['resolved', 'open', 'system', `regression: event ${regressionIds['other']} in release app@1.2.0`],
      ]);
      expect(issue.status_changes).toHaveLength(2);
    });

    it('keeps an ignored issue ignored while counting its events', async () => {
      expect(await issueIdOf(regressionIds['chained']!)).toBe(ignored);
      expect(await api.getIssue(ignored)).toMatchObject({ status: 'ignored', count: 2 });
      const { status_changes } = await api.listStatusChanges(ignored);
      expect(status_changes.map((c) => [c.from_status, c.to_status, c.actor])).toEqual([
        ['open', 'ignored', 'api'],
      ]);
    });

    it('lists issues by status', async () => {
      const all = await api.listIssues({ limit: '100' });
      expect(all.counts).toEqual({ open: FIRST_RUN_ISSUES - 1, resolved: 0, ignored: 1 });
      expect((await api.listIssues({ status: 'ignored' })).issues.map((i) => i.id)).toEqual([ignored]);
      expect((await api.listIssues({ status: 'resolved' })).issues).toEqual([]);
      expect((await api.listIssues({ status: 'open', limit: '100' })).issues).toHaveLength(
        FIRST_RUN_ISSUES - 1,
      );
    });
  });
});
