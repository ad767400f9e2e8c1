/**
 * Fuzz: compressed bodies on every ingest edge: each coding Snag accepts, stacked codings,
 * truncated streams, a Content-Encoding naming another coding, unknown codings, and a 60 MiB
 * bomb per coding (past SNAG_MAX_DECOMPRESSED_BYTES) that must be stopped at the cap with a 413
 * while the server's memory stays bounded.
 */
import { expect, test } from 'vitest';
import { bomb, encodeBody } from '../helpers/fuzz/compression.js';
import { runFuzz, useFuzzTarget, type FuzzTarget } from '../helpers/fuzz/harness.js';
import { fuzzOtlpJson } from '../helpers/fuzz/otlp-payloads.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { fuzzEnvelope, fuzzStoreBody } from '../helpers/fuzz/sentry-payloads.js';

const settings = fuzzSettings(120);
const target = useFuzzTarget();

function request(t: FuzzTarget, surface: string, body: Buffer, encoding: string | undefined) {
  const headers: Record<string, string> = {};
  if (encoding !== undefined) headers['content-encoding'] = encoding;
  if (surface === 'otlp') {
    headers['content-type'] = 'application/json';
    headers['authorization'] = `Bearer ${t.snag.publicKey}`;
    return { path: '/v1/logs', body, headers };
  }
  return { path: `/api/${t.snag.projectId}/${surface}/?sentry_key=${t.snag.publicKey}`, body, headers };
}

test('a decompression bomb in every coding, on every edge, is a 413', { timeout: 120_000 }, async () => {
  const t = target();
  const rng = createRng(settings.seed).fork('bombs');
  for (const surface of ['envelope', 'store', 'otlp']) {
    for (const coding of ['gzip', 'deflate', 'br', 'zstd'] as const) {
      const b = bomb(rng, coding);
      const res = await t.send(request(t, surface, b.body, b.encoding), `[bomb ${surface} ${coding}]`);
      expect(res?.status, `${surface} ${coding} bomb`).toBe(413);
    }
  }
});

test(
  `compressed bodies: ${settings.iterations} codings right and wrong, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 500 },
  async () => {
    const t = target();
    const statuses = new Map<number, number>();
    await runFuzz('compression', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`compression:${i}`);
      const surface = rng.pick(['envelope', 'store', 'otlp']);
      // Mostly valid payloads here: what is under test is the coding, not the content.
      const valid = rng.chance(0.8);
      const body =
        surface === 'otlp'
          ? fuzzOtlpJson(rng).body
          : surface === 'store'
            ? fuzzStoreBody(rng).body
            : fuzzEnvelope(rng).body;
      const plain = valid && surface === 'envelope' ? fuzzEnvelopeAsSent(rng) : body;
      const encoded = encodeBody(rng, plain, { bombs: true });
      const res = await t.send(
        request(t, surface, encoded.body, encoded.encoding),
        `${where} ${surface}, ${encoded.label}`,
      );
      if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    await t.finish(`[fuzz compression seed=${settings.seed}]`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(settings.iterations / 5);
    console.log(
      `fuzz compression: seed ${settings.seed}, statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);

/** An SDK envelope unchanged (a fresh event id): the content is valid, only the coding varies. */
function fuzzEnvelopeAsSent(rng: ReturnType<typeof createRng>): Buffer {
  for (;;) {
    const e = fuzzEnvelope(rng);
    if (e.label.endsWith('as sent')) return e.body;
  }
}
