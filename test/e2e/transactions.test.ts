/**
 * The transaction pages in real Chromium against a real Snag, fed by the real @sentry/node: the
 * instrumented app of test/helpers/node-apm-app.js runs once per trace lifecycle (classic
 * transaction events, then streamed spans). The search finds the slow requests, the transaction
 * page draws the waterfall with its repeated queries folded, flags the N+1, and links the trace's
 * error to its issue; the N+1 worklist puts /orders first. Every page is watched for console
 * errors, uncaught exceptions and CSP violations, and photographed into docs/screenshots/.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeApm, type ApmIds } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi, type TransactionDetail } from '../helpers/snag-api.js';
import { startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

const ROUTES = ['/users/:id', '/orders', '/checkout', '/inventory', '/slow'] as const;
const RELEASES = { static: 'shop@2.4.0', stream: 'shop@2.4.1' } as const;
/** /slow sleeps 300 ms; every other route answers in well under 100 ms. */
const SLOW_MS = 200;
const USERS_SQL = 'SELECT * FROM users WHERE id = ?';
const SETTINGS_SQL = 'SELECT * FROM settings WHERE key = ?';
const CHECKOUT_ERROR = 'Error: Payment provider declined the charge';
const BASE = '/projects/default/performance';

describe('transaction pages in Chromium', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let browser: Browser;
  let context: BrowserContext;
  const problems = new PageProblems();
  const ids = {} as Record<'static' | 'stream', ApmIds>;
  const url = (p: string) => `${snag.url}${p}`;

  /** Waits until the segment is stored; for a streamed /slow, until its late span is attached too. */
  const stored = (id: string, lateSpan = false) =>
    waitFor(
      async () => {
        const t = await api.getTransaction(id).catch(() => undefined);
        return t && (!lateSpan || t.spans.some((s) => s.description === 'send analytics')) ? t : undefined;
      },
      20_000,
      `transaction ${id}`,
    );

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    for (const lifecycle of ['static', 'stream'] as const) {
      ids[lifecycle] = await runNodeApm(snag.dsn, lifecycle, 'requests', {
        release: RELEASES[lifecycle],
        environment: 'production',
      });
      for (const route of ROUTES)
        await stored(ids[lifecycle].segment_ids[route]!, lifecycle === 'stream' && route === '/slow');
    }
    // One /checkout error per run, in the trace of that run's /checkout.
    await waitForDigest(snag, 2);
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });

  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  const attrs = async (locator: Locator, name: string) =>
    Promise.all((await locator.all()).map((l) => l.getAttribute(name)));
  const focusedKey = (page: Page) =>
    page.evaluate<string | null>("document.activeElement?.getAttribute('data-key') ?? null");
  const rowNames = (page: Page) => page.locator('.tx-search-table tbody .tx-name-link').allInnerTexts();

  it('the search finds the slow requests by minimum duration, newest first', async () => {
    const page = await context.newPage();
    await page.goto(url(`${BASE}/transactions`));
    await page.locator('.tx-search-table tbody tr').nth(9).waitFor();
    expect(await page.locator('.tx-search-table tbody tr').count()).toBe(10);
    // Newest first: the streamed run came second, and its /slow was its last request.
    expect((await rowNames(page))[0]).toBe('GET /slow');
    expect(
      await page.locator('.tx-search-table tbody tr', { hasText: 'GET /orders' }).first().innerText(),
    ).toContain('N+1');
    await screenshot(page, 'transactions-search.png');

    await page.getByLabel('Min duration (ms)').fill(String(SLOW_MS));
    await page.getByLabel('Min duration (ms)').press('Enter');
    await page.waitForURL(url(`${BASE}/transactions?min_duration=${SLOW_MS}`));
    // Not waitForFunction: its string predicate is eval'd in the page, which the CSP refuses.
    await expect.poll(() => page.locator('.tx-search-table tbody tr').count()).toBe(2);
    expect(await rowNames(page)).toEqual(['GET /slow', 'GET /slow']);
    const releases = await page.locator('.tx-search-table .tx-cell-op').allInnerTexts();
    expect(releases.map((r) => r.split(' · ').at(-1))).toEqual([RELEASES.stream, RELEASES.static]);

    // j focuses the first row, Enter opens it (once the filter field no longer has the keys).
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(url(`${BASE}/transactions/${ids.stream.segment_ids['/slow']}`));
    await page.getByRole('tree', { name: 'Spans' }).waitFor();
    expect(await page.locator('h1').innerText()).toBe('GET /slow');
    // Its analytics span ended a second after the response: drawn past the transaction's end.
    expect(await page.locator('.wf-tx-end').count()).toBe(1);
    await page.close();
  });

  it('the transaction page draws the waterfall in tiers with the repeated queries folded, and they expand', async () => {
    const id = ids.static.segment_ids['/orders']!;
    const tx = await api.getTransaction(id);
    const page = await context.newPage();
    await page.goto(url(`${BASE}/transactions/${id}`));
    const tree = page.getByRole('tree', { name: 'Spans' });
    await tree.waitFor();
    expect(await page.locator('h1').innerText()).toBe('GET /orders');
    expect(await page.locator('.tx-chips').innerText()).toMatch(/http\.server\s+ok\s+GET\s*200/);

    // The root, then COUNT, orders, the 8 user lookups as one row, the 5 settings reads as one.
    const items = tree.getByRole('treeitem');
    expect(await items.count()).toBe(5);
    expect(await attrs(items, 'aria-level')).toEqual(['1', '2', '2', '2', '2']);
    const users = tree.getByRole('treeitem', { name: `db ${USERS_SQL}, 8 times`, exact: false });
    expect(await users.getAttribute('aria-expanded')).toBe('false');
    expect(await users.locator('.wf-count').innerText()).toBe('× 8');
    expect(await users.locator('.wf-bar-member').count()).toBe(8);

    const userSpans = tx.spans.filter((s) => s.description === USERS_SQL);
    // Keyboard: one Tab stop on the tree; arrows move, Enter expands, ← folds.
    await items.first().focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    expect(await focusedKey(page)).toBe(`group-${userSpans[0]!.span_id}`);
    await page.keyboard.press('Enter');
    expect(await users.getAttribute('aria-expanded')).toBe('true');
    expect(await items.count()).toBe(13);
    const members = tree.locator('[role="treeitem"][aria-level="3"]');
    expect(await members.count()).toBe(8);
    expect(await attrs(members, 'data-key')).toEqual(userSpans.map((s) => s.span_id));
    // The focused group's card: how many, and their total.
    const card = page.getByRole('tooltip');
    expect(await card.innerText()).toMatch(/Count\s+8/);
    await screenshot(page, 'transaction-detail.png', { fullPage: true });

    await page.keyboard.press('ArrowLeft');
    expect(await items.count()).toBe(5);
    await page.close();
  });

  it('the query analysis puts the N+1 patterns first and shows one in the waterfall', async () => {
    const id = ids.static.segment_ids['/orders']!;
    const tx: TransactionDetail = await api.getTransaction(id);
    const page = await context.newPage();
    await page.goto(url(`${BASE}/transactions/${id}`));
    const patterns = page.locator('.qa-item');
    await patterns.first().waitFor();
    expect(await patterns.count()).toBe(4);
    expect((await attrs(patterns, 'class')).map((c) => c?.split(' ').includes('qa-n1'))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    // Between the two N+1 patterns the order is by time, which sub-millisecond queries do not fix.
    const pattern = (sql: string) => patterns.filter({ has: page.locator('pre', { hasText: sql }) });
    expect((await patterns.locator('pre').allInnerTexts()).slice(0, 2).sort()).toEqual([
      SETTINGS_SQL,
      USERS_SQL,
    ]);
    expect(await pattern(USERS_SQL).innerText()).toMatch(/N\+1\s+Count\s+8\s+Distinct\s+8/);
    expect(await pattern(USERS_SQL).innerText()).toContain('a loop over rows (N+1)');
    expect(await pattern(SETTINGS_SQL).innerText()).toMatch(/N\+1\s+Count\s+5\s+Distinct\s+1/);
    expect(await pattern(SETTINGS_SQL).innerText()).toContain('The same statement 5 times: memoize');
    expect(await pattern('SELECT COUNT(*)').innerText()).toContain(
      'application:Shop,controller:orders,action:index',
    );
    expect(await page.locator('.tx-n1-summary').innerText()).toMatch(/in N\+1 patterns$/);

    // "Show in waterfall" opens the settings group and focuses the example read.
    const example = tx.queries.find((q) => q.pattern === SETTINGS_SQL)!.example_span_id;
    await pattern(SETTINGS_SQL).getByRole('button', { name: 'Show in waterfall' }).click();
    await expect.poll(() => focusedKey(page)).toBe(example);
    expect(await page.locator('[role="treeitem"][aria-level="3"]').count()).toBe(5);
    await page.close();
  });

  it("the trace's error links to its issue and event", async () => {
    const id = ids.static.segment_ids['/checkout']!;
    const eventId = ids.static.event_ids['checkout']!;
    const event = await api.getEvent(eventId);
    const page = await context.newPage();
    await page.goto(url(`${BASE}/transactions/${id}`));
    const errors = page.locator('.tx-errors li');
    await errors.first().waitFor();
    expect(await errors.count()).toBe(1);
    const title = errors.locator('a.tx-error-title');
    expect(await title.innerText()).toBe(CHECKOUT_ERROR);
    expect(await title.getAttribute('href')).toBe(`/projects/default/issues/${event.issue_id}`);
    expect(await errors.getByRole('link', { name: /^event / }).getAttribute('href')).toBe(
      `/projects/default/events/${eventId}`,
    );
    // The failed request: status and HTTP 500 flagged, the outbound call and render in the waterfall.
    expect(await page.locator('.tx-status-failed').innerText()).toBe('internal_error');
    expect(await page.locator('.tx-http-5xx').innerText()).toMatch(/GET\s*500/);
    const ops = await page.locator('.wf-op').allInnerTexts();
    expect(ops).toEqual(expect.arrayContaining(['http.client', 'cache.get', 'template.render']));
    expect(await page.locator('.wf-row.span-cat-http').count()).toBe(1);
    await screenshot(page, 'transaction-checkout.png', { fullPage: true });

    await title.click();
    await page.waitForURL(url(`/projects/default/issues/${event.issue_id}`));
    await page.locator('h1.issue-h1').waitFor();
    expect(await page.locator('h1.issue-h1').innerText()).toContain('Payment provider declined the charge');
    await page.close();
  });

  it('the N+1 worklist ranks /orders with its pattern and an example transaction', async () => {
    const page = await context.newPage();
    await page.goto(url(`${BASE}/n-plus-one`));
    const cards = page.locator('.n1-card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(1);
    const orders = cards.first();
    expect(await orders.locator('.n1-name a').innerText()).toBe('GET /orders');
    expect(await orders.locator('.n1-stats').innerText()).toMatch(/100%\s+\(2 of 2\)/);
    expect(await orders.locator('.n1-stats').innerText()).toMatch(/15 avg · 15 max/);
    expect(await orders.locator('pre').innerText()).toBe(USERS_SQL);
    expect(await orders.locator('.qa-stats').innerText()).toMatch(/Count\s+8\s+Distinct\s+8/);
    expect(await page.locator('.n1-legend').innerText()).toContain(
      'distinct 1 means the same statement repeated',
    );
    const example = await orders.getByRole('link', { name: 'Example transaction →' }).getAttribute('href');
    const orderIds = [ids.static.segment_ids['/orders'], ids.stream.segment_ids['/orders']];
    expect(orderIds.map((i) => `${BASE}/transactions/${i}`)).toContain(example);
    await screenshot(page, 'n-plus-one.png');
    await page.close();
  });

  it('the transaction page reads well in the dark theme', async () => {
    const dark = await newWatchedContext(browser, problems, { theme: 'dark' });
    const page = await dark.newPage();
    await page.goto(url(`${BASE}/transactions/${ids.stream.segment_ids['/checkout']}`));
    await page.getByRole('tree', { name: 'Spans' }).waitFor();
    expect(await page.evaluate<string>('document.documentElement.dataset.theme')).toBe('dark');
    await screenshot(page, 'transaction-detail-dark.png');
    await dark.close();
  });
});
