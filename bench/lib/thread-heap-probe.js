/**
 * Preloaded into the server (`node --import`) by bench/memory.js: every thread (the HTTP thread and
 * each digest thread, since workers inherit the preload) appends its V8 heap figures to the file
 * named by BENCH_HEAP_FILE once a second, one JSON line each. process.memoryUsage().rss is the
 * whole process; heapTotal and external are this isolate's, which is what tells the threads apart.
 * Cost: one small synchronous append per thread and second.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { isMainThread, threadId, workerData } from 'node:worker_threads';

const INTERVAL_MS = 1000;
const MIB = 1024 * 1024;
const file = process.env.BENCH_HEAP_FILE;

if (file) {
  const thread = isMainThread ? 'main' : (workerData?.group ?? `worker ${threadId}`);
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size / MIB]),
    );
    const line = {
      at: Date.now(),
      thread,
      heapTotal: m.heapTotal / MIB,
      heapUsed: m.heapUsed / MIB,
      external: m.external / MIB,
      newSpace: spaces.new_space ?? 0,
      oldSpace: spaces.old_space ?? 0,
      codeSpace: spaces.code_space ?? 0,
    };
    try {
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // the bench removed the file while stopping the server
    }
  }, INTERVAL_MS);
  // Never keeps a thread (or the process) alive: a resting digest thread must still exit.
  timer.unref();
}
