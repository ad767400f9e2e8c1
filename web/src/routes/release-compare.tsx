/**
 * Two releases side by side (`?a=&b=`), or before and after a moment (`?at=&window=`), for one
 * endpoint (`?name=`) or the whole project: counts, percentiles, error rate and throughput with
 * the change coloured by whether it is good news, the server's verdict with its reason, and
 * (project-wide) the endpoints that moved most.
 */
import { useEffect, useState } from 'react';
import {
  useResource,
  type ComparisonArm,
  type LatencyStats,
  type PerformanceOverview,
  type ReleaseComparison,
} from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { EmptyState, LoadError } from '../components/empty-state';
import {
  changeTone,
  formatChange,
  formatDuration,
  formatPointChange,
  formatRate,
  formatThroughput,
} from '../format-duration';
import { Link, navigate, setQuery, useLocation } from '../router';
import { PerfHead, useKept, useProject } from './performance-common';
import {
  COMPARE_WINDOWS,
  DEFAULT_COMPARE_WINDOW,
  compareApiPath,
  perfHref,
  performanceApiPath,
  readCompareQuery,
  newestReleases,
  toLocalInput,
  withDefaultReleases,
  type CompareQuery,
} from './performance-filters';
import './release-compare.css';

/** An error rate moving less than one point (0.01) is not coloured, as the server's verdict does not mention it. */
const ERROR_POINTS_NOTICE = 0.01;

const span = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** What to call the two sides: the releases, or before / after the moment. */
function armNames(d: ReleaseComparison): [string, string] {
  return d.mode === 'timestamp' ? ['Before', 'After'] : [d.a.label, d.b.label];
}

function verdictTitle(d: ReleaseComparison): string {
  const [a, b] = armNames(d);
  if (d.verdict === 'not_enough_data') return 'Not enough data to tell';
  if (d.mode === 'timestamp') {
    const at = span.format(new Date(d.a.to));
    if (d.verdict === 'unchanged') return `No significant change at ${at}`;
    return `${d.verdict === 'faster' ? 'Faster' : 'Slower'} after ${at}`;
  }
  if (d.verdict === 'unchanged') return `No significant change from ${a} to ${b}`;
  return `${b} is ${d.verdict} than ${a}`;
}

const VERDICT_TONE: Record<ReleaseComparison['verdict'], string> = {
  faster: 'good',
  slower: 'bad',
  unchanged: 'neutral',
  not_enough_data: 'muted',
};

function ArmHeader({ arm, name, side }: { arm: ComparisonArm; name: string; side: 'A' | 'B' }) {
  return (
    <div className="cmp-arm-head">
      <span className="cmp-side" aria-hidden="true">
        {side}
      </span>
      <div className="cmp-arm-text">
        <div className="cmp-arm-label" title={arm.label}>
          {name}
        </div>
        <div className="muted cmp-arm-span">
          {span.format(new Date(arm.from))} – {span.format(new Date(arm.to))}
        </div>
      </div>
    </div>
  );
}

function Change({
  percent,
  metric,
}: {
  percent: number | null;
  metric: 'latency' | 'errors' | 'throughput';
}) {
  return <span className={`cmp-change tone-${changeTone(percent, metric)}`}>{formatChange(percent)}</span>;
}

/** Error rates from 0 % have no percent change; their change in points still says which way it went. */
function ErrorChange({ data }: { data: ReleaseComparison }) {
  const { a, b, change } = data;
  if (change.error_rate !== null || a.count === 0 || b.count === 0)
    return <Change percent={change.error_rate} metric="errors" />;
  const delta = b.error_rate - a.error_rate;
  const tone = Math.abs(delta) < ERROR_POINTS_NOTICE ? 'neutral' : delta > 0 ? 'bad' : 'good';
  return <span className={`cmp-change tone-${tone}`}>{formatPointChange(delta)}</span>;
}

function ArmsTable({ data }: { data: ReleaseComparison }) {
  const { a, b, change } = data;
  const [nameA, nameB] = armNames(data);
  const rows: [string, string, string, number | null, 'latency' | 'errors' | 'throughput' | null][] = [
    ['Transactions', a.count.toLocaleString('en-US'), b.count.toLocaleString('en-US'), null, null],
    ['p50', formatDuration(a.p50), formatDuration(b.p50), change.p50, 'latency'],
    ['p95', formatDuration(a.p95), formatDuration(b.p95), change.p95, 'latency'],
    ['p99', formatDuration(a.p99), formatDuration(b.p99), change.p99, 'latency'],
    ['Error rate', formatRate(a.error_rate), formatRate(b.error_rate), change.error_rate, 'errors'],
    [
      'Throughput',
      formatThroughput(a.throughput_per_minute, a.count),
      formatThroughput(b.throughput_per_minute, b.count),
      change.throughput,
      'throughput',
    ],
  ];
  return (
    // Too few transactions for a verdict: the changes are shown but not coloured as good or bad news.
    <table className={data.verdict === 'not_enough_data' ? 'cmp-table cmp-uncertain' : 'cmp-table'}>
      <caption className="visually-hidden">
        {nameA} compared with {nameB}
      </caption>
      <colgroup>
        <col className="cmp-col-metric" />
        <col />
        <col />
        <col className="cmp-col-change" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Metric</span>
          </th>
          <th scope="col">
            <ArmHeader arm={a} name={nameA} side="A" />
          </th>
          <th scope="col">
            <ArmHeader arm={b} name={nameB} side="B" />
          </th>
          <th scope="col" className="cmp-num">
            Change
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, va, vb, pct, metric]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td className="cmp-num">{va}</td>
            <td className="cmp-num">{vb}</td>
            <td className="cmp-num">
              {metric === 'errors' ? (
                <ErrorChange data={data} />
              ) : metric ? (
                <Change percent={pct} metric={metric} />
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Mover = ReleaseComparison['endpoints'][number];

function moverColumns(slug: string, c: CompareQuery): Column<Mover>[] {
  const p95 = (s: LatencyStats) => formatDuration(s.p95);
  return [
    {
      id: 'name',
      header: 'Endpoint',
      render: (m) => (
        <Link
          href={perfHref.compare(slug, { ...paramsOf(c), name: m.name })}
          className="cmp-ep"
          title={m.name}
        >
          {m.name}
        </Link>
      ),
    },
    {
      id: 'a_count',
      header: 'A count',
      align: 'right',
      width: '90px',
      render: (m) => m.a.count.toLocaleString('en-US'),
    },
    {
      id: 'b_count',
      header: 'B count',
      align: 'right',
      width: '90px',
      render: (m) => m.b.count.toLocaleString('en-US'),
    },
    { id: 'a_p95', header: 'A p95', align: 'right', width: '96px', render: (m) => p95(m.a) },
    { id: 'b_p95', header: 'B p95', align: 'right', width: '96px', render: (m) => p95(m.b) },
    {
      id: 'change',
      header: 'p95 change',
      align: 'right',
      width: '110px',
      render: (m) => <Change percent={m.p95_change} metric="latency" />,
    },
  ];
}

function paramsOf(c: CompareQuery): Record<string, string | undefined> {
  return c.mode === 'releases'
    ? { name: c.name || undefined, a: c.a || undefined, b: c.b || undefined }
    : {
        name: c.name || undefined,
        at: c.at,
        window: c.window === DEFAULT_COMPARE_WINDOW ? undefined : c.window,
      };
}

function CompareForm({ c, releases }: { c: CompareQuery; releases: string[] }) {
  const set = (changes: Record<string, string | null>) => setQuery(changes, { replace: true });
  const at = c.mode === 'timestamp' ? c.at : '';
  const [atDraft, setAtDraft] = useState(toLocalInput(at));
  useEffect(() => setAtDraft(toLocalInput(at)), [at]);
  const switchTo = (mode: CompareQuery['mode']) => {
    if (mode === c.mode) return;
    if (mode === 'releases') set({ at: null, window: null });
    else {
      // An hour ago: the usual question is "did what we shipped just now change anything?".
      const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000).toISOString();
      set({ a: null, b: null, at, window: '1h' });
    }
  };
  const options = (current: string) =>
    current && !releases.includes(current) ? [current, ...releases] : releases;

  return (
    <form className="card cmp-form" onSubmit={(e) => e.preventDefault()} aria-label="What to compare">
      <div className="segmented" role="radiogroup" aria-label="Compare">
        {(
          [
            ['releases', 'Two releases'],
            ['timestamp', 'Before / after a time'],
          ] as const
        ).map(([mode, label]) => (
          <button
            key={mode}
            type="button"
            role="radio"
            aria-checked={c.mode === mode}
            tabIndex={c.mode === mode ? 0 : -1}
            onClick={() => switchTo(mode)}
            onKeyDown={(e) => {
              if (['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) {
                e.preventDefault();
                switchTo(c.mode === 'releases' ? 'timestamp' : 'releases');
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      {c.mode === 'releases' ? (
        <div className="cmp-fields">
          <label>
            <span className="cmp-field-label">A · baseline</span>
            <select value={c.a} onChange={(e) => set({ a: e.target.value || null })}>
              <option value="">Pick a release</option>
              {options(c.a).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="cmp-swap"
            aria-label="Swap A and B"
            title="Swap A and B"
            onClick={() => set({ a: c.b || null, b: c.a || null })}
          >
            ⇄
          </button>
          <label>
            <span className="cmp-field-label">B · compared</span>
            <select value={c.b} onChange={(e) => set({ b: e.target.value || null })}>
              <option value="">Pick a release</option>
              {options(c.b).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        </div>
      ) : (
        <div className="cmp-fields">
          <label>
            <span className="cmp-field-label">At</span>
            <input
              type="datetime-local"
              value={atDraft}
              onChange={(e) => setAtDraft(e.target.value)}
              onBlur={() => {
                const t = new Date(atDraft);
                if (!Number.isNaN(t.getTime())) set({ at: t.toISOString() });
              }}
            />
          </label>
          <label>
            <span className="cmp-field-label">Window each side</span>
            <select value={c.window} onChange={(e) => set({ window: e.target.value })}>
              {COMPARE_WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <div className="cmp-scope">
        <span className="cmp-field-label">Endpoint</span>
        {c.name ? (
          <span className="cmp-scope-name">
            <code title={c.name}>{c.name}</code>
            <button type="button" className="link-button" onClick={() => set({ name: null })}>
              All endpoints
            </button>
          </span>
        ) : (
          <span className="muted">All endpoints</span>
        )}
      </div>
    </form>
  );
}

export function ReleaseComparePage({ slug }: { slug: string }) {
  const { query } = useLocation();
  const asked = readCompareQuery(query);
  const needReleases = asked.mode === 'releases' && (!asked.a || !asked.b);
  // Without two releases in the URL, the release list comes from the last 30 days' overview.
  const overview = useResource<PerformanceOverview>(
    needReleases ? performanceApiPath(slug, { range: '30d', environment: '', release: '' }) : null,
  );
  const c = withDefaultReleases(asked, newestReleases(overview.data?.releases ?? []));
  const apiPath = compareApiPath(slug, c);
  const res = useResource<ReleaseComparison>(apiPath);
  const { value: data, stale } = useKept(res.data, slug);
  const project = useProject(slug);
  const releases = data?.releases ?? overview.data?.releases ?? [];

  useEffect(() => {
    document.title = `Compare releases · ${project?.name ?? slug} · Snag`;
  }, [project?.name, slug]);

  let body;
  if (!apiPath) {
    body =
      needReleases && overview.data && releases.length < 2 ? (
        <EmptyState
          title="Fewer than two releases"
          body="Send transactions tagged with a release (the SDK's `release` option) from two versions, or compare before and after a time instead."
        />
      ) : needReleases && overview.error ? (
        <LoadError title="Could not load the releases" error={overview.error} retry={overview.reload} />
      ) : (
        <div className="card perf-loading" aria-busy="true">
          {c.mode === 'timestamp' ? 'Pick a valid time.' : 'Loading releases…'}
        </div>
      );
  } else if (!data) {
    body = res.error ? (
      <LoadError title="Could not compare" error={res.error} retry={res.reload} />
    ) : (
      <div className="card perf-loading" aria-busy="true">
        Comparing…
      </div>
    );
  } else {
    body = (
      <div className={stale ? 'perf-stale' : undefined} aria-busy={stale || undefined}>
        <section
          className={`card cmp-verdict cmp-verdict-${VERDICT_TONE[data.verdict]}`}
          aria-label="Verdict"
          aria-live="polite"
        >
          <h2 className="cmp-verdict-title">{verdictTitle(data)}</h2>
          <p className="cmp-verdict-reason">{data.verdict_reason}</p>
        </section>
        <section className="card cmp-arms" aria-label="Side by side">
          <ArmsTable data={data} />
        </section>
        {!data.name && (
          <section className="cmp-movers" aria-labelledby="cmp-movers-title">
            <h2 id="cmp-movers-title" className="perf-card-title cmp-movers-title">
              Endpoints that moved most
            </h2>
            <DataTable
              caption="Endpoints by p95 change"
              columns={moverColumns(slug, c)}
              rows={data.endpoints}
              rowKey={(m) => m.name}
              onRowClick={(m) => navigate(perfHref.compare(slug, { ...paramsOf(c), name: m.name }))}
              empty="No endpoint has traffic on both sides."
            />
          </section>
        )}
      </div>
    );
  }

  return (
    <div className="perf-page">
      <PerfHead
        slug={slug}
        projectName={project?.name ?? slug}
        trail={[
          ...(c.name
            ? [
                <Link key="e" href={perfHref.endpoint(slug, c.name)}>
                  {c.name}
                </Link>,
              ]
            : []),
          <span key="c">Compare</span>,
        ]}
        title={
          c.mode === 'timestamp'
            ? `Before and after a time${c.name ? ', one endpoint' : ''}`
            : `Compare releases${c.name ? ' of an endpoint' : ''}`
        }
      />
      <CompareForm c={c} releases={releases} />
      {body}
    </div>
  );
}
