/**
 * One full garbage collection, early, in a thread whose heap grows under load.
 *
 * Until an isolate's first full GC, V8 has no measured limit for its old generation: it starts
 * from a large fixed one and lets scavenges lower it by their survival rate. A thread that holds
 * what it allocates for a few milliseconds (request bodies waiting for the queue's group commit,
 * a batch of parsed log records) keeps that rate high, so the HTTP thread of the mixed half load
 * grew its old generation at ~1.2 MiB/s to 117 MiB before its first full GC, 64 s into the run
 * (then 46 MiB); that ramp was the run's peak RSS (449 MiB). One GC when the heap first passes
 * FIRST_GC_HEAP_BYTES gives V8 a live size to size its limits from (with the growing factor of
 * cli/serve-launch.ts, 1.5 × live), and the ramp is gone: the same run peaked at 336–339 MiB
 * (docs/benchmarks.md, session 8). At 40 MiB it also ran early under errors alone, where the HTTP
 * thread's full GCs that followed cost CPU: 0.80–0.86 ms per event against 0.78–0.81 at 64.
 *
 * `gc` is V8's, exposed by `--expose-gc` (cli/serve-launch.ts starts `snag serve` with it); without
 * it, as in tests that start a server in-process, this does nothing.
 */
import v8 from 'node:v8';

/** The heap in use at which the first full GC runs. Idle threads stay well below it (20–30 MiB). */
export const FIRST_GC_HEAP_BYTES = 64 * 1024 * 1024;
/** How often the heap is looked at until then (v8.getHeapStatistics(): a few µs). */
const CHECK_EVERY_MS = 250;

export interface FirstFullGcOptions {
  /** Default: V8's `gc` where exposed; null: none. */
  gc?: (() => void) | null;
  heapUsed?: () => number;
  thresholdBytes?: number;
  checkEveryMs?: number;
}

/** Runs `gc` once the heap in use first reaches the threshold; false when there is no `gc`. */
export function scheduleFirstFullGc(options: FirstFullGcOptions = {}): boolean {
  const gc = options.gc === undefined ? (globalThis as { gc?: () => void }).gc : options.gc;
  if (typeof gc !== 'function') return false;
  const heapUsed = options.heapUsed ?? (() => v8.getHeapStatistics().used_heap_size);
  const threshold = options.thresholdBytes ?? FIRST_GC_HEAP_BYTES;
  const timer = setInterval(() => {
    if (heapUsed() < threshold) return;
    clearInterval(timer);
    gc();
  }, options.checkEveryMs ?? CHECK_EVERY_MS);
  // Never what keeps a thread (or the process) alive.
  timer.unref();
  return true;
}
