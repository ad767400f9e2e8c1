/**
 * GET /_health: liveness plus the numbers an operator watches. 503 when the queue is past its
 * critical depth, so a load balancer or uptime check notices a digest that cannot keep up.
 */
import type { FastifyInstance } from 'fastify';
import type { IngestStats } from '../ingest/stats.js';
import type { IssuesStore, LogsStore, TransactionsStore } from '../storage/index.js';
import type { Health } from './types.js';

export interface HealthDeps {
  queueDepth(): number;
  thresholds: { warningDepth: number; criticalDepth: number };
  issuesStore: IssuesStore;
  transactionsStore: TransactionsStore;
  logsStore: LogsStore;
  stats: IngestStats;
  version: string;
}

export function registerHealthRoute(app: FastifyInstance, deps: HealthDeps): void {
  app.get('/_health', async (_request, reply) => {
    const depth = deps.queueDepth();
    const queueStatus: Health['queue_status'] =
      depth >= deps.thresholds.criticalDepth
        ? 'critical'
        : depth >= deps.thresholds.warningDepth
          ? 'warning'
          : 'ok';
    const counters = deps.issuesStore.readCounters();
    const apm = deps.transactionsStore.readCounters();
    const perMinute = deps.stats.lastMinute('transaction');
    const logs = deps.logsStore.counters();
    const logsPerMinute = deps.stats.lastMinute('log') + deps.stats.lastMinute('otlp_log');
    const ingest = deps.stats.snapshot();
    const body: Health = {
      status: queueStatus === 'ok' ? 'ok' : queueStatus === 'warning' ? 'degraded' : 'unhealthy',
      timestamp: new Date().toISOString(),
      version: deps.version,
      queue_depth: depth,
      queue_status: queueStatus,
      queue_thresholds: { warning: deps.thresholds.warningDepth, critical: deps.thresholds.criticalDepth },
      event_count: counters['events'] ?? 0,
      issue_count: counters['issues'] ?? 0,
      transaction_count: apm['transactions'] ?? 0,
      transactions_per_minute: perMinute,
      transactions_per_second: Math.round((perMinute / 60) * 100) / 100,
      events_per_minute: deps.stats.lastMinute('event'),
      invalid_events: counters['invalid_events'] ?? 0,
      duplicate_events: counters['duplicate_events'] ?? 0,
      parked_jobs: deps.issuesStore.countParkedJobs() + deps.transactionsStore.countParkedJobs(),
      invalid_transactions: apm['invalid_transactions'] ?? 0,
      pending_spans: deps.transactionsStore.countPendingSpans(),
      log_count: logs.logs,
      logs_per_minute: logsPerMinute,
      logs_per_second: Math.round((logsPerMinute / 60) * 100) / 100,
      invalid_logs: logs.invalid,
      rejected_logs: logs.rejected,
      items_accepted: ingest.accepted,
      items_dropped: ingest.dropped,
    };
    return reply.code(queueStatus === 'critical' ? 503 : 200).send(body);
  });
}
