/**
 * A project's performance: headline latency, throughput and error rate over a range, and its
 * endpoints ranked by impact (total time spent in them), each with a p95 trend. Range, filters and
 * sort live in the query string; the page refreshes itself while visible.
 */
import { useEffect } from 'react';
import {
  useResource,
  type EndpointRow,
  type PerformanceOverview,
  type PerformanceRange,
} from '../api/client';
import { DataTable, type Column, type SortState } from '../components/data-table';
import { EmptyState, LoadError } from '../components/empty-state';
import { Sparkline } from '../components/sparkline';
import { formatDuration, formatRate } from '../format-duration';
import { Link, navigate, setQuery, useLocation } from '../router';
import {
  Figures,
  PerfFilterBar,
  PerfHead,
  TracingSetup,
  latencyFigures,
  useKept,
  useProject,
} from './performance-common';
import {
  DEFAULT_SORT,
  perfHref,
  performanceApiPath,
  readPerfFilters,
  readSort,
  sortEndpoints,
  type PerfFilters,
  type SortKey,
} from './performance-filters';
import './performance.css';

const RANGE_WORDS: Record<PerformanceRange, string> = {
  '1h': 'the last hour',
  '6h': 'the last 6 hours',
  '24h': 'the last 24 hours',
  '7d': 'the last 7 days',
  '30d': 'the last 30 days',
};

const bucketTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

function endpointColumns(
  slug: string,
  f: PerfFilters,
  buckets: string[],
  maxTotal: number,
): Column<EndpointRow>[] {
  const num = (id: SortKey, header: string, render: (r: EndpointRow) => string, width = '84px') => ({
    id,
    header,
    render,
    align: 'right' as const,
    width,
    sortable: true,
  });
  return [
    {
      id: 'name',
      header: 'Endpoint',
      sortable: true,
      render: (r) => (
        <div className="ep-name">
          <Link href={perfHref.endpoint(slug, r.name, f)} className="ep-link" title={r.name}>
            {r.name}
          </Link>
          {r.op && <span className="ep-op">{r.op}</span>}
        </div>
      ),
    },
    num('count', 'Count', (r) => r.count.toLocaleString('en-US'), '80px'),
    num('p50', 'p50', (r) => formatDuration(r.p50)),
    num('p95', 'p95', (r) => formatDuration(r.p95)),
    num('p99', 'p99', (r) => formatDuration(r.p99)),
    num('avg', 'Avg', (r) => formatDuration(r.avg)),
    {
      ...num('error_rate', 'Errors', (r) => formatRate(r.error_rate)),
      render: (r) => (
        <span className={r.error_rate >= 0.01 ? 'tone-bad' : undefined}>{formatRate(r.error_rate)}</span>
      ),
    },
    num('avg_queries', 'Queries', (r) => String(Math.round(r.avg_queries * 10) / 10), '88px'),
    {
      ...num('n_plus_one_rate', 'N+1', (r) => formatRate(r.n_plus_one_rate), '74px'),
      render: (r) => (
        <span
          className={r.n_plus_one_rate > 0 ? 'tone-warn' : 'muted'}
          title="Share of transactions with an N+1 query pattern"
        >
          {formatRate(r.n_plus_one_rate)}
        </span>
      ),
    },
    {
      id: 'trend',
      header: 'p95 trend',
      width: '120px',
      render: (r) => (
        <Sparkline
          values={r.p95_series}
          width={104}
          height={24}
          label={`p95 of ${r.name} over time`}
          summary={`peak ${formatDuration(Math.max(0, ...r.p95_series.map((v) => v ?? 0)))}`}
          bucketLabel={(i, v) =>
            `${buckets[i] ? bucketTime.format(new Date(buckets[i])) : ''} · p95 ${formatDuration(v)}`
          }
        />
      ),
    },
    {
      id: 'total_ms',
      header: 'Total time',
      width: '150px',
      sortable: true,
      align: 'right',
      render: (r) => (
        <div className="impact" title="Time spent in this endpoint over the range (count × average)">
          <span className="impact-track" aria-hidden="true">
            <span
              className="impact-bar"
              style={{ width: `${maxTotal > 0 ? (r.total_ms / maxTotal) * 100 : 0}%` }}
            />
          </span>
          <span className="impact-value">{formatDuration(r.total_ms)}</span>
        </div>
      ),
    },
  ];
}

export function PerformancePage({ slug }: { slug: string }) {
  const { path, query } = useLocation();
  const f = readPerfFilters(query);
  const sort = readSort(query);
  const res = useResource<PerformanceOverview>(performanceApiPath(slug, f), { live: true });
  const { value: data, stale } = useKept(res.data, slug);
  const project = useProject(slug);
  const name = project?.name ?? slug;

  useEffect(() => {
    document.title = `Performance · ${name} · Snag`;
  }, [name]);

  const filtered = Boolean(f.environment || f.release);
  const head = (
    <PerfHead
      slug={slug}
      projectName={name}
      title="Performance"
      live={data ? (res.error ? 'offline' : 'on') : undefined}
    >
      <Link href={perfHref.transactions(slug)} className="button">
        Search transactions
      </Link>
      <Link href={perfHref.nPlusOne(slug)} className="button">
        N+1 queries
      </Link>
      <Link href={perfHref.compare(slug)} className="button">
        Compare releases
      </Link>
    </PerfHead>
  );

  if (!data) {
    return (
      <div className="perf-page">
        {head}
        {res.error ? (
          <LoadError title="Could not load performance data" error={res.error} retry={res.reload} />
        ) : (
          <div className="card perf-loading" aria-busy="true">
            Loading performance…
          </div>
        )}
      </div>
    );
  }

  const rows = sortEndpoints(data.endpoints, sort);
  const maxTotal = Math.max(0, ...data.endpoints.map((r) => r.total_ms));
  const onSort = (s: SortState) => {
    const isDefault = s.column === DEFAULT_SORT.column && s.direction === DEFAULT_SORT.direction;
    setQuery(
      { sort: isDefault ? null : s.column, dir: isDefault || s.direction === 'desc' ? null : 'asc' },
      { replace: true },
    );
  };

  return (
    <div className="perf-page">
      {head}
      <PerfFilterBar filters={f} environments={data.environments} releases={data.releases} />
      {data.headline.count === 0 ? (
        filtered ? (
          <EmptyState title={`No transactions match these filters in ${RANGE_WORDS[f.range]}`}>
            <p>
              <Link href={path}>Clear filters</Link>
            </p>
          </EmptyState>
        ) : (
          <EmptyState
            title={`No transactions in ${RANGE_WORDS[f.range]}`}
            body={
              <>
                Performance data comes from tracing. Turn it on in your SDK with a sample rate, and requests
                show up here within seconds, grouped by endpoint:
              </>
            }
          >
            {project && <TracingSetup dsn={project.dsn} />}
          </EmptyState>
        )
      ) : (
        <div className={stale ? 'perf-stale' : undefined} aria-busy={stale || undefined}>
          <section className="card perf-headline" aria-label="Headline">
            <Figures
              figures={latencyFigures(data.headline)}
              label={`All transactions in ${RANGE_WORDS[f.range]}`}
            />
          </section>
          <DataTable
            caption={`Endpoints in ${RANGE_WORDS[f.range]}, by total time`}
            className="endpoints-table"
            columns={endpointColumns(slug, f, data.buckets, maxTotal)}
            rows={rows}
            rowKey={(r) => `${r.op} ${r.name}`}
            onRowClick={(r) => navigate(perfHref.endpoint(slug, r.name, f))}
            sort={sort}
            onSortChange={onSort}
            empty="No endpoints in this range."
          />
          <p className="perf-footnote muted">
            Percentiles are estimated from sketches (within 1%). Total time is count × average: where the
            server spends its time.
          </p>
        </div>
      )}
    </div>
  );
}
