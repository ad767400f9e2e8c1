/**
 * Performance (APM) as the API, the UI and MCP read it. Every statistic comes from the endpoint
 * rollups, every percentile from their DDSketches merged here; raw transactions serve only
 * samples, search and the detail page.
 *
 * Time ranges are aligned to chart buckets: 1 h and 6 h read the 5-minute rollups, longer ranges
 * the coarsest rollups that fit (rollup-reads.ts: daily rows for 30 days, 6-hourly for 7), so a
 * range covers the current (partial) bucket and whole buckets before it.
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
  LogsStore,
  IssuesStore,
  RollupRow,
  TransactionFilter,
  TransactionListRow,
  TransactionsStore,
} from '../../storage/index.js';
import { decodePayload } from '../../storage/payload-codec.js';
import { releaseMarkers, type MarkerSource } from '../releases/markers.js';
import { LatencySketch } from './latency-sketch.js';
import { bucketOf } from './rollup.js';
import { createRollupReader } from './rollup-reads.js';
import { round, RollupTotals as Totals } from './rollup-totals.js';
import type { SpanRecord, TransactionRecord } from './types.js';

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
/** The digest prunes 5-minute rollups older than this (with a bucket of slack). */
const FIVE_MINUTE_RETENTION_MS = 2 * DAY_MS - 5 * MINUTE_MS;

const iso = (ms: number) => new Date(ms).toISOString();
const hourFloor = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

interface Window {
  from: number;
  to: number;
  rollupMinutes: number;
  chartMinutes: number;
}

export interface PerformanceFilter {
  range?: PerformanceRange;
  /**
   * Any window (epoch ms) instead of a range, for callers such as MCP tools that take start and end
   * times; `buckets` is about how many chart points to return (default 24).
   */
  window?: { from: number; to: number; buckets?: number };
  environment?: string;
  release?: string;
}

type ProjectReader = (slug: string) => { id: number; slug: string; name: string };

/** The trace's logs as the transaction page links them; null when it has none. */
function traceLogsCount(
  logs: Pick<LogsStore, 'countOfTrace'>,
  project: { id: number; slug: string },
  traceId: string,
): { count: number; url: string } | null {
  const count = logs.countOfTrace(project.id, traceId);
  if (count === 0) return null;
  return { count, url: `/projects/${project.slug}/logs?q=${encodeURIComponent(`trace:${traceId}`)}` };
}

export function createPerformanceService(deps: {
  transactions: TransactionsStore;
  issues: Pick<IssuesStore, 'listTraceEvents'>;
  /** Deploys and releases' first events, for the chart markers (domain/releases/markers.ts). */
  releases: MarkerSource;
  /** Logs of a trace, for the transaction page's "N logs for this trace". */
  logs: Pick<LogsStore, 'countOfTrace'>;
  getProject: ProjectReader;
  now?: () => number;
}) {
  const store = deps.transactions;
  const rollups = createRollupReader(store);
  const now = () => deps.now?.() ?? Date.now();

  function windowOf(range: PerformanceRange = '24h'): Window {
    const plan = RANGE_PLAN[range];
    if (!plan) throw badRequest(`range must be one of ${PERFORMANCE_RANGES.join(', ')}.`);
    const step = plan.chartMinutes * MINUTE_MS;
    // The window ends with the chart bucket holding "now", so the last point is the live one.
    const to = (Math.floor(now() / step) + 1) * step;
    return { from: to - plan.ms, to, rollupMinutes: plan.rollupMinutes, chartMinutes: plan.chartMinutes };
  }

  /**
   * An explicit window, aligned outward to rollup buckets. 5-minute rollups serve windows of up to
   * 6 h that lie within their two days of retention; everything else reads the hourly ones.
   */
  function windowFor(f: PerformanceFilter): Window {
    if (!f.window) return windowOf(f.range);
    const { from, to } = f.window;
    if (!(to > from)) throw badRequest('The time window must end after it starts.');
    const fine = to - from <= 6 * HOUR_MS && from >= now() - FIVE_MINUTE_RETENTION_MS;
    const rollupMinutes = fine ? 5 : 60;
    const buckets = Math.max(1, f.window.buckets ?? 24);
    const chartMinutes = Math.max(
      rollupMinutes,
      Math.ceil((to - from) / MINUTE_MS / buckets / rollupMinutes) * rollupMinutes,
    );
    const step = chartMinutes * MINUTE_MS;
    const alignedTo = Math.ceil(to / step) * step;
    return {
      from: alignedTo - Math.ceil((alignedTo - from) / step) * step,
      to: alignedTo,
      rollupMinutes,
      chartMinutes,
    };
  }

  /** The rows of a window; for a chart (`chart`), only resolutions that fit its buckets. */
  function rollupsIn(
    projectId: number,
    w: Window,
    f: { name?: string; environment?: string; release?: string },
    chart = true,
  ) {
    return rollups.read(projectId, rangeOf(w, chart), f);
  }

  const rangeOf = (w: Window, chart: boolean) => ({
    from: w.from,
    to: w.to,
    finest: w.rollupMinutes,
    chartMinutes: chart ? w.chartMinutes : undefined,
  });

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
    t: Totals,
    label: string,
    from: number,
    to: number,
    /** The hours the rows have data in, for a release arm. */
    clip?: () => { from: number; to: number } | null,
  ): ComparisonArm {
    const seen = clip ? clip() : null;
    if (seen) {
      from = Math.max(from, seen.from);
      to = Math.min(to, seen.to, now());
    }
    return { ...t.stats((to - from) / MINUTE_MS), label, from: iso(from), to: iso(to) };
  }

  return {
    overview(slug: string, f: PerformanceFilter) {
      const project = deps.getProject(slug);
      const range = f.range ?? '24h';
      const w = windowFor(f);
      const buckets = chartBuckets(w);
      const headline = new Totals();
      const byName = new Map<string, { totals: Totals; perBucket: LatencySketch[] }>();
      for (const row of rollupsIn(project.id, w, { environment: f.environment, release: f.release })) {
        headline.addCounts(row);
        let e = byName.get(row.name);
        if (!e) byName.set(row.name, (e = { totals: new Totals(), perBucket: [] }));
        e.totals.addCounts(row);
        const i = chartIndex(w, row);
        if (i >= 0 && i < buckets.length) (e.perBucket[i] ??= new LatencySketch()).mergeEncoded(row.sketch);
        else e.totals.sketch.mergeEncoded(row.sketch);
      }
      // Each row's sketch is decoded once, into its chart point; points make the endpoint, endpoints the headline.
      for (const { totals, perBucket } of byName.values()) {
        for (const point of perBucket) if (point) totals.sketch.merge(point);
        headline.sketch.merge(totals.sketch);
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
      const w = windowFor(f);
      const buckets = chartBuckets(w);
      const totals = new Totals();
      const perBucket = buckets.map(() => new Totals());
      for (const row of rollupsIn(project.id, w, { name, environment: f.environment, release: f.release })) {
        totals.addCounts(row);
        const i = chartIndex(w, row);
        if (i >= 0 && i < buckets.length) perBucket[i]!.add(row);
        else totals.sketch.mergeEncoded(row.sketch);
      }
      for (const point of perBucket) totals.sketch.merge(point.sketch);
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
      const deploys = releaseMarkers(deps.releases, project.id, w.from, w.to);
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
      q: {
        name?: string;
        a?: string;
        b?: string;
        at?: number;
        windowRange?: PerformanceRange;
        /** Widths of the before / after arms around `at`, instead of `windowRange` on both sides. */
        windowMs?: { before: number; after: number };
        environment?: string;
      },
    ): ReleaseComparison {
      const project = deps.getProject(slug);
      const menus = filterMenus(project.id);
      let armA: {
        rows: RollupRow[];
        label: string;
        from: number;
        to: number;
        seen: (() => { from: number; to: number } | null) | undefined;
      };
      let armB: typeof armA;
      let mode: ReleaseComparison['mode'];
      if (q.a !== undefined && q.b !== undefined) {
        mode = 'releases';
        const to = (Math.floor(now() / HOUR_MS) + 1) * HOUR_MS;
        const from = to - RELEASE_ARM_MS;
        const arm = (release: string) => {
          const filter = { name: q.name, environment: q.environment, release };
          const rows = rollups.read(project.id, { from, to, finest: 60 }, filter);
          return { rows, label: release, from, to, seen: () => rollups.hourExtent(project.id, rows, filter) };
        };
        armA = arm(q.a);
        armB = arm(q.b);
      } else if (q.at !== undefined) {
        mode = 'timestamp';
        const width = RANGE_PLAN[q.windowRange ?? '24h'].ms;
        // Hourly rollups: the moment is rounded down to its hour.
        const at = Math.floor(q.at / HOUR_MS) * HOUR_MS;
        const arm = (from: number, to: number, label: string) => ({
          // Whole hours from the one holding `from` to the one before `to`'s.
          rows: rollups.read(
            project.id,
            { from: hourFloor(from), to: hourFloor(to), finest: 60 },
            { name: q.name, environment: q.environment },
          ),
          label,
          from,
          to,
          seen: undefined,
        });
        armA = arm(at - (q.windowMs?.before ?? width), at, `before ${iso(at)}`);
        armB = arm(at, at + (q.windowMs?.after ?? width), `after ${iso(at)}`);
      } else {
        throw badRequest(
          'Compare two releases (?a=<release>&b=<release>) or before/after a moment (?at=<ISO time>).',
        );
      }
      const totalsA = totalsOf(armA.rows);
      const totalsB = totalsOf(armB.rows);
      const a = armStats(totalsA.total, armA.label, armA.from, armA.to, armA.seen);
      const b = armStats(totalsB.total, armB.label, armB.from, armB.to, armB.seen);
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
        endpoints: q.name === undefined ? movers(totalsA.byName, totalsB.byName) : [],
        releases: menus.releases,
      };
    },

    nPlusOne(slug: string, f: PerformanceFilter) {
      const project = deps.getProject(slug);
      const range = f.range ?? '24h';
      const w = windowFor(f);
      const byName = new Map<string, Totals>();
      // No percentiles here: sums only, so no sketch is decoded and no chart constrains the rows.
      for (const row of rollupsIn(project.id, w, { environment: f.environment, release: f.release }, false)) {
        let t = byName.get(row.name);
        if (!t) byName.set(row.name, (t = new Totals()));
        t.addCounts(row);
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
        window?: PerformanceFilter['window'];
        limit?: number;
        cursor?: string;
      },
    ) {
      const project = deps.getProject(slug);
      const w = windowFor(f);
      const limit = Math.min(Math.max(f.limit ?? 50, 1), MAX_SEARCH_PAGE);
      const { range: _range, window: _window, cursor, ...filters } = f;
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

    /**
     * Slowest first among the newest `scanCap` matches; `complete` is false when the cap was
     * reached, so a caller can say the answer covers only the most recent part of the window.
     */
    slowest(
      slug: string,
      f: Omit<TransactionFilter, 'projectId' | 'from' | 'to' | 'limit' | 'before'> & {
        window?: PerformanceFilter['window'];
        range?: PerformanceRange;
        limit: number;
        scanCap: number;
      },
    ) {
      const project = deps.getProject(slug);
      const w = windowFor(f);
      const { range: _range, window: _window, scanCap, limit, ...filters } = f;
      const { rows, scanned } = store.slowest(
        {
          ...filters,
          projectId: project.id,
          from: w.from,
          to: w.to,
          limit: Math.min(limit, MAX_SEARCH_PAGE),
        },
        scanCap,
      );
      return {
        from: iso(w.from),
        to: iso(w.to),
        transactions: rows.map(summary),
        scanned,
        complete: scanned < scanCap,
      };
    },

    /** How many rollup rows a statistic over `f` would read (callers with a time budget ask first). */
    rollupRowCount(slug: string, f: PerformanceFilter & { name?: string }): number {
      const project = deps.getProject(slug);
      const w = windowFor(f);
      return rollups.count(project.id, rangeOf(w, true), {
        name: f.name,
        environment: f.environment,
        release: f.release,
      });
    },

    /** The transactions (segments) of one trace, by start. */
    traceTransactions(slug: string, traceId: string): TransactionSummary[] {
      const project = deps.getProject(slug);
      return store.ofTrace(project.id, traceId).map(summary);
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
        trace_logs: traceLogsCount(deps.logs, project, t.traceId),
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
      for (const row of rollups.readAllProjects({
        from: (toHour - 24) * HOUR_MS,
        to: toHour * HOUR_MS,
        finest: 60,
      })) {
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

  /** An arm's totals and its endpoints', each row's sketch decoded once (into its endpoint's). */
  function totalsOf(rows: RollupRow[]): { total: Totals; byName: Map<string, Totals> } {
    const total = new Totals();
    const byName = new Map<string, Totals>();
    for (const r of rows) {
      total.addCounts(r);
      let t = byName.get(r.name);
      if (!t) byName.set(r.name, (t = new Totals()));
      t.add(r);
    }
    for (const t of byName.values()) total.sketch.merge(t.sketch);
    return { total, byName };
  }

  function movers(ga: Map<string, Totals>, gb: Map<string, Totals>): ReleaseComparison['endpoints'] {
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
