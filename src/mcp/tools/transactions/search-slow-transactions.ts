import { z } from 'zod';
import { environmentArg, limitArg, projectArg, releaseArg, windowArgs } from '../../args.js';
import { defineTool } from '../../define-tool.js';
import { inline } from '../../fence.js';
import {
  coveredWindow,
  formatTransactionLine,
  performanceFilter,
  projectSlug,
  transactionRow,
  transactionRowOf,
  windowSchema,
} from '../performance/perf-common.js';

/**
 * Newest matching transactions sorted per call. Sorting ~20k rows by duration takes tens of ms
 * here; beyond it the answer covers the most recent part of the window and says so.
 */
const MAX_SCANNED_TRANSACTIONS = 20_000;
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

export const searchSlowTransactions = defineTool({
  name: 'search_slow_transactions',
  title: 'Search slow transactions',
  description:
    'Individual requests (transactions) slowest first, above min_duration_ms (default 1000), filtered by endpoint, HTTP status and method, environment, release and tags. Use get_transaction on an id to see where its time went.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    min_duration_ms: z
      .number()
      .min(0)
      .default(1000)
      .describe('Only requests at least this slow (ms, default 1000).'),
    max_duration_ms: z.number().min(0).optional().describe('Only requests at most this slow (ms).'),
    endpoint: z.string().min(1).max(1000).optional().describe('Exact endpoint (transaction name).'),
    http_status: z.number().int().min(100).max(599).optional().describe('Only this HTTP status, e.g. 500.'),
    http_method: z.string().min(1).max(20).optional().describe('GET, POST…'),
    tags: z
      .record(z.string(), z.string().max(200))
      .refine(
        (t) => Object.keys(t).every((k) => TAG_KEY.test(k)),
        'tags: keys are letters, digits and _ . : - (at most 64 characters), e.g. {"customer_tier": "gold"}.',
      )
      .refine((t) => Object.keys(t).length <= 10, 'tags: at most 10 tag filters.')
      .optional()
      .describe('Tag equality filters, e.g. {"customer_tier": "gold"}.'),
    ...windowArgs,
    environment: environmentArg,
    release: releaseArg,
    limit: limitArg(20, 100),
  },
  output: {
    project: z.string(),
    window: windowSchema,
    transactions: z.array(transactionRow),
    scanned: z.number().describe('Matching transactions examined (newest first).'),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const f = performanceFilter(ctx, slug, args, { readsRollups: false });
    const result = ctx.deps.performance.slowest(slug, {
      window: f.window,
      environment: args.environment,
      release: args.release,
      name: args.endpoint,
      minDurationMs: args.min_duration_ms,
      maxDurationMs: args.max_duration_ms,
      httpStatus: args.http_status,
      method: args.http_method?.toUpperCase(),
      tags: args.tags ? Object.entries(args.tags) : undefined,
      limit: args.limit,
      scanCap: MAX_SCANNED_TRANSACTIONS,
    });
    if (!result.complete)
      ctx.partial(
        `More than ${MAX_SCANNED_TRANSACTIONS.toLocaleString('en-US')} transactions match: these are the slowest of the most recent ${MAX_SCANNED_TRANSACTIONS.toLocaleString('en-US')}. Narrow the window or add filters (endpoint, a higher min_duration_ms) for the rest.`,
      );
    const transactions = result.transactions.map(transactionRowOf);
    const window = coveredWindow(ctx, result.from, result.to);
    const text =
      transactions.length === 0
        ? `No transactions of ${slug} at least ${args.min_duration_ms} ms${args.endpoint ? ` for ${inline(args.endpoint)}` : ''} between ${window.from} and ${window.to}.`
        : `${transactions.length} slowest transactions of ${slug} (≥ ${args.min_duration_ms} ms), ${window.from} → ${window.to}:\n${transactions.map(formatTransactionLine).join('\n')}`;
    return {
      data: {
        project: slug,
        window,
        transactions,
        scanned: result.scanned,
      },
      text,
    };
  },
});
