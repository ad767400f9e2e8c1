/**
 * The issues list at scale: seeds 10,000 issues and 1,000,000 events (bench/seed-issues.js), starts
 * Snag on that data, and measures (1) the issues-list API for the queries the UI makes, median and
 * p95 of repeated calls, and (2) the time real Chromium takes from navigation to a rendered list.
 * Targets (issue: web UI): API < 100 ms, render < 300 ms.
 *
 *   npm run build && node bench/ui-list.js [--issues 10000] [--events 1000000]
 */
/* global document, window, MutationObserver -- page callbacks below run in the browser */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedIssues } from './seed-issues.js';
import { startServer, stopServer } from './lib/server.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_CALLS = 30;
const RENDER_RUNS = 7;
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
    // The page notes the moment the first issue row enters the DOM: asking from outside would add
    // Playwright's own round trips to the figure.
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('tr[id^="issue-"]')) {
          window.__firstRowAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const samples = [];
    for (let i = 0; i < RENDER_RUNS; i++) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForFunction(() => window.__firstRowAt !== undefined, null, { timeout: 15_000 });
      samples.push(await page.evaluate(() => window.__firstRowAt));
      await page.close();
    }
    const cold = samples[0];
    samples.sort((a, b) => a - b);
    // The first load fills the HTTP cache; later ones are what a returning user sees.
    return { median: percentile(samples, 50), p95: percentile(samples, 95), first: cold };
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
    rows.push([
      'Chromium: navigation → first row rendered (cold cache)',
      `${render.first.toFixed(0)} ms`,
      '',
    ]);
    rows.push([
      'Chromium: navigation → first row rendered',
      `${render.median.toFixed(0)} ms`,
      `${render.p95.toFixed(0)} ms`,
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
