/**
 * The errors thread's helper, seen from the errors thread: while a backlog lasts, a second thread
 * (errors-helper.ts) digests jobs of every slice the errors thread reads, and of the first slice
 * of the next batch while the errors thread writes the current one. Both threads take a slice's
 * jobs one at a time from a shared counter (Atomics.add on a SharedArrayBuffer), so neither waits
 * for the other longer than one job: a fixed split made the in-process drain 1.3–3.2× slower on a
 * busy box, where the helper (nice +5) was preempted and the errors thread waited for its share. The errors
 * thread still reads the queue and writes every batch with its cursor in one errors.db
 * transaction, so exactly-once, job order and parking are unchanged; only the pure digest work
 * (workers/jobs/digest-event.ts) moves. Why: the errors thread alone is the limit at
 * full speed (0.47–0.54 ms of CPU per event on one core), while during a drain the HTTP side is
 * idle and the second core with it (docs/benchmarks.md).
 *
 * The helper starts on a full batch (a backlog) while the machine leaves a core's share idle, and
 * stops after HELPER_REST_AFTER_MS without one, or when it gets too little CPU to matter: a Snag
 * that keeps up, or a box that is out of CPU, never carries its isolate (+9–25 MiB VmHWM). The errors thread waits for its
 * answers synchronously (receiveMessageOnPort + Atomics.wait): consumers drain synchronously.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ScrubOptions } from '../domain/events/scrub.js';
import type { Job } from '../storage/index.js';
import type { PayloadCodec } from '../storage/payload-codec.js';
import type { HelperData, HelperRequest, HelperResponse, JobOutcome } from './errors-helper-protocol.js';

/** Without a full batch for this long, the helper is stopped. */
const HELPER_REST_AFTER_MS = 5_000;
/**
 * A batch waits this long at most for the jobs the helper has under way (one per slice, ~0.5 ms
 * each); past it the errors thread digests them itself: a helper preempted on a busy box must not
 * hold the batch (a wait for whole shares measured 3× slower there).
 */
const HELPER_JOB_WAIT_MS = 3;
/** Over this many jobs, a helper that digested less than MIN_HELPER_SHARE of them is rested. */
const SHARE_WINDOW_JOBS = 5_000;
const MIN_HELPER_SHARE = 0.15;
/** The helper starts only while the machine leaves at least this much CPU idle. */
const HELPER_MIN_IDLE_CORES = 0.3;
/** How often the machine's idle CPU is read (os.cpus(): ~0.1 ms). */
const IDLE_SAMPLE_MS = 1_000;
/** After a helper failed or was rested, the errors thread works alone this long. */
const HELPER_RETRY_AFTER_MS = 60_000;
/**
 * Jobs read from the queue in one go. Whoever gets index i from `Atomics.add(claim, 0, 1)` digests
 * job i; `mine` counts the errors thread's. `seq` > 0 when the helper was handed the slice too.
 */
export interface Slice {
  jobs: Job[];
  limit: number;
  claim: Int32Array;
  mine: number;
  seq: number;
  /** The helper's outcomes by job index (null: not handed to the helper). */
  helped: Map<number, JobOutcome> | null;
}

/** The next job index this thread digests, or -1 when the slice is all taken. */
export function claimJob(slice: Slice): number {
  const i = Atomics.add(slice.claim, 0, 1);
  if (i >= slice.jobs.length) return -1;
  slice.mine++;
  return i;
}

export interface ErrorsPipeline {
  /** True when the helper takes jobs; only then is it worth reading ahead of a batch. */
  active(): boolean;
  dispatch(jobs: Job[], limit: number, codec: Pick<PayloadCodec, 'currentDictionary'>): Slice;
  /** The slice read ahead after `afterId` in the previous drain, if the cursor is still there. */
  takeReadAhead(afterId: number): Slice | null;
  keepReadAhead(afterId: number, slice: Slice): void;
  /** Blocks until the helper's outcomes for these slices are in (`helped`); at most a job's wait. */
  collect(slices: Slice[]): void;
  /** After each drain: starts the helper on a full batch, rests it without one. */
  noteDrain(full: boolean): void;
  /** Jobs the helper has digested so far (tests, benches). */
  digestedByHelper(): number;
  close(): void;
}

export interface PipelineOptions {
  scrub: ScrubOptions;
  maxDecompressedBytes: number;
  log: { error(obj: object, msg: string): void };
  helperUrl?: URL;
  /** Idle CPU of the machine, in cores, since the previous call (default: from os.cpus()). */
  spareCores?: () => number;
}

const DEFAULT_HELPER_URL = new URL('./errors-helper.js', import.meta.url);

/** Null where the helper's compiled file is missing (tests that run src/ through vitest). */
export function createErrorsPipeline(options: PipelineOptions): ErrorsPipeline | null {
  const url = options.helperUrl ?? DEFAULT_HELPER_URL;
  if (!fs.existsSync(fileURLToPath(url))) return null;
  let helper: { worker: Worker; port: MessagePort; signal: Int32Array; ready: boolean } | null = null;
  let failedAt = -Infinity;
  let lastFullAt = 0;
  let sentDictionaryId: number | null | undefined;
  let nextSeq = 1;
  let readAhead: { afterId: number; slice: Slice } | null = null;
  /** Outcomes by job index of the slices handed out and not yet collected, by seq. */
  const inFlight = new Map<number, Map<number, JobOutcome>>();
  let helperJobs = 0;
  let windowJobs = 0;
  let windowHelped = 0;
  const spareCores = options.spareCores ?? createIdleMeter();
  let idleAt = -Infinity;
  let spare = 0;

  function start(): void {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data: HelperData = {
      port: port2,
      signal,
      scrub: options.scrub,
      maxDecompressedBytes: options.maxDecompressedBytes,
    };
    const worker = new Worker(url, {
      workerData: data,
      transferList: [port2],
    });
    const h = { worker, port: port1, signal: new Int32Array(signal), ready: false };
    worker.unref();
    port1.unref();
    const lost = (err?: unknown) => {
      if (helper !== h) return;
      if (err) options.log.error({ err }, 'errors helper thread failed; digesting alone');
      fail();
    };
    worker.on('error', lost);
    worker.on('exit', () => lost());
    helper = h;
    sentDictionaryId = undefined;
  }

  function stop(): void {
    if (!helper) return;
    const h = helper;
    helper = null;
    h.port.close();
    void h.worker.terminate();
    inFlight.clear();
    readAhead = null;
  }

  function fail(): void {
    stop();
    failedAt = performance.now();
  }

  function handle(m: HelperResponse): void {
    if (m.type === 'ready') {
      if (helper) helper.ready = true;
      return;
    }
    // Answers for a slice already collected (the errors thread did that job itself) are dropped.
    inFlight.get(m.seq)?.set(m.index, m.outcome);
  }

  function pump(): void {
    if (!helper) return;
    for (let m = receiveMessageOnPort(helper.port); m; m = receiveMessageOnPort(helper.port)) {
      handle(m.message as HelperResponse);
    }
  }

  function post(m: HelperRequest): void {
    helper!.port.postMessage(m);
  }

  return {
    active() {
      pump();
      return helper?.ready === true;
    },
    dispatch(jobs, limit, codec) {
      if (jobs.length === 0 || !this.active()) return createSlice(jobs, limit);
      const shared = new SharedArrayBuffer(4);
      const slice: Slice = { ...createSlice(jobs, limit), claim: new Int32Array(shared), seq: nextSeq++ };
      const dictionary = codec.currentDictionary();
      if ((dictionary?.id ?? null) !== sentDictionaryId) {
        post({ type: 'dictionary', dictionary });
        sentDictionaryId = dictionary?.id ?? null;
      }
      slice.helped = new Map();
      inFlight.set(slice.seq, slice.helped);
      post({ type: 'jobs', seq: slice.seq, jobs, claim: shared });
      return slice;
    },
    takeReadAhead(afterId) {
      const kept = readAhead;
      readAhead = null;
      if (!kept) return null;
      if (kept.afterId === afterId) return kept.slice;
      // The cursor moved elsewhere (a failed write): no one may start another of its jobs.
      Atomics.add(kept.slice.claim, 0, kept.slice.jobs.length);
      inFlight.delete(kept.slice.seq);
      return null;
    },
    keepReadAhead(afterId, slice) {
      readAhead = { afterId, slice };
    },
    collect(slices) {
      const deadline = performance.now() + HELPER_JOB_WAIT_MS;
      for (const slice of slices) {
        if (!slice.helped) continue;
        // Every index is claimed by now: what the helper took is answered or under way.
        while (helper && slice.helped.size < slice.jobs.length - slice.mine && waitForAnswer(deadline));
        inFlight.delete(slice.seq);
        helperJobs += slice.helped.size;
        windowJobs += slice.jobs.length;
        windowHelped += slice.helped.size;
      }
    },
    noteDrain(full) {
      const now = performance.now();
      if (full) lastFullAt = now;
      if (helper && now - lastFullAt > HELPER_REST_AFTER_MS) stop();
      if (windowJobs >= SHARE_WINDOW_JOBS) {
        // Preempted most of the time (a box out of CPU): it only adds its overhead. Rest it.
        if (helper && windowHelped < windowJobs * MIN_HELPER_SHARE) {
          stop();
          failedAt = now;
        }
        windowJobs = windowHelped = 0;
      }
      if (now - idleAt >= IDLE_SAMPLE_MS) {
        idleAt = now;
        spare = spareCores();
      }
      // Only a core the box leaves idle makes a helper pay: on a busy box (or one whose sessions
      // share the cores fairly, as Linux's autogroups do) it adds 15–25 % of CPU per event and
      // no throughput (in-process drain, 2026-11-22, docs/benchmarks.md).
      if (!helper && full && now - failedAt > HELPER_RETRY_AFTER_MS && spare >= HELPER_MIN_IDLE_CORES) {
        start();
      }
    },
    digestedByHelper: () => helperJobs,
    close: stop,
  };

  /** Waits for the helper's next answer until `deadline`; false once it has passed. */
  function waitForAnswer(deadline: number): boolean {
    const h = helper!;
    const seen = Atomics.load(h.signal, 0);
    const before = countAnswers();
    pump();
    if (countAnswers() > before) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(h.signal, 0, seen, left);
    pump();
    return true;
  }

  function countAnswers(): number {
    let n = 0;
    for (const m of inFlight.values()) n += m.size;
    return n;
  }
}

/** Idle cores of the whole machine between calls (0 on the first), from the kernel's per-CPU idle time. */
export function createIdleMeter(): () => number {
  let last: { idleMs: number; at: number } | null = null;
  return () => {
    const idleMs = os.cpus().reduce((n, cpu) => n + cpu.times.idle, 0);
    const at = performance.now();
    const previous = last;
    last = { idleMs, at };
    return previous && at > previous.at ? (idleMs - previous.idleMs) / (at - previous.at) : 0;
  };
}

export function createSlice(jobs: Job[], limit: number): Slice {
  return { jobs, limit, claim: new Int32Array(1), mine: 0, seq: 0, helped: null };
}
