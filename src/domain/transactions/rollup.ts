/**
 * Folding transactions into endpoint rollups: one delta per (project, resolution, bucket,
 * endpoint, environment, release) per batch, with a sketch of the batch's durations, so the
 * database sees one upsert per key instead of one per transaction. Each transaction also goes
 * into its endpoint's total over all environments and releases (environment and release ''), which
 * the views without those filters read: a sixth of the rows on the bench's 2 × 3 keys.
 *
 * Four resolutions, each the chart bucket of some view so a range reads whole rows of it
 * (rollup-reads.ts): 5 minutes (the 1 h and 6 h views, kept two days), hourly (24 h), 6-hourly (7 d)
 * and daily (30 d), the last three kept as long as rollups are. The 30-day overview read ~211,000
 * hourly rows on the bench; its daily totals are 1,500 (docs/benchmarks.md, APM).
 */
import type { RollupDelta } from '../../storage/index.js';
import { LatencySketch } from './latency-sketch.js';
import type { Breakdown, TransactionRecord } from './types.js';

export const ROLLUP_RESOLUTIONS_MINUTES = [5, 60, 360, 1440] as const;
/** The environment (and release) of an endpoint-total row; a transaction's is never empty. */
export const TOTAL_KEY = '';
/** How long 5-minute rollups are kept: the 6 h view plus a day of margin. */
export const FINE_ROLLUP_RETENTION_MS = 2 * 24 * 3_600_000;

/** A rollup delta while the batch is folded: the sketch still live, encoded when written. */
export type RollupFold = Omit<RollupDelta, 'sketch'> & { sketch: LatencySketch };

export const bucketOf = (ms: number, minutes: number) => Math.floor(ms / (minutes * 60_000));

export function emptyBreakdown(): Breakdown {
  return { db: 0, view: 0, http: 0, cache: 0, queue: 0, other: 0 };
}

export class RollupAccumulator {
  private readonly byKey = new Map<string, RollupFold>();

  private foldsFor(t: TransactionRecord): RollupFold[] {
    const folds: RollupFold[] = [];
    for (const minutes of ROLLUP_RESOLUTIONS_MINUTES) {
      folds.push(this.foldFor(t, minutes, t.environment, t.release ?? ''));
      folds.push(this.foldFor(t, minutes, TOTAL_KEY, TOTAL_KEY));
    }
    return folds;
  }

  private foldFor(t: TransactionRecord, minutes: number, environment: string, release: string): RollupFold {
    const bucket = bucketOf(t.end, minutes);
    const key = `${t.projectId}\u0000${minutes}\u0000${bucket}\u0000${t.name}\u0000${environment}\u0000${release}`;
    let f = this.byKey.get(key);
    if (!f) {
      f = {
        projectId: t.projectId,
        minutes,
        bucket,
        name: t.name,
        environment,
        release,
        op: t.op,
        count: 0,
        errors: 0,
        sumMs: 0,
        minMs: t.durationMs,
        maxMs: t.durationMs,
        breakdown: emptyBreakdown(),
        queries: 0,
        maxQueries: 0,
        nPlusOneCount: 0,
        nPlusOneMs: 0,
        sketch: new LatencySketch(),
      };
      this.byKey.set(key, f);
    }
    return f;
  }

  /** A newly stored transaction. */
  add(t: TransactionRecord): void {
    for (const f of this.foldsFor(t)) addTo(f, t);
  }

  /**
   * A stored transaction changed by late spans: its breakdown, queries and N+1 figures move by the
   * difference. Its count and duration sketch stay as first recorded (a sketch cannot forget a
   * value); a late root only changes the duration of a segment that was finalized as an orphan.
   */
  replace(before: TransactionRecord, after: TransactionRecord): void {
    if (
      bucketOf(before.end, 5) !== bucketOf(after.end, 5) ||
      before.name !== after.name ||
      before.environment !== after.environment ||
      before.release !== after.release
    ) {
      // The key moved (an orphan got its real root): count the new shape, keep the old one.
      this.add(after);
      return;
    }
    for (const f of this.foldsFor(after)) {
      addBreakdown(f.breakdown, after.breakdown, 1);
      addBreakdown(f.breakdown, before.breakdown, -1);
      f.queries += after.queryCount - before.queryCount;
      f.maxQueries = Math.max(f.maxQueries, after.queryCount);
      f.nPlusOneCount += Number(after.nPlusOne) - Number(before.nPlusOne);
      f.nPlusOneMs += after.nPlusOneMs - before.nPlusOneMs;
      if (after.isError && !before.isError) f.errors++;
    }
  }

  folds(): RollupFold[] {
    return [...this.byKey.values()];
  }
}

function addTo(f: RollupFold, t: TransactionRecord): void {
  f.op = t.op;
  f.count++;
  if (t.isError) f.errors++;
  f.sumMs += t.durationMs;
  f.minMs = Math.min(f.minMs, t.durationMs);
  f.maxMs = Math.max(f.maxMs, t.durationMs);
  addBreakdown(f.breakdown, t.breakdown, 1);
  f.queries += t.queryCount;
  f.maxQueries = Math.max(f.maxQueries, t.queryCount);
  if (t.nPlusOne) f.nPlusOneCount++;
  f.nPlusOneMs += t.nPlusOneMs;
  f.sketch.add(t.durationMs);
}

function addBreakdown(into: Breakdown, b: Breakdown, sign: 1 | -1): void {
  into.db += sign * b.db;
  into.view += sign * b.view;
  into.http += sign * b.http;
  into.cache += sign * b.cache;
  into.queue += sign * b.queue;
  into.other += sign * b.other;
}
