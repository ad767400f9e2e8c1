/**
 * The parts get_trace joins on one timeline, one collector each: transactions (with a summary of
 * their spans), error events and logs. A collector reads one project's share of the trace and
 * returns its rows plus their timeline entries; get_trace runs each over the projects within its
 * time budget. A new part is one more collector here, a schema field and a line in get-trace.ts.
 */
import { z } from 'zod';
import type { ProjectView } from '../../../domain/projects/service.js';
import type { ToolContext } from '../../define-tool.js';
import { sanitize, truncate } from '../../fence.js';
import { logRow, logRowOf } from '../logs/log-parts.js';
import { transactionRow, transactionRowOf } from '../performance/perf-common.js';

/** Transactions of one trace whose spans are summarised (each one decompresses a payload). */
const MAX_SUMMARISED_TRANSACTIONS = 20;
const MAX_TRACE_ERRORS = 50;
const TOP_OPS = 5;
/** Logs of one trace per project on the timeline; get_trace_logs lists up to 500. */
const MAX_TRACE_TIMELINE_LOGS = 100;
/** Characters of a log body in a timeline label. */
const LOG_LABEL_CHARS = 300;

export const timelineEntry = z.object({
  at: z.string().describe('ISO time: a transaction’s start, an event’s or a log’s timestamp.'),
  kind: z.string().describe('transaction, error or log.'),
  project: z.string(),
  id: z.string().describe('Transaction id, event id or log id.'),
  label: z.string(),
  duration_ms: z.number().nullable(),
});

export type TimelineEntry = z.infer<typeof timelineEntry>;

/**
 * Epoch ms of an ISO time, fraction kept: logs carry microseconds (requests often log several
 * lines in one millisecond), which Date.parse drops and which string order gets wrong against the
 * millisecond times of transactions and events.
 */
export function msOf(iso: string): number {
  const extra = /\.\d{3}(\d+)Z$/.exec(iso)?.[1];
  return Date.parse(iso) + (extra ? Number(`0.${extra}`) : 0);
}

export const traceTransaction = transactionRow.extend({
  project: z.string(),
  start: z.string(),
  span_count: z.number().nullable().describe('null when the spans were not summarised (budget, cap).'),
  top_ops: z.array(z.object({ op: z.string(), count: z.number(), total_ms: z.number() })),
});

export const traceError = z.object({
  event_id: z.string(),
  issue_id: z.number(),
  project: z.string(),
  title: z.string(),
  level: z.string(),
  timestamp: z.string(),
  transaction: z.string().nullable(),
});

export const traceLog = logRow.omit({ trace_id: true });

export function collectTransactions(
  ctx: ToolContext,
  p: ProjectView,
  traceId: string,
  alreadySummarised: number,
) {
  const perf = ctx.deps.performance;
  const rows: z.infer<typeof traceTransaction>[] = [];
  let summarised = alreadySummarised;
  for (const t of perf.traceTransactions(p.slug, traceId)) {
    let spanCount: number | null = null;
    let topOps: { op: string; count: number; total_ms: number }[] = [];
    let start = t.timestamp;
    if (summarised < MAX_SUMMARISED_TRANSACTIONS && !ctx.budget.exceeded()) {
      const d = perf.detail(p.slug, t.id);
      summarised++;
      start = d.start;
      spanCount = d.spans.length;
      const ops = new Map<string, { count: number; total: number }>();
      for (const s of d.spans) {
        const o = ops.get(s.op) ?? { count: 0, total: 0 };
        ops.set(s.op, { count: o.count + 1, total: o.total + (s.end - s.start) });
      }
      topOps = [...ops]
        .map(([op, o]) => ({ op, count: o.count, total_ms: Math.round(o.total * 1000) / 1000 }))
        .sort((a, b) => b.total_ms - a.total_ms)
        .slice(0, TOP_OPS);
    } else {
      ctx.partial(
        'Spans of some transactions were not summarised (cap or time budget): use get_transaction_spans on them.',
      );
    }
    rows.push({ ...transactionRowOf(t), project: p.slug, start, span_count: spanCount, top_ops: topOps });
  }
  const timeline: TimelineEntry[] = rows.map((t) => ({
    at: t.start,
    kind: 'transaction',
    project: p.slug,
    id: t.id,
    label: `${t.name} → ${t.http_status ?? t.status}`,
    duration_ms: t.duration_ms,
  }));
  return { rows, timeline, summarised };
}

export function collectErrors(ctx: ToolContext, p: ProjectView, traceId: string) {
  const rows = ctx.deps.issues.listTraceEvents(p.id, traceId, MAX_TRACE_ERRORS).map((e) => ({
    event_id: e.event_id,
    issue_id: e.issue_id,
    project: p.slug,
    title: e.title,
    level: e.level,
    timestamp: e.timestamp,
    transaction: e.transaction,
  }));
  const timeline: TimelineEntry[] = rows.map((e) => ({
    at: e.timestamp,
    kind: 'error',
    project: p.slug,
    id: e.event_id,
    label: `issue #${e.issue_id}: ${e.title}`,
    duration_ms: null,
  }));
  return { rows, timeline };
}

export function collectLogs(ctx: ToolContext, p: ProjectView, traceId: string) {
  const list = ctx.deps.logs.ofTrace(p.slug, traceId, MAX_TRACE_TIMELINE_LOGS);
  const total = list.total ?? list.logs.length;
  if (total > list.logs.length)
    ctx.note(
      `Trace has ${total} logs in ${p.slug}; the first ${list.logs.length} are shown: get_trace_logs lists up to 500.`,
    );
  const rows: z.infer<typeof traceLog>[] = list.logs.map((l) => {
    const { trace_id: _traceId, ...row } = logRowOf(l, p.slug);
    return row;
  });
  const timeline: TimelineEntry[] = rows.map((l) => ({
    at: l.timestamp,
    kind: 'log',
    project: p.slug,
    id: l.log_id,
    label: `${l.level}: ${truncate(sanitize(l.body).replace(/\s+/g, ' '), LOG_LABEL_CHARS)}`,
    duration_ms: null,
  }));
  return { rows, timeline };
}
