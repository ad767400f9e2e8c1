/**
 * In-process ingest counters: items accepted into the queue and items accepted but dropped (types
 * Snag does not digest yet), per item type, plus a one-minute window of accepted items for rates.
 */
import { JOB_KINDS } from '../queue/jobs.js';

const WINDOW_SECONDS = 60;
/**
 * Item types are whatever the client writes in an item header: past this many distinct names, or
 * for a name longer than MAX_TYPE_NAME_CHARS, they are counted under OTHER_TYPE. Without the cap, a
 * client inventing types grew these maps (and /_health) by one entry per type: 10,108 after 200
 * fuzzed envelopes (docs/reliability.md, fuzzing finding 1). Sentry defines ~25 item types.
 */
const MAX_TRACKED_TYPES = 64;
const MAX_TYPE_NAME_CHARS = 40;
const OTHER_TYPE = 'other';

export function createIngestStats() {
  const accepted = new Map<string, number>();
  const dropped = new Map<string, number>();
  // Ring of per-second counts per type for the last minute.
  const ring = new Map<string, { second: number; counts: number[] }>();

  // The digested kinds are always counted by name, whatever came first.
  const tracked = new Set<string>(Object.values(JOB_KINDS));
  const bump = (m: Map<string, number>, type: string, n: number) => m.set(type, (m.get(type) ?? 0) + n);

  function keyOf(type: string): string {
    if (tracked.has(type)) return type;
    if (tracked.size >= MAX_TRACKED_TYPES || type.length > MAX_TYPE_NAME_CHARS) return OTHER_TYPE;
    tracked.add(type);
    return type;
  }

  function touch(type: string, now: number, n: number): void {
    const second = Math.floor(now / 1000);
    let r = ring.get(type);
    if (!r) ring.set(type, (r = { second, counts: new Array<number>(WINDOW_SECONDS).fill(0) }));
    advance(r, second);
    r.counts[second % WINDOW_SECONDS]! += n;
  }

  function advance(r: { second: number; counts: number[] }, second: number): void {
    for (let s = r.second + 1; s <= second && s - r.second <= WINDOW_SECONDS; s++)
      r.counts[s % WINDOW_SECONDS] = 0;
    if (second > r.second) r.second = second;
  }

  return {
    recordAccepted(type: string, n = 1, now = Date.now()) {
      const key = keyOf(type);
      bump(accepted, key, n);
      touch(key, now, n);
    },
    recordDropped(type: string, n = 1) {
      bump(dropped, keyOf(type), n);
    },
    /** Items of `type` accepted in the last 60 seconds. */
    lastMinute(type: string, now = Date.now()): number {
      const r = ring.get(type);
      if (!r) return 0;
      advance(r, Math.floor(now / 1000));
      return r.counts.reduce((a, b) => a + b, 0);
    },
    snapshot() {
      return { accepted: Object.fromEntries(accepted), dropped: Object.fromEntries(dropped) };
    },
  };
}

export type IngestStats = ReturnType<typeof createIngestStats>;
