import { z } from 'zod';
import { badRequest } from '../../../errors.js';
import { environmentArg, limitArg, projectFilterArg, releaseArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { formatIssueList, ISSUE_STATUS_FILTERS, issueListOutput, listIssuesAcross } from './issue-list.js';

export const searchIssues = defineTool({
  name: 'search_issues',
  title: 'Search issues',
  description:
    'Issues whose title, exception type, culprit (where it happened) or message contain `query` (case-insensitive substring), optionally of one exact exception type. Searches every status unless `status` is given.',
  kind: 'read',
  untrusted: true,
  input: {
    query: z
      .string({ error: 'query must be a string: words from the error message, type or code location.' })
      .max(500)
      .optional()
      .describe(
        'Substring of the title, exception type, culprit or message, e.g. "checkout" or "undefined".',
      ),
    exception_type: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Exact primary exception type, e.g. TypeError or ActiveRecord::RecordNotFound.'),
    status: z
      .enum(ISSUE_STATUS_FILTERS, { error: 'status must be one of open, resolved, ignored, all.' })
      .default('all')
      .describe('open, resolved, ignored or all (default).'),
    project: projectFilterArg,
    environment: environmentArg,
    release: releaseArg,
    limit: limitArg(20, 100),
  },
  output: issueListOutput,
  run(args, ctx) {
    if (!args.query?.trim() && !args.exception_type)
      throw badRequest(
        'Give query (words from the title, exception type, culprit or message) or exception_type; to list issues without searching, use list_recent_issues.',
      );
    const data = listIssuesAcross(ctx, args.project, {
      status: args.status,
      query: args.query,
      exceptionType: args.exception_type,
      environment: args.environment,
      release: args.release,
      limit: args.limit,
    });
    return { data, text: formatIssueList(data.issues, data.total, 'matching issues') };
  },
});
