import { z } from 'zod';
import { MAX_QUERY_CHARS } from '../../../domain/logs/search-query.js';
import { LOG_LEVELS } from '../../../domain/logs/types.js';
import { environmentArg, limitArg, projectArg, releaseArg, windowArgs } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { fence, inline } from '../../fence.js';
import { resolveProject } from '../../resolve-project.js';
import { resolveWindow } from '../../time-window.js';
import { formatLogLine, logRow, logRowOf } from './log-parts.js';

const LEVELS_MESSAGE = `level must be one of ${LOG_LEVELS.join(', ')}, or a list of them (e.g. ["warn", "error"]).`;
const level = z.enum(LOG_LEVELS, { error: LEVELS_MESSAGE });
const filterText = (name: string, example: string) =>
  z
    .string({ error: `${name} must be a string, e.g. "${example}".` })
    .min(1)
    .max(200)
    .optional();

/** The syntax of domain/logs/search-query.ts, as the UI's search box takes it. */
const QUERY_SYNTAX = [
  'words match anywhere in the body or attribute values (ANDed)',
  '"a phrase"',
  'prefix*',
  'key:value matches that attribute exactly (status:422, route:/api/*, key:"two words", key:* = has key)',
  'level: service: env: release: logger: host: trace: span_id: filter hot fields',
  '-term negates any term',
  'a pasted UUID or hex id is found with or without dashes',
].join('; ');

export const searchLogs = defineTool({
  name: 'search_logs',
  title: 'Search logs',
  description: `Log records of one project, newest first, with the same search syntax as Snag's Logs page: ${QUERY_SYNTAX}. Filters: level (one or a list), service, logger, environment, release, and a time window (default the last 24 hours, clamped to log retention). Use get_log on a log_id for its attributes and links, get_trace on a trace_id for the whole request.`,
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    query: z
      .string({ error: 'query must be a string, e.g. "timeout level:error".' })
      .max(MAX_QUERY_CHARS, `query is at most ${MAX_QUERY_CHARS} characters.`)
      .optional()
      .describe(
        'Search text in the syntax of the Logs page (see the tool description), e.g. `timeout level:error`, `"connection refused"`, `status:422`, `route:/api/*`, `-debug`. Omit to list every log in the window.',
      ),
    level: z
      .union([level, z.array(level).min(1, LEVELS_MESSAGE).max(LOG_LEVELS.length)], { error: LEVELS_MESSAGE })
      .optional()
      .describe(`Only these levels: one of ${LOG_LEVELS.join(', ')}, or a list.`),
    service: filterText('service', 'checkout').describe('Only logs of this service (OTLP service.name).'),
    logger: filterText('logger', 'app.payments').describe('Only logs of this logger.'),
    environment: environmentArg,
    release: releaseArg,
    ...windowArgs,
    hours: windowArgs.hours.describe(
      'Window length in hours (default 24). Alone: the last N hours; with start_time: N hours from it; with end_time: N hours up to it. Clamped to the log retention (SNAG_LOG_RETENTION_DAYS, 14 days by default).',
    ),
    limit: limitArg(50, 200),
    cursor: z
      .string()
      .regex(/^\d{1,16}$/, 'cursor must be the next_cursor of a previous search_logs answer.')
      .optional()
      .describe('next_cursor of a previous answer with the same arguments: the next, older page.'),
  },
  output: {
    project: z.string(),
    window: z.object({ from: z.string(), to: z.string() }),
    query: z.string().nullable(),
    logs: z.array(logRow).describe('Newest first.'),
    next_cursor: z
      .string()
      .nullable()
      .describe('More (older) logs match: pass as cursor with the same arguments. null at the end.'),
  },
  run(args, ctx) {
    const p = resolveProject(ctx.deps.projects.listProjects(), args.project);
    const w = resolveWindow(args, { now: ctx.now, maxHours: ctx.deps.logRetentionHours, what: 'log data' });
    w.notes.forEach(ctx.note);
    const query = args.query?.trim() || null;
    const result = ctx.deps.logs.search(p.slug, {
      q: query ?? undefined,
      levels: args.level === undefined ? undefined : [args.level].flat(),
      service: args.service,
      logger: args.logger,
      environment: args.environment,
      release: args.release,
      startMs: w.from,
      endMs: w.to,
      limit: args.limit,
      cursor: args.cursor,
    });
    if (result.partial)
      ctx.partial(
        `The search spent its time budget checking phrase or span matches before the page filled: pass cursor "${result.next_cursor}" to continue, or narrow the window.`,
      );
    const logs = result.logs.map((l) => logRowOf(l, p.slug));
    const window = { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
    const filters = [
      query === null ? null : `matching ${inline(query)}`,
      args.level === undefined ? null : `level ${[args.level].flat().join('|')}`,
      ...(['service', 'logger', 'environment', 'release'] as const).map((k) =>
        args[k] === undefined ? null : `${k} ${inline(args[k], 80)}`,
      ),
    ].filter(Boolean);
    const what = `logs of ${p.slug}${filters.length > 0 ? ` ${filters.join(', ')}` : ''}`;
    const text =
      logs.length === 0
        ? `No ${what} between ${window.from} and ${window.to}.${query === null ? '' : ' Fewer words, a prefix* or a wider window may find more.'}`
        : [
            fence(
              `${logs.length} ${what}, newest first (${window.from} → ${window.to}):`,
              logs.map((l) => formatLogLine(l)).join('\n'),
              16_000,
            ),
            result.next_cursor === null
              ? ''
              : `More match: pass cursor "${result.next_cursor}" for older ones.`,
            'Next: get_log on a log_id (attributes, resource, links), get_trace on a trace id.',
          ]
            .filter(Boolean)
            .join('\n\n');
    return {
      data: { project: p.slug, window, query, logs, next_cursor: result.next_cursor },
      text,
    };
  },
});
