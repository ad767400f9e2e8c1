/**
 * Settings → Retention and storage in real Chromium against a real Snag fed by @sentry/node: the
 * section shows the databases with their measured tables and row counts, the queue and the
 * maintenance schedule; changing a retention value saves it (and it shows in the audit trail and
 * the API). Photographed into docs/screenshots/settings-storage.png.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionSettings, StorageSettings } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeSdk } from '../helpers/sdk-senders.js';
import { getJson, startSnag, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

describe('Settings → Retention and storage in Chromium', () => {
  let snag: RunningSnag;
  let browser: Browser;
  let context: BrowserContext;
  const problems = new PageProblems();

  beforeAll(async () => {
    snag = await startSnag();
    await runNodeSdk(snag.dsn, ['user-not-found', 'other-path', 'chained', 'message', 'context']);
    await waitForDigest(snag, 6);
    // Statistics are measured at start and hourly; measure again now that the events are in.
    const run = await fetch(`${snag.url}/api/v1/settings/maintenance/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'storage statistics' }),
    });
    expect(run.status).toBe(200);
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });

  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('shows real sizes and rows, and saves a retention change into the audit trail', async () => {
    const page = await context.newPage();
    await page.goto(`${snag.url}/settings`);
    const section = page.getByRole('region', { name: 'Retention and storage' });
    await section.waitFor();

    const storage = await getJson<StorageSettings>(`${snag.url}/api/v1/settings/storage`);
    const errors = storage.files.find((f) => f.name === 'errors')!;
    expect(errors.bytes).toBeGreaterThan(0);
    expect(errors.auto_vacuum).toBe('incremental');
    const files = section.getByRole('table', { name: 'Databases and tables' });
    await files.getByRole('rowheader', { name: 'errors.db' }).waitFor();
    // The events table row shows the measured row count (statistics ran after the 6 events arrived, or later).
    const eventsRow = files.locator('tr.storage-table-row', { hasText: /^events\s/ });
    const rows = Number((await eventsRow.locator('td.num').nth(1).innerText()).replace(/,/g, ''));
    expect(errors.tables.find((t) => t.name === 'events')!.rows).toBe(6);
    expect(rows).toBe(6);
    expect(await section.getByTestId('queue-depth').innerText()).toMatch(/^\d+$/);
    await section
      .getByRole('table', { name: 'Maintenance schedule' })
      .getByRole('cell', { name: 'retention' })
      .waitFor();

    const events = section.getByRole('spinbutton', { name: /Error events/ });
    expect(await events.inputValue()).toBe('90');
    await events.fill('45');
    await section.getByRole('button', { name: 'Save retention' }).click();
    await section.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const saved = await getJson<RetentionSettings>(`${snag.url}/api/v1/settings/retention`);
    expect(saved.days.events).toBe(45);
    expect(saved.overridden).toEqual(['events']);
    await section.locator('.storage-audit li', { hasText: 'events 90 → 45' }).waitFor();
    await section.getByText('default 90').waitFor();

    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-storage.png');
  }, 60_000);
});
