/**
 * Preloaded into the server (`node --import`) by `--probe`, on the main thread only: times every
 * queue.db write transaction and job DELETE the HTTP thread runs, and its event-loop delay. Each
 * SIGUSR2 prints the window since the previous one as one `SNAG_BENCH_PROBE {json}` line on stderr
 * and starts a new window; the bench signals at the start and at the end of sending.
 * It wraps better-sqlite3's public API (transaction, prepare) and changes nothing it measures
 * beyond a performance.now() pair per call.
 */
import { createRequire } from 'node:module';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** Event-loop delay is sampled at this period; finer costs the loop itself. */
const LOOP_RESOLUTION_MS = 5;

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

/** The histogram records whole sampling periods (an idle loop reads ~5 ms): keep only the lateness. */
const beyondPeriod = (nanoseconds) => Math.max(0, nanoseconds / 1e6 - LOOP_RESOLUTION_MS);

function createWindow() {
  return { startedAt: performance.now(), commitMs: [], commitJobs: [], deleteMs: [] };
}

function summarize(window, loopDelay) {
  const wallMs = performance.now() - window.startedAt;
  const jobs = sum(window.commitJobs);
  return {
    seconds: wallMs / 1000,
    commits: window.commitMs.length,
    jobsPerCommit: jobs / window.commitMs.length,
    commitMsP50: percentile(window.commitMs, 50),
    commitMsP99: percentile(window.commitMs, 99),
    commitMsMax: percentile(window.commitMs, 100),
    commitShare: sum(window.commitMs) / wallMs,
    deletes: window.deleteMs.length,
    deleteMsMax: percentile(window.deleteMs, 100),
    deleteShare: sum(window.deleteMs) / wallMs,
    loopDelayMsP50: beyondPeriod(loopDelay.percentile(50)),
    loopDelayMsP99: beyondPeriod(loopDelay.percentile(99)),
    loopDelayMsMax: beyondPeriod(loopDelay.max),
  };
}

/** Wraps `transaction(fn).immediate` (the queue's group commit) on connections to queue.db. */
function timeQueueCommits(Database, window) {
  const createTransaction = Database.prototype.transaction;
  Database.prototype.transaction = function (fn) {
    const transaction = createTransaction.call(this, fn);
    if (!this.name.endsWith('queue.db')) return transaction;
    // The variants are read-only properties of the original, so wrap it in a fresh function.
    const wrapped = function (...args) {
      return transaction.apply(this, args);
    };
    Object.assign(wrapped, { deferred: transaction.deferred, exclusive: transaction.exclusive });
    wrapped.immediate = function (...args) {
      const startedAt = performance.now();
      try {
        return transaction.immediate.apply(this, args);
      } finally {
        window().commitMs.push(performance.now() - startedAt);
        window().commitJobs.push(Array.isArray(args[0]) ? args[0].length : 0);
      }
    };
    return wrapped;
  };
}

/** Wraps `run` of the statement that deletes digested jobs. */
function timeJobDeletes(Database, window) {
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (sql) {
    const statement = prepare.call(this, sql);
    if (!/^\s*DELETE FROM jobs/i.test(sql)) return statement;
    const run = statement.run.bind(statement);
    statement.run = (...args) => {
      const startedAt = performance.now();
      try {
        return run(...args);
      } finally {
        window().deleteMs.push(performance.now() - startedAt);
      }
    };
    return statement;
  };
}

if (isMainThread) {
  // The server's own copy of better-sqlite3 (resolved from its working directory, the repo root).
  const Database = createRequire(`${process.cwd()}/package.json`)('better-sqlite3');
  let current = createWindow();
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  timeQueueCommits(Database, () => current);
  timeJobDeletes(Database, () => current);
  process.on('SIGUSR2', () => {
    process.stderr.write(`SNAG_BENCH_PROBE ${JSON.stringify(summarize(current, loopDelay))}\n`);
    current = createWindow();
    loopDelay.reset();
  });
}
