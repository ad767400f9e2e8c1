import { z } from 'zod';
import { issueIdArg, limitArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { table } from '../../format.js';
import { fetchIssue } from './issue-list.js';

export const getIssueEvents = defineTool({
  name: 'get_issue_events',
  title: 'List an issue’s events',
  description:
    'The most recent events of one issue: event id, time, environment, release, server, transaction, trace id and user. Pass an event id to get_event for its details.',
  kind: 'read',
  untrusted: true,
  input: {
    issue_id: issueIdArg,
    limit: limitArg(10, 50),
  },
  output: {
    issue_id: z.number(),
    events: z.array(
      z.object({
        event_id: z.string(),
        timestamp: z.string(),
        level: z.string(),
        environment: z.string(),
        release: z.string().nullable(),
        server_name: z.string().nullable(),
        transaction: z.string().nullable(),
        trace_id: z.string().nullable(),
        user: z.string().nullable().describe('User id, else email, else IP address.'),
      }),
    ),
    more: z.boolean().describe('True when the issue has older events than these.'),
  },
  run({ issue_id, limit }, { deps, now }) {
    fetchIssue(deps, issue_id, now);
    const page = deps.issues.listIssueEvents(issue_id, { limit });
    const events = page.events.map((e) => ({
      event_id: e.event_id,
      timestamp: e.timestamp,
      level: e.level,
      environment: e.environment,
      release: e.release,
      server_name: e.server_name,
      transaction: e.transaction,
      trace_id: e.trace_id,
      user: e.user.id ?? e.user.email ?? e.user.ip_address,
    }));
    const rows = events.map((e) => [
      e.event_id,
      e.timestamp,
      inline(e.environment, 40),
      inline(e.release, 60),
      inline(e.transaction, 80),
      e.trace_id ?? '—',
    ]);
    const text =
      events.length === 0
        ? `Issue ${issue_id} has no stored events.`
        : `${events.length} most recent events of issue ${issue_id}${page.next_cursor ? ' (older ones exist)' : ''}:\n\n${table(['event_id', 'time', 'env', 'release', 'transaction', 'trace_id'], rows)}`;
    return { data: { issue_id, events, more: page.next_cursor !== null }, text };
  },
});
