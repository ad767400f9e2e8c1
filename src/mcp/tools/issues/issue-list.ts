/** The issue row list_recent_issues and search_issues share, and how both fetch across projects. */
import { z } from 'zod';
import type { IssueListQuery } from '../../../domain/issues/service.js';
import { AppError, notFound } from '../../../errors.js';
import type { McpDeps } from '../../deps.js';
import type { ToolContext } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { resolveProjects } from '../../resolve-project.js';

export const ISSUE_STATUS_FILTERS = ['open', 'resolved', 'ignored', 'all'] as const;

export const issueRow = z.object({
  id: z.number(),
  title: z.string(),
  exception_type: z.string().describe('Primary exception type; empty for message events.'),
  culprit: z.string(),
  level: z.string(),
  status: z.enum(['open', 'resolved', 'ignored']),
  count: z.number().describe('Events in this issue.'),
  users: z.number().describe('Distinct users affected.'),
  first_seen: z.string(),
  last_seen: z.string(),
  first_release: z.string().nullable(),
  last_release: z.string().nullable(),
  project: z.string().describe('Project slug.'),
});

export type IssueRow = z.infer<typeof issueRow>;

export const issueListOutput = {
  issues: z.array(issueRow),
  total: z.number().describe('Issues matching the filters in the projects searched (before the limit).'),
  projects_searched: z.array(z.string()),
};

export function listIssuesAcross(
  ctx: ToolContext,
  projectRef: string | number | undefined,
  query: Omit<IssueListQuery, 'projectId' | 'limit' | 'sort'> & { limit: number },
) {
  const projects = resolveProjects(ctx.deps.projects.listProjects(), projectRef);
  const rows: IssueRow[] = [];
  const searched: string[] = [];
  let total = 0;
  for (const p of projects) {
    if (ctx.budget.exceeded()) {
      ctx.partial(
        `Time budget spent after ${searched.length} of ${projects.length} projects: pass project to search one.`,
      );
      break;
    }
    const page = ctx.deps.issues.listIssues({ ...query, projectId: p.id, sort: 'last_seen' }, ctx.now);
    searched.push(p.slug);
    const status = query.status ?? 'open';
    total +=
      status === 'all' ? page.counts.open + page.counts.resolved + page.counts.ignored : page.counts[status];
    for (const i of page.issues) {
      rows.push({
        id: i.id,
        title: i.title,
        exception_type: i.type,
        culprit: i.culprit,
        level: i.level,
        status: i.status,
        count: i.count,
        users: i.user_count,
        first_seen: i.first_seen,
        last_seen: i.last_seen,
        first_release: i.first_release,
        last_release: i.last_release,
        project: p.slug,
      });
    }
  }
  rows.sort((a, b) => b.last_seen.localeCompare(a.last_seen) || b.id - a.id);
  return { issues: rows.slice(0, query.limit), total, projects_searched: searched };
}

export function formatIssueList(issues: IssueRow[], total: number, what: string): string {
  if (issues.length === 0) return `No ${what}.`;
  const lines = issues.map(
    (i) =>
      `- #${i.id} [${i.status}, ${i.level}] ${inline(i.title)} in ${inline(i.culprit)}: ${i.count} events, ${i.users} users, last ${i.last_seen} (${i.project})`,
  );
  return `${issues.length} of ${total} ${what}, most recent first:\n${lines.join('\n')}\n\nNext: get_issue with an id for its stack trace.`;
}

/** The issue, or an error that tells the agent where issue ids come from. */
export function fetchIssue(deps: McpDeps, issueId: number, now = Date.now()) {
  try {
    return deps.issues.getIssue(issueId, now);
  } catch (err) {
    if (err instanceof AppError && err.status === 404)
      throw notFound(
        `No issue ${issueId}: it may never have existed or been removed by retention. Find issue ids with list_recent_issues or search_issues.`,
      );
    throw err;
  }
}
