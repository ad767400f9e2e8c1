import { z } from 'zod';
import { endpointArg, environmentArg, projectArg, releaseArg, windowArgs } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { formatMs, table } from '../../format.js';
import { performanceFilter, projectSlug, windowSchema } from './perf-common.js';

export const getEndpointTimeseries = defineTool({
  name: 'get_endpoint_timeseries',
  title: 'Endpoint time series',
  description:
    'One endpoint over a window as zero-filled buckets of request count, p50/p95/p99 and error rate: to see when it got slow or started failing. Bucket width follows from the window and `buckets` (aligned to 5-minute or hourly rollups).',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    endpoint: endpointArg,
    ...windowArgs,
    buckets: z
      .number({ error: 'buckets must be a whole number from 4 to 168.' })
      .int()
      .min(4, 'buckets must be at least 4.')
      .max(168, 'buckets is at most 168.')
      .default(24)
      .describe('About how many points (default 24, 4–168).'),
    environment: environmentArg,
    release: releaseArg,
  },
  output: {
    project: z.string(),
    endpoint: z.string(),
    window: windowSchema,
    bucket_minutes: z.number(),
    series: z.array(
      z.object({
        bucket_start: z.string(),
        count: z.number(),
        p50: z.number().nullable(),
        p95: z.number().nullable(),
        p99: z.number().nullable(),
        error_rate: z.number(),
      }),
    ),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const f = performanceFilter(ctx, slug, args, { name: args.endpoint, buckets: args.buckets });
    const e = ctx.deps.performance.endpoint(slug, args.endpoint, f);
    const series = e.series.map(({ t, ...point }) => ({ bucket_start: t, ...point }));
    const bucketMinutes =
      series.length > 0 ? (Date.parse(e.to) - Date.parse(e.from)) / 60_000 / series.length : 0;
    const rows = series.map((p) => [
      p.bucket_start,
      String(p.count),
      formatMs(p.p50),
      formatMs(p.p95),
      formatMs(p.p99),
      `${(p.error_rate * 100).toFixed(1)} %`,
    ]);
    const text = `${inline(args.endpoint)} in ${slug}, ${bucketMinutes}-minute buckets:\n\n${table(['bucket', 'count', 'p50', 'p95', 'p99', 'errors'], rows)}`;
    return {
      data: {
        project: slug,
        endpoint: args.endpoint,
        window: { from: e.from, to: e.to },
        bucket_minutes: bucketMinutes,
        series,
      },
      text,
    };
  },
});
