/**
 * Which rollup rows answer a time range: the coarsest that cover it exactly. Whole days of a
 * 30-day range come from daily rows, the hours at its edges (a range starting mid-day) from hourly
 * ones; a view with a chart only uses resolutions that fit its chart buckets, so each row lands in
 * one point. Without an environment or release filter the endpoint totals are read (rollup.ts).
 *
 * Sums over any of these plans are the same numbers (a daily row is the sum of its hours) and the
 * percentiles the same too: a sketch's bins hold whole counts, so merging hours then days or days
 * at once gives the same bins.
 *
 * After an upgrade, resolutions that did not exist yet are rebuilt from hourly rows a slice at a
 * time (rollup-backfill.ts); until one is done, plans use the finer ones, as before it existed.
 */
import type { RollupRow, TransactionsStore } from '../../storage/index.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Kept as long as rollups are, coarsest first; 5-minute rows serve only the 1 h and 6 h views. */
export const LONG_LIVED_MINUTES = [1440, 360, 60] as const;
export const FINE_MINUTES = 5;

export interface RollupSpan {
  minutes: number;
  fromBucket: number;
  /** Exclusive. */
  toBucket: number;
}

export interface RollupRange {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** 5 for the short views (kept two days), else 60: the finest rows the range may need. */
  finest: number;
  /** The chart bucket in minutes, when the rows feed a chart: no row may straddle two points. */
  chartMinutes?: number;
}

export interface RollupKeyFilter {
  name?: string;
  environment?: string;
  release?: string;
}

type RollupStore = Pick<
  TransactionsStore,
  'rollups' | 'countRollups' | 'rollupBackfills' | 'rollupBucketBounds' | 'rollupsOfAllProjects'
>;

/**
 * [from, to) as spans of `levels` (coarsest first): the first level for the whole buckets inside,
 * the next ones for what is left at either edge, the last one rounded outward to its buckets.
 */
export function planRollupSpans(from: number, to: number, levels: readonly number[]): RollupSpan[] {
  const [minutes, ...finer] = levels;
  if (minutes === undefined || !(to > from)) return [];
  const width = minutes * MINUTE_MS;
  if (finer.length === 0) {
    return [{ minutes, fromBucket: Math.floor(from / width), toBucket: Math.floor((to - 1) / width) + 1 }];
  }
  const first = Math.ceil(from / width);
  const end = Math.floor(to / width);
  if (first >= end) return planRollupSpans(from, to, finer);
  return [
    ...planRollupSpans(from, first * width, finer),
    { minutes, fromBucket: first, toBucket: end },
    ...planRollupSpans(end * width, to, finer),
  ];
}

export function createRollupReader(store: RollupStore) {
  /** Resolutions whose rows (per key and totals) are not all there yet. */
  const rebuilding = () => new Set(store.rollupBackfills().map((b) => b.minutes));

  function plan(range: RollupRange, incomplete: Set<number>): RollupSpan[] {
    if (range.finest === FINE_MINUTES) return planRollupSpans(range.from, range.to, [FINE_MINUTES]);
    // Hourly rows per key are where every other resolution comes from: always complete.
    const levels = LONG_LIVED_MINUTES.filter(
      (m) =>
        (m === 60 || !incomplete.has(m)) &&
        (range.chartMinutes === undefined || range.chartMinutes % m === 0),
    );
    return planRollupSpans(range.from, range.to, levels);
  }

  /** Totals answer a query without environment and release filters, once their resolution is complete. */
  const readsTotals = (f: RollupKeyFilter, minutes: number, incomplete: Set<number>) =>
    f.environment === undefined && f.release === undefined && !incomplete.has(minutes);

  function filters(projectId: number, range: RollupRange, f: RollupKeyFilter) {
    const incomplete = rebuilding();
    return plan(range, incomplete).map((span) => ({
      projectId,
      ...span,
      ...f,
      total: readsTotals(f, span.minutes, incomplete),
    }));
  }

  return {
    /** The rows covering `range` for one project, oldest span first. */
    read(projectId: number, range: RollupRange, f: RollupKeyFilter = {}): RollupRow[] {
      let rows: RollupRow[] = [];
      for (const q of filters(projectId, range, f)) rows = rows.concat(store.rollups(q));
      return rows;
    },

    /** How many rows `read` would return. */
    count(projectId: number, range: RollupRange, f: RollupKeyFilter = {}): number {
      let n = 0;
      for (const q of filters(projectId, range, f)) n += store.countRollups(q);
      return n;
    },

    /** Endpoint totals of every project over `range` (no chart). */
    readAllProjects(range: RollupRange): RollupRow[] {
      const incomplete = rebuilding();
      let rows: RollupRow[] = [];
      for (const span of plan(range, incomplete)) {
        const total = !incomplete.has(span.minutes);
        rows = rows.concat(store.rollupsOfAllProjects({ ...span, total }));
      }
      return rows;
    },

    /**
     * The first and last hour (as [from, to) in ms) that `rows` (read with `f`) have data in: a
     * daily or 6-hourly row at either end is narrowed down to its hourly rows, so the answer is
     * the one hourly rows give.
     */
    hourExtent(
      projectId: number,
      rows: RollupRow[],
      f: RollupKeyFilter,
    ): { from: number; to: number } | null {
      let first: RollupRow | undefined;
      let last: RollupRow | undefined;
      for (const r of rows) {
        if (!first || startOf(r) < startOf(first)) first = r;
        if (!last || endOf(r) > endOf(last)) last = r;
      }
      if (!first || !last) return null;
      const hours = (r: RollupRow) =>
        r.minutes <= 60
          ? { first: Math.floor(startOf(r) / HOUR_MS), last: Math.ceil(endOf(r) / HOUR_MS) - 1 }
          : store.rollupBucketBounds({
              projectId,
              minutes: 60,
              fromBucket: startOf(r) / HOUR_MS,
              toBucket: endOf(r) / HOUR_MS,
              ...f,
            });
      const from = hours(first)?.first ?? startOf(first) / HOUR_MS;
      const to = (hours(last)?.last ?? endOf(last) / HOUR_MS - 1) + 1;
      return { from: from * HOUR_MS, to: to * HOUR_MS };
    },
  };
}

export type RollupReader = ReturnType<typeof createRollupReader>;

const startOf = (r: RollupRow) => r.bucket * r.minutes * MINUTE_MS;
const endOf = (r: RollupRow) => (r.bucket + 1) * r.minutes * MINUTE_MS;
