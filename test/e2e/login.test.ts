/**
 * Signing in to Snag in real Chromium through a real OpenID Connect provider (oidc-provider, with a
 * plain email form as its login page): a page behind the login sends the browser to the provider
 * and back to where it was headed, the header shows who is signed in, a change made in the UI
 * carries the CSRF token and is recorded under the person's email, and signing out ends the
 * session at Snag and at the provider. Screenshot: docs/screenshots/settings-account.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { startSnagWithOidc, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startSnag, waitForDigest, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

const EMAIL = 'alice@example.com';

describe('login in Chromium', () => {
  let snag: RunningSnag;
  let idp: TestOidcProvider;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems = new PageProblems();

  beforeAll(async () => {
    ({ snag, idp } = await startSnagWithOidc({ SNAG_ALLOWED_DOMAINS: 'example.com' }));
    idp.addAccount({ sub: 'alice', email: EMAIL, email_verified: true, name: 'Alice Example' });
    const sent = await postRaw(
      snag.url,
      `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
      eventEnvelope(sdkEvent({ message: 'Checkout failed for order 1234' })),
    );
    expect(sent.status).toBe(200);
    await waitForDigest(snag, 1);
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
    await idp?.close();
  });

  afterEach(() => {
    // Only Snag's own pages are held to "no console errors": the provider's pages are not ours.
    const ours = problems.take().filter((p) => p.startsWith(snag.url));
    expect(ours, 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('sends a signed-out visitor through the provider and back to the page they asked for', async () => {
    await page.goto(`${snag.url}/projects/default/issues`);
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${snag.url}/projects/default/issues`);
    await page.locator('tr.issue-row').first().waitFor();
    expect(await page.locator('.account-email').innerText()).toBe(EMAIL);
  });

  it('resolves an issue from the UI, recorded under the signed-in email', async () => {
    await page.locator('tr.issue-row a.issue-title').first().click();
    const statusRow = page.locator('.issue-status-row');
    await statusRow.getByRole('button', { name: 'Resolve', exact: true }).click();
    await statusRow.locator('.status-badge.status-resolved').waitFor();
    // In the page, with its cookie: the audit trail of the issue just resolved.
    const status = await page.evaluate<string | null>(`(async () => {
      const id = location.pathname.split('/').pop();
      for (let i = 0; i < 50; i++) {
        const { status_changes } = await (await fetch('/api/v1/issues/' + id + '/status-changes')).json();
        if (status_changes.length > 0) return status_changes.at(-1).actor;
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    })()`);
    expect(status).toBe(EMAIL);
  });

  it('shows who is signed in on Settings', async () => {
    await page.goto(`${snag.url}/settings`);
    const account = page.getByRole('region', { name: 'Account' });
    await account.waitFor();
    expect(await account.locator('.settings-account-email').innerText()).toBe(EMAIL);
    expect(await account.innerText()).toContain('Test IdP');
    await screenshot(page, 'settings-account.png');
  });

  it('signs out at Snag and at the provider', async () => {
    await page.locator('.account-control').getByRole('button', { name: 'Sign out' }).click();
    // The provider asks for confirmation (RP-initiated logout), then returns to Snag.
    await page.waitForURL(`${idp.issuer}/**`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${snag.url}/auth/logged-out`);
    expect(await page.locator('h1').innerText()).toBe('Signed out');
    await page.goto(`${snag.url}/settings`);
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    expect(await page.getByLabel('Email').isVisible()).toBe(true);
  });
});

describe('open mode on a network address, in Chromium', () => {
  let snag: RunningSnag;
  let browser: Browser;
  const problems = new PageProblems();

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_HOST: '0.0.0.0' } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });

  it('shows the no-login banner on every page and no sign-in control', async () => {
    const context = await newWatchedContext(browser, problems);
    const page = await context.newPage();
    await page.goto(`${snag.url}/`);
    const banner = page.getByRole('alert').filter({ hasText: 'No login.' });
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/listens on 0\.0\.0\.0 without login/);
    expect(await page.locator('.account-control, .account-sign-in').count()).toBe(0);
    await screenshot(page, 'open-mode-banner.png');
    expect(problems.take()).toEqual([]);
  });
});
