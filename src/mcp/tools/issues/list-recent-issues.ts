import { z } from 'zod';
import { environmentArg, limitArg, projectFilterArg, releaseArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { formatIssueList, ISSUE_STATUS_FILTERS, issueListOutput, listIssuesAcross } from './issue-list.js';

export const listRecentIssues = defineTool({
  name: 'list_recent_issues',
  title: 'List recent issues',
  description:
    'Issues (grouped errors) most recently seen first, by status (default open), optionally only those with events in an environment or release.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectFilterArg,
    status: z
      .enum(ISSUE_STATUS_FILTERS, { error: 'status must be one of open, resolved, ignored, all.' })
      .default('open')
      .describe('open (default), resolved, ignored or all.'),
    environment: environmentArg,
    release: releaseArg,
    limit: limitArg(20, 100),
  },
  output: issueListOutput,
  run(args, ctx) {
    const data = listIssuesAcross(ctx, args.project, {
      status: args.status,
      environment: args.environment,
      release: args.release,
      limit: args.limit,
    });
    return {
      data,
      text: formatIssueList(
        data.issues,
        data.total,
        `${args.status === 'all' ? '' : `${args.status} `}issues`,
      ),
    };
  },
});
