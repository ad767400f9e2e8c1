/**
 * The logs pages in real Chromium against a real Snag, fed by real senders: the OpenTelemetry JS
 * logs SDK through its OTLP/HTTP exporters (protobuf and JSON), and @sentry/node with logs on, whose
 * in-span lines belong to the transaction it also sends; one more @sentry/node run logs around a
 * captured error, so a trace holds logs, a transaction and an error. The tests walk what a user
 * does: search (a word, `key:value`, a pasted UUID, a query the server refuses), filter by level and
 * service, zoom the histogram, scroll to the end, open a line, follow it to its transaction and its
 * error, and watch live tail bring in lines sent after the page opened. Every page is watched for
 * console errors, uncaught exceptions and CSP violations, and photographed into docs/screenshots/.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { ATTRIBUTE_UUID, BODY_UUID } from '../helpers/log-lines.js';
import { runNodeLogs, runOtelLogs, type LogSenderResult } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { REPO_ROOT, startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

const run = promisify(execFile);
const LOGS = '/projects/default/logs';
const SENTRY_RELEASE = 'shop@3.0.0';
/** Live tail polls every second; the lists and the histogram refresh every 3 s. */
const LIVE_TIMEOUT_MS = 10_000;

/**
 * A real @sentry/node run: two log lines around a captured error, in one span. Inline rather than
 * a helper file because nothing else needs it; it prints the trace and event ids.
 */
const ERROR_WITH_LOGS = `
import * as Sentry from '@sentry/node';
Sentry.init({
  dsn: process.env.SNAG_DSN,
  enableLogs: true,
  tracesSampleRate: 1,
  environment: 'production',
  integrations: (d) => d.filter((i) => !['OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
});
let ids = {};
Sentry.startSpan({ name: 'POST /pay', op: 'http.server' }, (span) => {
  Sentry.logger.info('Charging card for order o-77');
  const eventId = Sentry.captureException(new Error('Card processor timed out'));
  Sentry.logger.error('Charge for order o-77 failed', { 'order.id': 'o-77' });
  ids = { trace_id: span.spanContext().traceId, event_id: eventId };
});
console.log(JSON.stringify({ ...ids, flushed: await Sentry.flush(5000) }));
`;

async function sendErrorWithLogs(dsn: string): Promise<{ trace_id: string; event_id: string }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', ERROR_WITH_LOGS], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', SNAG_DSN: dsn },
    timeout: 30_000,
  });
  const ids = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    trace_id: string;
    event_id: string;
    flushed: boolean;
  };
  if (!ids.flushed) throw new Error(`the error sender did not flush:\n${stdout}`);
  return ids;
}

const texts = (locator: Locator) => locator.allTextContents();
const ids = (page: Page) =>
  page
    .locator('#log-list .log-row')
    .evaluateAll((rows) =>
      rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset['id']!),
    );

/** How many pixels of a canvas are painted: a chart that drew nothing has only its axes. */
function paintedPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((el) => {
    const c = el as unknown as {
      width: number;
      height: number;
      getContext(k: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
      };
    };
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

describe('the logs pages in Chromium', () => {
  let snag: RunningSnag;
  let api: SnagApi;
  let browser: Browser;
  let context: BrowserContext;
  const problems = new PageProblems();
  const url = (p: string) => `${snag.url}${p}`;
  const sent = {} as Record<'protobuf' | 'json' | 'sentry', LogSenderResult>;
  let failure: { trace_id: string; event_id: string };
  let total = 0;

  /** Submits a search the way a user does: `/`, type, Enter. */
  async function search(page: Page, q: string) {
    await page.keyboard.press('/');
    const box = page.getByRole('searchbox', { name: 'Search logs' });
    expect(await page.evaluate('document.activeElement?.getAttribute("type")')).toBe('search');
    await box.fill(q);
    await box.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === q);
  }

  /** The list once it shows the API's first page for `query` (the page's own filters and page size). */
  async function expectRows(page: Page, query: Record<string, string>) {
    const expected = (await api.searchLogs({ limit: '100', ...query })).logs.map((l) => l.id);
    await expect.poll(() => ids(page), { timeout: LIVE_TIMEOUT_MS }).toEqual(expected);
    return expected;
  }

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
    sent.protobuf = await runOtelLogs(snag.url, snag.publicKey, { encoding: 'protobuf', count: 200 });
    sent.json = await runOtelLogs(snag.url, snag.publicKey, { encoding: 'json', count: 50 });
    sent.sentry = await runNodeLogs(snag.dsn, 50, { environment: 'production', release: SENTRY_RELEASE });
    failure = await sendErrorWithLogs(snag.dsn);
    total = sent.protobuf.sent + sent.json.sent + sent.sentry.sent + 2;
    await waitFor(
      async () => {
        const h = await api.logHistogram();
        const stored = h.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
        return stored === total && (await api.health()).transaction_count >= 2;
      },
      30_000,
      `${total} logs and 2 transactions stored`,
    );
    await waitForDigest(snag, 1);
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });

  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('lists every line newest first under the volume by level, and scrolls to the end', async () => {
    const page = await context.newPage();
    await page.goto(url('/projects/default/issues'));
    await page
      .getByRole('navigation', { name: 'Project', exact: true })
      .getByRole('link', { name: 'Logs' })
      .click();
    await page.waitForURL(url(LOGS));
    expect(
      await page
        .getByRole('navigation', { name: 'Project', exact: true })
        .getByRole('link', { name: 'Logs' })
        .getAttribute('aria-current'),
    ).toBe('page');

    const first = await expectRows(page, {});
    expect(first).toHaveLength(100);
    expect(first.map(Number)).toEqual([...first.map(Number)].sort((a, b) => b - a));
    const volume = page.getByRole('region', { name: 'Volume' });
    expect(await volume.locator('.logs-volume-head').innerText()).toContain(
      `${total} lines in the last 24 hours`,
    );
    expect(await paintedPixels(volume.locator('canvas'))).toBeGreaterThan(100);
    const levels = (await api.searchLogs({ limit: '500' })).logs;
    expect(levels.length).toBe(total);
    const fatal = levels.filter((l) => l.level === 'fatal').length;
    expect(await volume.locator('figcaption').textContent()).toContain(`${total} lines: ${fatal} fatal`);
    // A row: time to the millisecond, level, service, body.
    const row = page.locator('#log-list .log-row').first();
    expect(await row.locator('.log-time').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    await screenshot(page, 'logs.png');

    // Infinite scroll: each page loads as the end of the list comes near, until the range ends.
    const end = page.locator('.logs-end');
    await expect
      .poll(
        async () => {
          await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
          return end.textContent();
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(`${total} lines · end of the last 24 hours`);
    const all = await ids(page);
    expect(new Set(all).size).toBe(total);
    expect(all).toEqual(levels.map((l) => l.id));
    await page.close();
  });

  it('searches a word, key:value and a pasted UUID; a query it cannot read is explained', async () => {
    const page = await context.newPage();
    await page.goto(url(LOGS));
    await page.locator('#log-list .log-row').first().waitFor();

    await search(page, 'declined');
    // One "card declined" line from each of the three log senders.
    const declined = await expectRows(page, { q: 'declined' });
    expect(declined).toHaveLength(3);
    for (const body of await texts(page.locator('#log-list .log-body')))
      expect(body).toContain('card declined');

    await search(page, 'status:422');
    expect(await expectRows(page, { q: 'status:422' })).toHaveLength(3);
    expect(new Set(await texts(page.locator('#log-list .log-body')))).toEqual(
      new Set(['Payment retry 2 of 3']),
    );

    await search(page, BODY_UUID);
    expect(await expectRows(page, { q: BODY_UUID })).toHaveLength(3);
    // An attribute's UUID, pasted in capitals: found in attributes, not only bodies.
    await search(page, ATTRIBUTE_UUID.toUpperCase());
    expect((await expectRows(page, { q: ATTRIBUTE_UUID })).length).toBeGreaterThanOrEqual(3);

    await search(page, 'level:bogus');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Unknown level "bogus"');
    expect(await page.locator('#log-list').count()).toBe(0);
    // The browser logs the two 400s behind that message (list and histogram) as console errors,
    // possibly after the message shows; nothing else may go wrong.
    const seen: string[] = [];
    await expect
      .poll(() => {
        seen.push(...problems.take());
        return seen.length;
      })
      .toBeGreaterThanOrEqual(2);
    for (const p of seen) expect(p).toMatch(/status of 400 \(Bad Request\)/);
    await page.close();
  });

  it('filters by level and service, zooms the histogram, and keeps it all in the URL', async () => {
    const page = await context.newPage();
    await page.goto(url(LOGS));
    await page.locator('#log-list .log-row').first().waitFor();
    const levels = page.getByRole('group', { name: 'Levels' });

    await levels.getByRole('button', { name: 'Level fatal' }).click();
    await page.waitForURL(/level=fatal$/);
    const fatal = await expectRows(page, { level: 'fatal' });
    expect(fatal.length).toBeGreaterThan(0);
    expect(new Set(await texts(page.locator('#log-list .log-level')))).toEqual(new Set(['fatal']));
    await levels.getByRole('button', { name: 'Level error' }).click();
    await page.waitForURL(/level=error%2Cfatal$/);
    await expectRows(page, { level: 'error,fatal' });
    const caption = page.getByRole('region', { name: 'Volume' }).locator('figcaption');
    await expect.poll(() => caption.textContent()).toMatch(/0 warn, 0 info, 0 debug, 0 trace$/);

    await page.getByRole('combobox', { name: 'Service' }).selectOption('checkout');
    await page.waitForURL(/service=checkout/);
    await expectRows(page, { level: 'error,fatal', service: 'checkout' });
    expect(new Set(await texts(page.locator('#log-list .log-service')))).toEqual(new Set(['checkout']));

    // The URL is the state: a reload (or a shared link) shows the same.
    await page.reload();
    await expectRows(page, { level: 'error,fatal', service: 'checkout' });
    expect(await levels.getByRole('button', { name: 'Level error' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(await levels.getByRole('button', { name: 'Level warn' }).getAttribute('aria-pressed')).toBe(
      'false',
    );

    // Dragging across the last tenth of the day (where every line is) zooms to it; back undoes it.
    const over = page.locator('.log-histogram .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/start=.*&end=/);
    const zoomed = new URL(page.url()).searchParams;
    const width = Date.parse(zoomed.get('end')!) - Date.parse(zoomed.get('start')!);
    expect(width).toBeGreaterThan(1.5 * 3_600_000);
    expect(width).toBeLessThan(3 * 3_600_000);
    await expect.poll(() => page.locator('.logs-volume-head').innerText()).toContain('in the zoomed window');
    await expectRows(page, {
      level: 'error,fatal',
      service: 'checkout',
      start: zoomed.get('start')!,
      end: zoomed.get('end')!,
    });
    expect(await page.getByRole('button', { name: 'Live tail' }).isDisabled()).toBe(true);
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('start'));
    expect(new URL(page.url()).searchParams.get('level')).toBe('error,fatal');
    await page.close();
  });

  it('moves through the lines with j/k and opens one with Enter', async () => {
    const page = await context.newPage();
    await page.goto(url(`${LOGS}?q=status%3A422`));
    const rows = await expectRows(page, { q: 'status:422' });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await page.evaluate('document.activeElement.closest(".log-row").dataset.id')).toBe(rows[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(url(`${LOGS}/${rows[1]}`));
    await page.getByRole('heading', { level: 1, name: 'Payment retry 2 of 3' }).waitFor();
    await page.goBack();
    await page.waitForURL(url(`${LOGS}?q=status%3A422`));
    await page.close();
  });

  it("opens a line: fields, attributes, raw record, its transaction, and the trace's logs there", async () => {
    const page = await context.newPage();
    await page.goto(url(`${LOGS}?q=status%3A422&release=${encodeURIComponent(SENTRY_RELEASE)}`));
    const [id] = await expectRows(page, { q: 'status:422', release: SENTRY_RELEASE });
    await page.locator('#log-list .log-row-link').first().click();
    await page.waitForURL(url(`${LOGS}/${id}`));
    await page.getByRole('heading', { level: 1, name: 'Payment retry 2 of 3' }).waitFor();

    const attributes = page.getByRole('table', { name: 'Attributes' });
    const rowOf = async (key: string) =>
      texts(
        attributes
          .locator('tr', { has: page.getByRole('rowheader', { name: key, exact: true }) })
          .locator('td'),
      );
    expect(await rowOf('status')).toEqual(['422']);
    expect(await rowOf('method')).toEqual(['POST']);
    expect(await page.locator('.log-fields').innerText()).toContain(sent.sentry.trace_id);
    expect(await page.getByRole('link', { name: SENTRY_RELEASE }).getAttribute('href')).toBe(
      `${LOGS}?release=${encodeURIComponent(SENTRY_RELEASE)}`,
    );
    expect(await page.locator('.code-block pre').textContent()).toContain('"status": 422');

    // Its trace: every line of the @sentry/node run, this one marked.
    const traceLogs = page.getByRole('region', { name: `${sent.sentry.sent} logs for this trace` });
    await traceLogs.waitFor();
    expect(await traceLogs.locator('[aria-current="true"]').locator('.log-body').textContent()).toBe(
      'Payment retry 2 of 3',
    );
    await screenshot(page, 'log-detail.png', { fullPage: true });

    const related = page.getByRole('region', { name: 'In the same trace' });
    await related.getByRole('link', { name: 'checkout', exact: true }).click();
    await page.waitForURL(new RegExp(`/performance/transactions/${sent.sentry.span_id}$`));
    const onTx = page.getByRole('region', { name: `${sent.sentry.sent} logs for this trace` });
    await onTx.waitFor();
    // Oldest first: the run's first line.
    expect(await onTx.locator('.log-body').first().textContent()).toBe('Cache lookup for user:42');
    await onTx.getByRole('button', { name: `Show all ${sent.sentry.sent}` }).click();
    const times = await onTx
      .locator('time')
      .evaluateAll((ts) => ts.map((t) => (t as unknown as { dateTime: string }).dateTime));
    expect(times).toHaveLength(sent.sentry.sent);
    expect(times).toEqual([...times].sort());

    await onTx.getByRole('link', { name: 'Open in Logs →' }).click();
    await page.waitForURL((u) => u.searchParams.get('q') === `trace:${sent.sentry.trace_id}`);
    await expect
      .poll(() => page.locator('.logs-end').textContent())
      .toBe(`${sent.sentry.sent} lines · end of the last 30 days`);
    await page.close();
  });

  it("an error event lists its trace's logs, and a log links back to the error", async () => {
    const page = await context.newPage();
    await page.goto(url(`/projects/default/events/${failure.event_id}`));
    const traceLogs = page.getByRole('region', { name: '2 logs for this trace' });
    await traceLogs.waitFor();
    expect(await texts(traceLogs.locator('.log-body'))).toEqual([
      'Charging card for order o-77',
      'Charge for order o-77 failed',
    ]);
    await traceLogs.getByRole('link', { name: /Charge for order o-77 failed/ }).click();
    await page.waitForURL(new RegExp(`${LOGS}/\\d+$`));
    const related = page.getByRole('region', { name: 'In the same trace' });
    await related.getByRole('link', { name: 'POST /pay' }).waitFor();
    await related.getByRole('link', { name: 'Error: Card processor timed out' }).click();
    await page.waitForURL(url(`/projects/default/events/${failure.event_id}`));
    await page.close();
  });

  it('live tail brings in lines sent after the page opened, holding them back while scrolled down', async () => {
    const page = await context.newPage();
    await page.goto(url(LOGS));
    await page.locator('#log-list .log-row').first().waitFor();
    await page.keyboard.press('t');
    const toggle = page.getByRole('button', { name: /Live tail/ });
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    expect(new URL(page.url()).searchParams.get('tail')).toBe('1');
    const before = await ids(page);

    // At the top: new lines go straight in, newest first, and flash.
    const otlp = await runOtelLogs(snag.url, snag.publicKey, { encoding: 'json' });
    await expect
      .poll(async () => (await ids(page)).length, { timeout: LIVE_TIMEOUT_MS })
      .toBe(before.length + otlp.sent);
    const now = await ids(page);
    expect(now.slice(otlp.sent)).toEqual(before);
    // The last poll's lines: all of them unless the worker stored the request in two batches.
    expect(await page.locator('#log-list .log-row.is-new').count()).toBeGreaterThan(0);
    expect(await page.locator('#log-list .log-body').first().textContent()).toContain(
      'statement: SELECT * FROM orders',
    );

    // Scrolled down: nothing moves; a pill counts what waits, and brings it in.
    await page.evaluate('window.scrollTo(0, 1500)');
    const sentry = await runNodeLogs(snag.dsn, 0, { environment: 'production' });
    const pill = page.getByRole('button', { name: `↑ ${sentry.sent} new lines` });
    await pill.waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await ids(page)).toEqual(now);
    expect(await page.evaluate('window.scrollY')).toBe(1500);
    await pill.click();
    await expect.poll(async () => (await ids(page)).length).toBe(now.length + sentry.sent);
    expect((await ids(page)).slice(sentry.sent)).toEqual(now);
    expect(await page.evaluate('window.scrollY')).toBe(0);
    await page.close();
  });

  it('the dark theme: logs with a level filter', async () => {
    const dark = await newWatchedContext(browser, problems, { theme: 'dark' });
    try {
      const page = await dark.newPage();
      await page.goto(url(`${LOGS}?level=warn,error,fatal`));
      await expectRows(page, { level: 'warn,error,fatal' });
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      await screenshot(page, 'logs-dark.png');
    } finally {
      await dark.close();
    }
  });
});
