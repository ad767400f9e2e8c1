/**
 * Fuzz: Sentry envelopes (POST /api/<id>/envelope/) built from real SDK envelopes, mutated field by
 * field and frame by frame, sent as is or compressed (right, wrong or truncated). Oracles in
 * test/helpers/fuzz/harness.ts. Larger run: SNAG_FUZZ_ITERATIONS=100000 SNAG_FUZZ_SEED=123 npx
 * vitest run test/integration/fuzz-envelope.test.ts (docs/reliability.md).
 */
import { expect, test } from 'vitest';
import { encodeBody } from '../helpers/fuzz/compression.js';
import { runFuzz, useFuzzTarget } from '../helpers/fuzz/harness.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { fuzzEnvelope } from '../helpers/fuzz/sentry-payloads.js';

const settings = fuzzSettings(200);
const target = useFuzzTarget();

test(
  `envelopes: ${settings.iterations} mutated SDK envelopes, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 500 },
  async () => {
    const t = target();
    const statuses = new Map<number, number>();
    await runFuzz('envelope', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`envelope:${i}`);
      const { body, label } = fuzzEnvelope(rng);
      const encoded = encodeBody(rng, body);
      const res = await t.send(
        {
          path: `/api/${t.snag.projectId}/envelope/?sentry_key=${t.snag.publicKey}`,
          body: encoded.body,
          headers: encoded.encoding === undefined ? {} : { 'content-encoding': encoded.encoding },
        },
        `${where} ${label}, ${encoded.label}`,
      );
      if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    await t.finish(`[fuzz envelope seed=${settings.seed}]`);
    // The run must reach the digest, not only the framing checks.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(settings.iterations / 5);
    console.log(
      `fuzz envelope: seed ${settings.seed}, statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);
