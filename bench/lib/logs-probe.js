/**
 * Ingest → searchable, measured from outside while the load runs: every PROBE_INTERVAL_MS a
 * one-record OTLP body from the service `bench-probe`, its body carrying a unique word, goes to
 * POST /v1/logs; every POLL_MS one search (`service=bench-probe`, newest first) says which probes
 * are searchable yet. The time from sending a probe to the first search that returns it is what a
 * user tailing logs waits, queue and digest included (the queue is FIFO, so a probe waits behind
 * everything sent before it). One search per poll whatever the backlog, so the probe adds
 * ~1,000 / POLL_MS calls a second to the HTTP thread's work.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { stampBody } from './logs-corpus.js';
import { encodeLogsRequest } from './otlp-logs-encode.js';
import { createSampleList } from './stats.js';

const PROBE_INTERVAL_MS = 1000;
const POLL_MS = 100;
const PROBE_SERVICE = 'bench-probe';
/** Newest probes a poll sees: far more than are ever outstanding at one probe a second. */
const POLL_PAGE = 200;
/** After the load, probes still outstanding get this long to show up. */
const FINAL_WAIT_MS = 2000;

function buildProbeBody(word) {
  const { body, times } = encodeLogsRequest({ 'service.name': PROBE_SERVICE }, [
    {
      name: 'bench.probe',
      version: null,
      records: [{ severityNumber: 9, severityText: 'INFO', body: `queryable probe ${word}`, attributes: {} }],
    },
  ]);
  return { body, times, ages: new Float64Array(times.length) };
}

/**
 * Starts probing after `delayMs` (the load's settle time); probes sent within `windowMs` of that
 * are the "while sending" samples. `stop()` resolves with `{ sent, found, samples, median, p99, max }`
 * (ms; samples = probes sent while sending and found).
 */
export function startQueryableProbe(server, { delayMs, windowMs, slug = 'default' }) {
  const run = Math.floor(performance.now()).toString(36);
  const outstanding = new Map();
  const during = createSampleList();
  const headers = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${server.publicKey}` };
  const searchUrl = `${server.url}/api/v1/projects/${slug}/logs?service=${PROBE_SERVICE}&limit=${POLL_PAGE}`;
  let startedAt = Infinity;
  let sending = true;
  let polling = true;
  let sent = 0;
  let found = 0;

  const sendOne = async () => {
    const word = `benchprobe${run}n${sent}`;
    const body = stampBody(buildProbeBody(word), (performance.timeOrigin + performance.now()) * 1000);
    const sentAt = performance.now();
    sent++;
    outstanding.set(`queryable probe ${word}`, sentAt);
    const res = await fetch(`${server.url}/v1/logs`, { method: 'POST', headers, body });
    await res.arrayBuffer();
    if (!res.ok) outstanding.delete(`queryable probe ${word}`);
  };

  const pollOnce = async () => {
    const page = await fetch(searchUrl).then((r) => r.json());
    const now = performance.now();
    for (const log of page.logs ?? []) {
      const sentAt = outstanding.get(log.body);
      if (sentAt === undefined) continue;
      outstanding.delete(log.body);
      found++;
      if (sentAt - startedAt <= windowMs) during.add(now - sentAt);
    }
  };

  // Errors (a refused connection while the server stops) end a loop quietly: the figures say so.
  const sender = (async () => {
    await sleep(delayMs);
    startedAt = performance.now();
    while (sending) {
      const begun = performance.now();
      await sendOne().catch(() => {});
      const wait = PROBE_INTERVAL_MS - (performance.now() - begun);
      if (wait > 0 && sending) await sleep(wait);
    }
  })();
  const poller = (async () => {
    while (polling) {
      await pollOnce().catch(() => {});
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
      const [median, p99, max] = during.percentiles(50, 99, 100);
      return { sent, found, samples: during.length, median, p99, max };
    },
  };
}
