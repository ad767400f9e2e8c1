/**
 * One log line (`/projects/<slug>/logs/<id>`): its body, every field, its attributes and resource
 * as tables (nested values as indented JSON), the raw record, and what it links to: the
 * transaction holding its span, the error events and the other logs of its trace. Each link is
 * shown only when the other side was stored. A log does not change once stored: loaded once.
 */
import { useEffect, type ReactNode } from 'react';
import { useResource, type Attributes, type LogDetail, type ProjectView } from '../api/client';
import { CodeBlock } from '../components/code-block';
import { CopyButton } from '../components/copy-button';
import { EmptyState } from '../components/empty-state';
import { LogLevelTag } from '../components/log-line';
import { formatLogTimestamp } from '../components/log-time';
import { ProjectNav } from '../components/project-nav';
import { RelativeTime } from '../components/relative-time';
import { TraceLogs } from '../components/trace-logs';
import { formatDuration } from '../format-duration';
import { Link } from '../router';
import { logApiPath, logsHref, type LogFilters } from './log-filters';
import { attributeRows, rawRecord } from './log-record';
import { perfHref } from './performance-filters';
import './issues-list.css';
import './log-detail.css';

function AttributeTable({ attrs, label }: { attrs: Attributes; label: string }) {
  return (
    // Named by aria-label: a visually hidden <caption> makes Chromium ignore the fixed column widths.
    <table className="log-attrs" aria-label={label}>
      <tbody>
        {attributeRows(attrs).map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.key}</th>
            <td>{r.nested ? <pre>{r.text}</pre> : r.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function LogDetailPage({ slug, id }: { slug: string; id: string }) {
  const res = useResource<LogDetail>(logApiPath(slug, id));
  const project = useResource<ProjectView>(`/api/v1/projects/${encodeURIComponent(slug)}`);
  const log = res.data;
  const name = project.data?.name ?? slug;

  useEffect(() => {
    if (log) document.title = `${log.body.slice(0, 60)} · ${log.level} log · Snag`;
  }, [log]);

  const crumbs = (
    <>
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={`/projects/${encodeURIComponent(slug)}/issues`}>{name}</Link>{' '}
        <span aria-hidden="true">/</span> <Link href={logsHref.list(slug)}>Logs</Link>{' '}
        <span aria-hidden="true">/</span> <span className="mono">{id}</span>
      </nav>
      <ProjectNav slug={slug} />
    </>
  );
  if (!log) {
    return (
      <div className="log-page">
        {crumbs}
        {res.error ? (
          <EmptyState title="Log not found" body={res.error.message}>
            <p>
              <Link href={logsHref.list(slug)}>Back to logs</Link>
            </p>
          </EmptyState>
        ) : (
          <div className="card log-loading" aria-busy="true">
            Loading log…
          </div>
        )}
      </div>
    );
  }

  const filterLink = (key: keyof LogFilters, value: string | null) =>
    value ? (
      <Link href={logsHref.list(slug, { [key]: value })} title={`All logs with ${key} ${value}`}>
        {value}
      </Link>
    ) : (
      <span className="muted">—</span>
    );
  const { transaction, errors, trace_log_count } = log.links;
  const attributes = Object.keys(log.attributes).length;
  const resource = Object.keys(log.resource).length;

  return (
    <div className="log-page">
      {crumbs}
      <header className="card log-header">
        <div className="log-header-top">
          <LogLevelTag level={log.level} />
          <time dateTime={log.timestamp} className="log-header-time">
            {formatLogTimestamp(log.timestamp)}
          </time>
          <span className="muted">
            (<RelativeTime iso={log.timestamp} />)
          </span>
          <span className="log-header-actions">
            <CopyButton text={window.location.href} label="Copy link" />
          </span>
        </div>
        <h1 className="log-message">{log.body || <span className="muted">(empty body)</span>}</h1>
        <dl className="log-fields">
          <Field label="Service">{filterLink('service', log.service)}</Field>
          <Field label="Environment">{filterLink('environment', log.environment)}</Field>
          <Field label="Release">{filterLink('release', log.release)}</Field>
          <Field label="Logger">{filterLink('logger', log.logger)}</Field>
          <Field label="Host">{log.host ?? <span className="muted">—</span>}</Field>
          <Field label="Severity">
            {log.severity_text ?? <span className="muted">—</span>}
            {log.severity_number !== null && <span className="muted"> ({log.severity_number})</span>}
          </Field>
          <Field label="Observed">{formatLogTimestamp(log.observed_at)}</Field>
          <Field label="Source">
            {log.source === 'otlp' ? 'OpenTelemetry' : 'Sentry SDK'}
            {log.scope && (
              <span className="muted">
                {' '}
                · {log.scope.name}
                {log.scope.version ? ` ${log.scope.version}` : ''}
              </span>
            )}
          </Field>
          {log.trace_id && (
            <Field label="Trace">
              <code>{log.trace_id}</code> <CopyButton text={log.trace_id} label="Copy" />
            </Field>
          )}
          {log.span_id && (
            <Field label="Span">
              <code>{log.span_id}</code>
            </Field>
          )}
        </dl>
      </header>

      {(transaction || errors.length > 0) && (
        <section className="card log-section" aria-labelledby="log-related-title">
          <h2 id="log-related-title">In the same trace</h2>
          {transaction && (
            <p className="log-related-tx">
              <span className="muted">Transaction</span>{' '}
              <Link href={perfHref.transaction(slug, transaction.id)} className="log-tx-link">
                {transaction.name}
              </Link>{' '}
              <span className="muted">· {formatDuration(transaction.duration_ms)}</span>
            </p>
          )}
          {errors.length > 0 && (
            <ul className="log-related-errors" aria-label="Error events of this trace">
              {errors.map((e) => (
                <li key={e.event_id}>
                  <Link href={`/projects/${encodeURIComponent(slug)}/events/${e.event_id}`}>{e.title}</Link>{' '}
                  <span className="muted small">
                    <RelativeTime iso={e.timestamp} /> ·{' '}
                    <Link href={`/projects/${encodeURIComponent(slug)}/issues/${e.issue_id}`}>
                      issue #{e.issue_id}
                    </Link>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      {attributes > 0 && (
        <section className="card log-section" aria-labelledby="log-attrs-title">
          <h2 id="log-attrs-title">
            Attributes <span className="tab-count">{attributes}</span>
          </h2>
          <AttributeTable attrs={log.attributes} label="Attributes" />
        </section>
      )}
      {resource > 0 && (
        <section className="card log-section" aria-labelledby="log-resource-title">
          <h2 id="log-resource-title">
            Resource <span className="tab-count">{resource}</span>
          </h2>
          <AttributeTable attrs={log.resource} label="Resource" />
        </section>
      )}

      {log.trace_id && trace_log_count > 1 && (
        <TraceLogs slug={slug} traceId={log.trace_id} currentId={log.id} className="card log-section" />
      )}

      <section className="card log-section" aria-labelledby="log-raw-title">
        <h2 id="log-raw-title">Raw record</h2>
        <CodeBlock code={JSON.stringify(rawRecord(log), null, 2)} label="JSON" language="json" wrap />
      </section>
    </div>
  );
}
