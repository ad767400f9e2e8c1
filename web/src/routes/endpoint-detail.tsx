/**
 * One endpoint (`?name=`): headline figures, transactions and p50 / p95 / p99 over the range with
 * deploys marked, where its time goes (db, view, http…), and sample transactions (slowest, fastest,
 * most recent), each opening the transaction's page.
 */
import { useEffect, useMemo } from 'react';
import { useResource, type EndpointDetail, type TransactionSummary } from '../api/client';
import { BreakdownBar } from '../components/breakdown-bar';
import { DataTable, type Column } from '../components/data-table';
import { EmptyState, LoadError } from '../components/empty-state';
import { LatencyChart, chartMarkers, toChartData } from '../components/latency-chart';
import { RelativeTime } from '../components/relative-time';
import { formatDuration, formatRate } from '../format-duration';
import { Link, navigate, useLocation } from '../router';
import {
  Figures,
  PerfFilterBar,
  PerfHead,
  latencyFigures,
  useKept,
  useProject,
  type Figure,
} from './performance-common';
import { endpointApiPath, newestReleases, perfHref, readPerfFilters } from './performance-filters';
import './endpoint-detail.css';

const RANGE_MS: Record<string, number> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 24 * 3_600_000,
  '7d': 7 * 24 * 3_600_000,
  '30d': 30 * 24 * 3_600_000,
};

const SAMPLE_TABS = [
  ['slowest', 'Slowest'],
  ['fastest', 'Fastest'],
  ['recent', 'Recent'],
] as const;
type SampleTab = (typeof SAMPLE_TABS)[number][0];

/** "Compare releases" for this endpoint: its newest release (B) against the one before (A). */
function compareParams(d: EndpointDetail): Record<string, string | undefined> {
  const [b, a] = newestReleases(d.releases, d.deploys);
  return { name: d.name, a, b };
}

function sampleColumns(slug: string): Column<TransactionSummary>[] {
  return [
    {
      id: 'when',
      header: 'Transaction',
      width: '190px',
      render: (t) => (
        <Link
          href={perfHref.transaction(slug, t.id)}
          className="ep-tx-link"
          title={new Date(t.timestamp).toLocaleString()}
        >
          <span className="mono">{t.id.slice(0, 8)}</span> <RelativeTime iso={t.timestamp} />
        </Link>
      ),
    },
    {
      id: 'duration',
      header: 'Duration',
      align: 'right',
      width: '90px',
      render: (t) => <strong>{formatDuration(t.duration_ms)}</strong>,
    },
    {
      id: 'status',
      header: 'Status',
      width: '110px',
      render: (t) => (
        <span className={t.is_error ? 'tone-bad' : undefined}>
          {t.http_method && <span className="muted">{t.http_method} </span>}
          {t.http_status ?? t.status}
        </span>
      ),
    },
    {
      id: 'queries',
      header: 'Queries',
      align: 'right',
      width: '110px',
      render: (t) => (
        <>
          {t.n_plus_one && (
            <span className="ep-n1-badge" title="This transaction has an N+1 query pattern">
              N+1
            </span>
          )}{' '}
          {t.query_count}
        </>
      ),
    },
    {
      id: 'breakdown',
      header: 'Where the time went',
      render: (t) => <BreakdownBar breakdown={t.breakdown} compact label="Time breakdown" />,
    },
    {
      id: 'release',
      header: 'Release',
      width: '16%',
      className: 'mono',
      render: (t) => t.release ?? <span className="muted">—</span>,
    },
    { id: 'env', header: 'Environment', width: '124px', render: (t) => t.environment },
  ];
}

function endpointFigures(d: EndpointDetail): Figure[] {
  return [
    ...latencyFigures(d.stats),
    {
      label: 'Queries',
      value: String(Math.round(d.stats.avg_queries * 10) / 10),
      title: 'Database queries per transaction, on average',
    },
    {
      label: 'N+1',
      value: formatRate(d.stats.n_plus_one_rate),
      title: 'Share of transactions with an N+1 query pattern',
      tone: d.stats.n_plus_one_rate > 0 ? 'warn' : undefined,
    },
  ];
}

export function EndpointDetailPage({ slug }: { slug: string }) {
  const { path, query } = useLocation();
  const name = query.get('name') ?? '';
  const f = readPerfFilters(query);
  const tab: SampleTab = SAMPLE_TABS.find(([k]) => k === query.get('samples'))?.[0] ?? 'slowest';
  const res = useResource<EndpointDetail>(name ? endpointApiPath(slug, name, f) : null, { live: true });
  const { value: data, stale } = useKept(res.data, `${slug} ${name}`);
  const project = useProject(slug);
  const projectName = project?.name ?? slug;

  useEffect(() => {
    document.title = `${name || 'Endpoint'} · Performance · Snag`;
  }, [name]);

  const chart = useMemo(() => (data ? toChartData(data.series, RANGE_MS[data.range] ?? 0) : null), [data]);
  const markers = useMemo(
    () => (data && chart ? chartMarkers(data.deploys, chart.from, chart.to) : []),
    [data, chart],
  );

  const head = (
    <PerfHead
      slug={slug}
      projectName={projectName}
      trail={[<span key="n">{name || 'Endpoint'}</span>]}
      title={<span className="ep-title">{name || 'Endpoint'}</span>}
      live={data ? (res.error ? 'offline' : 'on') : undefined}
    >
      {data && (
        <Link href={perfHref.compare(slug, compareParams(data))} className="button">
          Compare releases
        </Link>
      )}
    </PerfHead>
  );

  if (!name) {
    return (
      <div className="perf-page">
        {head}
        <EmptyState title="No endpoint named" body="Pick an endpoint from the performance page.">
          <p>
            <Link href={perfHref.overview(slug)}>Back to performance</Link>
          </p>
        </EmptyState>
      </div>
    );
  }
  if (!data || !chart) {
    return (
      <div className="perf-page">
        {head}
        {res.error ? (
          <LoadError title="Could not load this endpoint" error={res.error} retry={res.reload} />
        ) : (
          <div className="card perf-loading" aria-busy="true">
            Loading endpoint…
          </div>
        )}
      </div>
    );
  }

  const samples = data[tab];
  const peak = Math.max(0, ...chart.count);
  const p95s = chart.p95.filter((v): v is number => v !== null);
  const tabHref = (t: SampleTab) => {
    const q = new URLSearchParams(query);
    if (t === 'slowest') q.delete('samples');
    else q.set('samples', t);
    return `${path}?${q}`;
  };

  return (
    <div className="perf-page">
      {head}
      {data.op && <p className="ep-op-line muted">{data.op}</p>}
      <PerfFilterBar filters={f} environments={data.environments} releases={data.releases} />
      <div className={stale ? 'perf-stale' : undefined} aria-busy={stale || undefined}>
        <section className="card perf-headline" aria-label="Headline">
          <Figures figures={endpointFigures(data)} label={`${name}: figures over the range`} />
        </section>

        <div className="ep-charts">
          <section className="card ep-chart-card" aria-labelledby="ep-count-title">
            <h2 id="ep-count-title" className="perf-card-title">
              Transactions
            </h2>
            <LatencyChart
              data={chart}
              series={[{ label: 'Transactions', color: '--accent', values: chart.count, kind: 'bars' }]}
              markers={markers}
              format={(v) => v.toLocaleString('en-US')}
              integer
              label="Transactions per bucket"
              summary={`${data.stats.count.toLocaleString('en-US')} transactions, at most ${peak.toLocaleString('en-US')} in one bucket`}
            />
          </section>
          <section className="card ep-chart-card" aria-labelledby="ep-latency-title">
            <h2 id="ep-latency-title" className="perf-card-title">
              Duration
            </h2>
            <LatencyChart
              data={chart}
              series={[
                { label: 'p50', color: '--level-info', values: chart.p50 },
                { label: 'p95', color: '--accent', values: chart.p95 },
                { label: 'p99', color: '--level-warning', values: chart.p99 },
              ]}
              markers={markers}
              format={formatDuration}
              label="p50, p95 and p99 duration per bucket"
              summary={
                p95s.length
                  ? `p95 between ${formatDuration(Math.min(...p95s))} and ${formatDuration(Math.max(...p95s))}`
                  : 'No transactions in the range'
              }
            />
          </section>
        </div>

        <section className="card ep-breakdown" aria-labelledby="ep-breakdown-title">
          <div className="ep-card-head">
            <h2 id="ep-breakdown-title" className="perf-card-title">
              Where the time goes
            </h2>
            <span className="muted ep-card-note">average per transaction</span>
          </div>
          <BreakdownBar breakdown={data.breakdown} label="Average time per category" />
        </section>

        <section className="card ep-samples" aria-label="Sample transactions">
          <nav className="status-tabs ep-sample-tabs" aria-label="Sample transactions">
            {SAMPLE_TABS.map(([k, label]) => (
              <Link key={k} href={tabHref(k)} aria-current={k === tab ? 'page' : undefined}>
                {label}
                <span className="tab-count">{data[k].length}</span>
              </Link>
            ))}
            <Link href={perfHref.transactions(slug, name, f)} className="ep-all-link">
              All transactions of this endpoint →
            </Link>
          </nav>
          <DataTable
            caption={`${SAMPLE_TABS.find(([k]) => k === tab)![1]} transactions of ${name}`}
            className="samples-table"
            stickyHeader={false}
            columns={sampleColumns(slug)}
            rows={samples}
            rowKey={(t) => t.id}
            onRowClick={(t) => navigate(perfHref.transaction(slug, t.id))}
            empty="No transactions in this range."
          />
        </section>
      </div>
    </div>
  );
}
