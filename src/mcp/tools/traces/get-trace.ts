import { z } from 'zod';
import { notFound } from '../../../errors.js';
import { normalizeHexId, projectFilterArg, traceIdArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { fence, inline } from '../../fence.js';
import { formatMs } from '../../format.js';
import { resolveProjects } from '../../resolve-project.js';
import {
  collectErrors,
  collectLogs,
  collectTransactions,
  msOf,
  timelineEntry,
  traceError,
  traceLog,
  traceTransaction,
  type TimelineEntry,
} from './trace-parts.js';

export const getTrace = defineTool({
  name: 'get_trace',
  title: 'Get a trace',
  description:
    'Everything Snag has for one trace (one request across services), on one timeline: its transactions with a summary of their spans, the error events raised in it and the logs written during it. Trace ids come from get_event, get_issue, the transaction tools and search_logs.',
  kind: 'read',
  untrusted: true,
  input: {
    trace_id: traceIdArg.describe('Trace id: 32 hex digits (required).'),
    project: projectFilterArg,
  },
  output: {
    trace_id: z.string(),
    projects: z.array(z.string()).describe('Projects the trace was found in.'),
    start: z.string().nullable(),
    duration_ms: z.number().nullable().describe('From the first entry to the end of the last transaction.'),
    transactions: z.array(traceTransaction),
    errors: z.array(traceError),
    logs: z
      .array(traceLog)
      .describe('Logs of the trace, oldest first (the first 100 per project; get_trace_logs lists more).'),
    timeline: z.array(timelineEntry).describe('Every entry, oldest first.'),
  },
  run(args, ctx) {
    const traceId = normalizeHexId(args.trace_id);
    const projects = resolveProjects(ctx.deps.projects.listProjects(), args.project);
    const transactions: z.infer<typeof traceTransaction>[] = [];
    const errors: z.infer<typeof traceError>[] = [];
    const logs: z.infer<typeof traceLog>[] = [];
    const timeline: TimelineEntry[] = [];
    const found = new Set<string>();
    let summarised = 0;
    for (const p of projects) {
      if (ctx.budget.exceeded()) {
        ctx.partial('Time budget spent before every project was searched: pass project to search one.');
        break;
      }
      const tx = collectTransactions(ctx, p, traceId, summarised);
      summarised = tx.summarised;
      const ev = collectErrors(ctx, p, traceId);
      const lg = collectLogs(ctx, p, traceId);
      if (tx.rows.length + ev.rows.length + lg.rows.length > 0) found.add(p.slug);
      transactions.push(...tx.rows);
      errors.push(...ev.rows);
      logs.push(...lg.rows);
      timeline.push(...tx.timeline, ...ev.timeline, ...lg.timeline);
    }
    if (timeline.length === 0)
      throw notFound(
        `Nothing stored for trace ${args.trace_id}${args.project === undefined ? '' : ` in project ${projects[0]!.slug}`}: the SDK may not sample it, or retention removed it. Trace ids come from get_event, search_logs or the transaction tools.`,
      );
    timeline.sort((a, b) => msOf(a.at) - msOf(b.at));
    logs.sort((a, b) => msOf(a.timestamp) - msOf(b.timestamp));
    const start = timeline[0]!.at;
    const end = Math.max(...timeline.map((e) => msOf(e.at) + (e.duration_ms ?? 0)));
    const data = {
      trace_id: traceId,
      projects: [...found],
      start,
      duration_ms: Math.round((end - msOf(start)) * 1000) / 1000,
      transactions,
      errors,
      logs,
      timeline,
    };
    const t0 = msOf(start);
    const lines = timeline.map(
      (e) =>
        `+${formatMs(msOf(e.at) - t0)} ${e.kind} ${e.id}${e.duration_ms === null ? '' : ` (${formatMs(e.duration_ms)})`} [${e.project}] ${e.label.replace(/\s+/g, ' ')}`,
    );
    const text = [
      `Trace ${traceId}: ${transactions.length} transaction(s), ${errors.length} error(s), ${logs.length} log(s), starting ${start}, spanning ${formatMs(data.duration_ms)}.`,
      fence('Timeline (offset from the first entry):', lines.join('\n'), 8_000),
      transactions
        .filter((t) => t.top_ops.length > 0)
        .map(
          (t) =>
            `${t.id} ${inline(t.name, 100)}: ${t.span_count} spans; ${t.top_ops.map((o) => `${inline(o.op, 40)} ×${o.count} ${formatMs(o.total_ms)}`).join(', ')}`,
        )
        .join('\n'),
      'Next: get_transaction / get_transaction_spans on a transaction id, get_event on an event id, get_log on a log id.',
    ]
      .filter(Boolean)
      .join('\n\n');
    return { data, text };
  },
});
