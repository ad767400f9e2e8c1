/**
 * The two load shapes, over real HTTP with keep-alive sockets:
 * - full speed: `concurrency` requests always in flight (closed loop), to find the ceiling;
 * - fixed rate: one request every 1/rate s whatever the answers do (open loop), with latency
 *   counted from the planned send time, so a stalled server cannot hide its stall by slowing the
 *   sender down (coordinated omission).
 * Both then wait for the queue to drain, which is what "stored/s" is measured against.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCpuWindow, startProcSampler } from './proc-sampler.js';
import { HOST, readDataFileSizes, readHealth } from './server.js';
import { createSampleList } from './stats.js';
import { startProgress } from './progress.js';

export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_RATE_PER_SECOND = 1000;
/** A fixed-rate send this far behind its slot counts as late (the timer is 1 ms grained). */
const LATE_SEND_MS = 5;
/** Open loop must still be bounded: past this many unanswered requests, further sends are skipped. */
const MAX_IN_FLIGHT = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 100;
/** Give up waiting for the backlog after this long (reported as "not drained"). */
const DRAIN_TIMEOUT_MS = 600_000;
/** The server at rest before load, so idle RSS is not the allocation spike of start-up. */
export const SETTLE_MS = 1_000;

export function createTally() {
  return { sent: 0, accepted: 0, throttled: 0, failed: 0, firstFailure: '', latency: createSampleList() };
}

export function recordAnswer(tally, answer) {
  if (answer.status === 200) {
    tally.accepted++;
    tally.latency.add(answer.ms);
  } else if (answer.status === 429) {
    tally.throttled++;
  } else {
    tally.failed++;
    tally.firstFailure ||= `${answer.status} ${answer.detail ?? ''}`.trim();
  }
}

/**
 * POSTs one envelope (`{ body, headers, path? }` from a source: content-encoding, content-type as the
 * SDK sends them; `path` for other endpoints, such as OTLP's /v1/logs, else the envelope endpoint);
 * resolves (never rejects) with the status, ms since `clockFrom`, and ms since the request got a
 * socket (the server's share, without waiting for a free socket).
 */
export function postEnvelope(agent, server, { body, headers, path }, clockFrom) {
  return new Promise((resolve) => {
    const request = http.request(
      {
        agent,
        host: HOST,
        port: server.port,
        method: 'POST',
        path: path ?? `/api/${server.projectId}/envelope/?sentry_key=${server.publicKey}&sentry_version=7`,
        headers: {
          ...headers,
          'content-length': body.length,
          'user-agent': 'sentry.javascript.node/11.12.0',
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const now = performance.now();
          const ms = now - clockFrom;
          const onSocketMs = now - socketAt;
          const detail =
            res.statusCode === 200 ? undefined : Buffer.concat(chunks).toString('utf8').slice(0, 200);
          resolve({ status: res.statusCode, ms, onSocketMs, detail });
        });
      },
    );
    let socketAt = performance.now();
    request.once('socket', () => (socketAt = performance.now()));
    request.on('timeout', () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', (err) =>
      resolve({ status: 0, ms: performance.now() - clockFrom, detail: err.message }),
    );
    request.end(body);
  });
}

export async function waitForDrain(server, progress) {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const health = await readHealth(server);
    progress.noteHealth(health);
    if (health.queue_depth === 0) return { health, at: performance.now(), drained: true };
    await sleep(DRAIN_POLL_MS);
  }
  return { health: await readHealth(server), at: performance.now(), drained: false };
}

export const isRunning = (server) => server.child.exitCode === null && server.child.signalCode === null;

/** What both modes share: settle, sample, send via `sendAll`, drain, and measure around it. */
/** With --probe the server has bench/lib/http-thread-probe.js preloaded: SIGUSR2 closes a window. */
const markProbeWindow = (server) => server.probed && server.child.kill('SIGUSR2');

/**
 * `storedCount(health)` reads the kind's stored counter from /_health (event_count,
 * transaction_count); `inspect(server)`, when given, runs once the queue is drained and its result
 * joins the run's (what /_health does not say, read from the data dir).
 */
async function measureRun({ label, server, sendAll, storedCount, inspect }) {
  await sleep(SETTLE_MS);
  const sampler = startProcSampler(server.pid);
  const idleRss = sampler.latest().rss;
  const tally = createTally();
  const before = await readHealth(server);
  const cpu = startCpuWindow(server.pid);
  markProbeWindow(server);
  const startedAt = performance.now();
  const progress = startProgress({ label, server, tally, sampler, startedAt });
  try {
    const sendInfo = await sendAll(tally, startedAt);
    const sendEndedAt = performance.now();
    markProbeWindow(server);
    const atSendEnd = await readHealth(server);
    progress.noteHealth(atSendEnd);
    const drain = await waitForDrain(server, progress);
    const cpuUse = cpu.stop();
    const sendSeconds = (sendEndedAt - startedAt) / 1000;
    const [p50, p99, p999] = tally.latency.percentiles(50, 99, 99.9);
    return {
      ...sendInfo,
      sendSeconds,
      sent: tally.sent,
      accepted: tally.accepted,
      acceptedPerSecond: tally.accepted / sendSeconds,
      throttled: tally.throttled,
      failed: tally.failed,
      firstFailure: tally.firstFailure,
      latencyP50: p50,
      latencyP99: p99,
      latencyP999: p999,
      storedDuringSendPerSecond: (storedCount(atSendEnd) - storedCount(before)) / sendSeconds,
      queueDepthAtSendEnd: atSendEnd.queue_depth,
      maxQueueDepth: progress.maxQueueDepth(),
      drained: drain.drained,
      drainSeconds: (drain.at - sendEndedAt) / 1000,
      stored: storedCount(drain.health) - storedCount(before),
      storedPerSecond: (storedCount(drain.health) - storedCount(before)) / ((drain.at - startedAt) / 1000),
      issues: drain.health.issue_count,
      duplicates: drain.health.duplicate_events,
      invalid: drain.health.invalid_events,
      parked: drain.health.parked_jobs,
      idleRss,
      peakRss: sampler.peakRss(),
      ...cpuUse,
      dataFiles: readDataFileSizes(server.dataDir),
      health: drain.health,
      ...(inspect ? inspect(server) : {}),
    };
  } finally {
    progress.stop();
    sampler.stop();
  }
}

/** Closed loop: `concurrency` lanes, each sending its next envelope as soon as the last is answered. */
export async function sendClosedLoop({ agent, server, source, tally, startedAt, seconds, concurrency }) {
  const deadline = startedAt + seconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline && isRunning(server)) {
      tally.sent++;
      recordAnswer(tally, await postEnvelope(agent, server, source.next(), performance.now()));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { concurrency };
}

/** Open loop: the i-th envelope is due at start + i/rate, sent on a 1 ms timer tick. */
export async function sendOpenLoop({ agent, server, source, tally, startedAt, seconds, rate, concurrency }) {
  const total = Math.round(rate * seconds);
  const slotMs = 1000 / rate;
  const inFlight = new Set();
  const serviceLatency = createSampleList();
  let scheduled = 0;
  let late = 0;
  let skipped = 0;
  while (scheduled < total && isRunning(server)) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - startedAt) / slotMs) + 1);
    for (; scheduled < due; scheduled++) {
      const plannedAt = startedAt + scheduled * slotMs;
      if (now - plannedAt > LATE_SEND_MS) late++;
      if (inFlight.size >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      tally.sent++;
      const answer = postEnvelope(agent, server, source.next(), plannedAt).then((a) => {
        recordAnswer(tally, a);
        if (a.status === 200) serviceLatency.add(a.onSocketMs);
        inFlight.delete(answer);
      });
      inFlight.add(answer);
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  const [serviceP50, serviceP99] = serviceLatency.percentiles(50, 99);
  return {
    rate,
    scheduledSeconds: seconds,
    concurrency,
    lateSends: late,
    skippedSends: skipped,
    serviceLatencyP50: serviceP50,
    serviceLatencyP99: serviceP99,
  };
}

export function runFullSpeed({ server, source, seconds, concurrency, label, storedCount, inspect }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const sendAll = (tally, startedAt) =>
    sendClosedLoop({ agent, server, source, tally, startedAt, seconds, concurrency });
  return measureRun({ label, server, sendAll, storedCount, inspect }).finally(() => agent.destroy());
}

export function runFixedRate({ server, source, seconds, rate, concurrency, label, storedCount, inspect }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const sendAll = (tally, startedAt) =>
    sendOpenLoop({ agent, server, source, tally, startedAt, seconds, rate, concurrency });
  return measureRun({ label, server, sendAll, storedCount, inspect }).finally(() => agent.destroy());
}
