/**
 * API tokens and MCP OAuth in real Chromium (open mode on loopback): Settings creates a token and
 * shows it once, lists it and revokes it; an MCP client signed in with OAuth is listed with its
 * grant and revoked; the consent page renders without script and its Allow button sends the
 * browser back to the client (the form-action CSP must allow that redirect, which only a browser
 * enforces). Screenshots: docs/screenshots/settings-tokens.png, docs/screenshots/mcp-consent.png.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import {
  authorizeUrl,
  grantByHand,
  newPkce,
  postInitialize,
  registerClient,
  REDIRECT_URI,
} from '../helpers/mcp-oauth.js';
import { startSnag, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

describe('API tokens and MCP OAuth in Chromium', () => {
  let snag: RunningSnag;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems = new PageProblems();

  beforeAll(async () => {
    snag = await startSnag();
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });
  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('the consent page shows the client and scopes, and Allow returns to the client with a code', async () => {
    const { client_id: clientId } = (await (
      await registerClient(snag.url, { client_name: 'Claude Code' })
    ).json()) as { client_id: string };
    // The client's loopback listener, answered by the browser context itself.
    let callback: URL | undefined;
    await context.route(`${new URL(REDIRECT_URI).origin}/**`, async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ contentType: 'text/html', body: '<p>Signed in: return to your agent.</p>' });
    });
    await page.goto(
      authorizeUrl(snag.url, { client_id: clientId, code_challenge: newPkce().challenge }).href,
    );
    await page.getByRole('heading', { name: 'Allow Claude Code to use Snag?' }).waitFor();
    expect(await page.locator('li').allInnerTexts()).toEqual([
      expect.stringContaining('Read issues'),
      expect.stringContaining('Resolve, ignore and reopen'),
    ]);
    await screenshot(page, 'mcp-consent.png');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${REDIRECT_URI}?**`);
    expect(callback?.searchParams.get('code')).toBeTruthy();
    expect(callback?.searchParams.get('state')).toBe('st-123');
  });

  it('Settings creates a token shown once, lists OAuth clients, and revokes both', async () => {
    const { tokens } = await grantByHand(snag.url);
    await page.goto(`${snag.url}/settings`);
    const section = page.locator('section', {
      has: page.getByRole('heading', { name: 'API tokens', exact: true }),
    });
    await section.getByLabel('Name', { exact: true }).fill('ci-deploy');
    await section.getByLabel('Access').selectOption({ label: 'Read' });
    await section.getByRole('button', { name: 'Create token' }).click();
    const secret = await section.locator('.token-secret').innerText();
    expect(secret).toMatch(/^snag_/);
    expect((await postInitialize(snag.url, `Bearer ${secret}`)).status).toBe(200);
    const row = section.locator('tr', { hasText: 'ci-deploy' });
    await expect.poll(() => row.locator('td').nth(1).innerText()).toBe('read');

    const clients = page.locator('section', {
      has: page.getByRole('heading', { name: 'MCP clients signed in with OAuth' }),
    });
    const clientRow = clients.locator('tr', { hasText: 'Hand-made client' });
    await clientRow.waitFor();
    expect(await clientRow.innerText()).toContain(REDIRECT_URI);
    // Both sections in view, below the sticky header.
    await section.evaluate(
      // A string body: test/ is type-checked without the DOM library.
      `(el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 70)`,
    );
    await screenshot(page, 'settings-tokens.png');

    await row.getByRole('button', { name: 'Revoke token ci-deploy' }).click();
    await row.getByRole('button', { name: 'Confirm revoking token ci-deploy' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await postInitialize(snag.url, `Bearer ${secret}`)).status).toBe(401);

    await clientRow.getByRole('button', { name: 'Revoke MCP client Hand-made client' }).click();
    await clientRow.getByRole('button', { name: 'Confirm revoking MCP client Hand-made client' }).click();
    await clientRow.waitFor({ state: 'detached' });
    expect((await postInitialize(snag.url, `Bearer ${tokens.access_token}`)).status).toBe(401);
  });
});
