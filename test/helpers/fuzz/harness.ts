/**
 * The fuzz oracles around a real Snag (test/helpers/snag.ts):
 * - never a 5xx, never a crash: every answer is < 500 and the process keeps answering /_health;
 * - memory bounded: VmRSS from /proc/<pid>/status, sampled every 50 ms, stays under a cap;
 * - nothing partially written: a 4xx leaves the ingest counters (items accepted and dropped, per
 *   type) as they were; after the run the queue drains, every accepted error event is accounted
 *   for (stored, duplicate, invalid or parked with its error), no digest thread died, and a
 *   known-good event sent last is stored and readable through the API.
 * A failure message starts with the seed and the iteration, which replay it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect } from 'vitest';
import { stopAndRemove } from '../cleanup.js';
import { eventEnvelope, postRaw, sdkEvent, type RawResponse } from '../ingest.js';
import { getJson, startSnag, waitFor, type RunningSnag } from '../snag.js';

/** What a fuzzed request may be answered with (431: a URL past Node's 16 KiB header cap); anything else, a 5xx above all, fails the run. */
export const ALLOWED_STATUSES = new Set([200, 400, 401, 403, 404, 413, 414, 415, 429, 431]);
/**
 * RSS cap for the server during a fuzz run: the main thread and three digest threads, each with a
 * V8 heap. Idle Snag measured 210 MB here; the largest legal request is 20 MiB as sent and 50 MiB inflated,
 * and a 2,000-item envelope took a run to 475 MB (docs/reliability.md, fuzzing finding 5, open).
 */
export const RSS_CAP_BYTES = 512 * 1024 * 1024;

/** Bodies larger than this may see their socket closed under them by an early answer. */
const EARLY_ANSWER_MIN_BYTES = 64 * 1024;

interface HealthSnapshot {
  queue_depth: number;
  event_count: number;
  invalid_events: number;
  duplicate_events: number;
  parked_jobs: number;
  items_accepted: Record<string, number>;
  items_dropped: Record<string, number>;
}

export interface FuzzTarget {
  snag: RunningSnag;
  peakRssBytes(): number;
  /** Sends one request and checks the per-request oracles; returns the answer. */
  send(request: FuzzRequest, where: string): Promise<RawResponse | undefined>;
  /** The end-of-run oracles. */
  finish(where: string): Promise<void>;
  stop(): Promise<void>;
}

export interface FuzzRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: Buffer;
  headers?: Record<string, string>;
}

/** A fuzz target started before the file's tests and stopped after them; call the getter in a test. */
export function useFuzzTarget(): () => FuzzTarget {
  let target: FuzzTarget | undefined;
  beforeAll(async () => {
    target = await startFuzzTarget();
  });
  afterAll(async () => {
    await target?.stop();
    await stopAndRemove(target?.snag);
  });
  return () => target!;
}

export async function startFuzzTarget(
  env: Record<string, string> = {},
  options: {
    /** Answers this surface may also give (/mcp: 405, 406; API writes: 201, 204, 208, 409). */
    extraStatuses?: readonly number[];
  } = {},
): Promise<FuzzTarget> {
  const allowed = new Set([...ALLOWED_STATUSES, ...(options.extraStatuses ?? [])]);
  const snag = await startSnag({ env: { SNAG_LOG_LEVEL: 'warn', ...env } });
  let peak = 0;
  const pid = snag.proc.pid!;
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // The process is gone: the health check reports it.
    }
  };
  const sampler = setInterval(sample, 50);
  const health = () => getJson<HealthSnapshot>(`${snag.url}/_health`);

  return {
    snag,
    peakRssBytes: () => peak,

    async send(request, where) {
      // GETs write nothing: only ingest requests need the counters compared.
      const before = request.method === 'GET' ? undefined : await health();
      let res: RawResponse;
      try {
        res = await postRaw(
          snag.url,
          request.path,
          request.body ?? Buffer.alloc(0),
          request.headers ?? {},
          request.method ?? 'POST',
        );
      } catch (err) {
        // A refusal decided before the body is read (past the raw cap, an unknown Content-Encoding)
        // is answered at once, and the socket may close while a large body is still being written
        // (EPIPE here). That is a refusal: the server must be up and have kept nothing.
        const early =
          (request.body?.length ?? 0) > EARLY_ANSWER_MIN_BYTES && /EPIPE|ECONNRESET/.test(String(err));
        if (!early || !before) throw new Error(`${where}: request failed: ${String(err)}`);
        const after = await health();
        expect(after.items_accepted, `${where}: a refused request changed the accepted counters`).toEqual(
          before.items_accepted,
        );
        return undefined;
      }
      if (!allowed.has(res.status)) {
        throw new Error(
          `${where}: ${request.method ?? 'POST'} ${request.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 500)}` +
            `\nbody: ${(request.body ?? Buffer.alloc(0)).subarray(0, 500).toString()}` +
            `\nserver output:\n${snag.output().slice(-2000)}`,
        );
      }
      if (before && res.status >= 400) {
        const after = await health();
        expect(after.items_accepted, `${where}: a ${res.status} changed the accepted counters`).toEqual(
          before.items_accepted,
        );
        expect(after.items_dropped, `${where}: a ${res.status} changed the dropped counters`).toEqual(
          before.items_dropped,
        );
      }
      sample();
      expect(peak, `${where}: server RSS ${Math.round(peak / 1048576)} MB is over the cap`).toBeLessThan(
        RSS_CAP_BYTES,
      );
      return res;
    },

    async finish(where) {
      const drained = await waitFor(
        async () => {
          const h = await health();
          return h.queue_depth === 0 ? h : null;
        },
        60_000,
        `${where}: the queue to drain`,
      ).catch((err: Error) => {
        err.message += `\nstill queued: ${JSON.stringify(readQueued(snag.dataDir))}\nserver output:\n${snag.output().slice(-3000)}`;
        throw err;
      });
      // Settle: the last batch's counters are written with its cursor, the depth drops after.
      await new Promise((r) => setTimeout(r, 200));
      const h = await health();
      expect(h.queue_depth).toBe(0);
      const parked = readParked(snag.dataDir);
      const accepted = h.items_accepted['event'] ?? 0;
      expect(
        h.event_count + h.invalid_events + h.duplicate_events + parked.errors.length,
        `${where}: accepted error events not all accounted for (${JSON.stringify(drained)})`,
      ).toBe(accepted);

      const event = sdkEvent({ message: 'known good after fuzzing' });
      const ok = await postRaw(
        snag.url,
        `/api/${snag.projectId}/envelope/?sentry_key=${snag.publicKey}`,
        eventEnvelope(event),
      );
      expect(ok.status, `${where}: the known-good event was refused: ${ok.text}`).toBe(200);
      await waitFor(
        async () =>
          (await fetch(`${snag.url}/api/v1/projects/${snag.projectId}/events/${String(event['event_id'])}`))
            .ok,
        15_000,
        `${where}: the known-good event to be queryable`,
      ).catch(async (err: Error) => {
        const url = `${snag.url}/api/v1/projects/${snag.projectId}/events/${String(event['event_id'])}`;
        const last = await fetch(url);
        err.message += `\nGET ${url} → ${last.status} ${(await last.text()).slice(0, 500)}\nhealth now: ${JSON.stringify(await health())}\nserver output:\n${snag.output().slice(-3000)}`;
        throw err;
      });
      // Per-type counters are memory too: a client inventing item types must not grow them.
      expect(Object.keys(h.items_accepted).length).toBeLessThanOrEqual(65);
      expect(Object.keys(h.items_dropped).length).toBeLessThanOrEqual(65);
      const out = snag.output();
      expect(out, `${where}: a digest thread died`).not.toContain('digest worker exited');
      expect(out, `${where}: a request failed with a 500`).not.toMatch(/unhandled error|request failed/);
      const all = [...parked.errors, ...parked.transactions, ...parked.logs];
      expect(all, `${where}: jobs parked (digest threw on them): ${all.slice(0, 3).join('\n---\n')}`).toEqual(
        [],
      );
      expect(snag.proc.exitCode).toBeNull();
    },

    async stop() {
      clearInterval(sampler);
    },
  };
}

function readQueued(dataDir: string): unknown[] {
  const db = new Database(path.join(dataDir, 'queue.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, kind, meta, length(payload) AS bytes FROM jobs ORDER BY id LIMIT 5').all();
  } finally {
    db.close();
  }
}

/** Parked jobs' errors per database, read from the files (read-only, beside the running server). */
function readParked(dataDir: string): { errors: string[]; transactions: string[]; logs: string[] } {
  const read = (file: string) => {
    const p = path.join(dataDir, file);
    if (!fs.existsSync(p)) return [];
    const db = new Database(p, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT error FROM parked_jobs').all() as { error: string }[]).map((r) => r.error);
    } finally {
      db.close();
    }
  };
  return { errors: read('errors.db'), transactions: read('transactions.db'), logs: read('logs.db') };
}

/** An iteration slower than this is printed: a slow request is a finding too. */
const SLOW_ITERATION_MS = 1000;

/** Runs `iterations` cases; a failure is rethrown with the seed and the way to replay it. */
export async function runFuzz(
  name: string,
  settings: { iterations: number; seed: number },
  step: (iteration: number, where: string) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < settings.iterations; i++) {
    const where = `[fuzz ${name} seed=${settings.seed} iteration=${i}]`;
    const started = Date.now();
    try {
      await step(i, where);
      const ms = Date.now() - started;
      if (ms > SLOW_ITERATION_MS) console.log(`${where} took ${ms} ms`);
    } catch (err) {
      const replay = `replay: SNAG_FUZZ_SEED=${settings.seed} SNAG_FUZZ_ITERATIONS=${settings.iterations} npx vitest run test/integration/fuzz-${name}.test.ts`;
      (err as Error).message = `${where} ${(err as Error).message}\n${replay}`;
      throw err;
    }
  }
}
