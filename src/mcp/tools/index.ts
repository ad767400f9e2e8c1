/**
 * Every MCP tool, in the order clients list them. Adding a tool: one file under tools/<noun>/
 * exporting a defineTool(…), one line here.
 */
import type { AnyTool } from '../define-tool.js';
import { getEvent } from './events/get-event.js';
import { getIssue } from './issues/get-issue.js';
import { getIssueEvents } from './issues/get-issue-events.js';
import { ignoreIssue } from './issues/ignore-issue.js';
import { listRecentIssues } from './issues/list-recent-issues.js';
import { getLog } from './logs/get-log.js';
import { getTraceLogs } from './logs/get-trace-logs.js';
import { searchLogs } from './logs/search-logs.js';
import { reopenIssue } from './issues/reopen-issue.js';
import { resolveIssue } from './issues/resolve-issue.js';
import { searchIssues } from './issues/search-issues.js';
import { compareEndpointPerformance } from './performance/compare-endpoint-performance.js';
import { findNPlusOneEndpoints } from './performance/find-n-plus-one-endpoints.js';
import { getEndpointSummary } from './performance/get-endpoint-summary.js';
import { getEndpointTimeseries } from './performance/get-endpoint-timeseries.js';
import { getTransactionStats } from './performance/get-transaction-stats.js';
import { listProjects } from './projects/list-projects.js';
import { compareReleases } from './releases/compare-releases.js';
import { getStatus } from './status/get-status.js';
import { getTrace } from './traces/get-trace.js';
import { getTransaction } from './transactions/get-transaction.js';
import { getTransactionSpans } from './transactions/get-transaction-spans.js';
import { getTransactionsByEndpoint } from './transactions/get-transactions-by-endpoint.js';
import { searchSlowTransactions } from './transactions/search-slow-transactions.js';

export const TOOLS: readonly AnyTool[] = [
  listProjects,
  getStatus,
  // Errors
  listRecentIssues,
  searchIssues,
  getIssue,
  getIssueEvents,
  getEvent,
  resolveIssue,
  ignoreIssue,
  reopenIssue,
  // Performance
  getTransactionStats,
  getEndpointSummary,
  getEndpointTimeseries,
  findNPlusOneEndpoints,
  searchSlowTransactions,
  getTransactionsByEndpoint,
  getTransaction,
  getTransactionSpans,
  compareEndpointPerformance,
  // Logs
  searchLogs,
  getLog,
  getTraceLogs,
  // Across errors, performance and logs
  getTrace,
  compareReleases,
];
