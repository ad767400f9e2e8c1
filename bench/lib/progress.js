/**
 * One status line a second on stderr (stdout is kept for the final table), so a long run shows
 * whether it is sending, throttled or draining.
 */
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { readHealth } from './server.js';
import { formatCount, formatMiB } from './stats.js';

const PROGRESS_INTERVAL_MS = 1_000;

export function startProgress({ label, server, tally, sampler, startedAt }) {
  let lastAccepted = 0;
  let lastAt = startedAt;
  let queueDepth = 0;
  let maxQueueDepth = 0;
  let polling = false;
  let stopped = false;
  const noteHealth = (health) => {
    queueDepth = health.queue_depth;
    maxQueueDepth = Math.max(maxQueueDepth, queueDepth);
  };
  const printLine = () => {
    const now = performance.now();
    const acceptedPerSecond = ((tally.accepted - lastAccepted) * 1000) / (now - lastAt);
    lastAccepted = tally.accepted;
    lastAt = now;
    const elapsed = ((now - startedAt) / 1000).toFixed(0).padStart(3);
    process.stderr.write(
      `[${label}] ${elapsed}s  sent ${formatCount(tally.sent).padStart(7)}  accepted/s ${formatCount(acceptedPerSecond).padStart(6)}` +
        `  429 ${formatCount(tally.throttled)}  queue ${formatCount(queueDepth).padStart(6)}  rss ${formatMiB(sampler.latest().rss)}\n`,
    );
  };
  const timer = setInterval(() => {
    // One poll at a time: a slow /_health must not pile up requests of its own.
    if (polling) return printLine();
    polling = true;
    readHealth(server)
      .then(noteHealth, () => {})
      .finally(() => {
        polling = false;
        if (!stopped) printLine();
      });
  }, PROGRESS_INTERVAL_MS);
  return {
    noteHealth,
    maxQueueDepth: () => maxQueueDepth,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
