/**
 * The Releases page in real Chromium against a real Snag seeded by real SDKs and the real
 * sentry-cli: release shop@1 (errors and transactions), an issue resolved, release shop@2 with a
 * new issue and the resolved one back, created, finalized and deployed with sentry-cli. Checks the
 * list, one release's page, and the deploy marker on an issue's chart; photographs into
 * docs/screenshots/. Every page is watched for console errors and CSP violations.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseList } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeApm, runNodeSdk } from '../helpers/sdk-senders.js';
import { snagApi } from '../helpers/snag-api.js';
import { REPO_ROOT, getJson, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';
import { PageProblems, launchChromium, newWatchedContext, screenshot } from './helpers/chromium.js';

const run = promisify(execFile);
const SENTRY_CLI = path.join(REPO_ROOT, 'node_modules/.bin/sentry-cli');
const SEED_TIMEOUT_MS = 120_000;
/** The pages poll every 3 s. */
const LIVE_TIMEOUT_MS = 15_000;

describe('the Releases page in Chromium', () => {
  let snag: RunningSnag;
  let browser: Browser;
  let context: BrowserContext;
  let regressedIssue: number;
  const problems = new PageProblems();
  const url = (p: string) => `${snag.url}${p}`;

  const cli = (...args: string[]) =>
    run(SENTRY_CLI, args, {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        SENTRY_URL: snag.url,
        SENTRY_AUTH_TOKEN: 'ci-token',
        SENTRY_ORG: 'acme',
      },
    });

  beforeAll(async () => {
    snag = await startSnag();
    const api = snagApi(snag);
    browser = await launchChromium();
    context = await newWatchedContext(browser, problems);

    await cli('releases', 'new', 'shop@1', '-p', 'default');
    const first = await runNodeSdk(snag.dsn, ['user-not-found'], {
      release: 'shop@1',
      environment: 'production',
    });
    await runNodeApm(snag.dsn, 'static', 'requests', { release: 'shop@1', environment: 'production' });
    await cli('deploys', 'new', '-r', 'shop@1', '-e', 'production', '-n', 'deploy-41');
    const listed = (v: string, ok: (r: ReleaseList['releases'][number]) => boolean) =>
      waitFor(
        async () => {
          const { releases } = await getJson<ReleaseList>(`${snag.url}/api/v1/projects/default/releases`);
          const r = releases.find((x) => x.version === v);
          return r && ok(r);
        },
        30_000,
        `release ${v}`,
      );
    await listed('shop@1', (r) => r.error_events === 3 && r.transactions >= 5);
    regressedIssue = (await api.getEvent(first['user-0']!)).issue_id;
    await api.setIssueStatus(regressedIssue, 'resolved');

    await cli(
      'releases',
      'new',
      'shop@2',
      '-p',
      'default',
      '--url',
      'https://git.example/shop/compare/1...2',
    );
    await runNodeSdk(snag.dsn, ['other-path', 'user-not-found'], {
      release: 'shop@2',
      environment: 'production',
    });
    await runNodeApm(snag.dsn, 'static', 'requests', { release: 'shop@2', environment: 'production' });
    await cli('releases', 'finalize', 'shop@2', '-p', 'default');
    await cli(
      'deploys',
      'new',
      '-r',
      'shop@2',
      '-e',
      'production',
      '-n',
      'deploy-42',
      '-u',
      'https://ci.example/runs/42',
    );
    await listed('shop@2', (r) => r.error_events === 4 && r.transactions >= 5);
  }, SEED_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await stopAndRemove(snag);
  });

  afterEach(() => {
    expect(problems.take(), 'console errors, uncaught exceptions or CSP violations').toEqual([]);
  });

  it('lists each release with its deploys, new issues, regressions, errors and p95', async () => {
    const page = await context.newPage();
    await page.goto(url('/projects/default/issues'));
    await page.getByRole('link', { name: 'Releases', exact: true }).click();
    await page.waitForURL(url('/projects/default/releases'));
    const rows = page.locator('.data-table tbody tr');
    await expect.poll(() => rows.count(), { timeout: LIVE_TIMEOUT_MS }).toBe(2);
    // Release, Started, Last seen, Deployed to, New issues, Regressions, Errors, p95.
    const cells = async (i: number) =>
      page.locator('.data-table tbody tr').nth(i).locator('td').allInnerTexts();
    const two = await cells(0);
    const one = await cells(1);
    expect(two[0]).toBe('shop@2');
    expect(two[3]).toBe('production');
    expect(two.slice(4, 7)).toEqual(['1', '1', '4']);
    expect(one[0]).toBe('shop@1');
    expect(one.slice(4, 7)).toEqual(['2', '0', '3']);
    // p95 of each, and shop@2's change against shop@1 ("+12%" or "−3%").
    expect(one[7]).toMatch(/^[\d.]+ (ms|s)$/);
    expect(two[7]).toMatch(/^[\d.]+ (ms|s)\s*([+−][\d.,]+%|0%)$/);
    await screenshot(page, 'releases.png');
    await page.close();
  });

  it('shows one release: facts, deploys, the issue it introduced and the one it brought back', async () => {
    const page = await context.newPage();
    await page.goto(url('/projects/default/releases'));
    await page.getByRole('link', { name: 'shop@2', exact: true }).click();
    await page.waitForURL(url('/projects/default/releases/shop%402'));
    await page.getByRole('heading', { level: 1, name: 'shop@2' }).waitFor();
    expect(await page.getByRole('link', { name: 'https://git.example/shop/compare/1...2' }).count()).toBe(1);
    const terms = await page.locator('.rel-facts dt').allInnerTexts();
    const values = await page.locator('.rel-facts dd').allInnerTexts();
    const facts = Object.fromEntries(terms.map((t, i) => [t, values[i]]));
    expect(facts['Error events']).toBe('4');
    expect(facts['Transactions']).toBe('5');
    expect(facts['Finalized']).not.toBe('no');

    const deploys = page.getByRole('region', { name: 'Deploys' });
    expect(await deploys.innerText()).toMatch(/production\s.*deploy-42.*https:\/\/ci\.example\/runs\/42/s);

    const newIssues = page.getByRole('table', { name: /New in this release \(1\)/ });
    expect(await newIssues.locator('tbody tr').count()).toBe(1);
    expect(await newIssues.innerText()).toContain('User 789 not found');
    const regressions = page.getByRole('table', { name: /Regressed in this release \(1\)/ });
    await regressions.getByRole('link', { name: /User \d+ not found/ }).waitFor();
    await screenshot(page, 'release-detail.png', { fullPage: true });

    // The compare link opens the existing release comparison for the two releases.
    await page.getByRole('link', { name: 'Compare latency with shop@1 →' }).click();
    await page.waitForURL(/\/performance\/compare\?a=shop%401&b=shop%402/);
    await page.close();
  });

  it('marks the deploys on the issue chart', async () => {
    const page = await context.newPage();
    await page.goto(url(`/projects/default/issues/${regressedIssue}`));
    const flag = page.locator('.hc-flag').last();
    await flag.waitFor();
    // Both deploys were seconds apart: one flag, named after the newer ("shop@2 +1").
    expect(await flag.innerText()).toMatch(/^shop@2( \+1)?$/);
    expect(await flag.getAttribute('title')).toMatch(/Deploy of shop@2 to production, /);
    await page.close();
  });
});
