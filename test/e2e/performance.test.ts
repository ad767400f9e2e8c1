/**
 * The performance pages in real Chromium against a real Snag, fed by a real HTTP app instrumented
 * by @sentry/node (test/helpers/node-apm-app.js): one release sent with the classic transaction
 * lifecycle, the next with streamed spans. The tests read the pages a user would walk through:
 * project card → performance → one endpoint → compare its two releases. Every page is watched
 * for console errors, uncaught exceptions and CSP violations (uPlot draws on canvas and styles
 * through the CSSOM, both allowed by `style-src 'self'`), and photographed into docs/screenshots/.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Health, PerformanceOverview } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { REPO_ROOT, getJson, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

const run = promisify(execFile);
const RELEASE_A = 'shop@1.4.0';
const RELEASE_B = 'shop@1.5.0';
/**
 * Per release: 20 requests to each of the app's four routes (/checkout also calls /inventory), the
 * fewest transactions per side for which the server gives a verdict on one endpoint.
 */
const REQUESTS = 80;
const TRANSACTIONS_PER_RUN = REQUESTS + REQUESTS / 4;
const ENDPOINTS = ['GET /slow', 'GET /checkout', 'GET /orders', 'GET /users/:id', 'GET /inventory'];
const APP_TIMEOUT_MS = 60_000;
/** The pages poll every 3 s. */
const LIVE_TIMEOUT_MS = 15_000;

async function sendTraffic(dsn: string, lifecycle: 'static' | 'stream', release: string): Promise<void> {
  const { stdout, stderr } = await run(
    process.execPath,
    [path.join(REPO_ROOT, 'test/helpers/node-apm-app.js'), `load:${REQUESTS}`],
    {
      cwd: REPO_ROOT,
      timeout: APP_TIMEOUT_MS,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        SNAG_DSN: dsn,
        SNAG_TRACE_LIFECYCLE: lifecycle,
        SNAG_RELEASE: release,
        SNAG_ENVIRONMENT: 'production',
      },
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { flushed?: boolean };
  if (!result.flushed) throw new Error(`node-apm-app did not flush:\n${stdout}\n${stderr}`);
}

/** A duration as the UI prints it ("12.3 ms", "1.2 s"), in ms. */
function parseDuration(text: string): number {
  const m = /^([\d.]+) (ms|s|min)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * { ms: 1, s: 1000, min: 60_000 }[m[2] as 'ms' | 's' | 'min'];
}

/** How many pixels of a canvas are painted: a chart that drew nothing has only its axes. */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((el) => {
    // Structural: the test project is compiled without the DOM library.
    const c = el as unknown as CanvasLike;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

const texts = (locator: Locator) => locator.allInnerTexts();

describe('the performance pages in Chromium', () => {
  let snag: RunningSnag;
  let browser: Browser;
  let context: BrowserContext;
  const problems = new PageProblems();
  const url = (p: string) => `${snag.url}${p}`;
  const perfPath = '/projects/default/performance';

  beforeAll(async () => {
    snag = await startSnag();
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
    // Release A first and B after it, so B is the newer deploy.
    await sendTraffic(snag.dsn, 'static', RELEASE_A);
    await sendTraffic(snag.dsn, 'stream', RELEASE_B);
    await waitFor(
      async () => {
        const h = await getJson<Health>(`${snag.url}/_health`);
        return h.queue_depth === 0 && h.transaction_count >= 2 * TRANSACTIONS_PER_RUN;
      },
      30_000,
      `${2 * TRANSACTIONS_PER_RUN} transactions digested`,
    );
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });

  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('the project card shows p50, throughput and error rate of the last 24 hours', async () => {
    const page = await context.newPage();
    await page.goto(url('/'));
    const card = page.locator('.project-card', { hasText: 'default' });
    const perf = card.locator('.project-perf');
    await perf.waitFor();
    expect(await texts(perf.locator('dt'))).toEqual(['p50', 'Throughput', 'Errors']);
    const [p50, throughput, errors] = await texts(perf.locator('dd'));
    expect(parseDuration(p50!)).toBeGreaterThan(0);
    expect(throughput).toMatch(/^[\d.,<]+\/min$/);
    expect(errors).toMatch(/^[\d.]+%$/);
    await perf.getByRole('link', { name: 'Performance of default' }).click();
    await page.waitForURL(url(perfPath));
    await page.close();
  });

  it('the performance page lists every endpoint with its numbers, ranked by total time', async () => {
    const page = await context.newPage();
    await page.goto(url(perfPath));
    const rows = page.locator('.endpoints-table tbody tr');
    await rows.nth(ENDPOINTS.length - 1).waitFor();
    expect(await rows.count()).toBe(ENDPOINTS.length);
    const names = await texts(page.locator('.endpoints-table .ep-link'));
    expect([...names].sort()).toEqual([...ENDPOINTS].sort());
    // /slow takes ~300 ms a request: by far the most time spent.
    expect(names[0]).toBe('GET /slow');

    const overview = await getJson<PerformanceOverview>(`${snag.url}/api/v1${perfPath}`);
    const figures = page.getByRole('definition');
    expect(await figures.first().innerText()).toBe(overview.headline.count.toLocaleString('en-US'));
    expect(overview.headline.count).toBe(2 * TRANSACTIONS_PER_RUN);

    const cells = async (name: string) => {
      const row = rows.filter({ has: page.getByRole('link', { name, exact: true }) });
      return texts(row.locator('td'));
    };
    // Endpoint, Count, p50, p95, p99, Avg, Errors, Queries, N+1, trend, Total time.
    const slow = await cells('GET /slow');
    expect(slow[1]).toBe(String(2 * (REQUESTS / 4)));
    for (const d of slow.slice(2, 6)) expect(parseDuration(d!)).toBeGreaterThanOrEqual(250);
    expect(parseDuration(slow[10]!)).toBeGreaterThan(parseDuration(slow[2]!) * 10);
    // /checkout answers 500 every time; /orders runs an N+1 every time.
    expect((await cells('GET /checkout'))[6]).toBe('100%');
    expect((await cells('GET /orders'))[8]).toBe('100%');
    expect(Number((await cells('GET /orders'))[7])).toBeGreaterThan(5);
    expect(await page.locator('.endpoints-table svg.sparkline').count()).toBe(ENDPOINTS.length);
    await screenshot(page, 'performance.png');

    // Sorting by a column is in the URL and puts the largest first.
    await page.getByRole('button', { name: /^p50/ }).click();
    await page.waitForURL(/sort=p50/);
    expect(await page.getByRole('columnheader', { name: /^p50/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    expect((await texts(page.locator('.endpoints-table .ep-link')))[0]).toBe('GET /slow');
    await page.getByRole('button', { name: /^Endpoint/ }).click();
    await page.getByRole('button', { name: /^Endpoint/ }).click();
    await page.waitForURL(/sort=name&dir=asc/);
    expect(await texts(page.locator('.endpoints-table .ep-link'))).toEqual([...ENDPOINTS].sort());

    // The release filter narrows the figures to one release.
    await page.getByRole('combobox', { name: 'Release' }).selectOption(RELEASE_A);
    await page.waitForURL(/release=shop%401\.4\.0/);
    await expect
      .poll(() => figures.first().innerText(), { timeout: LIVE_TIMEOUT_MS })
      .toBe(String(TRANSACTIONS_PER_RUN));
    await page.close();
  });

  it('the endpoint page draws its charts with deploy markers, the breakdown and sample transactions', async () => {
    const page = await context.newPage();
    await page.goto(url(perfPath));
    await page.getByRole('link', { name: 'GET /orders', exact: true }).click();
    await page.waitForURL(url(`${perfPath}/endpoint?name=GET+%2Forders`));
    await page.getByRole('heading', { level: 1, name: 'GET /orders' }).waitFor();

    const charts = page.locator('.latency-chart canvas');
    await expect.poll(() => charts.count()).toBe(2);
    for (const c of await charts.all()) expect(await paintedPixels(c)).toBeGreaterThan(500);
    const countChart = await page.getByRole('group', { name: 'Transactions per bucket' }).innerText();
    expect(countChart).toContain(`${2 * (REQUESTS / 4)} transactions`);
    // The deploys drawn on the canvas are listed for screen readers too.
    expect(countChart).toMatch(
      new RegExp(`Release ${RELEASE_A} first seen .*Release ${RELEASE_B} first seen`),
    );
    expect(await texts(page.locator('.latency-chart .u-legend .u-label'))).toEqual([
      'Time',
      'Transactions',
      'Time',
      'p50',
      'p95',
      'p99',
    ]);

    // /orders spends its time in queries: the database has a share of the breakdown.
    const breakdown = page.getByRole('region', { name: 'Where the time goes' });
    expect(await breakdown.getByRole('img').getAttribute('aria-label')).toMatch(/Database [\d.]+ (ms|s)/);
    expect(await texts(breakdown.locator('.breakdown-name'))).toContain('Database');

    const samples = page.getByRole('table', { name: /Slowest transactions of GET \/orders/ });
    const links = samples.locator('tbody a.ep-tx-link');
    await expect.poll(() => links.count()).toBeGreaterThan(0);
    expect(await links.first().getAttribute('href')).toMatch(
      /^\/projects\/default\/performance\/transactions\/[0-9a-f]{16}$/,
    );
    expect(await samples.locator('.ep-n1-badge').count()).toBe(await links.count());
    const durations = (await texts(samples.locator('tbody td:nth-child(2)'))).map(parseDuration);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));

    // The last hour in 5-minute buckets: where this test's traffic is.
    const hourly = page.waitForResponse((r) => /\/performance\/endpoint\?.*range=1h/.test(r.url()));
    await page.getByRole('radio', { name: 'Last hour' }).click();
    await hourly;
    await expect.poll(() => page.locator('.perf-page [aria-busy="true"]').count()).toBe(0);
    await screenshot(page, 'performance-endpoint.png', { fullPage: true });

    await page.getByRole('link', { name: /^Fastest/ }).click();
    await page.getByRole('table', { name: /Fastest transactions/ }).waitFor();
    await page.close();
  });

  it('the compare page shows the two releases side by side with a verdict', async () => {
    const page = await context.newPage();
    await page.goto(url(`${perfPath}/endpoint?name=GET+%2Forders`));
    await page.getByRole('link', { name: 'Compare releases' }).click();
    // Prefilled from the endpoint: its newest release against the one before.
    await page.waitForURL(/\/performance\/compare\?/);
    const params = new URL(page.url()).searchParams;
    expect([params.get('name'), params.get('a'), params.get('b')]).toEqual([
      'GET /orders',
      RELEASE_A,
      RELEASE_B,
    ]);

    const verdict = page.getByRole('region', { name: 'Verdict' });
    await verdict.waitFor();
    const title = await verdict.getByRole('heading').innerText();
    expect(title).toMatch(
      new RegExp(
        `^(${RELEASE_B} is (faster|slower) than ${RELEASE_A}|No significant change from ${RELEASE_A} to ${RELEASE_B})$`,
      ),
    );
    expect(await verdict.locator('.cmp-verdict-reason').innerText()).toMatch(/p95/);
    const table = page.getByRole('table', { name: `${RELEASE_A} compared with ${RELEASE_B}` });
    expect(await texts(table.locator('tbody th'))).toEqual([
      'Transactions',
      'p50',
      'p95',
      'p99',
      'Error rate',
      'Throughput',
    ]);
    const counts = await texts(table.locator('tbody tr').first().locator('td'));
    expect(counts.slice(0, 2)).toEqual([String(REQUESTS / 4), String(REQUESTS / 4)]);
    expect(await table.locator('tbody tr:nth-child(3) td').last().innerText()).toMatch(/^([+−][\d.,]+|0)%$/);
    await screenshot(page, 'performance-compare.png', { fullPage: true });

    // Project-wide: the endpoints that moved most.
    await page.getByRole('button', { name: 'All endpoints' }).click();
    const movers = page.getByRole('table', { name: 'Endpoints by p95 change' });
    await movers
      .locator('tbody tr')
      .nth(ENDPOINTS.length - 1)
      .waitFor();
    expect([...(await texts(movers.locator('tbody a')))].sort()).toEqual([...ENDPOINTS].sort());
    await page.close();
  });

  it('issues and performance are one click apart', async () => {
    const page = await context.newPage();
    await page.goto(url('/projects/default/issues'));
    const sections = page.getByRole('navigation', { name: 'Project', exact: true });
    expect(await sections.getByRole('link', { name: 'Issues' }).getAttribute('aria-current')).toBe('page');
    await sections.getByRole('link', { name: 'Performance' }).click();
    await page.waitForURL(url(perfPath));
    expect(await sections.getByRole('link', { name: 'Performance' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await page.close();
  });

  it('the dark theme: performance and endpoint pages', async () => {
    const dark = await newWatchedContext(browser, problems, { theme: 'dark' });
    try {
      const page = await dark.newPage();
      await page.goto(url(perfPath));
      await page
        .locator('.endpoints-table tbody tr')
        .nth(ENDPOINTS.length - 1)
        .waitFor();
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      await screenshot(page, 'performance-dark.png');
      await page.goto(url(`${perfPath}/endpoint?name=GET+%2Fcheckout&range=1h`));
      const charts = page.locator('.latency-chart canvas');
      await expect.poll(() => charts.count()).toBe(2);
      await screenshot(page, 'performance-endpoint-dark.png', { fullPage: true });
    } finally {
      await dark.close();
    }
  });

  it('a project without transactions says how to turn tracing on', async () => {
    const res = await fetch(`${snag.url}/api/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Billing' }),
    });
    expect(res.status).toBe(201);
    const page: Page = await context.newPage();
    await page.goto(url('/projects/billing/performance'));
    const empty = page.getByRole('region', { name: 'No transactions in the last 24 hours' });
    await empty.waitFor();
    const code = await texts(empty.locator('pre'));
    expect(code.join('\n')).toContain('tracesSampleRate: 1.0');
    expect(code.join('\n')).toContain('traces_sample_rate=1.0');
    expect(code.join('\n')).toContain('/2'); // the project's own DSN
    await screenshot(page, 'performance-empty.png');
    await page.close();
  });
});
