/**
 * get_transaction and get_transaction_spans take a transaction id or a trace id (the one an error
 * event carries); a trace id stands for its earliest transaction. With no project, every project
 * is searched.
 */
import type { TransactionDetail } from '../../../domain/transactions/views.js';
import { AppError, badRequest, notFound } from '../../../errors.js';
import { normalizeHexId, projectFilterArg, traceIdArg, transactionIdArg } from '../../args.js';
import type { ToolContext } from '../../define-tool.js';
import { resolveProjects } from '../../resolve-project.js';

export const transactionRefArgs = {
  transaction_id: transactionIdArg.optional(),
  trace_id: traceIdArg.optional().describe('Or a trace id (32 hex digits): its earliest transaction.'),
  project: projectFilterArg,
};

export function findTransaction(
  ctx: ToolContext,
  args: { transaction_id?: string; trace_id?: string; project?: string | number },
): { slug: string; detail: TransactionDetail } {
  if ((args.transaction_id === undefined) === (args.trace_id === undefined))
    throw badRequest(
      'Give transaction_id (16 hex digits, from the search tools) or trace_id (32 hex digits, e.g. from get_event), one of the two.',
    );
  const projects = resolveProjects(ctx.deps.projects.listProjects(), args.project);
  const perf = ctx.deps.performance;
  for (const p of projects) {
    let spanId = args.transaction_id?.toLowerCase();
    if (args.trace_id !== undefined)
      spanId = perf.traceTransactions(p.slug, normalizeHexId(args.trace_id))[0]?.id;
    if (spanId === undefined) continue;
    try {
      return { slug: p.slug, detail: perf.detail(p.slug, spanId) };
    } catch (err) {
      if (!(err instanceof AppError && err.status === 404)) throw err;
    }
  }
  const what = args.transaction_id
    ? `transaction ${args.transaction_id}`
    : `transaction in trace ${args.trace_id}`;
  throw notFound(
    `No ${what}${args.project === undefined ? ' in any project' : ` in project ${projects[0]!.slug}`}: ids come from search_slow_transactions, get_transactions_by_endpoint or get_event (retention may have removed old ones).`,
  );
}
