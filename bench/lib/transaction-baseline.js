/**
 * The floor the transactions figures are read against, measured in this process on the same
 * payloads with Snag's own compiled code (dist/, built by `npm run bench`), while no server is up:
 * what the digest worker must do per transaction before any SQLite, queue or HTTP cost.
 *
 * Stages, as transactions-consumer.ts runs them: `JSON.parse` of the item; the domain
 * (`transactionFromEvent`, or for span envelopes `parseSpanContainer` + `transactionFromSegment`);
 * the stored payload (`JSON.stringify` + `encodePayload`, zstd); the rollups (`RollupAccumulator`
 * per transaction, and per batch of 500 each fold's sketch encoded and merged into a stored sketch
 * with `mergeSketchBlobs`, as the `merge_sketch` upsert does).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { MARKERS } from './transaction-events.js';

const BATCH = 500;
const MIN_SECONDS = 3;
export const BASELINE_STAGES = ['parse', 'digest', 'encode', 'rollups'];

async function loadDist(repoRoot) {
  const load = (file) => import(pathToFileURL(path.join(repoRoot, 'dist', file)).href);
  const fromEvent = await load('domain/transactions/from-event.js');
  const fromSpans = await load('domain/transactions/from-spans.js');
  return {
    ...fromEvent,
    ...fromSpans,
    ...(await load('storage/payload-codec.js')),
    ...(await load('domain/transactions/rollup.js')),
    ...(await load('domain/transactions/latency-sketch.js')),
  };
}

/** µs per transaction per stage, and end to end, over whole passes of the pool. */
export async function measureDigestFloor(corpus, repoRoot) {
  const snag = await loadDist(repoRoot);
  const payloads = corpus.entries.map((e, i) =>
    e.payloadText
      .replaceAll(MARKERS.traceId, i.toString(16).padStart(32, 'a'))
      .replaceAll(MARKERS.spanId, i.toString(16).padStart(16, 'b'))
      .replaceAll(MARKERS.eventId, i.toString(16).padStart(32, 'c')),
  );
  const options = snag.DEFAULT_TRANSACTION_OPTIONS;
  const toRecord =
    corpus.kind === 'spans'
      ? (raw, receivedAt) => {
          const spans = snag.parseSpanContainer(raw);
          const root = spans.find((s) => s.is_segment);
          const children = spans.filter((s) => s !== root);
          return snag.transactionFromSegment(root, children, { projectId: 1, receivedAt, options });
        }
      : (raw, receivedAt, i) =>
          snag.transactionFromEvent(raw, {
            projectId: 1,
            eventId: `${i}`.padStart(32, '0'),
            receivedAt,
            options,
          });
  // The stored sketch each fold merges into: one hour's worth of an endpoint, as in a running server.
  const storedSketch = (() => {
    const s = new snag.LatencySketch();
    for (let v = 1; v < 3000; v *= 1.01) s.add(v, 3);
    return s.encode();
  })();
  const ms = Object.fromEntries(BASELINE_STAGES.map((s) => [s, 0]));
  let count = 0;
  const pass = () => {
    let rollups = new snag.RollupAccumulator();
    const receivedAt = Date.now();
    for (let i = 0; i < payloads.length; i++) {
      let t = performance.now();
      const raw = JSON.parse(payloads[i]);
      let now = performance.now();
      ms.parse += now - t;
      t = now;
      const record = toRecord(raw, receivedAt, i);
      now = performance.now();
      ms.digest += now - t;
      t = now;
      snag.encodePayload(JSON.stringify(record));
      now = performance.now();
      ms.encode += now - t;
      t = now;
      rollups.add(record);
      if ((i + 1) % BATCH === 0 || i === payloads.length - 1) {
        for (const f of rollups.folds()) snag.mergeSketchBlobs(storedSketch, f.sketch.encode());
        rollups = new snag.RollupAccumulator();
      }
      ms.rollups += performance.now() - t;
    }
    count += payloads.length;
  };
  pass(); // warm-up: JIT, zstd context
  for (const k of BASELINE_STAGES) ms[k] = 0;
  count = 0;
  const startedAt = performance.now();
  while (performance.now() - startedAt < MIN_SECONDS * 1000) {
    pass();
    await yieldToEventLoop();
  }
  const perStage = Object.fromEntries(BASELINE_STAGES.map((k) => [k, (ms[k] * 1000) / count]));
  return { transactions: count, ...perStage, total: BASELINE_STAGES.reduce((a, k) => a + perStage[k], 0) };
}
