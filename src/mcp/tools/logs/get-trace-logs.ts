import { z } from 'zod';
import { limitArg, normalizeHexId, projectFilterArg, traceIdArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { fence } from '../../fence.js';
import { resolveProjects } from '../../resolve-project.js';
import { formatLogLine, logRow, logRowOf, type LogRow } from './log-parts.js';

export const getTraceLogs = defineTool({
  name: 'get_trace_logs',
  title: 'Get the logs of a trace',
  description:
    'Every log written during one trace (one request across services), oldest first, with the total stored: what the code said while handling that request. Not bounded by a time window. Trace ids come from get_event, get_trace, the transaction tools and search_logs; get_trace puts these logs on one timeline with the transactions and errors.',
  kind: 'read',
  untrusted: true,
  input: {
    trace_id: traceIdArg.describe('Trace id: 32 hex digits (required).'),
    project: projectFilterArg,
    limit: limitArg(100, 500),
  },
  output: {
    trace_id: z.string(),
    projects: z.array(z.string()).describe('Projects holding logs of the trace.'),
    total: z.number().describe('Logs of the trace stored (in the projects searched), listed or not.'),
    logs: z.array(logRow).describe('Oldest first.'),
  },
  run(args, ctx) {
    const traceId = normalizeHexId(args.trace_id);
    const projects = resolveProjects(ctx.deps.projects.listProjects(), args.project);
    let logs: LogRow[] = [];
    let total = 0;
    const found: string[] = [];
    for (const p of projects) {
      if (ctx.budget.exceeded()) {
        ctx.partial('Time budget spent before every project was searched: pass project to search one.');
        break;
      }
      const list = ctx.deps.logs.ofTrace(p.slug, traceId, args.limit);
      if (list.logs.length === 0) continue;
      found.push(p.slug);
      total += list.total ?? list.logs.length;
      logs.push(...list.logs.map((l) => logRowOf(l, p.slug)));
    }
    // Microsecond ISO strings of one format: text order is time order.
    logs.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    logs = logs.slice(0, args.limit);
    if (total > logs.length)
      ctx.note(
        `The trace has ${total} logs; the first ${logs.length} are listed. Raise limit (at most 500), or search_logs with query "trace:${traceId}" (newest first, with a cursor) for the rest.`,
      );
    const text =
      logs.length === 0
        ? `No logs stored for trace ${traceId}${args.project === undefined ? '' : ` in project ${projects[0]!.slug}`}. The application may not send logs, or log them outside a span; get_trace shows its transactions and errors.`
        : [
            fence(
              `${logs.length} of ${total} logs of trace ${traceId}, oldest first:`,
              logs.map((l) => formatLogLine(l, { project: projects.length > 1, trace: false })).join('\n'),
              16_000,
            ),
            'Next: get_log on a log_id (attributes, links), get_trace for the transactions and errors on one timeline.',
          ].join('\n\n');
    return { data: { trace_id: traceId, projects: found, total, logs }, text };
  },
});
