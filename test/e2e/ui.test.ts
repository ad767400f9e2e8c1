/**
 * The web UI in real Chromium against a real Snag, fed by the real Sentry SDKs: @sentry/node in a
 * child process and @sentry/browser inside Chromium on a page of another origin. One server and one
 * browser for the whole file; the tests run in order and build on each other's data, as a user's
 * first session would: empty overview → errors arrive live → open one → resolve → it regresses.
 * Every page is watched for console errors, uncaught exceptions and CSP violations, and each page
 * is photographed into docs/screenshots/ for the README.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeSdk } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { REPO_ROOT, startSnag, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import { startBrowserSdkPage, type BrowserSdkPage } from './helpers/browser-sdk-page.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

const RELEASE = 'shop@2.4.0';
// 5 issues, 6 events: user-not-found sends two events that group into one issue.
const NODE_SCENARIOS = ['user-not-found', 'other-path', 'chained', 'message', 'context'];
const NODE_ISSUES = 5;
const NODE_EVENTS = 6;
/** The `context` scenario's error: breadcrumbs, user, tags and a context, thrown in shipOrder(). */
const COURIER_ERROR = 'no courier available';
const BROWSER_ERROR = "Cannot read properties of undefined (reading 'code')";
/** Generous: the list and issue pages poll every 3 s, and a Node SDK child takes ~1 s to start. */
const LIVE_TIMEOUT_MS = 20_000;
const NO_RELOAD_MARK = 'window.snagStillSamePage';

/** 1-based line of the first line of `file` containing `text`: where a frame must point. */
function lineOf(file: string, text: string): number {
  const index = fs
    .readFileSync(path.join(REPO_ROOT, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${file} has no line containing ${text}`);
  return index + 1;
}

/** Sets a mark in the page's JS realm: it survives React re-renders, not a reload. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(`${NO_RELOAD_MARK} = true`);
}
async function isSamePage(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(`${NO_RELOAD_MARK} === true`);
}

const texts = (locator: Locator) => locator.allInnerTexts();

describe('the web UI in Chromium', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let browser: Browser;
  let context: BrowserContext;
  let sdkPage: BrowserSdkPage;
  const problems = new PageProblems();
  /** The issues list, opened before any event exists and kept open across the first tests. */
  let listPage: Page;
  let courierIssueId: number;
  let regressionEventId: string;

  const url = (p: string) => `${snag.url}${p}`;
  const issuesPath = '/projects/default/issues';
  const issueRow = (page: Page, text: string) => page.locator('tr.issue-row', { hasText: text });
  const issueIdOfValue = async (value: string) => {
    const { issues } = await api.listIssues({ query: value });
    const issue = issues.find((i) => i.value === value);
    if (!issue) throw new Error(`no issue with value ${value}`);
    return issue.id;
  };

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    sdkPage = await startBrowserSdkPage(snag.dsn);
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await sdkPage?.close();
    await stopAndRemove(snag);
  });

  afterEach(() => {
    problems.allowNotFound = false;
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('first run: the projects overview shows the DSN and how to send a first error', async () => {
    const page = await context.newPage();
    await page.goto(url('/'));
    const panel = page.getByRole('region', { name: 'Send your first error' });
    await panel.waitFor();
    expect(await panel.locator('.dsn-field code').innerText()).toBe(snag.dsn);
    expect(await texts(panel.getByRole('tab'))).toEqual(['@sentry/node', 'Python (sentry-sdk)', 'curl']);
    expect(await panel.getByRole('tabpanel').innerText()).toContain(`dsn: '${snag.dsn}'`);
    await screenshot(page, 'overview-empty.png');
    await page.close();
  });

  it('errors sent with @sentry/node appear in the open issues list without a reload', async () => {
    listPage = await context.newPage();
    await listPage.goto(url(issuesPath));
    await listPage.getByRole('region', { name: 'No open issues' }).waitFor();
    await markPage(listPage);

    await runNodeSdk(snag.dsn, NODE_SCENARIOS, { release: RELEASE, environment: 'production' });
    await listPage
      .locator('tr.issue-row')
      .nth(NODE_ISSUES - 1)
      .waitFor({ timeout: LIVE_TIMEOUT_MS });

    expect(await isSamePage(listPage)).toBe(true);
    expect(await listPage.locator('tr.issue-row').count()).toBe(NODE_ISSUES);
    // Newest first: the `context` scenario ran last.
    const top = listPage.locator('tr.issue-row').first();
    expect(await top.locator('.issue-title').innerText()).toBe('RangeError');
    expect(await top.locator('.issue-value').innerText()).toBe(COURIER_ERROR);
    expect(await texts(top.locator('.env-chip'))).toEqual(['production']);
    expect(await top.locator('.meta-release').innerText()).toBe(RELEASE);
    // Two events from two users grouped into one issue: its Events and Users columns say so.
    const { issues } = await api.listIssues();
    const grouped = issues.filter((i) => i.count === 2);
    expect(grouped).toHaveLength(1);
    expect(await texts(listPage.locator(`#issue-${grouped[0]!.id} td.col-num`))).toEqual(['2', '2']);
    expect(await listPage.locator('.status-tabs [aria-current="page"] .tab-count').innerText()).toBe(
      String(NODE_ISSUES),
    );
  });

  it('an error from @sentry/browser on another origin becomes a javascript issue', async () => {
    const shop = await context.newPage();
    await shop.goto(sdkPage.url);
    await shop.locator('body[data-flushed]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await shop.evaluate<string>('document.body.dataset.flushed')).toBe('true');
    const eventId = await shop.evaluate<string>('document.body.dataset.eventId');
    await shop.close();

    // It arrives in the list that is still open, without a reload.
    const row = issueRow(listPage, BROWSER_ERROR);
    await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await isSamePage(listPage)).toBe(true);
    expect(await row.locator('.issue-title').innerText()).toBe('TypeError');

    const event = await api.getEvent(eventId);
    expect(event.platform).toBe('javascript');
    expect(event.sdk).toMatch(/^sentry\.javascript\.browser\//);
    expect((await api.getIssue(event.issue_id)).platform).toBe('javascript');

    const page = await context.newPage();
    await page.goto(url(`${issuesPath}/${event.issue_id}`));
    const frames = page.locator('.event-view .frames > li.frame');
    await frames.first().waitFor();
    // Innermost first: the crashing function, in the page's own script, at the line that throws.
    const crashing = frames.first();
    expect(await crashing.locator('.frame-fn').innerText()).toBe('applyCoupon');
    expect(await crashing.locator('.frame-file').innerText()).toBe(`${sdkPage.url}checkout.js`);
    const line = lineOf('test/e2e/browser-app/checkout.js', 'return cart.coupon.code');
    expect(await crashing.locator('.frame-line').innerText()).toMatch(new RegExp(`^${line}:\\d+$`));
    expect(await crashing.locator('.frame-badge').innerText()).toBe('In app');
    expect(await texts(page.locator('.crumb-message'))).toContain('Clicked "Apply coupon"');
    // The browser as the SDK describes it: the page it ran on and its user agent.
    expect(await page.locator('.req-url').innerText()).toBe(sdkPage.url);
    const headers = page.getByRole('table', { name: 'Headers' });
    expect(await headers.innerText()).toMatch(/User-Agent\s+Mozilla\/5\.0 .*HeadlessChrome\/\d+/);
    const culture = page.locator('.ctx-card', { has: page.getByRole('heading', { name: 'Culture' }) });
    expect(await culture.innerText()).toContain('en-US');
    // Browser and OS cards come from the User-Agent, as Relay derives them.
    const card = (name: string) => page.locator('.ctx-card', { has: page.getByRole('heading', { name }) });
    expect(await card('Browser').innerText()).toMatch(/HeadlessChrome[\s\S]*\d+\./);
    expect(await card('OS').innerText()).toContain('Linux');
    expect(await page.locator('.ev-sdk').innerText()).toContain('sentry.javascript.browser');
    await page.getByRole('region', { name: 'Raw JSON' }).getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('.event-view .code-block').last().innerText()).toContain(
      '"platform": "javascript"',
    );
    await page.close();
  });

  it('opening an issue shows its in-app frame with the error line marked, and the breadcrumbs', async () => {
    courierIssueId = await issueIdOfValue(COURIER_ERROR);
    await issueRow(listPage, COURIER_ERROR).locator('a.issue-title').click();
    await listPage.waitForURL(url(`${issuesPath}/${courierIssueId}`));
    expect(await isSamePage(listPage)).toBe(true);

    const page = listPage;
    await page.locator('h1.issue-h1').waitFor();
    expect(await page.locator('h1.issue-h1 strong').innerText()).toBe('RangeError');
    expect(await page.locator('h1.issue-h1 .issue-h1-value').innerText()).toBe(COURIER_ERROR);
    // The latest event loads after the issue's heading: wait for its open in-app frame.
    const frame = page.locator('.event-view li.frame.in-app.open');
    await frame.first().waitFor();
    expect(await frame.count()).toBe(1);
    expect(await frame.locator('.frame-fn').innerText()).toBe('shipOrder');
    const errorLine = frame.locator('.ctx-line.ctx-error');
    expect(await errorLine.count()).toBe(1);
    expect(await errorLine.getAttribute('aria-current')).toBe('true');
    expect(await errorLine.locator('.ctx-text').innerText()).toBe(
      `  throw new RangeError('${COURIER_ERROR}');`,
    );
    expect(await errorLine.locator('.ctx-no').innerText()).toBe(
      String(lineOf('test/helpers/node-sdk-sender.js', `throw new RangeError('${COURIER_ERROR}')`)),
    );
    // Pre and post context around it.
    expect(await frame.locator('.ctx-line').count()).toBeGreaterThan(3);

    const crumbs = await texts(page.locator('.crumb-message'));
    expect(crumbs).toEqual(expect.arrayContaining(['User logged in', 'Added 3 items']));
    expect(crumbs.indexOf('User logged in')).toBeLessThan(crumbs.indexOf('Added 3 items'));
    expect(await page.locator('.crumb', { hasText: 'User logged in' }).innerText()).toContain(
      'method=password',
    );
    const user = page.locator('.ctx-card', { has: page.getByRole('heading', { name: 'User' }) });
    expect(await user.innerText()).toContain('jane@example.com');
    expect(await page.locator('.tag-pill', { hasText: 'feature' }).innerText()).toContain('checkout');
    expect(await page.locator('.seen-list').innerText()).toContain(RELEASE);
    await screenshot(page, 'issue-detail.png', { fullPage: true });
  });

  it('resolving it from the detail page, then the same error again, reopens it live', async () => {
    const page = listPage;
    const statusRow = page.locator('.issue-status-row');
    await statusRow.getByRole('button', { name: 'Resolve', exact: true }).click();
    await statusRow.locator('.status-badge.status-resolved').waitFor();
    expect(await page.locator('ol.activity > li').first().innerText()).toMatch(/Open\s*→\s*Resolved/);

    const ids = await runNodeSdk(snag.dsn, ['context'], { release: RELEASE, environment: 'production' });
    regressionEventId = ids['context']!;
    await statusRow.locator('.status-badge.status-open').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await statusRow.locator('.status-regressed').waitFor();
    expect(await isSamePage(page)).toBe(true);
    const latest = await page.locator('ol.activity > li').first().innerText();
    expect(latest).toMatch(/Resolved\s*→\s*Open/);
    expect(latest).toContain('by system');
    expect(latest).toContain(`regression: event ${regressionEventId} in release ${RELEASE}`);
    expect(await page.locator('.issue-stats dd').first().innerText()).toBe('2');
    expect((await api.getIssue(courierIssueId)).status).toBe('open');
  });

  it('the issues list: time to the first row, cold and warm; its data comes from the preload', async () => {
    // A new context has an empty cache, as on a first visit; the second load hits the cache.
    const fresh = await newWatchedContext(browser, problems);
    try {
      const page = await fresh.newPage();
      for (const visit of ['cold cache', 'warm cache']) {
        await page.goto(url(issuesPath));
        await page.locator('tr.issue-row').first().waitFor();
        const firstRowMs = await page.evaluate<number>('window.snagFirstIssueRowMs');
        // Every request for the list made before the first row was drawn (the live refresh comes
        // 3 s later): one, the Link preload index.html came with, which the page's fetch() took
        // over. A second one would mean the server and the page build the URL differently.
        const requests = await page.evaluate<{ initiator: string; ms: number }[]>(`(() =>
          performance.getEntriesByType('resource')
            .filter((r) => r.name.includes('/issues?') && r.startTime < window.snagFirstIssueRowMs)
            .map((r) => ({ initiator: r.initiatorType, ms: r.responseEnd - r.requestStart })))()`);
        console.log(
          `issues list, ${visit}: first issue row in the DOM ${firstRowMs.toFixed(0)} ms after ` +
            `navigation start (the list API call took ${requests[0]?.ms.toFixed(0)} ms)`,
        );
        expect(firstRowMs).toBeGreaterThan(0);
        expect(requests.map((r) => r.initiator)).toEqual(['link']);
        if (visit !== 'cold cache') continue;
        // index.html's entry files come with it as Link preloads, before the API call
        // (src/http/static.ts), and the page uses them: one fetch each, where a preload the page
        // could not take (another credentials mode) would be fetched a second time.
        const res = await fetch(url(issuesPath));
        const html = await res.text();
        const entryFiles = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
        const linked = [...(res.headers.get('link') ?? '').matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
        expect(entryFiles.length).toBeGreaterThanOrEqual(2);
        expect(linked.slice(0, -1)).toEqual(entryFiles);
        expect(linked.at(-1)).toMatch(/^\/api\/v1\/projects\/default\/issues\?/);
        const fetched = await page.evaluate<string[]>(
          `performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname)`,
        );
        for (const file of entryFiles)
          expect(
            fetched.filter((f) => f === file),
            file,
          ).toHaveLength(1);
      }
    } finally {
      await fresh.close();
    }
  });

  it('keyboard: j and k move the focus along the list, Enter opens the focused issue', async () => {
    const page = await context.newPage();
    await page.goto(url(issuesPath));
    const rows = page.locator('tr.issue-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(NODE_ISSUES + 1);
    await screenshot(page, 'issues.png');

    const ids: string[] = [];
    for (const row of await rows.all()) ids.push((await row.getAttribute('id'))!.replace('issue-', ''));
    const focused = page.locator('tr.issue-row.is-focused');
    expect(await focused.count()).toBe(0);
    for (const [key, index] of [
      ['j', 0],
      ['j', 1],
      ['j', 2],
      ['k', 1],
    ] as const) {
      await page.keyboard.press(key);
      await page.locator(`#issue-${ids[index]}.is-focused`).waitFor();
      expect(await focused.count()).toBe(1);
      // Real focus, announced to assistive technology, not only a highlight.
      expect(await page.evaluate<string | undefined>('document.activeElement?.closest("tr")?.id')).toBe(
        `issue-${ids[index]}`,
      );
      expect(await page.locator(`#issue-${ids[index]}`).getAttribute('aria-current')).toBe('true');
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(url(`${issuesPath}/${ids[1]}`));
    await page.locator('h1.issue-h1').waitFor();
    // The back button returns to the list.
    await page.goBack();
    await page.waitForURL(url(issuesPath));
    await rows.first().waitFor();
    await page.close();
  });

  it('the standalone event page shows one event in full', async () => {
    const page = await context.newPage();
    await page.goto(url(`/projects/default/events/${regressionEventId}`));
    const event = page.getByRole('article', { name: `Event ${regressionEventId}` });
    await event.waitFor();
    expect(await page.locator('.page-crumbs').innerText()).toContain(`Issue #${courierIssueId}`);
    expect(await page.locator('h1.page-title').innerText()).toBe(`RangeError: ${COURIER_ERROR}`);
    expect(await event.getByRole('button', { name: '← Older' }).isEnabled()).toBe(true);
    expect(await event.getByRole('button', { name: 'Newer →' }).isDisabled()).toBe(true);
    expect(await event.locator('.ctx-error .ctx-text').innerText()).toContain(COURIER_ERROR);
    await screenshot(page, 'event.png', { fullPage: true });
    await page.close();
  });

  it('settings → projects: the DSN, SDK snippets with it filled in, and a new project', async () => {
    const page = await context.newPage();
    await page.goto(url('/settings/projects'));
    const detail = page.locator('.project-settings');
    await detail.waitFor();
    expect(await detail.locator('.dsn-field code').innerText()).toBe(snag.dsn);
    expect(await texts(detail.getByRole('tab'))).toEqual([
      'Node.js',
      'Browser',
      'Python',
      'Ruby / Rails',
      'Go',
      'curl',
    ]);
    await detail.getByRole('tab', { name: 'Browser' }).click();
    expect(await detail.getByRole('tabpanel').innerText()).toContain(snag.dsn);

    await page.getByLabel('New project').fill('Web shop');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(url('/settings/projects?project=web-shop'));
    await detail.getByRole('heading', { name: 'Web shop' }).waitFor();
    const dsn = await detail.locator('.dsn-field code').innerText();
    expect(dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/2$/);
    expect(dsn).not.toBe(snag.dsn);
    expect(await texts(page.locator('.project-nav-name'))).toEqual(['default', 'Web shop']);

    await page.goto(url('/settings/projects?project=default'));
    await detail.getByRole('heading', { name: 'default' }).waitFor();
    await screenshot(page, 'settings-projects.png');
    await page.close();
  });

  it('the projects overview shows a card per project once events arrived', async () => {
    const page = await context.newPage();
    await page.goto(url('/'));
    const cards = page.locator('article.project-card');
    await cards.nth(1).waitFor();
    expect(await texts(cards.locator('h2'))).toEqual(['default', 'Web shop']);
    const card = cards.first();
    // Open issues, then events in 24 h: the Node events, the regression, the browser event.
    expect(await texts(card.locator('.project-stats dd'))).toEqual([
      String(NODE_ISSUES + 1),
      String(NODE_EVENTS + 2),
    ]);
    expect(await card.locator('.project-dsn code').innerText()).toBe(snag.dsn);
    expect(await card.locator('.project-last-title').innerText()).toContain(COURIER_ERROR);
    expect(await cards.nth(1).locator('.project-last').innerText()).toContain('No issues yet.');
    await screenshot(page, 'overview.png');
    await page.close();
  });

  it('the dark theme: issues and issue detail', async () => {
    const dark = await newWatchedContext(browser, problems, { theme: 'dark' });
    try {
      const page = await dark.newPage();
      await page.goto(url(issuesPath));
      await page.locator('tr.issue-row').first().waitFor();
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      await screenshot(page, 'issues-dark.png');
      await page.goto(url(`${issuesPath}/${courierIssueId}`));
      await page.locator('.event-view li.frame.in-app.open').waitFor();
      await page.locator('.crumb-message').first().waitFor();
      await screenshot(page, 'issue-detail-dark.png', { fullPage: true });
    } finally {
      await dark.close();
    }
  });

  it('unknown pages and issues say so, with a way back', async () => {
    const page = await context.newPage();
    await page.goto(url('/no/such/page'));
    await page.getByRole('region', { name: 'Page not found' }).waitFor();
    // The API answers 404 for the missing issue and Chromium logs that: expected here only.
    problems.allowNotFound = true;
    await page.goto(url(`${issuesPath}/999999`));
    const missing = page.getByRole('region', { name: 'Issue 999999 could not be loaded' });
    await missing.waitFor();
    expect(await missing.getByRole('link', { name: 'Back to issues' }).getAttribute('href')).toBe(issuesPath);
    await page.close();
  });

  it('the CSP blocks an injected inline script, and the page watch reports it', async () => {
    // A control for every other test's "no CSP violations": it shows the watch can see one.
    const page = await context.newPage();
    await page.goto(url('/'));
    await page.locator('article.project-card').first().waitFor();
    await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.snagInjected = true';
      document.head.append(s);
    })()`);
    expect(await page.evaluate<boolean>('window.snagInjected === true')).toBe(false);
    await page.close();
    const seen = problems.take();
    expect(seen.some((p) => /CSP violation: script-src-elem blocked inline/.test(p))).toBe(true);
    expect(seen.some((p) => /console\.error: .*Content Security Policy/.test(p))).toBe(true);
  });

  it('reports the gzip size of the production bundle', async () => {
    const assets = path.join(REPO_ROOT, 'dist/web/assets');
    const files = fs.readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
    let raw = 0;
    let gzip = 0;
    for (const f of files) {
      const body = fs.readFileSync(path.join(assets, f));
      raw += body.length;
      gzip += zlib.gzipSync(body).length;
    }
    console.log(
      `production bundle: ${files.length} files, ${(raw / 1024).toFixed(1)} KiB raw, ` +
        `${(gzip / 1024).toFixed(1)} KiB gzip (${files.join(', ')})`,
    );
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
  });

  it('stored every event the SDKs sent, and refused none', async () => {
    await waitForDigest(snag, NODE_EVENTS + 2);
    const health = await api.health();
    expect(health.event_count).toBe(NODE_EVENTS + 2);
    expect(health.invalid_events).toBe(0);
  });
});
