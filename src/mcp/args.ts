/**
 * Argument schemas shared by the tools. Each one's error message says what to pass instead, since
 * the agent reading it can retry at once; descriptions are what clients show the model.
 */
import { z } from 'zod';

/** Until retention settings for errors and transactions exist, answers reach back this far. */
export const MAX_WINDOW_HOURS = 90 * 24;

const requiredOr = (missing: string, wrong: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? missing : wrong;

export const projectArg = z
  .union([z.string().min(1).max(200), z.number().int().positive()], {
    error: 'project must be a project slug, name or numeric id (list_projects lists them).',
  })
  .optional()
  .describe('Project slug, name or numeric id. May be omitted when Snag has only one project.');

/** For tools that span every project when none is named. */
export const projectFilterArg = projectArg.describe(
  'Project slug, name or numeric id; omit to search every project.',
);

export const environmentArg = z
  .string({ error: 'environment must be a string, e.g. "production".' })
  .min(1)
  .max(200)
  .optional()
  .describe('Only data from this environment, e.g. production.');

export const releaseArg = z
  .string({ error: 'release must be a string, e.g. "web@1.4.2".' })
  .min(1)
  .max(200)
  .optional()
  .describe('Only data from this release, e.g. web@1.4.2.');

const isoTime = (name: string) =>
  z
    .string({ error: `${name} must be an ISO 8601 time string such as 2026-03-01T14:00:00Z.` })
    .max(40)
    .optional();

export const windowArgs = {
  hours: z
    .number({ error: 'hours must be a number of hours, e.g. 24.' })
    .positive('hours must be more than 0.')
    .max(24 * 3650, 'hours is at most 87600 (10 years); data older than retention is not kept anyway.')
    .optional()
    .describe(
      `Window length in hours (default 24). Alone: the last N hours; with start_time: N hours from it; with end_time: N hours up to it. Clamped to ${MAX_WINDOW_HOURS / 24} days.`,
    ),
  start_time: isoTime('start_time').describe('Window start, ISO 8601 (e.g. 2026-03-01T14:00:00Z).'),
  end_time: isoTime('end_time').describe('Window end, ISO 8601; with start_time the window is absolute.'),
};

export function limitArg(defaultLimit: number, max: number) {
  return z
    .number({ error: `limit must be a whole number from 1 to ${max}.` })
    .int(`limit must be a whole number from 1 to ${max}.`)
    .min(1, `limit must be at least 1.`)
    .max(max, `limit is at most ${max}: narrow the question (a project, a window, a filter) instead.`)
    .default(defaultLimit)
    .describe(`How many rows to return (default ${defaultLimit}, at most ${max}).`);
}

export const issueIdArg = z
  .number({
    error: requiredOr(
      'issue_id is required: the numeric id from list_recent_issues or search_issues.',
      'issue_id must be a number (the numeric id from list_recent_issues or search_issues).',
    ),
  })
  .int('issue_id must be a whole number.')
  .positive('issue_id must be a positive number.')
  .describe('Issue id, as listed by list_recent_issues / search_issues.');

export const endpointArg = z
  .string({
    error: requiredOr(
      'endpoint is required: a transaction name as get_transaction_stats lists it, e.g. "GET /users/:id".',
      'endpoint must be a string, e.g. "GET /users/:id".',
    ),
  })
  .min(1, 'endpoint must not be empty.')
  .max(1000)
  .describe('Endpoint (transaction name) exactly as get_transaction_stats lists it, e.g. "GET /users/:id".');

export const traceIdArg = z
  .string()
  .regex(/^[0-9a-fA-F-]{32,36}$/, 'trace_id must be 32 hex digits (a W3C / Sentry trace id).')
  .describe('Trace id: 32 hex digits.');

export const transactionIdArg = z
  .string()
  .regex(/^[0-9a-fA-F]{16}$/, 'transaction_id must be 16 hex digits: the id search tools list.')
  .describe('Transaction id (its root span id): 16 hex digits, as listed by the search tools.');

/** Strips dashes and lowercases: SDKs print trace ids both ways. */
export const normalizeHexId = (id: string) => id.replace(/-/g, '').toLowerCase();
