import { z } from 'zod';
import { endpointArg, environmentArg, projectArg, releaseArg, windowArgs } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { formatMs, formatPercent } from '../../format.js';
import {
  coveredWindow,
  formatTransactionLine,
  latencySchema,
  performanceFilter,
  projectSlug,
  transactionRow,
  transactionRowOf,
  windowSchema,
} from './perf-common.js';

const breakdownSchema = z.object({
  db: z.number(),
  view: z.number(),
  http: z.number(),
  cache: z.number(),
  queue: z.number(),
  other: z.number(),
});

export const getEndpointSummary = defineTool({
  name: 'get_endpoint_summary',
  title: 'Endpoint summary',
  description:
    'One endpoint over a window: latency percentiles, error rate, where the time goes on average (db, view, http, cache, queue, other, in ms), queries per request, N+1 rate, deploys in the window, and the slowest and fastest requests.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    endpoint: endpointArg,
    ...windowArgs,
    environment: environmentArg,
    release: releaseArg,
  },
  output: {
    project: z.string(),
    endpoint: z.string(),
    window: windowSchema,
    stats: latencySchema.extend({
      total_ms: z.number(),
      avg_queries: z.number(),
      n_plus_one_rate: z.number(),
    }),
    breakdown: breakdownSchema.describe('Average ms per request by category.'),
    deploys: z.array(z.object({ version: z.string(), first_seen: z.string() })),
    slowest: z.array(transactionRow),
    fastest: z.array(transactionRow),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const f = performanceFilter(ctx, slug, args, { name: args.endpoint });
    const e = ctx.deps.performance.endpoint(slug, args.endpoint, f);
    const data = {
      project: slug,
      endpoint: args.endpoint,
      window: coveredWindow(ctx, e.from, e.to),
      stats: e.stats,
      breakdown: e.breakdown,
      deploys: e.deploys,
      slowest: e.slowest.map(transactionRowOf),
      fastest: e.fastest.map(transactionRowOf),
    };
    const s = e.stats;
    const b = e.breakdown;
    const text =
      s.count === 0
        ? `No transactions of ${inline(args.endpoint)} in ${slug} between ${data.window.from} and ${data.window.to}: check the name with get_transaction_stats.`
        : [
            `${inline(args.endpoint)} in ${slug}, ${data.window.from} → ${data.window.to}: ${s.count.toLocaleString('en-US')} requests, p50 ${formatMs(s.p50)}, p95 ${formatMs(s.p95)}, p99 ${formatMs(s.p99)}, avg ${formatMs(s.avg)}, max ${formatMs(s.max)}, errors ${formatPercent(s.error_rate)}.`,
            `Average time: db ${formatMs(b.db)}, view ${formatMs(b.view)}, http ${formatMs(b.http)}, cache ${formatMs(b.cache)}, queue ${formatMs(b.queue)}, other ${formatMs(b.other)}; ${s.avg_queries} queries per request; N+1 in ${formatPercent(s.n_plus_one_rate)} of requests.`,
            e.deploys.length > 0
              ? `Deploys in the window: ${e.deploys.map((d) => `${inline(d.version, 80)} at ${d.first_seen}`).join(', ')}.`
              : '',
            `Slowest:\n${data.slowest.map(formatTransactionLine).join('\n')}`,
          ]
            .filter(Boolean)
            .join('\n\n');
    return { data, text };
  },
});
