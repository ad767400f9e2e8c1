/**
 * Ingest → queryable for each type of the mixed load, measured from outside while it runs: once a
 * second one uniquely marked item of each type goes in like the load's, and the API is polled until
 * it answers with it. What a user waits between "the SDK sent it" and "I can open it", queue and
 * digest included (each digest thread reads its kind in arrival order, so a probe waits behind the
 * backlog of its own type).
 *
 * - error: a pool envelope with a fresh event id, then `GET /api/v1/projects/<slug>/events/<id>`;
 * - transaction: a pool envelope with a fresh root span id, then `GET …/transactions/<span id>`;
 * - log: logs-probe.js as the logs kind runs it (a one-record OTLP body with a unique word, found
 *   by a search of the probe's service).
 *
 * Each outstanding error or transaction is looked up every POLL_MS (the oldest MAX_LOOKUPS_PER_POLL
 * of them, so a backlog cannot turn the probe into load of its own); the latency resolution is
 * therefore ~POLL_MS. The samples are the probes sent within the scheduled sending window
 * (`windowMs`); mixed-run.js stops the probes only once the queue has drained, so a probe stuck
 * behind a backlog is still found and charged for the wait.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEnvelopeSource } from './corpus.js';
import { postEnvelope } from './load.js';
import { startQueryableProbe } from './logs-probe.js';
import { createSampleList } from './stats.js';
import { createTransactionSource } from './transactions.js';

const PROBE_INTERVAL_MS = 1000;
const POLL_MS = 100;
const MAX_LOOKUPS_PER_POLL = 10;
/** After the load, probes still outstanding get this long to show up (logs-probe.js waits as long). */
const FINAL_WAIT_MS = 2000;

/**
 * Sends `source.next()` every PROBE_INTERVAL_MS; `keyOf(item)` is its id and `urlOf(key)` where the
 * API shows it. `stop()` resolves like logs-probe.js's: `{ sent, found, samples, median, p99, max }`.
 */
function startLookupProbe(server, { source, keyOf, urlOf, windowMs }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const outstanding = new Map();
  const during = createSampleList();
  const startedAt = performance.now();
  let sending = true;
  let polling = true;
  let sent = 0;
  let found = 0;

  const sendOne = async () => {
    const item = source.next();
    const sentAt = performance.now();
    sent++;
    const answer = await postEnvelope(agent, server, item, sentAt);
    if (answer.status === 200) outstanding.set(keyOf(item), sentAt);
  };
  const lookUp = async (key, sentAt) => {
    const res = await fetch(urlOf(key));
    await res.arrayBuffer();
    if (res.status !== 200 || !outstanding.has(key)) return;
    outstanding.delete(key);
    found++;
    if (sentAt - startedAt <= windowMs) during.add(performance.now() - sentAt);
  };

  // Errors (a refused connection while the server stops) end a round quietly: the counts say so.
  const sender = (async () => {
    while (sending) {
      const begun = performance.now();
      await sendOne().catch(() => {});
      const wait = PROBE_INTERVAL_MS - (performance.now() - begun);
      if (wait > 0 && sending) await sleep(wait);
    }
  })();
  const poller = (async () => {
    while (polling) {
      const oldest = [...outstanding].slice(0, MAX_LOOKUPS_PER_POLL);
      await Promise.all(oldest.map(([key, sentAt]) => lookUp(key, sentAt).catch(() => {})));
      await sleep(POLL_MS);
    }
  })();

  return {
    async stop() {
      sending = false;
      await sender;
      const deadline = performance.now() + FINAL_WAIT_MS;
      while (outstanding.size > 0 && performance.now() < deadline) await sleep(POLL_MS);
      polling = false;
      await poller;
      agent.destroy();
      const [median, p99, max] = during.percentiles(50, 99, 100);
      return { sent, found, samples: during.length, median, p99, max };
    },
  };
}

/** The three probes at once; `stop()` resolves with `{ errors, transactions, logs }`. */
export function startMixedProbes(server, corpus, { windowMs, slug = 'default' }) {
  const api = `${server.url}/api/v1/projects/${slug}`;
  const probes = {
    errors: startLookupProbe(server, {
      source: createEnvelopeSource(corpus.errors, server.publicKey),
      keyOf: (item) => item.eventId,
      urlOf: (id) => `${api}/events/${id}`,
      windowMs,
    }),
    transactions: startLookupProbe(server, {
      source: createTransactionSource(corpus.transactions, server.publicKey),
      keyOf: (item) => item.spanId,
      urlOf: (id) => `${api}/transactions/${id}`,
      windowMs,
    }),
    logs: startQueryableProbe(server, { delayMs: 0, windowMs, slug }),
  };
  return {
    async stop() {
      const names = Object.keys(probes);
      const results = await Promise.all(names.map((n) => probes[n].stop()));
      return Object.fromEntries(names.map((n, i) => [n, results[i]]));
    },
  };
}
