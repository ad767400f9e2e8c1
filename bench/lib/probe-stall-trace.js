/**
 * Preloaded into the server (`node --import <this file>?out=<path>`) by the mixed bench's
 * `--probe`, on the main thread only: a timeline of what could stall the HTTP thread, one JSON line
 * per event in <path>, so a slow UI/MCP read can be matched with what the thread did at that
 * moment (bench/stall-report.js). Events, each with `t` (epoch ms at its start) and `ms`:
 * - `loop`: the event loop ran late by `ms` (a STALL_TICK_MS timer fired that much after its time);
 * - `gc`: a main-isolate garbage collection of STALL_EVENT_MS or more (`kind` as Node names it);
 * - `commit`, `delete`, `checkpoint`: a queue.db group commit (`jobs`), DELETE FROM jobs (`rows`),
 *   or wal_checkpoint on the HTTP thread's connection, STALL_EVENT_MS or more;
 * - `sql`: any other statement on another file (the API's reads), STALL_EVENT_MS or more;
 * - `http`: every /api/ and /mcp request, from the request event to the response's finish;
 * - `sec`: once a second, totals since the previous one: main-thread CPU and run-queue wait from
 *   /proc/self/task/<pid>/schedstat, GC, commit/delete/checkpoint time, the WAL's size, heap, RSS.
 * It changes nothing it measures beyond a performance.now() pair per call and one line a second.
 */
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** Timer period of the lateness detector. */
const STALL_TICK_MS = 10;
/** Lateness, GC pause or statement below this is only summed into the `sec` line. */
const STALL_EVENT_MS = 20;
const SECOND_MS = 1000;

const out = new URL(import.meta.url).searchParams.get('out');

function startTrace(file) {
  let lines = [];
  const emit = (event) => lines.push(JSON.stringify(event));
  const epochAt = (perfMs) => performance.timeOrigin + perfMs;
  const sums = {
    gcMs: 0,
    gcCount: 0,
    commitMs: 0,
    commits: 0,
    deleteMs: 0,
    deleteRows: 0,
    checkpointMs: 0,
    sqlMs: 0,
  };

  const timed = (what, fn, extra) => {
    const startedAt = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - startedAt;
      sums[`${what}Ms`] = (sums[`${what}Ms`] ?? 0) + ms;
      if (ms >= STALL_EVENT_MS) emit({ what, t: epochAt(startedAt), ms, ...extra?.() });
    }
  };

  const Database = createRequire(`${process.cwd()}/package.json`)('better-sqlite3');
  const isQueue = (db) => db.name.endsWith('queue.db');
  const transaction = Database.prototype.transaction;
  Database.prototype.transaction = function (fn) {
    const tx = transaction.call(this, fn);
    if (!isQueue(this)) return tx;
    const wrapped = function (...args) {
      return tx.apply(this, args);
    };
    Object.assign(wrapped, { deferred: tx.deferred, exclusive: tx.exclusive });
    wrapped.immediate = function (...args) {
      sums.commits++;
      return timed(
        'commit',
        () => tx.immediate.apply(this, args),
        () => ({ jobs: args[0]?.length }),
      );
    };
    return wrapped;
  };
  const pragma = Database.prototype.pragma;
  Database.prototype.pragma = function (source, options) {
    if (!isQueue(this) || !/checkpoint/i.test(source)) return pragma.call(this, source, options);
    return timed(
      'checkpoint',
      () => pragma.call(this, source, options),
      () => ({ source }),
    );
  };
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (sql) {
    const statement = prepare.call(this, sql);
    const db = this.name.split('/').at(-1);
    if (isQueue(this) && /^\s*DELETE FROM jobs/i.test(sql)) {
      const run = statement.run.bind(statement);
      let rows = 0;
      statement.run = (...args) =>
        timed(
          'delete',
          () => {
            const result = run(...args);
            rows = result.changes;
            sums.deleteRows += rows;
            return result;
          },
          () => ({ rows }),
        );
      return statement;
    }
    if (isQueue(this)) return statement;
    for (const method of ['all', 'get', 'run']) {
      const original = statement[method].bind(statement);
      statement[method] = (...args) =>
        timed(
          'sql',
          () => original(...args),
          () => ({ db, sql: sql.slice(0, 120) }),
        );
    }
    return statement;
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      sums.gcMs += entry.duration;
      sums.gcCount++;
      if (entry.duration >= STALL_EVENT_MS)
        emit({ what: 'gc', t: epochAt(entry.startTime), ms: entry.duration, kind: entry.detail?.kind });
    }
  }).observe({ entryTypes: ['gc'] });

  const emitRequest = http.Server.prototype.emit;
  http.Server.prototype.emit = function (name, req, res) {
    if (name === 'request' && /^\/(api\/|mcp)/.test(req.url)) {
      const startedAt = performance.now();
      res.once('finish', () =>
        emit({
          what: 'http',
          t: epochAt(startedAt),
          ms: performance.now() - startedAt,
          url: req.url.slice(0, 60),
        }),
      );
    }
    return emitRequest.apply(this, arguments);
  };

  let expected = performance.now() + STALL_TICK_MS;
  let loopLateMs = 0;
  let ticks = 0;
  /** Every tick's lateness of 1 ms or more (whole ms), for percentiles over any window. */
  let lates = [];
  setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    loopLateMs += Math.max(0, late);
    if (late >= 1) lates.push(Math.round(late));
    if (late >= STALL_EVENT_MS) emit({ what: 'loop', t: epochAt(expected), ms: late });
    expected = now + STALL_TICK_MS;
    ticks++;
  }, STALL_TICK_MS).unref();

  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const readSched = () => fs.readFileSync(schedstat, 'utf8').split(' ').map(Number);
  let lastSched = readSched();
  setInterval(() => {
    const sched = readSched();
    let walBytes = 0;
    try {
      walBytes = fs.statSync(`${process.env.SNAG_DATA_DIR}/queue.db-wal`).size;
    } catch {
      // Not there yet.
    }
    const memory = process.memoryUsage();
    emit({
      what: 'sec',
      t: Date.now(),
      cpuMs: (sched[0] - lastSched[0]) / 1e6,
      runWaitMs: (sched[1] - lastSched[1]) / 1e6,
      loopLateMs,
      ticks,
      lates,
      ...sums,
      walMiB: walBytes / 1048576,
      heapMiB: memory.heapUsed / 1048576,
      rssMiB: memory.rss / 1048576,
    });
    lastSched = sched;
    loopLateMs = 0;
    lates = [];
    ticks = 0;
    for (const key of Object.keys(sums)) sums[key] = 0;
    if (lines.length > 0) fs.appendFileSync(file, `${lines.join('\n')}\n`);
    lines = [];
  }, SECOND_MS).unref();
}

if (isMainThread && out) startTrace(out);
