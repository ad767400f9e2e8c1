/**
 * Builds the message for a fact: what happened, where (project, environment, release), how much
 * (count, users), the culprit, and a link back to Snag through SNAG_PUBLIC_URL.
 */
import type { AlertIssueRow } from '../../storage/alerts-signals-store.js';
import type { AlertFact, AlertMessage } from './types.js';

export interface MessageContext {
  publicUrl: string;
  project: { slug: string; name: string } | null;
  issue: AlertIssueRow | null;
  suppressed: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1));

export function issueUrl(publicUrl: string, slug: string, issueId: number): string {
  return `${publicUrl}/projects/${encodeURIComponent(slug)}/issues/${issueId}`;
}

export function endpointUrl(publicUrl: string, slug: string, name: string): string {
  return `${publicUrl}/projects/${encodeURIComponent(slug)}/performance/endpoint?name=${encodeURIComponent(name)}&range=1h`;
}

export function buildMessage(fact: AlertFact, ctx: MessageContext): AlertMessage {
  const { project, issue } = ctx;
  const where = project ? ` in ${project.name}` : '';
  const subject = issue?.title ?? fact.endpoint ?? '';
  const heldBack =
    ctx.suppressed > 0 ? `\n${ctx.suppressed} more alert(s) for this were held back by the cooldown.` : '';
  let title: string;
  let summary: string;
  switch (fact.trigger) {
    case 'new_issue':
      title = `New issue${where}: ${subject}`;
      summary = `First seen ${iso(issue?.first_seen ?? fact.at)}${fact.environment ? ` in ${fact.environment}` : ''}.`;
      break;
    case 'regression':
      title = `Regression${where}: ${subject}`;
      summary = 'This issue was resolved and has happened again; it is open once more.';
      break;
    case 'burst':
      title = `Burst${where}: ${subject}`;
      summary = `About ${fmt(Math.round(fact.observed ?? 0))} events in the last hour (threshold ${fmt(fact.threshold ?? 0)} per hour).`;
      break;
    case 'spike':
      title = `Spike${where}: ${subject}`;
      summary = `About ${fmt(Math.round(fact.observed ?? 0))} events in the last hour, ${fmt(fact.threshold ?? 0)} standard deviations or more above this issue's hourly baseline of the previous days.`;
      break;
    case 'endpoint_p95':
      title = `Slow endpoint${where}: ${subject}`;
      summary = `p95 ${fmt(Math.round(fact.observed ?? 0))} ms over ${fact.sample ?? 0} transactions (threshold ${fmt(fact.threshold ?? 0)} ms).`;
      break;
    case 'endpoint_error_rate':
      title = `Failing endpoint${where}: ${subject}`;
      summary = `${((fact.observed ?? 0) * 100).toFixed(1)}% of ${fact.sample ?? 0} transactions failed (threshold ${((fact.threshold ?? 0) * 100).toFixed(1)}%).`;
      break;
  }
  const url =
    project && fact.issueId !== undefined
      ? issueUrl(ctx.publicUrl, project.slug, fact.issueId)
      : project && fact.endpoint !== undefined
        ? endpointUrl(ctx.publicUrl, project.slug, fact.endpoint)
        : ctx.publicUrl;
  return {
    trigger: fact.trigger,
    title,
    summary: summary + heldBack,
    project,
    issue: issue && {
      id: issue.id,
      title: issue.title,
      culprit: issue.culprit,
      level: issue.level,
      count: issue.event_count,
      users: issue.user_count,
      first_seen: iso(issue.first_seen),
      last_seen: iso(issue.last_seen),
    },
    endpoint: fact.endpoint ?? null,
    environment: fact.environment,
    release: fact.release ?? issue?.last_release ?? null,
    url,
    suppressed: ctx.suppressed,
    at: iso(fact.at),
  };
}

/** The message sent when a cooldown ends with alerts held back: how many, and the latest one. */
export function buildDigest(latest: AlertMessage, suppressed: number): AlertMessage {
  return {
    ...latest,
    trigger: 'digest',
    title: `${suppressed} more: ${latest.title}`,
    summary: `${suppressed} alert(s) were held back by the cooldown since the last message. The latest:\n${latest.summary}`,
    suppressed,
  };
}

export function buildTestMessage(publicUrl: string, channelName: string, now: number): AlertMessage {
  return {
    trigger: 'test',
    title: 'Test alert from Snag',
    summary: `If you can read this, the channel "${channelName}" works.`,
    project: null,
    issue: null,
    endpoint: null,
    environment: null,
    release: null,
    url: `${publicUrl}/settings`,
    suppressed: 0,
    at: iso(now),
  };
}
