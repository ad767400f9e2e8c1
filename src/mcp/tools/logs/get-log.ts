import { z } from 'zod';
import type { LogDetail } from '../../../domain/logs/views.js';
import { AppError, notFound } from '../../../errors.js';
import { projectFilterArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { capDeep, fence, inline, sanitize, truncate } from '../../fence.js';
import { formatMs } from '../../format.js';
import { resolveProjects } from '../../resolve-project.js';
import { logIdArg } from './log-parts.js';

/** Characters of the body: a stack trace logged as text fits; a dumped payload is cut. */
const MAX_BODY_CHARS = 8_000;
/** Characters per string inside attributes and resource. */
const PART_CHARS = 1_000;
const MAX_ATTRIBUTES = 200;

const json = z.record(z.string(), z.unknown());

export const getLog = defineTool({
  name: 'get_log',
  title: 'Get a log',
  description:
    'One log record in full: body, level and severity as sent, logger, service, host, environment, release, every attribute, the OTLP resource and scope, and its links: the stored transaction of its trace, the error events of that trace and how many logs the trace has. Log ids come from search_logs and get_trace_logs.',
  kind: 'read',
  untrusted: true,
  input: {
    log_id: logIdArg,
    project: projectFilterArg,
  },
  output: {
    log_id: z.string(),
    project: z.string(),
    timestamp: z.string(),
    observed_at: z.string().describe('When the SDK or a collector observed it, else when Snag received it.'),
    level: z.string(),
    severity_number: z.number().nullable().describe('1–24 as in OTLP.'),
    severity_text: z.string().nullable().describe('As sent (WARNING, warn…).'),
    body: z.string(),
    logger: z.string().nullable(),
    service: z.string().nullable(),
    host: z.string().nullable(),
    environment: z.string().nullable(),
    release: z.string().nullable(),
    trace_id: z.string().nullable(),
    span_id: z.string().nullable(),
    attributes: json,
    resource: json.describe('OTLP resource attributes; empty for Sentry logs.'),
    scope: z.object({ name: z.string(), version: z.string().nullable() }).nullable(),
    source: z.string().describe('sentry or otlp.'),
    links: z.object({
      transaction: z
        .object({ id: z.string(), name: z.string(), duration_ms: z.number(), trace_id: z.string() })
        .nullable()
        .describe(
          "The stored transaction holding the log's span, else the trace's first; get_transaction takes id.",
        ),
      errors: z
        .array(
          z.object({ event_id: z.string(), issue_id: z.number(), title: z.string(), timestamp: z.string() }),
        )
        .describe('Error events of the same trace.'),
      trace_log_count: z
        .number()
        .describe('Logs of the trace, this one included (get_trace_logs lists them).'),
    }),
  },
  run(args, { deps }) {
    const logId = String(args.log_id);
    const projects = resolveProjects(deps.projects.listProjects(), args.project);
    for (const p of projects) {
      let d: LogDetail;
      try {
        d = deps.logs.get(p.slug, logId);
      } catch (err) {
        if (err instanceof AppError && err.status === 404) continue;
        throw err;
      }
      const data = {
        log_id: d.id,
        project: p.slug,
        timestamp: d.timestamp,
        observed_at: d.observed_at,
        level: d.level,
        severity_number: d.severity_number,
        severity_text: d.severity_text,
        body: truncate(sanitize(d.body), MAX_BODY_CHARS),
        logger: d.logger,
        service: d.service,
        host: d.host,
        environment: d.environment,
        release: d.release,
        trace_id: d.trace_id,
        span_id: d.span_id,
        attributes: capDeep(d.attributes, PART_CHARS, MAX_ATTRIBUTES, 6) as Record<string, unknown>,
        resource: capDeep(d.resource, PART_CHARS, MAX_ATTRIBUTES, 6) as Record<string, unknown>,
        scope: d.scope,
        source: d.source,
        links: capDeep(d.links, PART_CHARS, 50, 4) as LogDetail['links'],
      };
      return { data, text: formatLog(data) };
    }
    throw notFound(
      `No log ${logId}${args.project === undefined ? ' in any project' : ` in project ${projects[0]!.slug}`}: log ids are the numbers search_logs and get_trace_logs list (logs older than the log retention are deleted).`,
    );
  },
});

function formatLog(d: {
  log_id: string;
  project: string;
  timestamp: string;
  level: string;
  severity_text: string | null;
  severity_number: number | null;
  body: string;
  source: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  trace_id: string | null;
  span_id: string | null;
  links: LogDetail['links'];
  [field: string]: unknown;
}): string {
  const where = (['service', 'logger', 'host', 'environment', 'release'] as const)
    .filter((k) => d[k] !== null)
    .map((k) => `${k} ${inline(d[k], 80)}`);
  const severity = d.severity_text ?? d.severity_number;
  const parts = [
    `## Log #${d.log_id} (${d.project})`,
    `${d.level} at ${d.timestamp}${severity === null ? '' : ` (sent as ${inline(severity, 20)})`}, via ${d.source}${where.length > 0 ? `; ${where.join(', ')}` : ''}.`,
    fence('Body:', d.body, MAX_BODY_CHARS),
  ];
  if (Object.keys(d.attributes).length > 0)
    parts.push(fence('Attributes:', JSON.stringify(d.attributes, null, 1), 4_000, 'json'));
  if (Object.keys(d.resource).length > 0)
    parts.push(fence('Resource:', JSON.stringify(d.resource, null, 1), 2_000, 'json'));
  if (d.trace_id) {
    const { transaction, errors, trace_log_count } = d.links;
    parts.push(
      [
        `Trace ${d.trace_id}${d.span_id ? `, span ${d.span_id}` : ''}: ${trace_log_count} log(s) (get_trace_logs).`,
        transaction
          ? `Transaction ${transaction.id} ${inline(transaction.name, 120)} (${formatMs(transaction.duration_ms)}): get_transaction.`
          : 'No transaction of this trace is stored (the SDK may not sample it).',
        errors.length > 0
          ? `Errors in this trace: ${errors.map((e) => `${e.event_id} (issue #${e.issue_id}) ${inline(e.title, 120)}`).join('; ')}.`
          : 'No error events in this trace.',
        'get_trace shows all of it on one timeline.',
      ].join('\n'),
    );
  } else {
    parts.push('No trace id: this log is not linked to a request.');
  }
  return parts.join('\n\n');
}
