/**
 * The transaction corpus: a pool of envelopes built before any clock starts (seeded, so every run
 * sends the same requests), each sent many times with fresh random ids so Snag stores every one
 * (it dedupes on project + root span id).
 *
 * - `transactions`: classic `transaction` items as @sentry/node 11 sends them with
 *   `traceLifecycle: 'static'` (transaction-events.js);
 * - `spans`: the same requests as `traceLifecycle: 'stream'` span v2 envelopes, one segment per
 *   envelope (streamed-spans.js), @sentry/node 11's default.
 *
 * Compression follows the SDK (`--gzip sdk`, the default): the body is gzipped only when it is over
 * 32 KiB (GZIP_THRESHOLD, @sentry/node/build/esm/transports/http.js), with `content-encoding: gzip`
 * and, like the SDK, no content-type. `--gzip always` gzips every body. Gzip bodies are two members,
 * the envelope header stored and the item pre-compressed with its ids patched (patchable-body.js).
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { storeGzipMember } from './gzip-member.js';
import { createPatchableBody } from './patchable-body.js';
import { createRandom } from './random.js';
import { toSpanContainer } from './streamed-spans.js';
import { createTransaction, MARKERS, SDK } from './transaction-events.js';

/** Enough variety (40 endpoints, every statement with its own literals) for ~20 sends of each per run. */
export const DEFAULT_TRANSACTION_POOL_SIZE = 1000;
export const TRANSACTION_KINDS = ['transactions', 'spans'];
export const GZIP_MODES = ['sdk', 'always'];
/** @sentry/node's GZIP_THRESHOLD: bodies above 32 KiB are gzipped, smaller ones sent as they are. */
const SDK_GZIP_THRESHOLD_BYTES = 32 * 1024;
/** An envelope header line is ~450 bytes; counted toward the threshold like the SDK counts the body. */
const HEADER_LINE_BYTES = 450;
/** Gzip header, stored-block header and trailer around the envelope header line of a gzip body. */
const STORED_MEMBER_OVERHEAD_BYTES = 23;
const CORPUS_SEED = 20261123;
const SPAN_ITEM_HEADER = (count) =>
  `{"type":"span","item_count":${count},"content_type":"application/vnd.sentry.items.span.v2+json"}\n`;
const SDK_JSON = JSON.stringify(SDK);
/** Random bytes for ids, drawn in bulk: 40 bytes per request (trace 16, span 8, event 16). */
const ID_BYTES = 40;
const ID_POOL_REQUESTS = 4096;
const GZIP_HEADERS = { 'content-encoding': 'gzip' };

/** `spans` ({ min, max }) is passed to createTransaction; by default its own 24–36. */
export function buildTransactionCorpus(poolSize, kind, gzipMode = 'sdk', spans = undefined) {
  const random = createRandom(CORPUS_SEED);
  const now = Date.now();
  const entries = [];
  for (let i = 0; i < poolSize; i++) {
    const t = createTransaction(random, now, spans);
    let item;
    let fields;
    if (kind === 'spans') {
      const container = toSpanContainer(t.payload);
      item = SPAN_ITEM_HEADER(container.count) + container.json;
      fields = ['traceId', 'spanId'];
    } else {
      // @sentry/node writes item headers without `length`; the body ends without a newline.
      item = `{"type":"transaction"}\n${JSON.stringify(t.payload)}`;
      fields = ['traceId', 'spanId', 'eventId'];
    }
    const gzip = gzipMode === 'always' || item.length + HEADER_LINE_BYTES > SDK_GZIP_THRESHOLD_BYTES;
    entries.push({
      name: t.route.name,
      environment: t.environment,
      release: t.release,
      sampleRand: random.next().toFixed(17),
      nPlusOne: t.nPlusOne,
      spanCount: t.spanCount,
      itemBytes: item.length,
      gzip,
      body: createPatchableBody(
        item,
        fields.map((name) => ({ name, marker: MARKERS[name] })),
        { gzip },
      ),
      // The uncompressed payload with fixed ids, for the in-process digest baseline.
      payloadText: item.slice(item.indexOf('\n') + 1),
    });
  }
  return { kind, gzipMode, entries };
}

/** Returns `next()`: `{ body, headers, spanId }` for the next pool entry, with fresh random ids. */
export function createTransactionSource(corpus, publicKey) {
  const headerTails = corpus.entries.map((e) => {
    const trace = {
      environment: e.environment,
      release: e.release,
      public_key: publicKey,
      trace_id: MARKERS.traceId,
      transaction: e.name,
      sampled: 'true',
      sample_rand: e.sampleRand,
      sample_rate: '1',
    };
    return JSON.stringify(trace).split(MARKERS.traceId);
  });
  let ids = randomBytes(ID_BYTES * ID_POOL_REQUESTS);
  let idAt = 0;
  let sent = 0;
  return {
    next() {
      if (idAt === ids.length) {
        ids = randomBytes(ID_BYTES * ID_POOL_REQUESTS);
        idAt = 0;
      }
      const hex = ids.toString('hex', idAt, idAt + ID_BYTES);
      idAt += ID_BYTES;
      const values = { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48), eventId: hex.slice(48, 80) };
      const index = sent % corpus.entries.length;
      sent++;
      const entry = corpus.entries[index];
      const [traceBefore, traceAfter] = headerTails[index];
      const trace = `${traceBefore}${values.traceId}${traceAfter}`;
      const sentAt = new Date().toISOString();
      // Header keys in the SDK's order (the fixtures'): span envelopes have no event_id.
      const headerLine =
        corpus.kind === 'spans'
          ? `{"sent_at":"${sentAt}","trace":${trace},"sdk":${SDK_JSON}}\n`
          : `{"event_id":"${values.eventId}","sent_at":"${sentAt}","sdk":${SDK_JSON},"trace":${trace}}\n`;
      const head = Buffer.from(headerLine, 'latin1');
      if (!entry.gzip) return { body: entry.body.fill(values, head), headers: {}, spanId: values.spanId };
      return {
        body: entry.body.fill(values, storeGzipMember(head)),
        headers: GZIP_HEADERS,
        spanId: values.spanId,
      };
    },
  };
}

const sortedOf = (list) => [...list].sort((a, b) => a - b);
const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;

/** Sizes and shapes of the pool, for the report. */
export function describeTransactionCorpus(corpus) {
  const { entries } = corpus;
  const spans = sortedOf(entries.map((e) => e.spanCount));
  const itemBytes = sortedOf(entries.map((e) => e.itemBytes));
  const gzipped = entries.filter((e) => e.gzip);
  const byName = new Map();
  for (const e of entries) byName.set(e.name, (byName.get(e.name) ?? 0) + 1);
  const topFive = sortedOf([...byName.values()])
    .reverse()
    .slice(0, 5);
  return {
    kind: corpus.kind,
    gzipMode: corpus.gzipMode,
    poolSize: entries.length,
    endpoints: byName.size,
    topFiveShare: topFive.reduce((a, b) => a + b, 0) / entries.length,
    spansMin: spans[0],
    spansMedian: spans[Math.floor(spans.length / 2)],
    spansMax: spans.at(-1),
    nPlusOneShare: entries.filter((e) => e.nPlusOne).length / entries.length,
    itemBytesMin: itemBytes[0],
    itemBytesMedian: itemBytes[Math.floor(itemBytes.length / 2)],
    itemBytesMax: itemBytes.at(-1),
    gzipShare: gzipped.length / entries.length,
    gzipBodyBytesMean: gzipped.length > 0 ? mean(gzipped.map((e) => e.body.length)) : NaN,
    gzipRatio: gzipped.length > 0 ? mean(gzipped.map((e) => e.body.uncompressedLength / e.body.length)) : NaN,
    wireBytesMean: mean(
      entries.map((e) => e.body.length + HEADER_LINE_BYTES + (e.gzip ? STORED_MEMBER_OVERHEAD_BYTES : 0)),
    ),
  };
}
