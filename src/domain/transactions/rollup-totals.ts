/**
 * Running totals of rollup rows, with their sketches merged: what every statistic of the
 * performance views is computed from. Every percentile comes from `sketch`.
 */
import type { RollupRow } from '../../storage/index.js';
import { LatencySketch } from './latency-sketch.js';
import { emptyBreakdown } from './rollup.js';
import type { Breakdown, LatencyStats } from './views.js';

export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

export class RollupTotals {
  count = 0;
  errors = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = -Infinity;
  queries = 0;
  maxQueries = 0;
  nPlusOneCount = 0;
  nPlusOneMs = 0;
  breakdown: Breakdown = emptyBreakdown();
  sketch = new LatencySketch();
  op = '';

  add(r: RollupRow): void {
    this.addCounts(r);
    this.sketch.mergeEncoded(r.sketch);
  }

  /**
   * Everything of the row but its sketch, for callers that merge sketches per chart point first and
   * then the points into these totals (`sketch.merge`): one decode per row instead of three.
   */
  addCounts(r: RollupRow): void {
    this.count += r.count;
    this.errors += r.errors;
    this.sumMs += r.sum_ms;
    if (r.count > 0) {
      this.minMs = Math.min(this.minMs, r.min_ms);
      this.maxMs = Math.max(this.maxMs, r.max_ms);
    }
    this.queries += r.queries;
    this.maxQueries = Math.max(this.maxQueries, r.max_queries);
    this.nPlusOneCount += r.n_plus_one_count;
    this.nPlusOneMs += r.n_plus_one_ms;
    this.breakdown.db += r.db_ms;
    this.breakdown.view += r.view_ms;
    this.breakdown.http += r.http_ms;
    this.breakdown.cache += r.cache_ms;
    this.breakdown.queue += r.queue_ms;
    this.breakdown.other += r.other_ms;
    this.op = r.op;
  }

  stats(minutes: number): LatencyStats {
    const q = (p: number) => (this.count > 0 ? round(this.sketch.quantile(p) ?? 0) : null);
    return {
      count: this.count,
      throughput_per_minute: round(this.count / Math.max(minutes, 1)),
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      avg: this.count > 0 ? round(this.sumMs / this.count) : null,
      min: this.count > 0 ? round(this.minMs) : null,
      max: this.count > 0 ? round(this.maxMs) : null,
      error_rate: this.count > 0 ? round(this.errors / this.count, 4) : 0,
    };
  }

  averageBreakdown(): Breakdown {
    const b = emptyBreakdown();
    if (this.count === 0) return b;
    for (const k of Object.keys(b) as (keyof Breakdown)[]) b[k] = round(this.breakdown[k] / this.count);
    return b;
  }
}
