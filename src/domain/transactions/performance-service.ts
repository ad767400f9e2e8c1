/**
 * Performance (APM) as the API, the UI and MCP read it. Every statistic comes from the endpoint
 * rollups, every percentile from their DDSketches merged here; raw transactions serve only
 * samples, search and the detail page.
 *
 * Time ranges are aligned to rollup buckets: 1 h and 6 h read the 5-minute rollups, longer ranges
 * the hourly ones, so a range covers the current (partial) bucket and whole buckets before it.
 */
import { badRequest, notFound } from '../../errors.js';
import type {
  EndpointRow,
  LatencyStats,
  PerformanceRange,
  SeriesPoint,
  TransactionDetail,
  TransactionSummary,
  ComparisonArm,
  ReleaseComparison,
  NPlusOneRow,
  ProjectPerformance,
} from './views.js';
import type {
  AppStore,
  IssuesStore,
  RollupRow,
  TransactionFilter,
  TransactionListRow,
  TransactionsStore,
} from '../../storage/index.js';
import { decodePayload } from '../../storage/payload-codec.js';
import { LatencySketch } from './latency-sketch.js';
import { bucketOf, emptyBreakdown } from './rollup.js';
import type { Breakdown, SpanRecord, TransactionRecord } from './types.js';

export const PERFORMANCE_RANGES = ['1h', '6h', '24h', '7d', '30d'] as const;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Which rollup a range reads and how wide its chart buckets are. */
const RANGE_PLAN: Record<PerformanceRange, { ms: number; rollupMinutes: number; chartMinutes: number }> = {
  '1h': { ms: HOUR_MS, rollupMinutes: 5, chartMinutes: 5 },
  '6h': { ms: 6 * HOUR_MS, rollupMinutes: 5, chartMinutes: 15 },
  '24h': { ms: DAY_MS, rollupMinutes: 60, chartMinutes: 60 },
  '7d': { ms: 7 * DAY_MS, rollupMinutes: 60, chartMinutes: 6 * 60 },
  '30d': { ms: 30 * DAY_MS, rollupMinutes: 60, chartMinutes: 24 * 60 },
};

/** Endpoints listed on the performance page at most (ranked by impact). */
const MAX_ENDPOINTS = 200;
const SAMPLES = 5;
const RECENT = 10;
export const MAX_SEARCH_PAGE = 100;
/** A comparison arm needs this many transactions before its percentiles mean anything. */
const MIN_COMPARISON_SAMPLES = 20;
/** p95 moving less than this (relative) is "unchanged": below what hour-to-hour noise does. */
const VERDICT_THRESHOLD = 0.1;
/** How far back a release arm reads when comparing releases. */
const RELEASE_ARM_MS = 30 * DAY_MS;

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Window {
  from: number;
  to: number;
  rollupMinutes: number;
  chartMinutes: number;
}

export interface PerformanceFilter {
  range?: PerformanceRange;
  environment?: string;
  release?: string;
}

type ProjectReader = (slug: string) => { id: number; slug: string; name: string };

/** Running totals of rollup rows, with their sketches merged. */
class Totals {
  count = 0;
  errors = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = -Infinity;
  queries = 0;
  maxQueries = 0;
  nPlusOneCount = 0;
  nPlusOneMs = 0;
  breakdown: Breakdown = emptyBreakdown();
  sketch = new LatencySketch();
  op = '';

  add(r: RollupRow): void {
    this.count += r.count;
    this.errors += r.errors;
    this.sumMs += r.sum_ms;
    if (r.count > 0) {
      this.minMs = Math.min(this.minMs, r.min_ms);
      this.maxMs = Math.max(this.maxMs, r.max_ms);
    }
    this.queries += r.queries;
    this.maxQueries = Math.max(this.maxQueries, r.max_queries);
    this.nPlusOneCount += r.n_plus_one_count;
    this.nPlusOneMs += r.n_plus_one_ms;
    this.breakdown.db += r.db_ms;
    this.breakdown.view += r.view_ms;
    this.breakdown.http += r.http_ms;
    this.breakdown.cache += r.cache_ms;
    this.breakdown.queue += r.queue_ms;
    this.breakdown.other += r.other_ms;
    this.sketch.mergeEncoded(r.sketch);
    this.op = r.op;
  }

  stats(minutes: number): LatencyStats {
    const q = (p: number) => (this.count > 0 ? round(this.sketch.quantile(p) ?? 0) : null);
    return {
      count: this.count,
      throughput_per_minute: round(this.count / Math.max(minutes, 1)),
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      avg: this.count > 0 ? round(this.sumMs / this.count) : null,
      min: this.count > 0 ? round(this.minMs) : null,
      max: this.count > 0 ? round(this.maxMs) : null,
      error_rate: this.count > 0 ? round(this.errors / this.count, 4) : 0,
    };
  }

  averageBreakdown(): Breakdown {
    const b = emptyBreakdown();
    if (this.count === 0) return b;
    for (const k of Object.keys(b) as (keyof Breakdown)[]) b[k] = round(this.breakdown[k] / this.count);
    return b;
  }
}

export function createPerformanceService(deps: {
  transactions: TransactionsStore;
  issues: Pick<IssuesStore, 'listTraceEvents'>;
  releases: Pick<AppStore, 'listReleasesStartedSince'>;
  getProject: ProjectReader;
  now?: () => number;
}) {
  const store = deps.transactions;
  const now = () => deps.now?.() ?? Date.now();

  function windowOf(range: PerformanceRange = '24h'): Window {
    const plan = RANGE_PLAN[range];
    if (!plan) throw badRequest(`range must be one of ${PERFORMANCE_RANGES.join(', ')}.`);
    const step = plan.chartMinutes * MINUTE_MS;
    // The window ends with the chart bucket holding "now", so the last point is the live one.
    const to = (Math.floor(now() / step) + 1) * step;
    return { from: to - plan.ms, to, rollupMinutes: plan.rollupMinutes, chartMinutes: plan.chartMinutes };
  }

  function rollupsIn(
    projectId: number,
    w: Window,
    f: { name?: string; environment?: string; release?: string },
  ) {
    return store.rollups({
      projectId,
      minutes: w.rollupMinutes,
      fromBucket: bucketOf(w.from, w.rollupMinutes),
      toBucket: bucketOf(w.to - 1, w.rollupMinutes) + 1,
      ...f,
    });
  }

  function chartBuckets(w: Window): number[] {
    const step = w.chartMinutes * MINUTE_MS;
    const out: number[] = [];
    for (let t = w.from; t < w.to; t += step) out.push(t);
    return out;
  }

  function chartIndex(w: Window, row: RollupRow): number {
    const start = row.bucket * row.minutes * MINUTE_MS;
    return Math.floor((start - w.from) / (w.chartMinutes * MINUTE_MS));
  }

  const rangeMinutes = (w: Window) => (Math.min(w.to, now()) - w.from) / MINUTE_MS;

  function filterMenus(projectId: number) {
    const since = bucketOf(now() - 30 * DAY_MS, 60);
    return {
      environments: store.distinctValues(projectId, since, 'environment'),
      releases: store.distinctValues(projectId, since, 'release'),
    };
  }

  function summary(r: TransactionListRow): TransactionSummary {
    return {
      id: r.span_id,
      trace_id: r.trace_id,
      event_id: r.event_id,
      name: r.name,
      op: r.op,
      timestamp: iso(r.timestamp),
      duration_ms: round(r.duration_ms),
      status: r.status,
      http_method: r.http_method,
      http_status: r.http_status,
      environment: r.environment,
      release: r.release,
      is_error: r.is_error === 1,
      query_count: r.query_count,
      n_plus_one: r.n_plus_one === 1,
      breakdown: {
        db: r.db_ms,
        view: r.view_ms,
        http: r.http_ms,
        cache: r.cache_ms,
        queue: r.queue_ms,
        other: r.other_ms,
      },
    };
  }

  /**
   * A release arm reads 30 days, but its throughput and bounds are those of the hours it was seen
   * in: per minute over 30 days would say 0 for any release younger than a week.
   */
  function armStats(
    rows: RollupRow[],
    label: string,
    from: number,
    to: number,
    clip: boolean,
  ): ComparisonArm {
    const t = new Totals();
    for (const r of rows) t.add(r);
    if (clip && rows.length > 0) {
      // A loop, not Math.min(...rows): a 30-day release arm can hold ~100k rows, past V8's argument limit.
      let first = Infinity;
      let last = -Infinity;
      for (const r of rows) {
        first = Math.min(first, r.bucket);
        last = Math.max(last, r.bucket);
      }
      from = Math.max(from, first * HOUR_MS);
      to = Math.min(to, (last + 1) * HOUR_MS, now());
    }
    return { ...t.stats((to - from) / MINUTE_MS), label, from: iso(from), to: iso(to) };
  }

  return {
    overview(slug: string, f: PerformanceFilter) {
      const project = deps.getProject(slug);
      const range = f.range ?? '24h';
      const w = windowOf(range);
      const buckets = chartBuckets(w);
      const headline = new Totals();
      const byName = new Map<string, { totals: Totals; perBucket: LatencySketch[] }>();
      for (const row of rollupsIn(project.id, w, { environment: f.environment, release: f.release })) {
        headline.add(row);
        let e = byName.get(row.name);
        if (!e) byName.set(row.name, (e = { totals: new Totals(), perBucket: [] }));
        e.totals.add(row);
        const i = chartIndex(w, row);
        if (i >= 0 && i < buckets.length) (e.perBucket[i] ??= new LatencySketch()).mergeEncoded(row.sketch);
      }
      const minutes = rangeMinutes(w);
      const endpoints: EndpointRow[] = [...byName.entries()]
        .sort((a, b) => b[1].totals.sumMs - a[1].totals.sumMs)
        .slice(0, MAX_ENDPOINTS)
        .map(([name, { totals, perBucket }]) => ({
          name,
          op: totals.op,
          ...totals.stats(minutes),
          total_ms: round(totals.sumMs),
          avg_queries: totals.count > 0 ? round(totals.queries / totals.count, 2) : 0,
          n_plus_one_rate: totals.count > 0 ? round(totals.nPlusOneCount / totals.count, 4) : 0,
          p95_series: buckets.map((_, i) => {
            const q = perBucket[i]?.quantile(0.95);
            return q === undefined || q === null ? null : round(q);
          }),
        }));
      return {
        range,
        from: iso(w.from),
        to: iso(w.to),
        buckets: buckets.map(iso),
        headline: headline.stats(minutes),
        endpoints,
        ...filterMenus(project.id),
      };
    },

    endpoint(slug: string, name: string, f: PerformanceFilter) {
      const project = deps.getProject(slug);
      const range = f.range ?? '24h';
      const w = windowOf(range);
      const buckets = chartBuckets(w);
      const totals = new Totals();
      const perBucket = buckets.map(() => new Totals());
      for (const row of rollupsIn(project.id, w, { name, environment: f.environment, release: f.release })) {
        totals.add(row);
        const i = chartIndex(w, row);
        if (i >= 0 && i < buckets.length) perBucket[i]!.add(row);
      }
      const series: SeriesPoint[] = buckets.map((t, i) => {
        const s = perBucket[i]!.stats(w.chartMinutes);
        return { t: iso(t), count: s.count, p50: s.p50, p95: s.p95, p99: s.p99, error_rate: s.error_rate };
      });
      const sampleFilter = {
        projectId: project.id,
        name,
        from: w.from,
        to: w.to,
        environment: f.environment,
        release: f.release,
      };
      const deploys = deps.releases
        .listReleasesStartedSince(project.id, w.from)
        .filter((r) => r.firstSeen < w.to)
        .map((r) => ({ version: r.version, first_seen: iso(r.firstSeen) }));
      const stats = totals.stats(rangeMinutes(w));
      return {
        name,
        op: totals.op,
        range,
        from: iso(w.from),
        to: iso(w.to),
        stats: {
          ...stats,
          total_ms: round(totals.sumMs),
          avg_queries: totals.count > 0 ? round(totals.queries / totals.count, 2) : 0,
          n_plus_one_rate: totals.count > 0 ? round(totals.nPlusOneCount / totals.count, 4) : 0,
        },
        series,
        deploys,
        breakdown: totals.averageBreakdown(),
        slowest: store.byDuration(sampleFilter, 'desc', SAMPLES).map(summary),
        fastest: store.byDuration(sampleFilter, 'asc', SAMPLES).map(summary),
        recent: store.search({ ...sampleFilter, limit: RECENT }).map(summary),
        ...filterMenus(project.id),
      };
    },

    compare(
      slug: string,
      q: { name?: string; a?: string; b?: string; at?: number; windowRange?: PerformanceRange },
    ): ReleaseComparison {
      const project = deps.getProject(slug);
      const menus = filterMenus(project.id);
      let armA: { rows: RollupRow[]; label: string; from: number; to: number };
      let armB: typeof armA;
      let mode: ReleaseComparison['mode'];
      if (q.a !== undefined && q.b !== undefined) {
        mode = 'releases';
        const to = (Math.floor(now() / HOUR_MS) + 1) * HOUR_MS;
        const from = to - RELEASE_ARM_MS;
        const arm = (release: string) => ({
          rows: store.rollups({
            projectId: project.id,
            minutes: 60,
            fromBucket: bucketOf(from, 60),
            toBucket: bucketOf(to, 60),
            name: q.name,
            release,
          }),
          label: release,
          from,
          to,
        });
        armA = arm(q.a);
        armB = arm(q.b);
      } else if (q.at !== undefined) {
        mode = 'timestamp';
        const width = RANGE_PLAN[q.windowRange ?? '24h'].ms;
        // Hourly rollups: the moment is rounded down to its hour.
        const at = Math.floor(q.at / HOUR_MS) * HOUR_MS;
        const arm = (from: number, to: number, label: string) => ({
          rows: store.rollups({
            projectId: project.id,
            minutes: 60,
            fromBucket: bucketOf(from, 60),
            toBucket: bucketOf(to, 60),
            name: q.name,
          }),
          label,
          from,
          to,
        });
        armA = arm(at - width, at, `before ${iso(at)}`);
        armB = arm(at, at + width, `after ${iso(at)}`);
      } else {
        throw badRequest(
          'Compare two releases (?a=<release>&b=<release>) or before/after a moment (?at=<ISO time>).',
        );
      }
      const a = armStats(armA.rows, armA.label, armA.from, armA.to, mode === 'releases');
      const b = armStats(armB.rows, armB.label, armB.from, armB.to, mode === 'releases');
      const change = {
        p50: percentChange(a.p50, b.p50),
        p95: percentChange(a.p95, b.p95),
        p99: percentChange(a.p99, b.p99),
        error_rate: a.count > 0 && b.count > 0 ? percentChange(a.error_rate, b.error_rate) : null,
        throughput: percentChange(a.throughput_per_minute, b.throughput_per_minute),
      };
      const { verdict, reason } = judge(a, b, change.p95);
      return {
        name: q.name ?? null,
        mode,
        a,
        b,
        change,
        verdict,
        verdict_reason: reason,
        endpoints: q.name === undefined ? movers(armA, armB) : [],
        releases: menus.releases,
      };
    },

    nPlusOne(slug: string, f: PerformanceFilter) {
      const project = deps.getProject(slug);
      const range = f.range ?? '24h';
      const w = windowOf(range);
      const byName = new Map<string, Totals>();
      for (const row of rollupsIn(project.id, w, { environment: f.environment, release: f.release })) {
        let t = byName.get(row.name);
        if (!t) byName.set(row.name, (t = new Totals()));
        t.add(row);
      }
      const endpoints: NPlusOneRow[] = [...byName.entries()]
        .filter(([, t]) => t.nPlusOneCount > 0)
        .sort((a, b) => b[1].nPlusOneMs - a[1].nPlusOneMs || b[1].nPlusOneCount - a[1].nPlusOneCount)
        .slice(0, MAX_ENDPOINTS)
        .map(([name, t]) => {
          const latest = store.latestNPlusOne(project.id, name, w.from, w.to);
          let pattern: NPlusOneRow['pattern'] = null;
          if (latest) {
            const record = decodePayload(latest.payload) as TransactionRecord;
            const worst = record.queryPatterns
              .filter((p) => p.n_plus_one)
              .sort((x, y) => y.total_ms - x.total_ms || y.count - x.count)[0];
            if (worst) pattern = { ...worst, transaction_id: record.spanId };
          }
          return {
            name,
            op: t.op,
            count: t.count,
            affected: t.nPlusOneCount,
            affected_rate: round(t.nPlusOneCount / t.count, 4),
            wasted_ms: round(t.nPlusOneMs),
            avg_wasted_ms_per_affected: round(t.nPlusOneMs / t.nPlusOneCount),
            avg_queries: round(t.queries / t.count, 2),
            max_queries: t.maxQueries,
            pattern,
          };
        });
      return { range, endpoints, ...filterMenus(project.id) };
    },

    search(
      slug: string,
      f: Omit<TransactionFilter, 'projectId' | 'from' | 'to' | 'limit' | 'before'> & {
        range?: PerformanceRange;
        limit?: number;
        cursor?: string;
      },
    ) {
      const project = deps.getProject(slug);
      const w = windowOf(f.range ?? '24h');
      const limit = Math.min(Math.max(f.limit ?? 50, 1), MAX_SEARCH_PAGE);
      const { range: _range, cursor, ...filters } = f;
      const rows = store.search({
        ...filters,
        projectId: project.id,
        from: w.from,
        to: w.to,
        limit: limit + 1,
        before: cursor === undefined ? undefined : parseCursor(cursor),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        transactions: page.map(summary),
        next_cursor: rows.length > limit && last ? `${last.timestamp}.${last.id}` : null,
        ...filterMenus(project.id),
      };
    },

    detail(slug: string, spanId: string): TransactionDetail {
      const project = deps.getProject(slug);
      if (!/^[0-9a-f]{16}$/.test(spanId))
        throw badRequest(`"${spanId}" is not a transaction id: 16 hex digits (the root span id).`);
      const row = store.get(project.id, spanId);
      if (!row) throw notFound(`No transaction ${spanId} in project ${project.slug}.`);
      const t = decodePayload(row.payload) as TransactionRecord;
      return {
        ...summary(row),
        project: { id: project.id, slug: project.slug, name: project.name },
        source: t.source,
        start: iso(t.start),
        end: iso(t.end),
        parent_span_id: t.parentSpanId,
        http_url: t.httpUrl,
        server_name: t.serverName,
        user: t.user,
        tags: t.tags,
        sdk: t.sdk,
        platform: t.platform,
        contexts: t.contexts,
        request: t.request,
        measurements: t.measurements,
        spans: orderDepthFirst(t.spans),
        spans_truncated: t.spansTruncated,
        incomplete: t.incomplete,
        queries: [...t.queryPatterns].sort(
          (a, b) => Number(b.n_plus_one) - Number(a.n_plus_one) || b.total_ms - a.total_ms,
        ),
        n_plus_one_ms: t.nPlusOneMs,
        trace_errors: deps.issues.listTraceEvents(project.id, t.traceId, 50).map((e) => ({
          event_id: e.event_id,
          issue_id: e.issue_id,
          title: e.title,
          level: e.level,
          timestamp: iso(e.timestamp),
        })),
        trace_logs: null,
        trace_transactions: store
          .ofTrace(project.id, t.traceId)
          .filter((r) => r.span_id !== t.spanId)
          .map(summary),
      };
    },

    /** The projects overview cards: last 24 hours per project. */
    projectsLast24h(): Map<number, ProjectPerformance> {
      const toHour = bucketOf(now(), 60) + 1;
      const byProject = new Map<number, Totals>();
      for (const row of store.hourlyRollupsOfAllProjects(toHour - 24, toHour)) {
        let t = byProject.get(row.project_id);
        if (!t) byProject.set(row.project_id, (t = new Totals()));
        t.add(row);
      }
      const out = new Map<number, ProjectPerformance>();
      for (const [id, t] of byProject) {
        const s = t.stats(24 * 60);
        out.set(id, {
          transactions_24h: s.count,
          throughput_per_minute: s.throughput_per_minute,
          p50: s.p50,
          p95: s.p95,
          error_rate: s.error_rate,
        });
      }
      return out;
    },
  };

  function movers(a: { rows: RollupRow[] }, b: { rows: RollupRow[] }): ReleaseComparison['endpoints'] {
    const group = (rows: RollupRow[]) => {
      const m = new Map<string, Totals>();
      for (const r of rows) {
        let t = m.get(r.name);
        if (!t) m.set(r.name, (t = new Totals()));
        t.add(r);
      }
      return m;
    };
    const ga = group(a.rows);
    const gb = group(b.rows);
    const out: ReleaseComparison['endpoints'] = [];
    for (const [name, ta] of ga) {
      const tb = gb.get(name);
      if (!tb) continue;
      const sa = ta.stats(1);
      const sb = tb.stats(1);
      out.push({ name, a: sa, b: sb, p95_change: percentChange(sa.p95, sb.p95) });
    }
    return out
      .filter((e) => e.a.count >= MIN_COMPARISON_SAMPLES / 2 && e.b.count >= MIN_COMPARISON_SAMPLES / 2)
      .sort((x, y) => Math.abs(y.p95_change ?? 0) - Math.abs(x.p95_change ?? 0))
      .slice(0, 20);
  }
}

export type PerformanceService = ReturnType<typeof createPerformanceService>;

function percentChange(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a === 0) return null;
  return round(((b - a) / a) * 100, 1);
}

function judge(
  a: LatencyStats,
  b: LatencyStats,
  p95Change: number | null,
): { verdict: ReleaseComparison['verdict']; reason: string } {
  if (a.count < MIN_COMPARISON_SAMPLES || b.count < MIN_COMPARISON_SAMPLES || p95Change === null) {
    return {
      verdict: 'not_enough_data',
      reason: `Each side needs at least ${MIN_COMPARISON_SAMPLES} transactions (have ${a.count} and ${b.count}).`,
    };
  }
  const errorNote =
    b.error_rate > a.error_rate + 0.01
      ? ` Error rate rose from ${(a.error_rate * 100).toFixed(1)} % to ${(b.error_rate * 100).toFixed(1)} %.`
      : '';
  const threshold = VERDICT_THRESHOLD * 100;
  if (p95Change >= threshold)
    return { verdict: 'slower', reason: `p95 rose ${p95Change} % (threshold ${threshold} %).${errorNote}` };
  if (p95Change <= -threshold)
    return { verdict: 'faster', reason: `p95 fell ${-p95Change} % (threshold ${threshold} %).${errorNote}` };
  return {
    verdict: 'unchanged',
    reason: `p95 moved ${p95Change} %, within ±${threshold} %.${errorNote}`,
  };
}

function parseCursor(cursor: string): { timestamp: number; id: number } {
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(cursor);
  if (!m) throw badRequest('cursor is not one this API returned: pass next_cursor unchanged.');
  return { timestamp: Number(m[1]), id: Number(m[2]) };
}

/** A parent before its children, siblings by start time; spans whose parent is missing follow the root. */
export function orderDepthFirst(spans: SpanRecord[]): SpanRecord[] {
  if (spans.length === 0) return spans;
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | null, SpanRecord[]>();
  const root = spans.find((s) => s.depth === 0) ?? spans[0]!;
  for (const s of spans) {
    if (s === root) continue;
    const parent =
      s.parent_span_id && ids.has(s.parent_span_id) && s.parent_span_id !== s.span_id
        ? s.parent_span_id
        : root.span_id;
    const list = children.get(parent);
    if (list) list.push(s);
    else children.set(parent, [s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.start - b.start);
  const out: SpanRecord[] = [];
  const seen = new Set<string>();
  const stack: SpanRecord[] = [root];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s.span_id)) continue;
    seen.add(s.span_id);
    out.push(s);
    const kids = children.get(s.span_id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  // Anything unreachable (a cycle) is appended rather than lost.
  for (const s of spans) if (!seen.has(s.span_id)) out.push(s);
  return out;
}
