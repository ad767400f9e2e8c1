import { z } from 'zod';
import { defineTool } from '../../define-tool.js';
import { capDeep, fence, inline } from '../../fence.js';
import { formatMs } from '../../format.js';
import { transactionRow, transactionRowOf } from '../performance/perf-common.js';
import { findTransaction, transactionRefArgs } from './transaction-ref.js';

const QUERIES = 10;

export const getTransaction = defineTool({
  name: 'get_transaction',
  title: 'Get a transaction',
  description:
    'One request (transaction): duration and where it went (db, view, http, cache, queue, other), HTTP method/URL/status, its SQL patterns with N+1 flags (normalized, no literals), tags, the errors of the same trace, and the other transactions of the trace. get_transaction_spans lists its spans.',
  kind: 'read',
  untrusted: true,
  input: transactionRefArgs,
  output: {
    project: z.string(),
    transaction: transactionRow.extend({
      op: z.string(),
      http_url: z.string().nullable(),
      server_name: z.string().nullable(),
      start: z.string(),
      incomplete: z.boolean(),
      span_count: z.number(),
      spans_truncated: z.boolean(),
    }),
    breakdown: z
      .record(z.string(), z.number())
      .describe('ms per category: db, view, http, cache, queue, other.'),
    queries: z.array(
      z.object({
        sql: z.string(),
        count: z.number(),
        distinct: z.number(),
        total_ms: z.number(),
        n_plus_one: z.boolean(),
        call_site: z.string().nullable(),
      }),
    ),
    n_plus_one_ms: z.number(),
    tags: z.record(z.string(), z.string()),
    user: z.record(z.string(), z.string().nullable()),
    trace_errors: z.array(
      z.object({ event_id: z.string(), issue_id: z.number(), title: z.string(), timestamp: z.string() }),
    ),
    trace_transactions: z.array(transactionRow),
  },
  run(args, ctx) {
    const { slug, detail: t } = findTransaction(ctx, args);
    const data = {
      project: slug,
      transaction: {
        ...transactionRowOf(t),
        op: t.op,
        http_url: t.http_url,
        server_name: t.server_name,
        start: t.start,
        incomplete: t.incomplete,
        span_count: t.spans.length,
        spans_truncated: t.spans_truncated,
      },
      breakdown: { ...t.breakdown },
      queries: t.queries.slice(0, QUERIES).map((q) => ({
        sql: q.pattern,
        count: q.count,
        distinct: q.distinct,
        total_ms: q.total_ms,
        n_plus_one: q.n_plus_one,
        call_site: q.call_site ?? null,
      })),
      n_plus_one_ms: t.n_plus_one_ms,
      tags: capDeep(t.tags, 200, 50, 1) as Record<string, string>,
      user: { ...t.user },
      trace_errors: t.trace_errors.map(({ event_id, issue_id, title, timestamp }) => ({
        event_id,
        issue_id,
        title,
        timestamp,
      })),
      trace_transactions: t.trace_transactions.map(transactionRowOf),
    };
    const b = t.breakdown;
    const text = [
      `## Transaction ${t.id} ${inline(t.name, 120)} (${slug})`,
      `${formatMs(t.duration_ms)} at ${t.timestamp}; ${t.http_method ?? ''} ${inline(t.http_url, 200)} → ${t.http_status ?? t.status}; ${inline(t.environment, 60)}${t.release ? `, ${inline(t.release, 80)}` : ''}; trace ${t.trace_id}.`,
      `Time: db ${formatMs(b.db)}, view ${formatMs(b.view)}, http ${formatMs(b.http)}, cache ${formatMs(b.cache)}, queue ${formatMs(b.queue)}, other ${formatMs(b.other)}. ${t.query_count} queries${t.n_plus_one ? `, N+1 wasting ${formatMs(t.n_plus_one_ms)}` : ''}.`,
      data.queries.length > 0
        ? fence(
            'SQL patterns (normalized), N+1 first then by time:',
            data.queries
              .map(
                (q) =>
                  `${q.n_plus_one ? '[N+1] ' : ''}×${q.count} (${q.distinct} distinct) ${formatMs(q.total_ms)}: ${q.sql}`,
              )
              .join('\n'),
            4_000,
          )
        : '',
      data.trace_errors.length > 0
        ? `Errors in this trace:\n${data.trace_errors.map((e) => `- issue #${e.issue_id} ${inline(e.title)} (event ${e.event_id})`).join('\n')}`
        : '',
      data.trace_transactions.length > 0
        ? `Other transactions of the trace: ${data.trace_transactions.map((x) => `${x.id} ${inline(x.name, 80)}`).join(', ')}.`
        : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    return { data, text };
  },
});
