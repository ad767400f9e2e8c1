import { z } from 'zod';
import { endpointArg, environmentArg, limitArg, projectArg, releaseArg, windowArgs } from '../../args.js';
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

export const getTransactionsByEndpoint = defineTool({
  name: 'get_transactions_by_endpoint',
  title: 'Recent transactions of an endpoint',
  description:
    'The most recent requests (transactions) of one endpoint, newest first, with duration, status and query counts.',
  kind: 'read',
  untrusted: true,
  input: {
    project: projectArg,
    endpoint: endpointArg,
    ...windowArgs,
    environment: environmentArg,
    release: releaseArg,
    limit: limitArg(20, 100),
  },
  output: {
    project: z.string(),
    endpoint: z.string(),
    window: windowSchema,
    transactions: z.array(transactionRow),
    more: z.boolean(),
  },
  run(args, ctx) {
    const slug = projectSlug(ctx, args.project);
    const f = performanceFilter(ctx, slug, args, { readsRollups: false });
    const page = ctx.deps.performance.search(slug, { ...f, name: args.endpoint, limit: args.limit });
    const transactions = page.transactions.map(transactionRowOf);
    const window = coveredWindow(ctx, f.window.from, f.window.to);
    const text =
      transactions.length === 0
        ? `No transactions of ${inline(args.endpoint)} in ${slug} in this window: check the name with get_transaction_stats.`
        : `${transactions.length} most recent transactions of ${inline(args.endpoint)} in ${slug}:\n${transactions.map(formatTransactionLine).join('\n')}`;
    return {
      data: { project: slug, endpoint: args.endpoint, window, transactions, more: page.next_cursor !== null },
      text,
    };
  },
});
