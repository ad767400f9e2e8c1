import { z } from 'zod';
import { environmentArg, limitArg, projectArg, releaseArg, windowArgs } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { fence, inline } from '../../fence.js';
import { formatMs, formatPercent } from '../../format.js';
import { coveredWindow, performanceFilter, projectSlug, windowSchema } from './perf-common.js';

export const findNPlusOneEndpoints = defineTool({
  name: 'find_n_plus_one_endpoints',
  title: 'Find N+1 queries',
  description:
    'Endpoints whose requests run the same SQL over and over (N+1 queries), ranked by time wasted in the repeated queries, each with its worst normalized SQL pattern (literals replaced by ?) and a transaction id showing it.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    ...windowArgs,
    environment: environmentArg,
    release: releaseArg,
    limit: limitArg(20, 100),
  },
  output: {
    project: z.string(),
    window: windowSchema,
    endpoints: z.array(
      z.object({
        name: z.string(),
        count: z.number().describe('Requests in the window.'),
        affected: z.number().describe('Requests with at least one N+1 pattern.'),
        affected_rate: z.number(),
        wasted_ms: z.number().describe('Time spent in flagged patterns, summed over the window.'),
        avg_queries: z.number(),
        max_queries: z.number(),
        pattern: z
          .object({
            sql: z.string().describe('Normalized SQL, no literals.'),
            count: z.number().describe('Times it ran in the example request.'),
            distinct: z.number(),
            total_ms: z.number(),
            call_site: z.string().nullable(),
            transaction_id: z.string(),
          })
          .nullable(),
      }),
    ),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const f = performanceFilter(ctx, slug, args);
    const window = coveredWindow(ctx, f.window.from, f.window.to);
    const result = ctx.deps.performance.nPlusOne(slug, f);
    const endpoints = result.endpoints.slice(0, args.limit).map((e) => ({
      name: e.name,
      count: e.count,
      affected: e.affected,
      affected_rate: e.affected_rate,
      wasted_ms: e.wasted_ms,
      avg_queries: e.avg_queries,
      max_queries: e.max_queries,
      pattern: e.pattern && {
        sql: e.pattern.pattern,
        count: e.pattern.count,
        distinct: e.pattern.distinct,
        total_ms: e.pattern.total_ms,
        call_site: e.pattern.call_site ?? null,
        transaction_id: e.pattern.transaction_id,
      },
    }));
    const text =
      endpoints.length === 0
        ? `No N+1 queries detected in ${slug} in this window.`
        : `${endpoints.length} endpoint(s) with N+1 queries in ${slug}, most time wasted first:\n\n${endpoints
            .map(
              (e, i) =>
                `${i + 1}. ${inline(e.name, 120)}: ${formatMs(e.wasted_ms)} wasted, N+1 in ${e.affected} of ${e.count} requests (${formatPercent(e.affected_rate)}), ${e.avg_queries} queries per request (max ${e.max_queries}).${e.pattern ? `\n${fence(`   Worst pattern, ×${e.pattern.count} in transaction ${e.pattern.transaction_id}${e.pattern.call_site ? ` from ${inline(e.pattern.call_site, 100)}` : ''}:`, e.pattern.sql, 1_000, 'sql')}` : ''}`,
            )
            .join(
              '\n',
            )}\n\nNext: get_transaction_spans with a transaction id to see the repeated queries in order.`;
    return { data: { project: slug, window, endpoints }, text };
  },
});
