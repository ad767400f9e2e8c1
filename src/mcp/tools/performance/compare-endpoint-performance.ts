import { z } from 'zod';
import { badRequest } from '../../../errors.js';
import { environmentArg, projectArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { formatChange, formatMs, formatPercent, table } from '../../format.js';
import { HOUR_MS, parseIsoTime } from '../../time-window.js';
import { latencySchema, projectSlug } from './perf-common.js';

const hoursArg = (side: string) =>
  z
    .number()
    .positive()
    .max(24 * 30, `hours_${side} is at most 720 (30 days).`)
    .default(24)
    .describe(`Hours ${side} \`at\` (default 24).`);

export const compareEndpointPerformance = defineTool({
  name: 'compare_endpoint_performance',
  title: 'Compare performance',
  description:
    'Latency and errors of one endpoint (or the whole project) in two releases (before_release vs after_release) or before vs after a moment (`at`, e.g. a deploy time), from the same sketches as every other statistic; with a verdict (faster, slower, unchanged, not_enough_data) and, for a whole project, the endpoints that moved most.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    endpoint: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('One endpoint; omit to compare the whole project.'),
    before_release: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The earlier release (with after_release).'),
    after_release: z.string().min(1).max(200).optional().describe('The later release (with before_release).'),
    at: z
      .string()
      .max(40)
      .optional()
      .describe('ISO 8601 moment to compare before/after (instead of releases).'),
    hours_before: hoursArg('before'),
    hours_after: hoursArg('after'),
    environment: environmentArg,
  },
  output: {
    project: z.string(),
    endpoint: z.string().nullable(),
    mode: z.enum(['releases', 'timestamp']),
    before: latencySchema.extend({ label: z.string(), from: z.string(), to: z.string() }),
    after: latencySchema.extend({ label: z.string(), from: z.string(), to: z.string() }),
    change_percent: z.object({
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      p99: z.number().nullable(),
      error_rate: z.number().nullable(),
      throughput: z.number().nullable(),
    }),
    verdict: z.enum(['faster', 'slower', 'unchanged', 'not_enough_data']),
    verdict_reason: z.string(),
    movers: z
      .array(
        z.object({
          name: z.string(),
          p95_before: z.number().nullable(),
          p95_after: z.number().nullable(),
          p95_change: z.number().nullable(),
        }),
      )
      .describe('Whole-project comparisons: endpoints whose p95 moved most.'),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const releases = args.before_release !== undefined || args.after_release !== undefined;
    if (releases && (args.before_release === undefined || args.after_release === undefined))
      throw badRequest('Give both before_release and after_release (or `at` for a before/after comparison).');
    if (releases === (args.at !== undefined))
      throw badRequest(
        'Compare either two releases (before_release + after_release) or before/after a moment (at, with hours_before / hours_after), not both.',
      );
    const c = ctx.deps.performance.compare(slug, {
      name: args.endpoint,
      a: args.before_release,
      b: args.after_release,
      at: args.at === undefined ? undefined : parseIsoTime(args.at, 'at'),
      windowMs: { before: args.hours_before * HOUR_MS, after: args.hours_after * HOUR_MS },
      environment: args.environment,
    });
    const data = {
      project: slug,
      endpoint: c.name,
      mode: c.mode,
      before: c.a,
      after: c.b,
      change_percent: c.change,
      verdict: c.verdict,
      verdict_reason: c.verdict_reason,
      movers: c.endpoints.map((e) => ({
        name: e.name,
        p95_before: e.a.p95,
        p95_after: e.b.p95,
        p95_change: e.p95_change,
      })),
    };
    const row = (label: string, s: typeof c.a) => [
      inline(label, 80),
      s.count.toLocaleString('en-US'),
      formatMs(s.avg),
      formatMs(s.p50),
      formatMs(s.p95),
      formatMs(s.p99),
      formatPercent(s.error_rate),
    ];
    const text = [
      `**${c.verdict}**: ${c.verdict_reason} (${args.endpoint ? inline(args.endpoint) : `all of ${slug}`})`,
      table(
        ['arm', 'requests', 'avg', 'p50', 'p95', 'p99', 'errors'],
        [row(c.a.label, c.a), row(c.b.label, c.b)],
      ),
      `Change: p50 ${formatChange(c.change.p50)}, p95 ${formatChange(c.change.p95)}, p99 ${formatChange(c.change.p99)}, throughput ${formatChange(c.change.throughput)}.`,
      data.movers.length > 0
        ? `Endpoints that moved most (p95):\n${data.movers
            .slice(0, 10)
            .map(
              (m) =>
                `- ${inline(m.name, 100)} ${formatMs(m.p95_before)} → ${formatMs(m.p95_after)} (${formatChange(m.p95_change)})`,
            )
            .join('\n')}`
        : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    return { data, text };
  },
});
