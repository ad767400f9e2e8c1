import { z } from 'zod';
import type { NormalizedEvent } from '../../../domain/events/types.js';
import { AppError, notFound } from '../../../errors.js';
import { normalizeHexId, projectFilterArg } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { capDeep, fence, inline } from '../../fence.js';
import { resolveProjects } from '../../resolve-project.js';
import { eventMessage, exceptionChain, exceptionSchema, formatChain } from './event-parts.js';

const BREADCRUMBS = 10;
/** Characters per string inside request, contexts and breadcrumb data. */
const PART_CHARS = 500;

const json = z.record(z.string(), z.unknown());

export const getEvent = defineTool({
  name: 'get_event',
  title: 'Get an event',
  description:
    'One error event in full: exception chain with stack traces, message, request (method, URL, query, headers), user, tags, the last breadcrumbs, contexts (runtime, OS, device, browser…) and its trace (with the transactions of that trace, for get_transaction / get_trace).',
  kind: 'read',
  untrusted: true,
  input: {
    event_id: z
      .string({ error: 'event_id is required: 32 hex digits, as get_issue or get_issue_events list it.' })
      .regex(/^[0-9a-fA-F-]{32,36}$/, 'event_id must be 32 hex digits (dashes allowed).')
      .describe('Event id: 32 hex digits.'),
    project: projectFilterArg,
  },
  output: {
    event_id: z.string(),
    issue_id: z.number(),
    project: z.string(),
    timestamp: z.string(),
    level: z.string(),
    environment: z.string(),
    release: z.string().nullable(),
    platform: z.string(),
    server_name: z.string().nullable(),
    message: z.string().nullable(),
    exceptions: z.array(exceptionSchema),
    request: json.nullable(),
    user: json.nullable(),
    tags: z.array(z.object({ key: z.string(), value: z.string() })),
    breadcrumbs: z.array(json).describe(`The last ${BREADCRUMBS} breadcrumbs, oldest first.`),
    contexts: json,
    trace: z.object({
      trace_id: z.string().nullable(),
      span_id: z.string().nullable(),
      transaction: z.string().nullable(),
      transactions: z
        .array(z.object({ id: z.string(), name: z.string(), duration_ms: z.number(), timestamp: z.string() }))
        .describe('Stored transactions of the same trace (get_transaction takes their id).'),
    }),
  },
  run(args, { deps }) {
    const eventId = normalizeHexId(args.event_id);
    const projects = resolveProjects(deps.projects.listProjects(), args.project);
    for (const p of projects) {
      let e;
      try {
        e = deps.issues.getEvent(p.id, eventId);
      } catch (err) {
        if (err instanceof AppError && err.status === 404) continue;
        throw err;
      }
      const payload = e.payload as NormalizedEvent;
      const trace = (payload.contexts?.['trace'] ?? {}) as Record<string, unknown>;
      const traceId = e.trace_id;
      const transactions = traceId
        ? deps.performance.traceTransactions(p.slug, traceId).map((t) => ({
            id: t.id,
            name: t.name,
            duration_ms: t.duration_ms,
            timestamp: t.timestamp,
          }))
        : [];
      const { trace: _trace, ...contexts } = payload.contexts ?? {};
      const data = {
        event_id: e.event_id,
        issue_id: e.issue_id,
        project: p.slug,
        timestamp: e.timestamp,
        level: e.level,
        environment: e.environment,
        release: e.release,
        platform: e.platform,
        server_name: e.server_name,
        message: eventMessage(payload),
        exceptions: exceptionChain(payload),
        request: payload.request
          ? (capDeep(payload.request, PART_CHARS, 50, 4) as Record<string, unknown>)
          : null,
        user: payload.user ? (capDeep(payload.user, PART_CHARS, 20, 3) as Record<string, unknown>) : null,
        tags: payload.tags.slice(0, 100).map(([key, value]) => ({ key, value })),
        breadcrumbs: payload.breadcrumbs.values
          .slice(-BREADCRUMBS)
          .map((b) => capDeep(b, PART_CHARS, 20, 3) as Record<string, unknown>),
        contexts: capDeep(contexts, PART_CHARS, 30, 4) as Record<string, unknown>,
        trace: {
          trace_id: traceId,
          span_id: typeof trace['span_id'] === 'string' ? trace['span_id'] : null,
          transaction: e.transaction,
          transactions,
        },
      };
      return { data, text: formatEvent(data) };
    }
    throw notFound(
      `No event ${args.event_id}${args.project === undefined ? ' in any project' : ` in project ${projects[0]!.slug}`}: event ids are the 32-hex ids get_issue and get_issue_events list (retention may have removed old ones).`,
    );
  },
});

function formatEvent(d: {
  event_id: string;
  issue_id: number;
  project: string;
  timestamp: string;
  level: string;
  environment: string;
  release: string | null;
  message: string | null;
  exceptions: z.infer<typeof exceptionSchema>[];
  request: Record<string, unknown> | null;
  user: Record<string, unknown> | null;
  tags: { key: string; value: string }[];
  breadcrumbs: Record<string, unknown>[];
  contexts: Record<string, unknown>;
  trace: {
    trace_id: string | null;
    transaction: string | null;
    transactions: { id: string; name: string }[];
  };
}): string {
  const parts = [
    `## Event ${d.event_id} (issue #${d.issue_id}, ${d.project})`,
    `${d.level} at ${d.timestamp}, environment ${inline(d.environment, 60)}${d.release ? `, release ${inline(d.release, 80)}` : ''}.`,
    formatChain(d.exceptions, d.message),
  ];
  if (d.request) {
    const r = d.request;
    parts.push(
      fence(
        'Request:',
        `${String(r['method'] ?? '')} ${String(r['url'] ?? '')}\n${JSON.stringify({ query: r['query_string'], headers: r['headers'] }, null, 1)}`,
        2_000,
        'json',
      ),
    );
  }
  if (d.user) parts.push(fence('User:', JSON.stringify(d.user), 500, 'json'));
  if (d.tags.length > 0)
    parts.push(
      `Tags: ${d.tags
        .slice(0, 20)
        .map((t) => `${inline(t.key, 40)}=${inline(t.value, 80)}`)
        .join(', ')}`,
    );
  if (d.breadcrumbs.length > 0)
    parts.push(
      fence(
        `Last ${d.breadcrumbs.length} breadcrumbs, oldest first:`,
        d.breadcrumbs
          .map(
            (b) =>
              `[${String(b['level'] ?? 'info')}] ${String(b['category'] ?? b['type'] ?? '')}: ${String(b['message'] ?? JSON.stringify(b['data'] ?? ''))}`,
          )
          .join('\n'),
        3_000,
      ),
    );
  const ctxNames = Object.keys(d.contexts);
  if (ctxNames.length > 0) parts.push(fence('Contexts:', JSON.stringify(d.contexts), 2_000, 'json'));
  if (d.trace.trace_id)
    parts.push(
      `Trace ${d.trace.trace_id}${d.trace.transaction ? ` in transaction ${inline(d.trace.transaction)}` : ''}: ${d.trace.transactions.length} stored transaction(s)${
        d.trace.transactions.length > 0
          ? ` (${d.trace.transactions
              .slice(0, 5)
              .map((t) => `${t.id} ${inline(t.name, 80)}`)
              .join(', ')})`
          : ''
      }. get_trace shows the whole request.`,
    );
  return parts.join('\n\n');
}
