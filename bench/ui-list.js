/**
 * The issues list at scale: seeds 10,000 issues and 1,000,000 events (bench/seed-issues.js), starts
 * Snag on that data, and measures (1) the issues-list API for the queries the UI makes, median and
 * p95 of repeated calls, and (2) the time real Chromium takes from navigation to a rendered list.
 * Targets (issue: web UI): API < 100 ms, render < 300 ms.
 *
 *   npm run build && node bench/ui-list.js [--issues 10000] [--events 1000000]
 */
/* global document, window, MutationObserver, requestAnimationFrame -- page callbacks below run in the browser */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedIssues } from './seed-issues.js';
import { startServer, stopServer } from './lib/server.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_CALLS = 30;
/** The first load (cold HTTP cache) and 14 warm ones, so the warm p95 is not just the slowest. */
const RENDER_RUNS = 15;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

const { values } = parseArgs({
  options: { issues: { type: 'string', default: '10000' }, events: { type: 'string', default: '1000000' } },
});

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

async function timeRender(url) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    // The page notes the moment the first issue row enters the DOM (asking from outside would add
    // Playwright's own round trips to the figure) and the end of the next frame, once the row is
    // styled, laid out and painted: what the user waits for.
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (!document.querySelector('tr[id^="issue-"]')) return;
        observer.disconnect();
        window.__firstRowAt = performance.now();
        requestAnimationFrame(() => {
          const afterFrame = new MessageChannel();
          afterFrame.port1.onmessage = () => {
            window.__firstRowPaintedAt = performance.now();
            console.debug('snag-bench: first row painted');
          };
          afterFrame.port2.postMessage(null);
        });
      }).observe(document, { childList: true, subtree: true });
    });
    const samples = [];
    for (let i = 0; i < RENDER_RUNS; i++) {
      const page = await context.newPage();
      // Waits for the page's console message, not with waitForFunction: that injects Playwright's
      // script into the page during the load, ~60 ms of its main thread in a trace.
      const painted = page.waitForEvent('console', {
        predicate: (m) => m.text() === 'snag-bench: first row painted',
        timeout: 15_000,
      });
      await page.goto(url, { waitUntil: 'commit' });
      await painted;
      samples.push(
        await page.evaluate(() => {
          const api = performance.getEntriesByType('resource').find((r) => r.name.includes('/issues?'));
          return {
            row: window.__firstRowAt,
            painted: window.__firstRowPaintedAt,
            scriptsRun: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
            apiStart: api?.startTime ?? NaN,
            apiEnd: api?.responseEnd ?? NaN,
          };
        }),
      );
      await page.close();
    }
    // The first load fills the HTTP cache; later ones are what a returning user sees.
    const [cold, ...warm] = samples;
    const stat = (key) => {
      const sorted = warm.map((s) => s[key]).sort((a, b) => a - b);
      return { median: percentile(sorted, 50), p95: percentile(sorted, 95), cold: cold[key] };
    };
    return Object.fromEntries(
      ['row', 'painted', 'scriptsRun', 'apiStart', 'apiEnd'].map((k) => [k, stat(k)]),
    );
  } finally {
    await browser.close();
  }
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-ui-bench-'));
  const t0 = performance.now();
  const seeded = seedIssues(dataDir, {
    projectId: 1,
    issues: Number(values.issues),
    events: Number(values.events),
  });
  console.error(
    `seeded ${seeded.issues} issues, ${seeded.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const server = await startServer({ repoRoot: REPO_ROOT, dataDir });
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
    for (const [label, q] of queries) {
      let url = base + (q ?? '');
      if (q === null) {
        const first = await (await fetch(base)).json();
        url = `${base}?cursor=${first.next_cursor}`;
      }
      const r = await timeApi(url);
      rows.push([`API: ${label}`, `${r.median.toFixed(1)} ms`, `${r.p95.toFixed(1)} ms`]);
    }
    const render = await timeRender(`${server.url}/projects/default/issues`);
    const ms = (x) => `${x.toFixed(0)} ms`;
    rows.push(['Chromium: navigation → first row rendered (cold cache)', ms(render.row.cold), '']);
    rows.push(['Chromium: navigation → first row rendered', ms(render.row.median), ms(render.row.p95)]);
    rows.push([
      'Chromium: navigation → first row painted',
      ms(render.painted.median),
      ms(render.painted.p95),
    ]);
    // Where the time goes, for the next person to look at it.
    rows.push([
      'Chromium timeline: bundle run (DOMContentLoaded) · issues API request start → end',
      `${ms(render.scriptsRun.median)} · ${ms(render.apiStart.median)} → ${ms(render.apiEnd.median)}`,
      '',
    ]);

    const table = [
      '| measurement | median | p95 |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
    console.log(
      `\n${seeded.issues} issues, ${seeded.events} events (errors.db ${(fs.statSync(path.join(dataDir, 'errors.db')).size / 2 ** 20).toFixed(0)} MiB)\n`,
    );
    console.log(table);
  } finally {
    await stopServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
