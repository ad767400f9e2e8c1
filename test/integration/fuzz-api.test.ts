/**
 * Fuzz: every GET route of the JSON API (/api/v1) with hostile path ids and query parameters
 * (filters, sort, cursors, log search syntax, time ranges), against a Snag holding real SDK data
 * so the queries reach storage. Never a 5xx; the server stays up and bounded.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { fuzzApiRequest, type KnownIds } from '../helpers/fuzz/api-requests.js';
import { runFuzz, startFuzzTarget, type FuzzTarget } from '../helpers/fuzz/harness.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { seedRealData } from '../helpers/fuzz/seed-data.js';

const settings = fuzzSettings(300);
let target: FuzzTarget | undefined;
let ids: KnownIds;

beforeAll(async () => {
  target = await startFuzzTarget();
  ids = await seedRealData(target.snag);
});

afterAll(async () => {
  await target?.stop();
  await stopAndRemove(target?.snag);
});

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
