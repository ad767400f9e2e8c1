/**
 * What the log tools share: the row schema of a log in a list, its one-line rendering for the
 * markdown answer, and the log_id argument. Bodies are data written by the monitored application:
 * rows carry them sanitized and capped, text only inside a fence.
 */
import { z } from 'zod';
import type { LogSummary } from '../../../domain/logs/views.js';
import { sanitize, truncate } from '../../fence.js';

/**
 * Characters of a body in a list row. 200 rows of 1,000 characters stay inside the wrapper's
 * 200,000-character structured cap; get_log has the whole body.
 */
export const MAX_LISTED_BODY_CHARS = 1_000;
/** Characters of a body on one line of the markdown list. */
const LINE_BODY_CHARS = 300;

export const logRow = z.object({
  log_id: z.string().describe('Pass to get_log for the attributes, resource and links.'),
  project: z.string(),
  timestamp: z.string().describe('ISO 8601 with microseconds.'),
  level: z.string().describe('trace, debug, info, warn, error or fatal.'),
  body: z
    .string()
    .describe(`The message, cut at ${MAX_LISTED_BODY_CHARS} characters (get_log has it whole).`),
  logger: z.string().nullable(),
  service: z.string().nullable(),
  environment: z.string().nullable(),
  release: z.string().nullable(),
  trace_id: z.string().nullable().describe('get_trace / get_trace_logs take it.'),
  span_id: z.string().nullable(),
});

export type LogRow = z.infer<typeof logRow>;

export function logRowOf(log: LogSummary, project: string): LogRow {
  return {
    log_id: log.id,
    project,
    timestamp: log.timestamp,
    level: log.level,
    body: truncate(sanitize(log.body), MAX_LISTED_BODY_CHARS),
    logger: log.logger,
    service: log.service,
    environment: log.environment,
    release: log.release,
    trace_id: log.trace_id,
    span_id: log.span_id,
  };
}

/**
 * One line per log for a fenced block: time, level, id, where from, the body on one line, and
 * its trace (or, in a list of one trace's logs, its span).
 */
export function formatLogLine(r: LogRow, opts: { project?: boolean; trace?: boolean } = {}): string {
  const source = [opts.project ? r.project : null, r.service, r.logger].filter(Boolean).join(' ');
  const body = truncate(r.body.replace(/\s+/g, ' ').trim(), LINE_BODY_CHARS);
  const link =
    opts.trace === false
      ? r.span_id
        ? ` (span ${r.span_id})`
        : ''
      : r.trace_id
        ? ` (trace ${r.trace_id})`
        : '';
  return `${r.timestamp} ${r.level.toUpperCase().padEnd(5)} #${r.log_id}${source ? ` [${source}]` : ''} ${body}${link}`;
}

export const logIdArg = z
  .union([z.string().regex(/^\d{1,16}$/), z.number().int().positive()], {
    error: 'log_id must be the numeric id search_logs or get_trace_logs list (e.g. "1761234567890123").',
  })
  .describe('Log id, as search_logs and get_trace_logs list it.');
