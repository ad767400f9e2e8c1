/**
 * One transaction: what it was (name, op, HTTP, environment, release, trace), where its time went
 * (the breakdown by category and the span waterfall), the SQL it ran (query patterns, N+1 first),
 * the errors and logs of the same trace, and the request, user, tags, contexts and measurements it
 * carried. A transaction does not change once stored, so the page loads it once.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { qs, useResource, type TransactionDetail } from '../api/client';
import { BreakdownBar } from '../components/breakdown-bar';
import { CopyButton } from '../components/copy-button';
import { LoadError } from '../components/empty-state';
import { KeyValueTable, contextRows, contextTitle, orderedContexts, pairsOf } from '../components/event-view';
import { LevelBadge } from '../components/level-badge';
import { QueryAnalysis } from '../components/query-analysis';
import { RelativeTime, formatTimestamp } from '../components/relative-time';
import { SpanWaterfall } from '../components/span-waterfall';
import { TraceLogs } from '../components/trace-logs';
import { isFailedStatus } from '../components/waterfall-layout';
import { formatDuration, formatRate } from '../format-duration';
import { Link } from '../router';
import { PerfHead, useProject } from './performance-common';
import { perfHref } from './performance-filters';
import { httpStatusClass, transactionApiPath } from './transaction-pages';
import './transaction-detail.css';
// The status and HTTP badges.
import './transactions-search.css';

export function TransactionDetailPage({ slug, id }: { slug: string; id: string }) {
  const res = useResource<TransactionDetail>(transactionApiPath(slug, id));
  const tx = res.data;
  const project = useProject(slug);
  const [reveal, setReveal] = useState<{ id: string } | null>(null);

  useEffect(() => {
    if (tx) document.title = `${tx.name} · ${formatDuration(tx.duration_ms)} · Snag`;
  }, [tx]);

  const projectName = project?.name ?? slug;
  const searchHref = `/projects/${encodeURIComponent(slug)}/performance/transactions`;
  const trail = [
    <Link key="list" href={searchHref}>
      Transactions
    </Link>,
    <span key="id" className="mono">
      {id}
    </span>,
  ];
  if (!tx) {
    return (
      <div className="tx-page">
        <PerfHead slug={slug} projectName={projectName} trail={trail} title="Transaction" />
        {res.error ? (
          <LoadError title={`Transaction ${id} could not be loaded`} error={res.error} retry={res.reload} />
        ) : (
          <div className="card tx-loading" aria-busy="true">
            Loading transaction…
          </div>
        )}
      </div>
    );
  }

  const root = tx.spans.find((s) => s.depth === 0);
  return (
    <div className="tx-page">
      <PerfHead
        slug={slug}
        projectName={projectName}
        trail={trail}
        title={<span className="tx-title">{tx.name}</span>}
      >
        <span className="tx-duration" title="Duration">
          {formatDuration(tx.duration_ms)}
        </span>
      </PerfHead>
      <TransactionHeader tx={tx} slug={slug} />

      <section className="card tx-section" aria-labelledby="tx-breakdown-title">
        <div className="tx-section-head">
          <h2 id="tx-breakdown-title">Where the time went</h2>
          <span className="muted small">{formatDuration(tx.duration_ms)} in total</span>
        </div>
        <BreakdownBar breakdown={tx.breakdown} />
      </section>

      <section className="card tx-section tx-waterfall-card" aria-labelledby="tx-spans-title">
        <div className="tx-section-head">
          <h2 id="tx-spans-title">
            Spans <span className="tab-count">{tx.spans.length.toLocaleString()}</span>
          </h2>
          <span className="muted small">
            Hover or focus a row for details · <kbd>Enter</kbd> expands a repeated row
          </span>
        </div>
        {tx.spans_truncated && (
          <p className="tx-flag" role="note">
            Truncated: this transaction had more than 1,000 spans; only the first 1,000 were kept.
          </p>
        )}
        {tx.incomplete && (
          <p className="tx-flag" role="note">
            Incomplete: the root span never arrived, so this transaction's name, times and status were rebuilt
            from its children.
          </p>
        )}
        {tx.spans.length === 0 ? (
          <p className="muted">No spans were recorded.</p>
        ) : (
          <SpanWaterfall
            spans={tx.spans}
            txStart={root?.start ?? Date.parse(tx.start)}
            txEnd={root?.end ?? Date.parse(tx.end)}
            focusSpanId={reveal}
          />
        )}
      </section>

      <section className="card tx-section" aria-labelledby="tx-queries-title">
        <div className="tx-section-head">
          <h2 id="tx-queries-title">
            Query analysis <span className="tab-count">{tx.query_count.toLocaleString()}</span>
          </h2>
          {tx.n_plus_one_ms > 0 && (
            <span className="tx-n1-summary">
              {formatDuration(tx.n_plus_one_ms)} ({formatRate(tx.n_plus_one_ms / Math.max(tx.duration_ms, 1))}
              ) in N+1 patterns
            </span>
          )}
        </div>
        <QueryAnalysis queries={tx.queries} onShowSpan={(spanId) => setReveal({ id: spanId })} />
      </section>

      <TraceSection tx={tx} slug={slug} />
      <TraceLogs slug={slug} traceId={tx.trace_id} className="card tx-section" />
      <DetailsSection tx={tx} />
    </div>
  );
}

function TransactionHeader({ tx, slug }: { tx: TransactionDetail; slug: string }) {
  const failed = tx.is_error || isFailedStatus(tx.status);
  const searchHref = `/projects/${encodeURIComponent(slug)}/performance/transactions`;
  return (
    <header className="card tx-header">
      <div className="tx-header-main">
        <div className="tx-chips">
          <span className="chip tx-op">{tx.op}</span>
          <span className={failed ? 'tx-status tx-status-failed' : 'tx-status'}>{tx.status}</span>
          {(tx.http_method || tx.http_status !== null) && (
            <span className={httpStatusClass(tx.http_status)}>
              {tx.http_method && <span className="tx-method">{tx.http_method}</span>}
              {tx.http_status !== null && <span>{tx.http_status}</span>}
            </span>
          )}
          {tx.http_url && <code className="tx-url">{tx.http_url}</code>}
        </div>
        <dl className="tx-meta">
          <Meta label="Time">
            <time dateTime={tx.timestamp} title={tx.timestamp}>
              {formatTimestamp(tx.start)}
            </time>{' '}
            <span className="muted">
              (<RelativeTime iso={tx.timestamp} />)
            </span>
          </Meta>
          <Meta label="Environment">{tx.environment}</Meta>
          <Meta label="Release">
            {tx.release ? <code>{tx.release}</code> : <span className="muted">—</span>}
          </Meta>
          <Meta label="Trace">
            <code className="tx-trace">{tx.trace_id}</code> <CopyButton text={tx.trace_id} label="Copy" />
          </Meta>
          {tx.server_name && <Meta label="Server">{tx.server_name}</Meta>}
          {tx.sdk && <Meta label="SDK">{tx.sdk}</Meta>}
        </dl>
        <p className="tx-links">
          <Link href={perfHref.endpoint(slug, tx.name)}>Endpoint overview for {tx.name} →</Link>
          <Link href={`${searchHref}${qs({ name: tx.name })}`}>Other transactions of this endpoint</Link>
        </p>
      </div>
    </header>
  );
}

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function TraceSection({ tx, slug }: { tx: TransactionDetail; slug: string }) {
  const base = `/projects/${encodeURIComponent(slug)}`;
  return (
    <section className="card tx-section" aria-labelledby="tx-trace-title">
      <div className="tx-section-head">
        <h2 id="tx-trace-title">
          Errors in this trace <span className="tab-count">{tx.trace_errors.length.toLocaleString()}</span>
        </h2>
      </div>
      {tx.trace_errors.length === 0 ? (
        <p className="muted tx-none">No error events share this trace.</p>
      ) : (
        <ul className="tx-errors">
          {tx.trace_errors.map((e) => (
            <li key={e.event_id}>
              <LevelBadge level={e.level} />
              <Link href={`${base}/issues/${e.issue_id}`} className="tx-error-title">
                {e.title}
              </Link>
              <span className="muted small">
                <RelativeTime iso={e.timestamp} />
              </span>
              <Link href={`${base}/events/${e.event_id}`} className="small mono">
                event {e.event_id.slice(0, 8)}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DetailsSection({ tx }: { tx: TransactionDetail }) {
  const tags = Object.entries(tx.tags);
  const user = Object.entries(tx.user).filter((e): e is [string, string] => !!e[1]);
  const contexts = orderedContexts(
    Object.fromEntries(
      Object.entries(tx.contexts).filter(
        (e): e is [string, Record<string, unknown>] => !!e[1] && typeof e[1] === 'object',
      ),
    ),
  )
    .map(([name, ctx]) => [name, contextRows(ctx)] as const)
    .filter(([, rows]) => rows.length > 0);
  const measurements = Object.entries(tx.measurements).map(([k, m]): [string, string] => [
    k,
    m.unit === 'millisecond'
      ? formatDuration(m.value)
      : `${m.value}${m.unit && m.unit !== 'none' ? ` ${m.unit}` : ''}`,
  ]);
  const request = tx.request;
  if (!tags.length && !user.length && !contexts.length && !measurements.length && !request) return null;
  return (
    <section className="card tx-section" aria-labelledby="tx-details-title">
      <div className="tx-section-head">
        <h2 id="tx-details-title">Request, tags and contexts</h2>
      </div>
      {request && <RequestDetails request={request} />}
      {tags.length > 0 && (
        <>
          <h3 className="tx-sub">Tags</h3>
          <dl className="tag-grid">
            {tags.map(([k, v]) => (
              <div className="tag-pill" key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {(user.length > 0 || contexts.length > 0 || measurements.length > 0) && (
        <>
          <h3 className="tx-sub">Contexts</h3>
          <div className="ctx-cards">
            {user.length > 0 && (
              <div className="ctx-card">
                <h4>User</h4>
                <KeyValueTable rows={user} label="User" />
              </div>
            )}
            {measurements.length > 0 && (
              <div className="ctx-card">
                <h4>Measurements</h4>
                <KeyValueTable rows={measurements} label="Measurements" />
              </div>
            )}
            {contexts.map(([name, rows]) => (
              <div className="ctx-card" key={name}>
                <h4>{contextTitle(name)}</h4>
                <KeyValueTable rows={rows} label={contextTitle(name)} />
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function RequestDetails({ request }: { request: Record<string, unknown> }) {
  const method = typeof request['method'] === 'string' ? request['method'] : null;
  const url = typeof request['url'] === 'string' ? request['url'] : null;
  const parts: [string, [string, string][]][] = [
    ['Query', pairsOf(request['query_string'])],
    ['Headers', pairsOf(request['headers'])],
    ['Cookies', pairsOf(request['cookies'])],
    ['Environment', pairsOf(request['env'])],
  ];
  return (
    <>
      <h3 className="tx-sub">Request</h3>
      {(method || url) && (
        <p className="req-line">
          {method && <span className="req-method">{method}</span>}{' '}
          {url && <code className="req-url">{url}</code>}
        </p>
      )}
      {parts
        .filter(([, rows]) => rows.length > 0)
        .map(([title, rows]) => (
          <details key={title} className="tx-request-part" open={title === 'Headers'}>
            <summary>
              {title} <span className="muted">({rows.length})</span>
            </summary>
            <KeyValueTable rows={rows} label={title} />
          </details>
        ))}
    </>
  );
}
