/**
 * One mixed run on one server: the three generators at once (load.js's open loop at each type's
 * rate, or its closed loop per type at full speed), each on its own keep-alive agent and tally,
 * with the queryable probes, the UI/MCP readers and the status line alongside; then the queue is
 * drained and the data dir measured. Figures per type come from /_health's counters (accepted and
 * stored items: logs are records), minus the probes' own items; latency from each type's tally.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTally, SETTLE_MS, sendClosedLoop, sendOpenLoop, waitForDrain } from './load.js';
import { createMixedSources } from './mixed-corpus.js';
import { startMixedProbes } from './mixed-probes.js';
import { countsOf, startMixedProgress, TYPES } from './mixed-progress.js';
import { startReaders } from './mixed-readers.js';
import { startCpuWindow, startProcSampler } from './proc-sampler.js';
import { readDataFileSizes, readHealth } from './server.js';
import { median } from './stats.js';

const DB_FILE = { errors: 'errors.db', transactions: 'transactions.db', logs: 'logs.db' };

const dbBytes = (files, name) => (files[name] ?? 0) + (files[`${name}-wal`] ?? 0);

/** Median RSS over the second half of the sending window: past start-up growth, before the drain. */
function steadyRssOf(samples) {
  return median(samples.slice(Math.floor(samples.length / 2)));
}

/**
 * `rates` are items/s per type (logs in records/s); the logs generator sends whole requests, so its
 * request rate is records/s ÷ the mix's mean records per request.
 */
function sendAllTypes({ mode, server, sources, tallies, startedAt, seconds, concurrency, rates, corpus }) {
  const requestRates = { ...rates, logs: rates.logs / corpus.recordsPerLogRequest };
  return Promise.all(
    TYPES.map(async (type) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
      const options = {
        agent,
        server,
        source: sources[type],
        tally: tallies[type],
        startedAt,
        seconds,
        concurrency,
      };
      try {
        const info =
          mode === 'full'
            ? await sendClosedLoop(options)
            : await sendOpenLoop({ ...options, rate: requestRates[type] });
        // Items the generator offered (a skipped send is offered too): logs count records.
        const perRequest = type === 'logs' ? corpus.recordsPerLogRequest : 1;
        const sentItems = type === 'logs' ? sources.logs.records : tallies[type].sent;
        const offered = sentItems + (info.skippedSends ?? 0) * perRequest;
        // Each type's own end: a starved type can finish long after the others.
        const sendSeconds = (performance.now() - startedAt) / 1000;
        return { ...info, offered, sendSeconds, atEnd: await readHealth(server) };
      } finally {
        agent.destroy();
      }
    }),
  );
}

function summarizeType(type, { tally, info, before, drained, probe, files, rate }) {
  const delta = (health, key) => countsOf(health)[type][key] - countsOf(before)[type][key];
  // The probes' items (one a second) are the server's work too, but not the load's.
  const probesSent = Math.min(probe.sent, Math.floor(info.sendSeconds));
  const accepted = delta(info.atEnd, 'accepted') - probesSent;
  const storedWhileSending = delta(info.atEnd, 'stored') - probesSent;
  const stored = delta(drained.health, 'stored');
  const [latencyP50, latencyP99] = tally.latency.percentiles(50, 99);
  return {
    rate,
    sendSeconds: info.sendSeconds,
    requestsSent: tally.sent,
    requestsAccepted: tally.accepted,
    throttled: tally.throttled,
    failed: tally.failed,
    firstFailure: tally.firstFailure,
    lateSends: info.lateSends,
    skippedSends: info.skippedSends,
    acceptedPerSecond: accepted / info.sendSeconds,
    storedDuringSendPerSecond: storedWhileSending / info.sendSeconds,
    offeredPerSecond: info.offered / info.sendSeconds,
    // Against what was offered, not the nominal rate: the log bodies' record counts vary.
    keptUp: rate ? storedWhileSending / info.offered : NaN,
    stored,
    storedPerSecond: (stored - probe.sent) / ((drained.at - drained.startedAt) / 1000),
    latencyP50,
    latencyP99,
    queryable: probe,
    dbBytes: dbBytes(files, DB_FILE[type]),
    bytesPerItem: dbBytes(files, DB_FILE[type]) / countsOf(drained.health)[type].stored,
  };
}

/** `rates` ({ errors, transactions, logs }, items/s) only for mode 'rate'; `onRead` see startReaders. */
export async function runMixedOnce(
  server,
  { mode, corpus, seconds, concurrency, rates, token, label, onRead },
) {
  await sleep(SETTLE_MS);
  const sampler = startProcSampler(server.pid);
  const idleRss = sampler.latest().rss;
  const before = await readHealth(server);
  const cpu = startCpuWindow(server.pid);
  const sources = createMixedSources(corpus, server.publicKey);
  const tallies = Object.fromEntries(TYPES.map((t) => [t, createTally()]));
  const startedAt = performance.now();
  const progress = startMixedProgress({ label, server, sampler, startedAt, firstHealth: before });
  const probes = startMixedProbes(server, corpus, { windowMs: seconds * 1000 });
  const readers = startReaders(server, { token, onRead });
  try {
    const infos = await sendAllTypes({
      mode,
      server,
      sources,
      tallies,
      startedAt,
      seconds,
      concurrency,
      rates: rates ?? {},
      corpus,
    });
    const sendEndedAt = performance.now();
    const atSendEnd = await readHealth(server);
    progress.noteHealth(atSendEnd);
    const rssWhileSending = progress.rssSamples();
    const reads = await readers.stop();
    const drain = await waitForDrain(server, progress);
    // After the drain, so a probe stuck behind the backlog is still found (and charged for it).
    const queryable = await probes.stop();
    const cpuUse = cpu.stop();
    const files = readDataFileSizes(server.dataDir);
    const drained = { ...drain, startedAt };
    const types = Object.fromEntries(
      TYPES.map((type, i) => [
        type,
        summarizeType(type, {
          tally: tallies[type],
          info: infos[i],
          before,
          drained,
          probe: queryable[type],
          files,
          rate: rates?.[type],
        }),
      ]),
    );
    types.logs.recordsSent = sources.logs.records;
    return {
      mode,
      rates,
      scheduledSeconds: seconds,
      concurrency,
      types,
      reads,
      sendSeconds: (sendEndedAt - startedAt) / 1000,
      queueDepthAtSendEnd: atSendEnd.queue_depth,
      maxQueueDepth: progress.maxQueueDepth(),
      drained: drain.drained,
      drainSeconds: (drain.at - sendEndedAt) / 1000,
      issues: drain.health.issue_count,
      duplicates: drain.health.duplicate_events,
      invalid: drain.health.invalid_events + drain.health.invalid_transactions + drain.health.invalid_logs,
      rejectedLogs: drain.health.rejected_logs,
      parked: drain.health.parked_jobs,
      idleRss,
      steadyRss: steadyRssOf(rssWhileSending),
      peakRss: sampler.peakRss(),
      ...cpuUse,
      dataFiles: files,
      health: drain.health,
    };
  } catch (err) {
    // Their loops would keep the process alive; stopping twice is harmless.
    await Promise.allSettled([readers.stop(), probes.stop()]);
    throw err;
  } finally {
    progress.stop();
    sampler.stop();
  }
}
