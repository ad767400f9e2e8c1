/** resolve_issue, ignore_issue and reopen_issue: one audited status change each, idempotent. */
import { z } from 'zod';
import type { IssueStatus } from '../../../storage/index.js';
import { issueIdArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { fetchIssue } from './issue-list.js';

export function defineStatusTool(spec: {
  name: string;
  title: string;
  status: IssueStatus;
  description: string;
  verb: string;
}) {
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: `${spec.description} Idempotent: an issue already ${spec.status} is left as it is. Recorded in the issue's status history with the token's name.`,
    kind: 'status-change',
    input: {
      issue_id: issueIdArg,
      reason: z.string().max(500).optional().describe('Why, for the status history (e.g. "fixed in #1234").'),
    },
    output: {
      issue_id: z.number(),
      title: z.string(),
      previous_status: z.enum(['open', 'resolved', 'ignored']),
      status: z.enum(['open', 'resolved', 'ignored']),
      changed: z.boolean(),
    },
    run({ issue_id, reason }, { deps, caller, now }) {
      const before = fetchIssue(deps, issue_id, now);
      const result = deps.issues.setStatus(
        [issue_id],
        spec.status,
        caller.actor,
        reason?.trim() || 'via MCP',
      );
      const changed = result.changed.includes(issue_id);
      const data = {
        issue_id,
        title: before.title,
        previous_status: before.status,
        status: result.issues[0]!.status,
        changed,
      };
      const text = changed
        ? `Issue #${issue_id} ${inline(before.title)} ${spec.verb} (was ${before.status}).`
        : `Issue #${issue_id} ${inline(before.title)} was already ${spec.status}: nothing changed.`;
      return { data, text };
    },
  });
}
