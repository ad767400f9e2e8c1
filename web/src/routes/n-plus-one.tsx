/**
 * The N+1 worklist: endpoints whose requests run the same SQL in a loop, ranked by the time those
 * loops cost over the range, each with its costliest pattern, what `distinct` says about the fix,
 * and an example transaction to open.
 */
import { useEffect } from 'react';
import { useResource, type NPlusOneList, type NPlusOneRow } from '../api/client';
import { CodeBlock } from '../components/code-block';
import { EmptyState, LoadError } from '../components/empty-state';
import { NPlusOneBadge, PatternStats, distinctAdvice } from '../components/query-analysis';
import { formatDuration, formatRate } from '../format-duration';
import { Link, useLocation } from '../router';
import { PerfFilterBar, PerfHead, useKept, useProject } from './performance-common';
import { perfHref, readPerfFilters, type PerfFilters } from './performance-filters';
import { nPlusOneApiPath, rankByWaste } from './transaction-pages';
import { useFilterChoices } from './transactions-search';
import './n-plus-one.css';

export function NPlusOnePage({ slug }: { slug: string }) {
  const { query } = useLocation();
  const f = readPerfFilters(query);
  const res = useResource<NPlusOneList>(nPlusOneApiPath(slug, f), { live: true });
  const { value: data, stale } = useKept(res.data, slug);
  const choices = useFilterChoices(slug, f.range);
  const name = useProject(slug)?.name ?? slug;
  useEffect(() => {
    document.title = `N+1 queries · ${name} · Snag`;
  }, [name]);

  const rows = rankByWaste(data?.endpoints ?? []);
  const wasted = rows.reduce((sum, r) => sum + r.wasted_ms, 0);

  return (
    <div className="n1-page">
      <PerfHead
        slug={slug}
        projectName={name}
        trail={[<span key="n1">N+1 queries</span>]}
        title="N+1 queries"
        live={data ? (res.error ? 'offline' : 'on') : undefined}
      />
      <p className="muted n1-intro">
        Endpoints that run one query per row instead of one query for all the rows, ranked by the time the
        repeats cost.
      </p>
      <PerfFilterBar filters={f} environments={choices.environments} releases={choices.releases} />
      <aside className="n1-legend muted" aria-label="How to read distinct">
        <strong>Reading “distinct”:</strong> distinct 1 means the same statement repeated: memoize it or load
        it once. Many distinct statements are a classic N+1, a loop over rows: eager-load them (a JOIN or one{' '}
        <code>IN (…)</code> query).
      </aside>

      {!data && res.error ? (
        <LoadError title="Could not load the N+1 worklist" error={res.error} retry={res.reload} />
      ) : !data ? (
        <div className="card n1-loading" aria-busy="true">
          Loading…
        </div>
      ) : rows.length === 0 ? (
        <EmptyState
          title="No N+1 queries in this range"
          body="A pattern is flagged when one transaction runs the same normalized SQL more than 3 times."
        />
      ) : (
        <div className={stale ? 'n1-results stale' : 'n1-results'} aria-busy={stale || undefined}>
          <p className="n1-summary">
            <strong>{rows.length.toLocaleString()}</strong> {rows.length === 1 ? 'endpoint' : 'endpoints'} ·{' '}
            <strong>{formatDuration(wasted)}</strong> spent in repeated queries
          </p>
          <ol className="n1-list">
            {rows.map((r, i) => (
              <NPlusOneCard key={r.name} row={r} rank={i + 1} slug={slug} filters={f} />
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}

function NPlusOneCard({
  row,
  rank,
  slug,
  filters,
}: {
  row: NPlusOneRow;
  rank: number;
  slug: string;
  filters: PerfFilters;
}) {
  const p = row.pattern;
  return (
    <li className="card n1-card" aria-labelledby={`n1-${rank}`}>
      <div className="n1-card-head">
        <span className="n1-rank" aria-hidden="true">
          {rank}
        </span>
        <h2 id={`n1-${rank}`} className="n1-name">
          <Link href={perfHref.endpoint(slug, row.name, filters)}>{row.name}</Link>
          <span className="chip n1-op">{row.op}</span>
        </h2>
        <div className="n1-wasted">
          <span className="n1-wasted-value">{formatDuration(row.wasted_ms)}</span>
          <span className="muted">wasted</span>
        </div>
      </div>
      <dl className="n1-stats">
        <div>
          <dt>Requests affected</dt>
          <dd>
            {formatRate(row.affected_rate)}{' '}
            <span className="muted">
              ({row.affected.toLocaleString()} of {row.count.toLocaleString()})
            </span>
          </dd>
        </div>
        <div>
          <dt>Queries per request</dt>
          <dd>
            {row.avg_queries.toLocaleString(undefined, { maximumFractionDigits: 1 })} avg ·{' '}
            {row.max_queries.toLocaleString()} max
          </dd>
        </div>
        <div>
          <dt>Wasted per affected request</dt>
          <dd>{formatDuration(row.avg_wasted_ms_per_affected)}</dd>
        </div>
      </dl>
      {p && (
        <div className="n1-pattern">
          <div className="qa-head">
            <NPlusOneBadge />
            <PatternStats pattern={p} />
            <Link href={perfHref.transaction(slug, p.transaction_id)} className="n1-example">
              Example transaction →
            </Link>
          </div>
          <CodeBlock code={p.pattern} language="sql" label="SQL pattern" wrap />
          <p className="qa-advice muted">{distinctAdvice(p)}</p>
        </div>
      )}
    </li>
  );
}
