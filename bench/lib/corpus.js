/**
 * The pool of pre-built envelopes. Everything expensive (building, stringifying and gzipping
 * 5–30 KB events) happens here, before the clock starts; per request only the envelope header
 * line (fresh event_id and sent_at) is rebuilt and stored as its own gzip member.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createEvent, createSignature, SDK } from './events.js';
import { storeGzipMember } from './gzip-member.js';
import { createRandom } from './random.js';

export const DEFAULT_POOL_SIZE = 2000;
/** Distinct grouping signatures (issues); the brief asks for 50–200. */
export const SIGNATURE_COUNT = 120;
const MIN_EVENT_BYTES = 5_000;
const MAX_EVENT_BYTES = 30_000;
/** The mixed kind's errors reach for issue 9's 5–50 KB (the SDK's frame and breadcrumb caps still apply). */
export const MIXED_MAX_EVENT_BYTES = 50_000;
/** Same seed every run: the corpus is part of what a figure means. */
const CORPUS_SEED = 20261122;
const ITEM_HEADER_LINE = '{"type":"event"}\n';

export function buildCorpus(poolSize = DEFAULT_POOL_SIZE, { maxEventBytes = MAX_EVENT_BYTES } = {}) {
  const random = createRandom(CORPUS_SEED);
  const signatures = Array.from({ length: SIGNATURE_COUNT }, () => createSignature(random));
  const now = Date.now();
  const entries = [];
  for (let i = 0; i < poolSize; i++) {
    // Squaring skews the pick: a few issues get most events, as in production, yet all appear.
    const signatureIndex = Math.floor(SIGNATURE_COUNT * random.next() ** 2);
    const event = createEvent(
      random,
      signatures[signatureIndex],
      random.int(MIN_EVENT_BYTES, maxEventBytes),
      now,
    );
    const payload = Buffer.from(event.json, 'utf8');
    entries.push({
      signatureIndex,
      payload,
      // @sentry/node sends item headers without `length`; the payload runs to the end of the body.
      gzippedItem: gzipSync(Buffer.concat([Buffer.from(ITEM_HEADER_LINE), payload])),
      row: event.row,
      frameCount: event.frameCount,
      breadcrumbCount: event.breadcrumbCount,
    });
  }
  return { entries, signatureCount: new Set(entries.map((e) => e.signatureIndex)).size };
}

/** What the error envelopes are sent with (the corpus is always gzip). */
const GZIP_ENVELOPE_HEADERS = {
  'content-type': 'application/x-sentry-envelope',
  'content-encoding': 'gzip',
};

/**
 * Returns `next()`, which yields `{ body, headers, eventId }`: a gzip body for the next pool entry
 * with a never-used event_id (the envelope header's id wins over the payload's, so Snag dedupes on
 * it).
 */
export function createEnvelopeSource(corpus, publicKey) {
  const runPrefix = randomBytes(8).toString('hex');
  const headerTails = corpus.entries.map((entry) => {
    const trace = {
      environment: entry.row.environment,
      release: entry.row.release,
      public_key: publicKey,
      trace_id: entry.row.traceId,
    };
    return `,"sdk":${JSON.stringify(SDK)},"trace":${JSON.stringify(trace)}}\n`;
  });
  let sent = 0;
  return {
    next() {
      const index = sent % corpus.entries.length;
      sent++;
      const eventId = runPrefix + sent.toString(16).padStart(16, '0');
      const headerLine = `{"event_id":"${eventId}","sent_at":"${new Date().toISOString()}"${headerTails[index]}`;
      const body = Buffer.concat([
        storeGzipMember(Buffer.from(headerLine, 'utf8')),
        corpus.entries[index].gzippedItem,
      ]);
      return { body, headers: GZIP_ENVELOPE_HEADERS, eventId };
    },
  };
}

/** Sizes and shapes of the pool, for the report. */
export function describeCorpus(corpus) {
  const sorted = (pick) => corpus.entries.map(pick).sort((a, b) => a - b);
  const payloadBytes = sorted((e) => e.payload.length);
  const gzipBytes = sorted((e) => e.gzippedItem.length);
  const frames = sorted((e) => e.frameCount);
  const crumbs = sorted((e) => e.breadcrumbCount);
  const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
  return {
    poolSize: corpus.entries.length,
    signatures: corpus.signatureCount,
    payloadBytesMin: payloadBytes[0],
    payloadBytesMedian: payloadBytes[Math.floor(payloadBytes.length / 2)],
    payloadBytesMax: payloadBytes.at(-1),
    payloadBytesMean: mean(payloadBytes),
    gzipBytesMean: mean(gzipBytes),
    framesMin: frames[0],
    framesMax: frames.at(-1),
    breadcrumbsMin: crumbs[0],
    breadcrumbsMax: crumbs.at(-1),
  };
}
