/**
 * GET /metrics in the Prometheus text format (version 0.0.4,
 * https://prometheus.io/docs/instrumenting/exposition_formats/): ingest counts by item type and
 * outcome, queue depth and age, digest batch timings, database sizes and HTTP latencies.
 *
 * Recording is on the hot path (every ingest request passes the onResponse hook), so it is a map
 * lookup and a scan of 11 bucket bounds; everything else is computed when scraped.
 *
 * Access: with SNAG_METRICS_TOKEN set, `Authorization: Bearer <it>` (or a minted token with read
 * scope, when a BearerVerifier is given). Without it, open only while login is off, like the UI.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { BearerVerifier } from '../auth/bearer.js';
import { AppError } from '../errors.js';
import type { IngestStats } from '../ingest/stats.js';
import type { DataFileSize } from '../storage/data-files.js';

/** Seconds: Prometheus' default latency buckets (client_golang DefBuckets). */
const HTTP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a digest batch is 1–500 jobs in one transaction, ms to a second. */
const BATCH_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Histogram {
  labels: string;
  counts: number[];
  sum: number;
  count: number;
}

function createHistograms(bounds: number[]) {
  const byKey = new Map<string, Histogram>();
  return {
    observe(labels: string, value: number): void {
      let h = byKey.get(labels);
      if (!h)
        byKey.set(
          labels,
          (h = { labels, counts: new Array<number>(bounds.length).fill(0), sum: 0, count: 0 }),
        );
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]!) {
          h.counts[i]!++;
          break;
        }
      }
      h.sum += value;
      h.count++;
    },
    render(name: string, out: string[]): void {
      for (const h of byKey.values()) {
        let cumulative = 0;
        bounds.forEach((b, i) => {
          cumulative += h.counts[i]!;
          out.push(`${name}_bucket{${h.labels},le="${b}"} ${cumulative}`);
        });
        out.push(`${name}_bucket{${h.labels},le="+Inf"} ${h.count}`);
        out.push(`${name}_sum{${h.labels}} ${h.sum}`);
        out.push(`${name}_count{${h.labels}} ${h.count}`);
      }
    },
  };
}

/** Label values: backslash, quote and newline escaped, as the format requires. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function createMetrics() {
  const http = createHistograms(HTTP_BUCKETS_S);
  const batches = createHistograms(BATCH_BUCKETS_S);
  const digested = new Map<string, number>();
  return {
    observeHttp(route: string, method: string, status: number, ms: number): void {
      http.observe(
        `route="${label(route)}",method="${method}",status="${Math.floor(status / 100)}xx"`,
        ms / 1000,
      );
    },
    observeBatch(group: string, consumer: string, ms: number, stored: number): void {
      const key = `thread="${group}",consumer="${label(consumer)}"`;
      batches.observe(key, ms / 1000);
      digested.set(key, (digested.get(key) ?? 0) + stored);
    },
    renderInto(out: string[]): void {
      out.push('# HELP snag_http_request_duration_seconds HTTP request latency by route pattern.');
      out.push('# TYPE snag_http_request_duration_seconds histogram');
      http.render('snag_http_request_duration_seconds', out);
      out.push('# HELP snag_digest_batch_duration_seconds Wall time of one digest batch (one transaction).');
      out.push('# TYPE snag_digest_batch_duration_seconds histogram');
      batches.render('snag_digest_batch_duration_seconds', out);
      out.push('# HELP snag_digested_items_total Items stored by the digest threads.');
      out.push('# TYPE snag_digested_items_total counter');
      for (const [key, n] of digested) out.push(`snag_digested_items_total{${key}} ${n}`);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

export interface MetricsDeps {
  metrics: Metrics;
  stats: IngestStats;
  queueDepth(): number;
  oldestJobReceivedAt(): number | null;
  measureFiles(): DataFileSize[];
  /** SNAG_METRICS_TOKEN */
  token: string | undefined;
  loginEnabled: boolean;
  bearer?: BearerVerifier;
}

/** Records every response's latency under its route pattern (bounded label values). */
export function registerHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime,
    );
    done();
  });
}

export function registerMetricsRoute(app: FastifyInstance, deps: MetricsDeps): void {
  const expected = deps.token === undefined ? undefined : sha256(`Bearer ${deps.token}`);
  app.get('/metrics', async (request, reply) => {
    checkAccess(request.headers.authorization, expected, deps);
    const out: string[] = [];
    const { accepted, dropped } = deps.stats.snapshot();
    out.push('# HELP snag_ingest_items_total Items received by ingest, by item type and outcome.');
    out.push('# TYPE snag_ingest_items_total counter');
    for (const [type, n] of Object.entries(accepted))
      out.push(`snag_ingest_items_total{type="${label(type)}",outcome="accepted"} ${n}`);
    for (const [type, n] of Object.entries(dropped))
      out.push(`snag_ingest_items_total{type="${label(type)}",outcome="dropped"} ${n}`);
    const oldest = deps.oldestJobReceivedAt();
    out.push('# HELP snag_queue_depth Jobs waiting to be digested.');
    out.push('# TYPE snag_queue_depth gauge');
    out.push(`snag_queue_depth ${deps.queueDepth()}`);
    out.push('# HELP snag_queue_oldest_age_seconds Age of the oldest waiting job (0 when empty).');
    out.push('# TYPE snag_queue_oldest_age_seconds gauge');
    out.push(
      `snag_queue_oldest_age_seconds ${oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000)}`,
    );
    out.push('# HELP snag_database_bytes Size of each SQLite file on disk (main file and WAL).');
    out.push('# TYPE snag_database_bytes gauge');
    for (const f of deps.measureFiles()) {
      out.push(`snag_database_bytes{database="${f.name}",part="main"} ${f.bytes}`);
      out.push(`snag_database_bytes{database="${f.name}",part="wal"} ${f.wal_bytes}`);
    }
    deps.metrics.renderInto(out);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(out.join('\n') + '\n');
  });
}

function checkAccess(header: string | undefined, expected: Buffer | undefined, deps: MetricsDeps): void {
  // Digests of both sides: equal lengths whatever was sent, so neither the comparison nor a
  // length check tells a client how long the token is (auth/bearer.ts does the same).
  if (expected && header !== undefined && timingSafeEqual(sha256(header), expected)) return;
  if (deps.bearer && header !== undefined) {
    const r = deps.bearer.verify(header, 'api');
    if (r.ok && r.caller.scopes.includes('read')) return;
  }
  if (!expected && !deps.loginEnabled) return;
  if (!expected && !deps.bearer)
    throw new AppError(
      'metrics_token_required',
      403,
      'Login is on, so /metrics needs SNAG_METRICS_TOKEN: set it on the server and send it as a Bearer token.',
    );
  throw new AppError(
    'unauthorized',
    401,
    '/metrics needs `Authorization: Bearer <SNAG_METRICS_TOKEN>` (or an API token with read scope).',
    {
      headers: { 'WWW-Authenticate': 'Bearer' },
    },
  );
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
