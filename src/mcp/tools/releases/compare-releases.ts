import { z } from 'zod';
import { badRequest } from '../../../errors.js';
import { limitArg, projectArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { formatChange, formatMs, formatPercent, table } from '../../format.js';
import { resolveProject } from '../../resolve-project.js';
import { latencySchema } from '../performance/perf-common.js';

const releaseSide = z.object({
  version: z.string(),
  first_seen: z.string(),
  last_seen: z.string(),
  error_events: z.number(),
  transactions: z.number().describe('Transactions of this release (last 30 days).'),
  errors_per_1k_transactions: z.number().nullable(),
  new_issue_count: z.number().describe('Issues whose first event came from this release.'),
  new_issues: z.array(
    z.object({
      id: z.number(),
      title: z.string(),
      exception_type: z.string(),
      count: z.number(),
      users: z.number(),
      status: z.string(),
    }),
  ),
  regressions: z
    .array(
      z.object({ issue_id: z.number(), title: z.string(), reopened_at: z.string(), event_id: z.string() }),
    )
    .describe('Resolved issues that came back with an event of this release.'),
  latency: latencySchema.describe('Transactions of this release over the last 30 days.'),
});

export const compareReleases = defineTool({
  name: 'compare_releases',
  title: 'Compare two releases',
  description:
    'What a deploy changed: for two releases of a project, the issues each one introduced, the resolved issues that regressed in it, error events (also per 1,000 transactions), and latency (p50/p95/p99, error rate) with a verdict on whether the later release is slower.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    before_release: z
      .string({ error: 'before_release is required: the earlier release version.' })
      .min(1)
      .max(200)
      .describe('The earlier release, e.g. web@1.4.1.'),
    after_release: z
      .string({ error: 'after_release is required: the later release version.' })
      .min(1)
      .max(200)
      .describe('The later release, e.g. web@1.4.2.'),
    limit: limitArg(10, 50).describe(
      'New issues and regressions listed per release (default 10, at most 50).',
    ),
  },
  output: {
    project: z.string(),
    before: releaseSide,
    after: releaseSide,
    error_events_change_percent: z.number().nullable(),
    errors_per_1k_transactions_change_percent: z.number().nullable(),
    latency_change_percent: z.object({
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      p99: z.number().nullable(),
    }),
    verdict: z.enum(['faster', 'slower', 'unchanged', 'not_enough_data']),
    verdict_reason: z.string(),
  },
  run(args, ctx) {
    if (args.before_release === args.after_release)
      throw badRequest('before_release and after_release are the same release: give two different ones.');
    const project = resolveProject(ctx.deps.projects.listProjects(), args.project);
    const side = (version: string) =>
      ctx.deps.issues.releaseIssues(project.id, version, { limit: args.limit });
    const a = side(args.before_release);
    const b = side(args.after_release);
    const perf = ctx.deps.performance.compare(project.slug, {
      a: args.before_release,
      b: args.after_release,
    });
    const per1k = (events: number, tx: number) =>
      tx > 0 ? Math.round((events / tx) * 1000 * 100) / 100 : null;
    const pct = (x: number | null, y: number | null) =>
      x === null || y === null || x === 0 ? null : Math.round(((y - x) / x) * 1000) / 10;
    const shape = (r: typeof a, latency: typeof perf.a) => ({
      version: r.version,
      first_seen: r.first_seen,
      last_seen: r.last_seen,
      error_events: r.error_events,
      transactions: latency.count,
      errors_per_1k_transactions: per1k(r.error_events, latency.count),
      new_issue_count: r.new_issue_count,
      new_issues: r.new_issues.map((i) => ({
        id: i.id,
        title: i.title,
        exception_type: i.type,
        count: i.count,
        users: i.user_count,
        status: i.status,
      })),
      regressions: r.regressions.map(({ issue_id, title, reopened_at, event_id }) => ({
        issue_id,
        title,
        reopened_at,
        event_id,
      })),
      latency: {
        count: latency.count,
        throughput_per_minute: latency.throughput_per_minute,
        p50: latency.p50,
        p95: latency.p95,
        p99: latency.p99,
        avg: latency.avg,
        min: latency.min,
        max: latency.max,
        error_rate: latency.error_rate,
      },
    });
    const before = shape(a, perf.a);
    const after = shape(b, perf.b);
    const data = {
      project: project.slug,
      before,
      after,
      error_events_change_percent: pct(before.error_events, after.error_events),
      errors_per_1k_transactions_change_percent: pct(
        before.errors_per_1k_transactions,
        after.errors_per_1k_transactions,
      ),
      latency_change_percent: { p50: perf.change.p50, p95: perf.change.p95, p99: perf.change.p99 },
      verdict: perf.verdict,
      verdict_reason: perf.verdict_reason,
    };
    const row = (s: typeof before) => [
      inline(s.version, 60),
      String(s.new_issue_count),
      String(s.regressions.length),
      s.error_events.toLocaleString('en-US'),
      s.errors_per_1k_transactions === null ? '—' : String(s.errors_per_1k_transactions),
      s.transactions.toLocaleString('en-US'),
      formatMs(s.latency.p95),
      formatPercent(s.latency.error_rate),
    ];
    const issues = (s: typeof before) =>
      [
        ...s.new_issues.map((i) => `- new #${i.id} ${inline(i.title)} (${i.count} events, ${i.status})`),
        ...s.regressions.map((r) => `- regressed #${r.issue_id} ${inline(r.title)} at ${r.reopened_at}`),
      ].join('\n');
    const text = [
      `${project.slug}: ${inline(before.version, 60)} → ${inline(after.version, 60)}. Latency **${perf.verdict}**: ${perf.verdict_reason}`,
      table(
        [
          'release',
          'new issues',
          'regressions',
          'error events',
          'errors / 1k tx',
          'transactions',
          'p95',
          'tx error rate',
        ],
        [row(before), row(after)],
      ),
      `Change: error events ${formatChange(data.error_events_change_percent)}, errors per 1k transactions ${formatChange(data.errors_per_1k_transactions_change_percent)}, p95 ${formatChange(perf.change.p95)}.`,
      issues(after)
        ? `In ${inline(after.version, 60)}:\n${issues(after)}`
        : `${inline(after.version, 60)} introduced no new issues and no regressions.`,
    ].join('\n\n');
    return { data, text };
  },
});
