/**
 * Fuzz: every GET route of the JSON API (/api/v1) with hostile path ids and query parameters
 * (filters, sort, cursors, log search syntax, time ranges), against a Snag holding real SDK data
 * so the queries reach storage. Never a 5xx; the server stays up and bounded.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { loadFixture, replayFixture } from '../helpers/fixtures.js';
import { fuzzApiRequest, type KnownIds } from '../helpers/fuzz/api-requests.js';
import { runFuzz, startFuzzTarget, type FuzzTarget } from '../helpers/fuzz/harness.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { getJson, waitFor } from '../helpers/snag.js';

const settings = fuzzSettings(300);
let target: FuzzTarget | undefined;
let ids: KnownIds;

const SEED_FIXTURES = [
  'node-sdk-envelope',
  'python-sdk-store',
  'apm/node-static-transaction',
  'apm/python-transaction',
  'logs/node-sdk-logs',
  'logs/otlp-json',
];

beforeAll(async () => {
  target = await startFuzzTarget();
  const t = target;
  for (const name of SEED_FIXTURES) {
    const res = await replayFixture(t.snag, loadFixture(name));
    expect(res.status, `${name}: ${res.text}`).toBe(200);
  }
  await waitFor(
    async () => {
      const h = await getJson<{
        queue_depth: number;
        event_count: number;
        transaction_count: number;
        log_count: number;
      }>(`${t.snag.url}/_health`);
      return h.queue_depth === 0 && h.event_count >= 2 && h.transaction_count >= 2 && h.log_count > 0;
    },
    20_000,
    'seed data digested',
  );
  // Every id the API hands out, so the fuzz reaches rows, not only "not found".
  const found = new Set<string>();
  const base = `${t.snag.url}/api/v1/projects/${t.snag.projectId}`;
  for (const url of [`${base}/issues`, `${base}/transactions`, `${base}/logs`, `${base}/releases`])
    collectIds(await getJson(url), found);
  const known = [...found];
  ids = {
    project: [String(t.snag.projectId), 'default'],
    issue: known,
    event: known,
    transaction: known,
    log: known,
    trace: known,
    release: ['fixture@1.0.0', ...known],
  };
});

afterAll(async () => {
  await target?.stop();
  await stopAndRemove(target?.snag);
});

function collectIds(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) value.forEach((v) => collectIds(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/(^|_)id$|^version$/.test(k) && (typeof v === 'string' || typeof v === 'number'))
        out.add(String(v));
      collectIds(v, out);
    }
  }
}

test(
  `JSON API: ${settings.iterations} GETs with hostile parameters, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 200 },
  async () => {
    const t = target!;
    const statuses = new Map<number, number>();
    await runFuzz('api', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`api:${i}`);
      const path = fuzzApiRequest(rng, ids);
      const res = await t.send({ method: 'GET', path }, where);
      if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    await t.finish(`[fuzz api seed=${settings.seed}]`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(settings.iterations / 10);
    console.log(
      `fuzz api: seed ${settings.seed}, statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);
