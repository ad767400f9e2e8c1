/**
 * What the performance tools share: the project and time window resolved to a service filter,
 * the window narrowed when it holds more rollup rows than one call can read in its time budget,
 * and the schemas of latency statistics and transaction rows.
 */
import { z } from 'zod';
import type { PerformanceFilter } from '../../../domain/transactions/performance-service.js';
import type { TransactionSummary } from '../../../domain/transactions/views.js';
import { MAX_WINDOW_HOURS } from '../../args.js';
import type { ToolContext } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { formatMs } from '../../format.js';
import { resolveProject } from '../../resolve-project.js';
import { HOUR_MS, resolveWindow, type WindowArgs } from '../../time-window.js';

/**
 * Rollup rows one call reads at most. docs/benchmarks.md measured the 30-day overview at 7,079 ms
 * for 211,200 rows (~34 µs a row, sketch merges included): 60,000 rows is ~2 s, inside the 3 s
 * tool budget with room for the rest of the call.
 */
export const MAX_ROLLUP_ROWS = 60_000;
const NARROWING_ROUNDS = 3;

export const windowSchema = z
  .object({ from: z.string(), to: z.string() })
  .describe('The window the answer covers, aligned outward to whole rollup buckets.');

/** The covered window as reported: aligned buckets can end in the future, where nothing is stored. */
export function coveredWindow(ctx: ToolContext, from: string | number, to: string | number) {
  const end = Math.min(typeof to === 'number' ? to : Date.parse(to), ctx.now);
  return { from: new Date(from).toISOString(), to: new Date(end).toISOString() };
}

export const latencySchema = z.object({
  count: z.number(),
  throughput_per_minute: z.number(),
  p50: z.number().nullable().describe('ms, from merged DDSketches (±1 %).'),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  avg: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  error_rate: z.number().describe('0–1: share of transactions that failed (5xx or failed span status).'),
});

export const transactionRow = z.object({
  id: z.string().describe('Transaction id (root span id): pass to get_transaction / get_transaction_spans.'),
  trace_id: z.string(),
  name: z.string(),
  timestamp: z.string(),
  duration_ms: z.number(),
  status: z.string(),
  http_method: z.string().nullable(),
  http_status: z.number().nullable(),
  environment: z.string(),
  release: z.string().nullable(),
  query_count: z.number(),
  n_plus_one: z.boolean(),
  db_ms: z.number(),
});

export function transactionRowOf(t: TransactionSummary): z.infer<typeof transactionRow> {
  return {
    id: t.id,
    trace_id: t.trace_id,
    name: t.name,
    timestamp: t.timestamp,
    duration_ms: t.duration_ms,
    status: t.status,
    http_method: t.http_method,
    http_status: t.http_status,
    environment: t.environment,
    release: t.release,
    query_count: t.query_count,
    n_plus_one: t.n_plus_one,
    db_ms: t.breakdown.db,
  };
}

export function formatTransactionLine(t: z.infer<typeof transactionRow>): string {
  return `- ${t.id} ${inline(t.name, 120)} ${formatMs(t.duration_ms)}, ${t.http_status ?? t.status}, ${t.query_count} queries${t.n_plus_one ? ' (N+1)' : ''}, ${t.timestamp}, trace ${t.trace_id}`;
}

export function projectSlug(ctx: ToolContext, ref: string | number | undefined): string {
  return resolveProject(ctx.deps.projects.listProjects(), ref).slug;
}

/**
 * The window as a service filter. When the rollups it covers exceed MAX_ROLLUP_ROWS, the start
 * moves later (keeping the most recent part) and the answer is marked partial. Tools reading raw
 * transactions instead (`readsRollups: false`) bound their work with row caps.
 */
export function performanceFilter(
  ctx: ToolContext,
  slug: string,
  args: WindowArgs & { environment?: string; release?: string },
  options: { name?: string; buckets?: number; readsRollups?: boolean } = {},
): PerformanceFilter & { window: NonNullable<PerformanceFilter['window']> } {
  const w = resolveWindow(args, { now: ctx.now, maxHours: MAX_WINDOW_HOURS, what: 'performance data' });
  w.notes.forEach(ctx.note);
  const f = {
    window: { from: w.from, to: w.to, buckets: options.buckets },
    environment: args.environment,
    release: args.release,
  };
  if (options.readsRollups !== false) {
    const { from, rows } = narrowToRowCap(
      f.window,
      (start) =>
        ctx.deps.performance.rollupRowCount(slug, {
          ...f,
          window: { ...f.window, from: start },
          name: options.name,
        }),
      MAX_ROLLUP_ROWS,
    );
    if (from > f.window.from) {
      f.window.from = from;
      ctx.partial(
        `The window holds ${rows.toLocaleString('en-US')} rollup rows, more than one call reads within its time budget (${MAX_ROLLUP_ROWS.toLocaleString('en-US')}): only its most recent part is covered (see window). Name an endpoint or environment, or ask about a shorter window, for the rest.`,
      );
    }
  }
  return f;
}

/**
 * The latest start (whole hours back from `to`) at which a window holds at most `cap` rows,
 * assuming rows spread evenly; re-counted after each step, since traffic rarely is even. Returns
 * the window's own start when it fits, and the row count of the full window.
 */
export function narrowToRowCap(
  window: { from: number; to: number },
  countRows: (from: number) => number,
  cap: number,
): { from: number; rows: number } {
  const rows = countRows(window.from);
  let from = window.from;
  let count = rows;
  for (let round = 0; round < NARROWING_ROUNDS && count > cap; round++) {
    const span = window.to - from;
    const narrowed = Math.max(HOUR_MS, Math.floor((span * cap) / count / HOUR_MS) * HOUR_MS);
    if (narrowed >= span) break;
    from = window.to - narrowed;
    count = countRows(from);
  }
  return { from, rows };
}
