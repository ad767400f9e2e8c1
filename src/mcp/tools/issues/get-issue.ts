import { z } from 'zod';
import { AppError } from '../../../errors.js';
import type { NormalizedEvent } from '../../../domain/events/types.js';
import { issueIdArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import { eventMessage, exceptionChain, exceptionSchema, formatChain } from '../events/event-parts.js';
import { fetchIssue, issueRow } from './issue-list.js';

export const getIssue = defineTool({
  name: 'get_issue',
  title: 'Get an issue',
  description:
    "One issue: counts, first/last seen and releases, top tag values, status history, and the latest event's exception chain with its stack trace (in-app frames first, innermost first, with source lines when the SDK sent them).",
  kind: 'read',
  untrusted: true,
  input: { issue_id: issueIdArg },
  output: {
    issue: issueRow.extend({
      message: z.string().describe('First line of the exception value or message.'),
      platform: z.string(),
      status_changed_at: z.string().nullable(),
    }),
    tags: z.array(
      z.object({ key: z.string(), values: z.array(z.object({ value: z.string(), count: z.number() })) }),
    ),
    status_changes: z.array(
      z.object({ from: z.string(), to: z.string(), actor: z.string(), reason: z.string(), at: z.string() }),
    ),
    latest_event: z
      .object({
        event_id: z.string(),
        timestamp: z.string(),
        environment: z.string(),
        release: z.string().nullable(),
        transaction: z.string().nullable(),
        trace_id: z.string().nullable(),
        message: z.string().nullable(),
        exceptions: z.array(exceptionSchema).describe('Primary exception first, then what it chained.'),
      })
      .nullable(),
  },
  run({ issue_id }, { deps, now }) {
    const issue = fetchIssue(deps, issue_id, now);
    const project = deps.projects.getProject(issue.project_id);
    let latest = null;
    try {
      const e = deps.issues.getLatestEvent(issue_id);
      const payload = e.payload as NormalizedEvent;
      latest = {
        event_id: e.event_id,
        timestamp: e.timestamp,
        environment: e.environment,
        release: e.release,
        transaction: e.transaction,
        trace_id: e.trace_id,
        message: eventMessage(payload),
        exceptions: exceptionChain(payload),
      };
    } catch (err) {
      // Retention can remove every event of an issue; the issue itself is still worth showing.
      if (!(err instanceof AppError && err.status === 404)) throw err;
    }
    const statusChanges = issue.status_changes.slice(-10).map((c) => ({
      from: c.from_status,
      to: c.to_status,
      actor: c.actor,
      reason: c.reason,
      at: c.created_at,
    }));
    const data = {
      issue: {
        id: issue.id,
        title: issue.title,
        exception_type: issue.type,
        culprit: issue.culprit,
        level: issue.level,
        status: issue.status,
        count: issue.count,
        users: issue.user_count,
        first_seen: issue.first_seen,
        last_seen: issue.last_seen,
        first_release: issue.first_release,
        last_release: issue.last_release,
        project: project.slug,
        message: issue.value,
        platform: issue.platform,
        status_changed_at: issue.status_changed_at,
      },
      tags: issue.tags.map((t) => ({
        key: t.key,
        values: t.values.map(({ value, count }) => ({ value, count })),
      })),
      status_changes: statusChanges,
      latest_event: latest,
    };
    const tagLine = data.tags
      .slice(0, 8)
      .map(
        (t) =>
          `${inline(t.key, 40)}: ${t.values
            .slice(0, 3)
            .map((v) => `${inline(v.value, 60)} ×${v.count}`)
            .join(', ')}`,
      )
      .join('; ');
    const text = [
      `## Issue #${issue.id} ${inline(issue.title)}`,
      `${issue.status}, ${issue.level}, ${issue.count} events, ${issue.user_count} users; first seen ${issue.first_seen}${issue.first_release ? ` in ${inline(issue.first_release, 80)}` : ''}, last ${issue.last_seen}. Project ${project.slug}. Culprit ${inline(issue.culprit)}.`,
      tagLine ? `Tags: ${tagLine}` : '',
      statusChanges.length > 0
        ? `Status history: ${statusChanges.map((c) => `${c.from}→${c.to} by ${inline(c.actor, 60)} (${inline(c.reason, 120)}) at ${c.at}`).join('; ')}`
        : '',
      latest
        ? `### Latest event ${latest.event_id} (${latest.timestamp}, ${inline(latest.environment, 60)}${latest.release ? `, ${inline(latest.release, 80)}` : ''})\n\n${formatChain(latest.exceptions, latest.message)}\n\nMore: get_event with event_id ${latest.event_id} (request, user, breadcrumbs, contexts)${latest.trace_id ? `; get_trace with trace_id ${latest.trace_id}` : ''}.`
        : 'No stored event (retention removed them).',
    ]
      .filter(Boolean)
      .join('\n\n');
    return { data, text };
  },
});
