/**
 * The mixed kind's status line, once a second on stderr: per type what the server accepted and
 * stored in the last second (from /_health's counters, so the three generators' request shapes do
 * not matter: logs are records, not requests), the queue depth and the server's RSS. It also keeps
 * what the report needs from the same polls: the deepest queue and the RSS samples of the sending
 * window (for the steady RSS).
 */
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { readHealth } from './server.js';
import { formatCount, formatMiB } from './stats.js';

const PROGRESS_INTERVAL_MS = 1_000;
export const TYPES = ['errors', 'transactions', 'logs'];
const SHORT = { errors: 'errors', transactions: 'tx', logs: 'log records' };

/** Accepted and stored counters per type, from one /_health answer. */
export function countsOf(health) {
  const accepted = health.items_accepted ?? {};
  return {
    errors: { accepted: accepted.event ?? 0, stored: health.event_count },
    transactions: { accepted: accepted.transaction ?? 0, stored: health.transaction_count },
    logs: { accepted: (accepted.log ?? 0) + (accepted.otlp_log ?? 0), stored: health.log_count },
  };
}

export function startMixedProgress({ label, server, sampler, startedAt, firstHealth }) {
  let last = { at: startedAt, counts: countsOf(firstHealth) };
  let queueDepth = firstHealth.queue_depth;
  let maxQueueDepth = queueDepth;
  let polling = false;
  let stopped = false;
  const rssSamples = [];
  const noteHealth = (health) => {
    queueDepth = health.queue_depth;
    maxQueueDepth = Math.max(maxQueueDepth, queueDepth);
  };
  const printLine = (health) => {
    const now = performance.now();
    const rss = sampler.latest().rss;
    rssSamples.push(rss);
    const elapsed = ((now - startedAt) / 1000).toFixed(0).padStart(3);
    if (!health) {
      process.stderr.write(`[${label}] ${elapsed}s  (no /_health answer yet)  rss ${formatMiB(rss)}\n`);
      return;
    }
    const counts = countsOf(health);
    const perSecond = (type, key) => ((counts[type][key] - last.counts[type][key]) * 1000) / (now - last.at);
    const parts = TYPES.map(
      (t) => `${SHORT[t]} ${formatCount(perSecond(t, 'accepted'))}/${formatCount(perSecond(t, 'stored'))}`,
    );
    last = { at: now, counts };
    process.stderr.write(
      `[${label}] ${elapsed}s  accepted/stored per s: ${parts.join('  ')}  queue ${formatCount(queueDepth)}  rss ${formatMiB(rss)}\n`,
    );
  };
  const timer = setInterval(() => {
    // One poll at a time: a slow /_health must not pile up requests of its own.
    if (polling) return printLine();
    polling = true;
    let health;
    readHealth(server)
      .then(
        (h) => {
          health = h;
          noteHealth(h);
        },
        () => {},
      )
      .finally(() => {
        polling = false;
        if (!stopped) printLine(health);
      });
  }, PROGRESS_INTERVAL_MS);
  return {
    noteHealth,
    maxQueueDepth: () => maxQueueDepth,
    /** RSS samples so far, one per line printed. */
    rssSamples: () => rssSamples.slice(),
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
