/**
 * Settings → Alerts in real Chromium against a real Snag: add a Slack channel (a local receiver
 * standing in for Slack), press "Send test" and see it arrive, create a rule for new issues, send
 * a real @sentry/node error and see the alert reach the receiver and the delivery log. The page
 * is photographed into docs/screenshots/settings-alerts.png.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendAlertEvents } from '../helpers/alerts.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, SCREENSHOT_DIR, launchChromium, newWatchedContext } from './helpers/chromium.js';

/** The Settings page polls every 3 s; a Node SDK child takes about a second to start. */
const LIVE_TIMEOUT_MS = 20_000;

describe('Settings → Alerts in Chromium', () => {
  let snag: RunningSnag;
  let slack: HttpReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems = new PageProblems();

  beforeAll(async () => {
    slack = await startHttpReceiver();
    snag = await startSnag({ env: { SNAG_ALERT_EVALUATE_SECONDS: '1' } });
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
    page = await context.newPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
    await slack?.close();
  });

  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  const section = () => page.getByRole('region', { name: 'Alerts' });

  it('adds a Slack channel and a test message reaches it', async () => {
    await page.goto(`${snag.url}/settings`);
    await section().getByText('No channel yet').waitFor();
    await section().getByRole('button', { name: 'Add channel' }).click();
    const form = section().getByRole('form', { name: 'Add channel' });
    await form.getByLabel('Name').fill('Slack #ops');
    await form.getByLabel('Type').selectOption('slack');
    await form.getByLabel('Webhook URL').fill(`${slack.url}/services/T0/B0/secret`);
    await form.getByRole('button', { name: 'Add channel' }).click();

    const row = section().locator('tr.alert-channel-row', { hasText: 'Slack #ops' });
    await row.waitFor();
    // The webhook URL is a secret: the page shows its host and last characters only.
    expect(await row.locator('.alerts-target').innerText()).toBe(`${slack.url}/••••cret`);
    await row.getByRole('button', { name: 'Send test' }).click();
    await row.getByRole('status').getByText('Test sent').waitFor();
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.path).toBe('/services/T0/B0/secret');
    expect((slack.requests[0]!.json as { text: string }).text).toContain('Test alert from Snag');
  });

  it('creates a rule for new issues; a real error reaches Slack and the delivery log', async () => {
    await section().getByRole('button', { name: 'Add rule' }).click();
    const form = section().getByRole('form', { name: 'New rule' });
    await form.getByLabel('Trigger').selectOption('new_issue');
    await form.getByLabel('Environment (empty: any)').fill('production');
    await form.getByLabel('Cooldown (minutes)').fill('30');
    expect(await form.getByLabel('Slack #ops').isChecked()).toBe(true);
    await form.getByRole('button', { name: 'Create rule' }).click();
    const rule = section().locator('li.alert-rule-row');
    await rule.waitFor();
    expect(await rule.innerText()).toContain('env production · cooldown 30 min → Slack #ops');

    await sendAlertEvents(snag.dsn, ['payment-gateway:1'], {
      environment: 'production',
      release: 'shop@3.1.0',
    });
    await waitFor(() => slack.requests.length >= 2, LIVE_TIMEOUT_MS, 'the alert at the receiver');
    expect(JSON.stringify(slack.requests[1]!.json)).toContain('New issue in default');
    const delivery = section().locator('tr.alert-delivery-row', { hasText: 'New issue in default' });
    await delivery.waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await delivery.innerText()).toContain('sent');
  });

  it('a channel whose receiver fails shows the error, in the row and in the delivery log', async () => {
    const broken = await startHttpReceiver({ status: 500 });
    try {
      await section().getByRole('button', { name: 'Add channel' }).click();
      const form = section().getByRole('form', { name: 'Add channel' });
      await form.getByLabel('Name').fill('Ops webhook');
      await form.getByLabel('Type').selectOption('webhook');
      await form.getByLabel('URL', { exact: true }).fill(`${broken.url}/snag`);
      await form.getByLabel('Signing secret (16+ characters)').fill('e2e-signing-secret-0123');
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = section().locator('tr.alert-channel-row', { hasText: 'Ops webhook' });
      await row.getByRole('button', { name: 'Send test' }).click();
      const status = row.getByRole('status');
      await status.getByText(/^Failed: /).waitFor();
      expect(await status.innerText()).toMatch(
        /^Failed: POST http:\/\/127\.0\.0\.1:\d+\/… answered 500: receiver failure$/,
      );
      expect(broken.requests).toHaveLength(1);
      const failed = section().locator('tr.alert-delivery-row.alerts-delivery-failed');
      await failed.waitFor({ timeout: LIVE_TIMEOUT_MS });
      expect(await failed.locator('.alerts-error').innerText()).toContain('answered 500');
      // The section, not the page (Settings holds several sections above it); the sticky app
      // header would cover the section's top once it is scrolled into view. (CSSOM, as the CSP
      // refuses injected style sheets.)
      await page.mouse.move(1, 1);
      await page.evaluate("document.querySelector('.app-header').style.visibility = 'hidden'");
      await section().screenshot({
        path: path.join(SCREENSHOT_DIR, 'settings-alerts.png'),
        animations: 'disabled',
      });
      await page.evaluate("document.querySelector('.app-header').style.visibility = ''");
    } finally {
      await broken.close();
    }
  });
});
