/**
 * The issues list at scale: seeds 10,000 issues and 1,000,000 events (bench/seed-issues.js), starts
 * Snag on that data, and measures (1) the issues-list API for the queries the UI makes, median and
 * p95 of repeated calls, and (2) the time real Chromium takes from navigation start to the first
 * page of issue rows painted (Element Timing on the first row; the rows are one React commit), for
 * a cold visit and two warm ones, each with the API call of the same loads beside it. Chromium is
 * driven by Playwright and, separately, with nothing attached during the load (--driver).
 * Targets (issue 3): API < 100 ms, render < 300 ms.
 *
 *   npm run build && node bench/ui-list.js [--issues 10000] [--events 1000000] [--loads 11]
 *     [--keep-seed DIR | --seeded DIR] [--root /path/to/other/checkout] [--skip-api]
 *     [--driver playwright|unattached|both]
 */
/* global document, window, MutationObserver, requestAnimationFrame -- page callbacks below run in the browser */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { seedIssues } from './seed-issues.js';
import { launchChromiumPipe } from './lib/cdp-pipe.js';
import { startServer, stopServer } from './lib/server.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_CALLS = 30;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

const { values } = parseArgs({
  options: {
    issues: { type: 'string', default: '10000' },
    events: { type: 'string', default: '1000000' },
    /** Rounds of the three visits; ≥ 10 so a median is not one busy moment of the shared box. */
    loads: { type: 'string', default: '11' },
    /** Serve this checkout's build (e.g. a baseline in another directory) instead of this one's. */
    root: { type: 'string', default: REPO_ROOT },
    /** Copy a data dir seeded earlier (--keep-seed DIR) instead of seeding again (~1 min). */
    seeded: { type: 'string' },
    'keep-seed': { type: 'string' },
    'skip-api': { type: 'boolean', default: false },
    /** playwright | unattached | both: see timeRenderUnattached. */
    driver: { type: 'string', default: 'both' },
  },
});

const median = (sorted) =>
  (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function timeApi(url) {
  const samples = [];
  for (let i = 0; i < API_CALLS; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} → ${res.status}`);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 50), p95: percentile(samples, 95) };
}

/**
 * Runs in the page before any of its scripts. "Painted" is the Element Timing renderTime of the
 * first row's title (`elementtiming="issue-row"` in issues-list.tsx): the frame that put it on
 * screen, as the browser reports it. The first row entering the DOM, and a double
 * requestAnimationFrame after it (the fallback measure where Element Timing is missing), are noted
 * beside it. Times are taken in the page: asking from outside would add Playwright's round trips.
 */
function observeFirstRow() {
  const marks = {};
  window.__snagMarks = marks;
  const done = () => {
    if (marks.painted !== undefined && marks.doubleRaf !== undefined)
      console.debug('snag-bench: first row painted');
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier !== 'issue-row' || marks.painted !== undefined) continue;
      marks.painted = entry.renderTime || entry.loadTime;
      done();
    }
  }).observe({ type: 'element', buffered: true });
  new MutationObserver((_, observer) => {
    if (!document.querySelector('tr[id^="issue-"]')) return;
    observer.disconnect();
    marks.row = performance.now();
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        marks.doubleRaf = performance.now();
        // A build without the attribute (an older checkout under --root) has only this measure.
        if (!document.querySelector('[elementtiming="issue-row"]')) marks.painted = NaN;
        done();
      }),
    );
  }).observe(document, { childList: true, subtree: true });
}

async function loadOnce(page, url) {
  // Waits for the page's console message, not with waitForFunction: that injects Playwright's
  // script into the page during the load, ~60 ms of its main thread in a trace.
  const painted = page.waitForEvent('console', {
    predicate: (m) => m.text() === 'snag-bench: first row painted',
    timeout: 15_000,
  });
  await page.goto(url, { waitUntil: 'commit' });
  await painted;
  return await page.evaluate(() => {
    const api = performance.getEntriesByType('resource').find((r) => r.name.includes('/issues?'));
    const marks = window.__snagMarks;
    return {
      painted: marks.painted,
      doubleRaf: marks.doubleRaf,
      row: marks.row,
      scriptsRun: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      apiStart: api?.startTime ?? NaN,
      apiEnd: api?.responseEnd ?? NaN,
      apiTime: api ? api.responseEnd - api.startTime : NaN,
    };
  });
}

/**
 * Three visits per round, LOADS rounds. Cold: a new browser context (empty HTTP cache, no V8 code
 * cache) and a new tab, so a new renderer process. Warm, new tab: the same context, everything the
 * cold visit cached. Warm, same tab: that tab navigates to the page again (a reload, a returning
 * user), its renderer already running.
 */
const VISITS = ['cold', 'warm, new tab', 'warm, same tab'];

async function timeRender(url, loads) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const samples = Object.fromEntries(VISITS.map((v) => [v, []]));
  try {
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      await context.addInitScript(observeFirstRow);
      const first = await context.newPage();
      samples.cold.push(await loadOnce(first, url));
      await first.close();
      const page = await context.newPage();
      samples['warm, new tab'].push(await loadOnce(page, url));
      samples['warm, same tab'].push(await loadOnce(page, url));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return summarize(samples, ['painted', 'doubleRaf', 'row', 'scriptsRun', 'apiStart', 'apiEnd', 'apiTime']);
}

/** Long enough for a load on the busy shared box; Element Timing entries are buffered meanwhile. */
const UNATTACHED_SETTLE_MS = 2000;

/** Read after the load, from the entries the page buffered: nothing ran in it during the load. */
function readBufferedTimings() {
  return new Promise((resolve) => {
    const done = (painted) => {
      const api = performance.getEntriesByType('resource').find((r) => r.name.includes('/issues?'));
      resolve({
        painted,
        scriptsRun: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        apiStart: api?.startTime ?? NaN,
        apiEnd: api?.responseEnd ?? NaN,
        apiTime: api ? api.responseEnd - api.startTime : NaN,
      });
    };
    new PerformanceObserver((list) => {
      const row = list.getEntries().find((e) => e.identifier === 'issue-row');
      if (row) done(row.renderTime || row.loadTime);
    }).observe({ type: 'element', buffered: true });
    setTimeout(() => done(NaN), 1000);
  });
}

/**
 * The same three visits as timeRender, with no DevTools client attached while the page loads:
 * the tab is told to navigate, left alone, and asked for its buffered timings afterwards.
 */
async function timeRenderUnattached(url, loads) {
  const chromium = launchChromiumPipe('/usr/bin/chromium', CHROMIUM_ARGS);
  const evaluate = async (targetId, expression) => {
    const { sessionId } = await chromium.send('Target.attachToTarget', { targetId, flatten: true });
    const { result } = await chromium.send(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    await chromium.send('Target.detachFromTarget', { sessionId });
    return result.value;
  };
  const visit = async (targetId) => {
    // Detached before the navigation starts (the timer), so nothing is attached during the load.
    await evaluate(targetId, `void setTimeout(() => location.assign(${JSON.stringify(url)}), 50)`);
    await new Promise((resolve) => setTimeout(resolve, UNATTACHED_SETTLE_MS));
    return evaluate(targetId, `(${readBufferedTimings.toString()})()`);
  };
  const samples = Object.fromEntries(VISITS.map((v) => [v, []]));
  try {
    for (let i = 0; i < loads; i++) {
      const { browserContextId } = await chromium.send('Target.createBrowserContext');
      const newTab = async () =>
        (await chromium.send('Target.createTarget', { url: 'about:blank', browserContextId })).targetId;
      const first = await newTab();
      samples.cold.push(await visit(first));
      await chromium.send('Target.closeTarget', { targetId: first });
      const tab = await newTab();
      samples['warm, new tab'].push(await visit(tab));
      samples['warm, same tab'].push(await visit(tab));
      await chromium.send('Target.disposeBrowserContext', { browserContextId });
    }
  } finally {
    await chromium.close();
  }
  return summarize(samples, ['painted', 'scriptsRun', 'apiStart', 'apiEnd', 'apiTime']);
}

function summarize(samples, keys) {
  const stat = (list, key) => {
    const sorted = list.map((s) => s[key]).sort((a, b) => a - b);
    return { median: median(sorted), p95: percentile(sorted, 95) };
  };
  return Object.fromEntries(
    VISITS.map((v) => [v, Object.fromEntries(keys.map((k) => [k, stat(samples[v], k)]))]),
  );
}

/** The entry chunk and stylesheet index.html loads: what every first visit downloads. */
function readEntrySizes(webDir) {
  const html = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  return files.map((file) => {
    const body = fs.readFileSync(path.join(webDir, file));
    return { file, bytes: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length };
  });
}

function seedDataDir() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-ui-bench-'));
  if (values.seeded) {
    fs.cpSync(values.seeded, dataDir, { recursive: true });
    return dataDir;
  }
  const t0 = performance.now();
  const seeded = seedIssues(dataDir, {
    projectId: 1,
    issues: Number(values.issues),
    events: Number(values.events),
  });
  console.error(
    `seeded ${seeded.issues} issues, ${seeded.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (values['keep-seed']) {
    fs.cpSync(dataDir, values['keep-seed'], { recursive: true });
    console.error(`seeded data copied to ${values['keep-seed']} (reuse with --seeded)`);
  }
  return dataDir;
}

async function main() {
  const repoRoot = path.resolve(values.root);
  const dataDir = seedDataDir();
  const server = await startServer({ repoRoot, dataDir });
  try {
    const base = `${server.url}/api/v1/projects/default/issues`;
    const queries = [
      ['open, last seen (default view)', ''],
      ['all statuses, by count', '?status=all&sort=count'],
      ['environment = production', '?environment=production'],
      ['release filter', '?release=web%401.7'],
      ['text search "checkout"', '?query=checkout'],
      ['page 2 (cursor)', null],
    ];
    const rows = [];
    for (const [label, q] of values['skip-api'] ? [] : queries) {
      let url = base + (q ?? '');
      if (q === null) {
        const first = await (await fetch(base)).json();
        url = `${base}?cursor=${first.next_cursor}`;
      }
      const r = await timeApi(url);
      rows.push([`API: ${label}`, `${r.median.toFixed(1)} ms`, `${r.p95.toFixed(1)} ms`]);
    }
    const loads = Number(values.loads);
    // The server's first answer of a page is slower (lazy modules, cold caches): not a visit.
    await (await fetch(`${server.url}/projects/default/issues`)).arrayBuffer();
    const ms = (x) => `${x.toFixed(0)} ms`;
    const report = (driver, render) => {
      for (const visit of VISITS) {
        const r = render[visit];
        const row = (label, key) =>
          r[key] && rows.push([`${driver}, ${visit}: ${label}`, ms(r[key].median), ms(r[key].p95)]);
        row('navigation → first row painted (Element Timing)', 'painted');
        row('navigation → first row + 2 frames (double rAF)', 'doubleRaf');
        row('navigation → first row in the DOM', 'row');
        row("the page's issues API call, start → response end", 'apiTime');
        // Where the time goes, for the next person to look at it.
        rows.push([
          `${driver}, ${visit}: DOMContentLoaded · issues API request start → end`,
          `${ms(r.scriptsRun.median)} · ${ms(r.apiStart.median)} → ${ms(r.apiEnd.median)}`,
          '',
        ]);
      }
    };
    const url = `${server.url}/projects/default/issues`;
    if (values.driver !== 'unattached') report('Playwright', await timeRender(url, loads));
    if (values.driver !== 'playwright') report('unattached', await timeRenderUnattached(url, loads));

    const table = [
      `| measurement (${loads} loads of each visit) | median | p95 |`,
      '|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    console.log(
      `\n${values.seeded ?? `${values.issues} issues, ${values.events} events`} (errors.db ${(fs.statSync(path.join(dataDir, 'errors.db')).size / 2 ** 20).toFixed(0)} MiB), UI from ${repoRoot}/dist/web\n`,
    );
    console.log(table);
    console.log('\n| entry file | bytes | gzip -9 |\n|---|---|---|');
    for (const f of readEntrySizes(path.join(repoRoot, 'dist/web')))
      console.log(`| ${f.file} | ${f.bytes.toLocaleString('en')} | ${f.gzip.toLocaleString('en')} |`);
  } finally {
    await stopServer(server);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
