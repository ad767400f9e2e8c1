/**
 * Digest threads run at a lower CPU priority than the main thread. When the box runs out of CPU
 * (issue 9's mixed load needs about all of a 2-core machine), the kernel then gives the main
 * thread, which answers SDKs, the UI and MCP, what it asks for first, and the digest threads the
 * rest: a request is acknowledged once it is in the durable queue, and the queue absorbs the
 * difference (or answers 429 at its limit), while a starved main thread makes SDKs wait, time out
 * and the UI crawl. With CPU to spare the priority changes nothing: every thread gets all it asks.
 *
 * Linux only (a thread's nice value is per thread there: setpriority(2) on its thread id, read
 * from /proc/thread-self); elsewhere, or where the kernel refuses, threads keep the process's
 * priority and this says why once.
 */
import fs from 'node:fs';
import os from 'node:os';

/**
 * nice +5 weighs ~1/3 of nice 0 in the kernel's fair scheduler (CFS weights 335 vs 1024): the main
 * thread keeps ~3 times a digest thread's share under contention, and no thread is starved.
 */
export const DIGEST_THREAD_NICE = 5;

/** Lowers the calling thread's priority by `nice`; returns why not when it cannot. */
export function lowerThisThreadPriority(nice: number): string | null {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return 'no thread id in /proc/thread-self';
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + nice));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}
