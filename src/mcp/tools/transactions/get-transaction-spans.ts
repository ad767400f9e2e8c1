import { z } from 'zod';
import type { SpanRecord } from '../../../domain/transactions/types.js';
import { limitArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { fence, inline, sanitize, truncate } from '../../fence.js';
import { formatMs, table } from '../../format.js';
import { findTransaction, transactionRefArgs } from './transaction-ref.js';

/** A description seen more often than this in one transaction is listed as repeated (Splat: 3). */
const REPEAT_THRESHOLD = 3;
const MAX_REPEATED = 15;
const DESCRIPTION_CHARS = 300;

export const getTransactionSpans = defineTool({
  name: 'get_transaction_spans',
  title: 'Spans of a transaction',
  description:
    'The spans of one transaction as an indented tree (parent before children, siblings by start), with offsets and durations; a summary per op; and the descriptions repeated more than 3 times (a loop of queries or calls). op_filter keeps spans whose op starts with it (e.g. "db").',
  kind: 'read',
  untrusted: true,
  input: {
    ...transactionRefArgs,
    op_filter: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('Only spans whose op starts with this, e.g. db or http.client.'),
    limit: limitArg(100, 1000),
  },
  output: {
    project: z.string(),
    transaction_id: z.string(),
    name: z.string(),
    duration_ms: z.number(),
    span_count: z.number().describe('Spans matching op_filter.'),
    ops: z.array(z.object({ op: z.string(), count: z.number(), total_ms: z.number(), avg_ms: z.number() })),
    repeated: z.array(
      z.object({ description: z.string(), op: z.string(), count: z.number(), total_ms: z.number() }),
    ),
    spans: z.array(
      z.object({
        span_id: z.string(),
        parent_span_id: z.string().nullable(),
        depth: z.number(),
        op: z.string(),
        description: z.string(),
        status: z.string(),
        offset_ms: z.number().describe('Start, relative to the transaction start.'),
        duration_ms: z.number(),
        category: z.string(),
      }),
    ),
  },
  run(args, ctx) {
    const { slug, detail: t } = findTransaction(ctx, args);
    const start = Date.parse(t.start);
    const matching = t.spans.filter((s) => args.op_filter === undefined || s.op.startsWith(args.op_filter));
    const ops = new Map<string, { count: number; total: number }>();
    const repeats = new Map<string, { op: string; description: string; count: number; total: number }>();
    for (const s of matching) {
      const ms = s.end - s.start;
      const o = ops.get(s.op) ?? { count: 0, total: 0 };
      ops.set(s.op, { count: o.count + 1, total: o.total + ms });
      const key = `${s.op}\u0000${s.description}`;
      const r = repeats.get(key) ?? { op: s.op, description: s.description, count: 0, total: 0 };
      repeats.set(key, { ...r, count: r.count + 1, total: r.total + ms });
    }
    const round = (n: number) => Math.round(n * 1000) / 1000;
    const spans = matching.slice(0, args.limit).map((s: SpanRecord) => ({
      span_id: s.span_id,
      parent_span_id: s.parent_span_id,
      depth: s.depth,
      op: s.op,
      description: truncate(sanitize(s.description), DESCRIPTION_CHARS),
      status: s.status,
      offset_ms: round(s.start - start),
      duration_ms: round(s.end - s.start),
      category: s.category,
    }));
    if (matching.length > spans.length)
      ctx.note(
        `${matching.length - spans.length} more spans not listed: raise limit (at most 1000) or use op_filter.`,
      );
    const data = {
      project: slug,
      transaction_id: t.id,
      name: t.name,
      duration_ms: t.duration_ms,
      span_count: matching.length,
      ops: [...ops]
        .map(([op, o]) => ({
          op,
          count: o.count,
          total_ms: round(o.total),
          avg_ms: round(o.total / o.count),
        }))
        .sort((a, b) => b.total_ms - a.total_ms),
      repeated: [...repeats.values()]
        .filter((r) => r.count > REPEAT_THRESHOLD)
        .sort((a, b) => b.count - a.count || b.total - a.total)
        .slice(0, MAX_REPEATED)
        .map((r) => ({
          description: truncate(sanitize(r.description), DESCRIPTION_CHARS),
          op: r.op,
          count: r.count,
          total_ms: round(r.total),
        })),
      spans,
    };
    const tree = spans
      .map(
        (s) =>
          `${'  '.repeat(Math.min(s.depth, 12))}+${formatMs(s.offset_ms)} ${formatMs(s.duration_ms)} [${s.op}] ${s.description.replace(/\s+/g, ' ')}`,
      )
      .join('\n');
    const text = [
      `Transaction ${t.id} ${inline(t.name, 120)} (${slug}), ${formatMs(t.duration_ms)}, ${matching.length} span(s)${args.op_filter ? ` with op ${inline(args.op_filter, 40)}*` : ''}.`,
      table(
        ['op', 'count', 'total', 'avg'],
        data.ops
          .slice(0, 15)
          .map((o) => [inline(o.op, 60), String(o.count), formatMs(o.total_ms), formatMs(o.avg_ms)]),
      ),
      data.repeated.length > 0
        ? fence(
            `Repeated more than ${REPEAT_THRESHOLD} times:`,
            data.repeated
              .map((r) => `×${r.count} ${formatMs(r.total_ms)} [${r.op}] ${r.description}`)
              .join('\n'),
            4_000,
          )
        : '',
      fence('Spans (offset from start, duration, op, description):', tree, 12_000),
    ]
      .filter(Boolean)
      .join('\n\n');
    return { data, text };
  },
});
