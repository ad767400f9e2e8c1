/**
 * Fuzz: the legacy store endpoint (POST /api/<id>/store/) with SDK events mutated field by field,
 * as JSON or base64(zlib(json)), with `X-Sentry-Auth` as the Python SDK sends it.
 */
import { expect, test } from 'vitest';
import { encodeBody } from '../helpers/fuzz/compression.js';
import { runFuzz, useFuzzTarget } from '../helpers/fuzz/harness.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { fuzzStoreBody } from '../helpers/fuzz/sentry-payloads.js';

const settings = fuzzSettings(150);
const target = useFuzzTarget();

test(
  `store: ${settings.iterations} mutated SDK events, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 500 },
  async () => {
    const t = target();
    const statuses = new Map<number, number>();
    await runFuzz('store', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`store:${i}`);
      const { body, label } = fuzzStoreBody(rng);
      const encoded = encodeBody(rng, body);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-sentry-auth': `Sentry sentry_key=${t.snag.publicKey}, sentry_version=7, sentry_client=sentry.python/1.9.10`,
      };
      if (encoded.encoding !== undefined) headers['content-encoding'] = encoded.encoding;
      const res = await t.send(
        { path: `/api/${t.snag.projectId}/store/`, body: encoded.body, headers },
        `${where} ${label}, ${encoded.label}`,
      );
      if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    await t.finish(`[fuzz store seed=${settings.seed}]`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(settings.iterations / 5);
    console.log(
      `fuzz store: seed ${settings.seed}, statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);
