/**
 * After an upgrade, the resolutions and endpoint totals that did not exist (rollup.ts) are rebuilt
 * for the data written before them, by the worker, one slice per call between batches so ingest
 * never waits long. Readers use finer rows for a resolution until it is complete (rollup-reads.ts).
 *
 * Sources: hourly and 5-minute rows per key are always complete (their totals are what is new);
 * 6-hourly rows come from hourly ones, daily rows from 6-hourly ones once those are complete (a
 * quarter of the rows to read), else from hourly ones.
 */
import type { TransactionsDigestStore } from '../../storage/index.js';

/**
 * Hours of source rows per slice (two hours of 5-minute ones): a day of hourly rows is 7,200 rows
 * on the bench's 50 endpoints × 6 keys, rebuilt in 0.1–0.3 s on the busy 2-vCPU box, the whole
 * month in 7–14 s (docs/benchmarks.md, APM).
 */
const SOURCE_HOURS_PER_SLICE = 24;

/** Rebuilds one slice if any is left; false when there was nothing to do. */
export function advanceRollupBackfill(
  store: Pick<TransactionsDigestStore, 'rollupBackfills' | 'rebuildRollups'>,
): boolean {
  const pending = store.rollupBackfills();
  const incomplete = new Set(pending.map((b) => b.minutes));
  // 6-hourly before daily: the daily rows are then summed from them.
  const next = pending.find((b) => b.minutes === 360) ?? pending[0];
  if (!next) return false;
  const sourceMinutes =
    next.minutes <= 60 ? next.minutes : next.minutes === 1440 && !incomplete.has(360) ? 360 : 60;
  const sourceHours = next.minutes === 5 ? SOURCE_HOURS_PER_SLICE / 12 : SOURCE_HOURS_PER_SLICE;
  const slice = Math.max(1, (sourceHours * 60) / next.minutes);
  store.rebuildRollups(
    {
      minutes: next.minutes,
      sourceMinutes,
      fromBucket: next.nextBucket,
      toBucket: Math.min(next.nextBucket + slice, next.lastBucket + 1),
      keys: next.minutes > 60,
    },
    next.lastBucket,
  );
  return true;
}
