/**
 * Fuzz: OTLP/HTTP logs (POST /v1/logs), JSON mutated field by field from the OpenTelemetry JS
 * exporter's request and protobuf damaged or generated with wrong wire types, lengths past the end
 * and deep AnyValue nesting; sometimes with a Content-Type that does not match the body.
 */
import { expect, test } from 'vitest';
import { encodeBody } from '../helpers/fuzz/compression.js';
import { runFuzz, useFuzzTarget } from '../helpers/fuzz/harness.js';
import { fuzzOtlpJson, fuzzOtlpProtobuf } from '../helpers/fuzz/otlp-payloads.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';

const settings = fuzzSettings(200);
const target = useFuzzTarget();

test(
  `OTLP logs: ${settings.iterations} mutated JSON and protobuf requests, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 500 },
  async () => {
    const t = target();
    const statuses = new Map<number, number>();
    await runFuzz('otlp', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`otlp:${i}`);
      const json = rng.chance(0.5);
      const { body, label } = json ? fuzzOtlpJson(rng) : fuzzOtlpProtobuf(rng);
      const encoded = encodeBody(rng, body);
      const contentType = rng.chance(0.9)
        ? json
          ? rng.pick(['application/json', 'application/json; charset=utf-8'])
          : rng.pick(['application/x-protobuf', 'application/protobuf'])
        : rng.pick(['application/json', 'application/x-protobuf', 'text/plain', '', 'application/json;;;']);
      const headers: Record<string, string> = {
        authorization: `Bearer ${t.snag.publicKey}`,
        'content-type': contentType,
      };
      if (encoded.encoding !== undefined) headers['content-encoding'] = encoded.encoding;
      const path = rng.chance(0.8) ? '/v1/logs' : `/api/${t.snag.projectId}/integration/otlp/v1/logs`;
      const res = await t.send(
        { path, body: encoded.body, headers },
        `${where} ${label}, ${encoded.label}, ${contentType}`,
      );
      if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    });
    await t.finish(`[fuzz otlp seed=${settings.seed}]`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(settings.iterations / 10);
    console.log(
      `fuzz otlp: seed ${settings.seed}, statuses ${JSON.stringify(Object.fromEntries(statuses))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);
