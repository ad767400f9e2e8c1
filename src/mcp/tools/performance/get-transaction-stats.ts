import { z } from 'zod';
import { environmentArg, limitArg, projectArg, releaseArg, windowArgs } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { formatMs, formatPercent, table } from '../../format.js';
import { coveredWindow, latencySchema, performanceFilter, projectSlug, windowSchema } from './perf-common.js';

export const getTransactionStats = defineTool({
  name: 'get_transaction_stats',
  title: 'Transaction statistics',
  description:
    'Latency of a project (or one endpoint) over a window: count, throughput, p50/p95/p99, avg, error rate, and the top endpoints ranked by impact (total time spent = count × average), the place to start looking for slow code.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    endpoint: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('Only this endpoint (transaction name, e.g. "GET /users/:id"); omit for the whole project.'),
    ...windowArgs,
    environment: environmentArg,
    release: releaseArg,
    limit: limitArg(10, 50),
  },
  output: {
    project: z.string(),
    endpoint: z.string().nullable(),
    window: windowSchema,
    stats: latencySchema,
    endpoints: z
      .array(
        latencySchema.extend({
          name: z.string(),
          op: z.string(),
          total_ms: z.number().describe('Time spent in this endpoint over the window (impact).'),
          avg_queries: z.number(),
          n_plus_one_rate: z.number(),
        }),
      )
      .describe('Ranked by total_ms, highest first (empty when endpoint is given).'),
    endpoints_total: z.number(),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const f = performanceFilter(ctx, slug, args, { name: args.endpoint });
    const perf = ctx.deps.performance;
    if (args.endpoint !== undefined) {
      const e = perf.endpoint(slug, args.endpoint, f);
      const { total_ms: _t, avg_queries: _q, n_plus_one_rate: _n, ...stats } = e.stats;
      const data = {
        project: slug,
        endpoint: args.endpoint,
        window: coveredWindow(ctx, e.from, e.to),
        stats,
        endpoints: [],
        endpoints_total: 0,
      };
      return {
        data,
        text: `${inline(args.endpoint)} in ${slug}, ${data.window.from} → ${data.window.to}:\n\n${statsLine(stats)}`,
      };
    }
    const o = perf.overview(slug, f);
    const endpoints = o.endpoints.slice(0, args.limit).map(({ p95_series: _series, ...row }) => row);
    const data = {
      project: slug,
      endpoint: null,
      window: coveredWindow(ctx, o.from, o.to),
      stats: o.headline,
      endpoints,
      endpoints_total: o.endpoints.length,
    };
    const rows = endpoints.map((e) => [
      inline(e.name, 100),
      e.count.toLocaleString('en-US'),
      formatMs(e.p50),
      formatMs(e.p95),
      formatMs(e.p99),
      formatPercent(e.error_rate),
      formatMs(e.total_ms),
    ]);
    const text = [
      `${slug}, ${data.window.from} → ${data.window.to}: ${statsLine(o.headline)}`,
      endpoints.length > 0
        ? `Top ${endpoints.length} of ${o.endpoints.length} endpoints by impact:\n\n${table(['endpoint', 'count', 'p50', 'p95', 'p99', 'errors', 'total time'], rows)}\n\nNext: get_endpoint_summary or search_slow_transactions with an endpoint.`
        : 'No transactions in this window.',
    ].join('\n\n');
    return { data, text };
  },
});

function statsLine(s: z.infer<typeof latencySchema>): string {
  return `${s.count.toLocaleString('en-US')} transactions (${s.throughput_per_minute}/min), p50 ${formatMs(s.p50)}, p95 ${formatMs(s.p95)}, p99 ${formatMs(s.p99)}, avg ${formatMs(s.avg)}, errors ${formatPercent(s.error_rate)}.`;
}
