/**
 * Real Chromium for the UI tests (Debian's /usr/bin/chromium driven by playwright-core), browser
 * contexts set up the same way for every page, a watch on each page for console errors, uncaught
 * exceptions and Content-Security-Policy violations, and screenshots into docs/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../helpers/snag.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs/screenshots');
export const VIEWPORT = { width: 1280, height: 860 };
/** Taller pages are cut here: the top of a long page is what a reader of the README needs. */
const MAX_SCREENSHOT_HEIGHT_PX = 2400;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

/**
 * Runs in every document before the app: reports CSP violations (Chromium also logs them, but the
 * event is the contract), and notes when the first issue row reaches the DOM, in milliseconds since
 * the navigation started, for the render-time figure.
 */
const PAGE_PROBE = `
document.addEventListener('securitypolicyviolation', (e) => {
  window.snagReportCsp(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
new MutationObserver((_, observer) => {
  if (document.querySelector('tr.issue-row')) {
    window.snagFirstIssueRowMs = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
`;

/** Collects what went wrong on the pages it watches; a test takes and checks the list. */
export class PageProblems {
  private problems: string[] = [];
  /** While set, "404 (Not Found)" resource logs are expected (a not-found page is on screen). */
  allowNotFound = false;

  add(page: Page | null, what: string): void {
    this.problems.push(`${page ? page.url() : '(page)'}: ${what}`);
  }

  watch(page: Page): void {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      if (this.allowNotFound && /status of 404 \(Not Found\)/.test(msg.text())) return;
      this.add(page, `console.error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => this.add(page, `uncaught ${err.name}: ${err.message}`));
  }

  /** The problems since the last call. */
  take(): string[] {
    const taken = this.problems;
    this.problems = [];
    return taken;
  }
}

/** A context like a user's browser: fixed viewport and colour scheme, and every page watched. */
export async function newWatchedContext(
  browser: Browser,
  problems: PageProblems,
  options: { theme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    colorScheme: 'light',
    // Screenshots of a settled page: the UI's row flash and pulses respect this.
    reducedMotion: 'reduce',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.exposeBinding('snagReportCsp', ({ page }, text: string) =>
    problems.add(page, `CSP violation: ${text}`),
  );
  await context.addInitScript(PAGE_PROBE);
  if (options.theme) {
    // The app reads its theme from here before the first render (web/src/theme.ts).
    // about:blank, where every page starts, has no storage.
    await context.addInitScript(
      `if (location.protocol === 'http:') localStorage.setItem('snag.theme', ${JSON.stringify(options.theme)});`,
    );
  }
  context.on('page', (page) => problems.watch(page));
  return context;
}

/** A PNG of the viewport, or of the page's top MAX_SCREENSHOT_HEIGHT_PX with `fullPage`. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, name);
  // The pointer stays where the last click was; on the next page it would hover whatever is there.
  await page.mouse.move(1, 1);
  if (!options.fullPage) {
    await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    return file;
  }
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.screenshot({
    path: file,
    animations: 'disabled',
    caret: 'hide',
    fullPage: true,
    clip: { x: 0, y: 0, width: VIEWPORT.width, height: Math.min(height, MAX_SCREENSHOT_HEIGHT_PX) },
  });
  return file;
}
