/**
 * One event in full, in Sentry's order: header, message, exception chain, breadcrumbs, request,
 * tags, user and contexts, additional data, SDK, raw JSON. Used by the issue page and the
 * standalone event page. Event data is only ever rendered as text.
 */
import { useState, type ReactNode } from 'react';
import type { EventDetail, Frame, NormalizedEvent } from '../api/client';
import { Link } from '../router';
import { Breadcrumbs } from './breadcrumbs';
import { CodeBlock } from './code-block';
import { CopyButton } from './copy-button';
import { LevelBadge } from './level-badge';
import { RelativeTime } from './relative-time';
import { ExceptionChain, StackTrace, formatVar } from './stack-trace';
import { TraceLogs } from './trace-logs';
import './event-view.css';

/** Headers, query strings, cookies arrive as objects, `[k, v]` lists or raw strings; all become pairs. */
export function pairsOf(value: unknown): [string, string][] {
  if (value === null || value === undefined || value === '') return [];
  if (typeof value === 'string') {
    return [...new URLSearchParams(value.startsWith('?') ? value.slice(1) : value)];
  }
  if (Array.isArray(value)) {
    return value
      .filter((p): p is unknown[] => Array.isArray(p) && p.length >= 1)
      .map((p) => [String(p[0]), p.length > 1 ? text(p[1]) : '']);
  }
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, text(v)]);
  return [['value', text(value)]];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : formatVar(v);
}

/** The message of a message event (or the log line attached to an exception event). */
export function eventMessage(payload: NormalizedEvent): string | null {
  const le = payload.logentry;
  if (le?.formatted) return le.formatted;
  if (le?.message) return le.message;
  const m = payload['message'];
  if (typeof m === 'string' && m) return m;
  return null;
}

/** Context cards Sentry users look for first, then the rest alphabetically. */
const CONTEXT_ORDER = ['trace', 'runtime', 'os', 'browser', 'device', 'app', 'culture', 'cloud_resource'];

export function orderedContexts(
  contexts: Record<string, Record<string, unknown>>,
): [string, Record<string, unknown>][] {
  const rank = (k: string) => (CONTEXT_ORDER.includes(k) ? CONTEXT_ORDER.indexOf(k) : CONTEXT_ORDER.length);
  return Object.entries(contexts)
    .filter(([, v]) => v && typeof v === 'object')
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

const CONTEXT_TITLES: Record<string, string> = {
  os: 'OS',
  client_os: 'Client OS',
  cloud_resource: 'Cloud resource',
  otel: 'OpenTelemetry',
};

export function contextTitle(name: string): string {
  return CONTEXT_TITLES[name] ?? (name.charAt(0).toUpperCase() + name.slice(1)).replace(/_/g, ' ');
}

/** Sizes Sentry's device and app contexts send in bytes. */
const BYTE_KEYS = new Set([
  'memory_size',
  'free_memory',
  'usable_memory',
  'app_memory',
  'storage_size',
  'free_storage',
  'external_storage_size',
  'external_free_storage',
]);

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** A context's rows: "type" (the card title already says it) dropped, byte sizes made readable. */
export function contextRows(ctx: Record<string, unknown>): [string, string][] {
  return Object.entries(ctx)
    .filter(([k, v]) => k !== 'type' && v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [k, BYTE_KEYS.has(k) && typeof v === 'number' ? formatBytes(v) : text(v)]);
}

/** Frames of a stack that is not an exception's: `attach_stacktrace` puts it on a thread. */
function threadFrames(payload: NormalizedEvent): Frame[] {
  const direct = payload['stacktrace'] as { frames?: Frame[] } | undefined;
  if (direct?.frames?.length) return direct.frames;
  for (const t of payload.threads?.values ?? []) {
    const frames = (t['stacktrace'] as { frames?: Frame[] } | undefined)?.frames;
    if (frames?.length) return frames;
  }
  return [];
}

function download(name: string, json: string) {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  const id = `ev-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="ev-section" aria-labelledby={id}>
      <div className="ev-section-head">
        <h3 id={id}>{title}</h3>
        {aside}
      </div>
      {children}
    </section>
  );
}

export function KeyValueTable({ rows, label }: { rows: [string, string][]; label?: string }) {
  return (
    <table className="kv-table">
      {label && <caption className="visually-hidden">{label}</caption>}
      <tbody>
        {rows.map(([k, v], i) => (
          <tr key={`${k}-${i}`}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Meta({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="ev-meta-item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function EventView({
  event,
  slug,
  actions,
}: {
  event: EventDetail;
  slug: string;
  actions?: ReactNode;
}) {
  const p = event.payload;
  const issuesHref = (key: 'environment' | 'release', value: string) =>
    `/projects/${encodeURIComponent(slug)}/issues?${new URLSearchParams({ [key]: value, status: 'open' })}`;
  const message = eventMessage(p);
  const exceptions = p.exception?.values ?? [];
  const frames = exceptions.length === 0 ? threadFrames(p) : [];
  const crumbs = p.breadcrumbs?.values ?? [];
  const traceId = event.trace_id ?? (p.contexts?.['trace']?.['trace_id'] as string | undefined) ?? null;
  const user = Object.entries(p.user ?? {}).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const contexts = orderedContexts(p.contexts ?? {})
    .map(([name, ctx]) => [name, contextRows(ctx)] as const)
    .filter(([, rows]) => rows.length > 0);
  const extra = Object.entries(p.extra ?? {});

  return (
    <article className="event-view" aria-label={`Event ${event.event_id}`}>
      <header className="ev-header">
        <div className="ev-title-row">
          <h2 className="ev-id">
            <span className="muted">Event</span> <code>{event.event_id}</code>
          </h2>
          <CopyButton text={event.event_id} label="Copy ID" />
          <span className="ev-actions">{actions}</span>
        </div>
        <dl className="ev-meta">
          <Meta label="Time">
            <time dateTime={event.timestamp} title={event.timestamp}>
              {new Date(event.timestamp).toLocaleString()}
            </time>{' '}
            <span className="muted">
              (<RelativeTime iso={event.timestamp} />)
            </span>
          </Meta>
          <Meta label="Level">
            <LevelBadge level={event.level} variant="tag" />
          </Meta>
          <Meta label="Environment">
            <Link href={issuesHref('environment', event.environment)}>{event.environment}</Link>
          </Meta>
          <Meta label="Release">
            {event.release ? (
              <Link href={issuesHref('release', event.release)}>{event.release}</Link>
            ) : (
              <span className="muted">—</span>
            )}
          </Meta>
          {p.transaction && <Meta label="Transaction">{p.transaction}</Meta>}
          {event.server_name && <Meta label="Server">{event.server_name}</Meta>}
          {traceId && (
            <Meta label="Trace">
              <code className="ev-trace">{traceId}</code>
            </Meta>
          )}
        </dl>
      </header>

      {message && (
        <Section title="Message">
          <pre className="ev-message">{message}</pre>
        </Section>
      )}

      {exceptions.length > 0 && (
        <Section
          title={
            exceptions.length > 1
              ? `Exceptions (${exceptions.length}, chained)`
              : exceptions[0]?.type
                ? 'Exception'
                : 'Stack trace'
          }
        >
          <ExceptionChain values={exceptions} message={message} />
        </Section>
      )}
      {frames.length > 0 && (
        <Section title="Stack trace">
          <StackTrace frames={frames} />
        </Section>
      )}

      {crumbs.length > 0 && (
        <Section title={`Breadcrumbs (${crumbs.length})`}>
          <Breadcrumbs crumbs={crumbs} eventTimestamp={p.timestamp} />
        </Section>
      )}

      {traceId && <TraceLogs slug={slug} traceId={traceId} headingLevel={3} className="ev-section" />}

      {p.request && <RequestSection request={p.request} />}

      {p.tags.length > 0 && (
        <Section title="Tags">
          <dl className="tag-grid">
            {p.tags.map(([k, v]) => (
              <div className="tag-pill" key={`${k}=${v}`}>
                <dt>{k}</dt>
                <dd>
                  {k === 'environment' || k === 'release' ? <Link href={issuesHref(k, v)}>{v}</Link> : v}
                </dd>
              </div>
            ))}
          </dl>
        </Section>
      )}

      {(user.length > 0 || contexts.length > 0) && (
        <Section title="Contexts">
          <div className="ctx-cards">
            {user.length > 0 && (
              <div className="ctx-card">
                <h4>User</h4>
                <KeyValueTable rows={user.map(([k, v]) => [k, text(v)])} label="User" />
              </div>
            )}
            {contexts.map(([name, rows]) => (
              <div className="ctx-card" key={name}>
                <h4>{contextTitle(name)}</h4>
                <KeyValueTable rows={rows} label={contextTitle(name)} />
              </div>
            ))}
          </div>
        </Section>
      )}

      {extra.length > 0 && (
        <Section title="Additional data">
          <KeyValueTable rows={extra.map(([k, v]) => [k, text(v)])} label="Additional data" />
        </Section>
      )}

      {p.sdk?.name && (
        <Section title="SDK">
          <p className="ev-sdk">
            <code>{p.sdk.name}</code> <code className="muted">{p.sdk.version}</code>
          </p>
          {p.modules && Object.keys(p.modules).length > 0 && (
            <details className="ev-details">
              <summary>Packages ({Object.keys(p.modules).length})</summary>
              <KeyValueTable rows={Object.entries(p.modules)} label="Packages" />
            </details>
          )}
        </Section>
      )}

      <RawJson event={event} />
    </article>
  );
}

function RequestSection({ request }: { request: Record<string, unknown> }) {
  const method = typeof request['method'] === 'string' ? request['method'] : null;
  const url = typeof request['url'] === 'string' ? request['url'] : null;
  const query = pairsOf(request['query_string']);
  const headers = pairsOf(request['headers']);
  const cookies = pairsOf(request['cookies']);
  const env = pairsOf(request['env']);
  const body = request['data'];
  return (
    <Section title="Request">
      {(method || url) && (
        <p className="req-line">
          {method && <span className="req-method">{method}</span>}{' '}
          {url && <code className="req-url">{url}</code>}
        </p>
      )}
      {query.length > 0 && (
        <>
          <h4 className="ev-sub">Query</h4>
          <KeyValueTable rows={query} label="Query string" />
        </>
      )}
      {body !== undefined && body !== null && body !== '' && (
        <>
          <h4 className="ev-sub">Body</h4>
          <CodeBlock code={typeof body === 'string' ? body : JSON.stringify(body, null, 2)} />
        </>
      )}
      {headers.length > 0 && (
        <>
          <h4 className="ev-sub">Headers</h4>
          <KeyValueTable rows={headers} label="Headers" />
        </>
      )}
      {cookies.length > 0 && (
        <>
          <h4 className="ev-sub">Cookies</h4>
          <KeyValueTable rows={cookies} label="Cookies" />
        </>
      )}
      {env.length > 0 && (
        <>
          <h4 className="ev-sub">Environment</h4>
          <KeyValueTable rows={env} label="Request environment" />
        </>
      )}
    </Section>
  );
}

function RawJson({ event }: { event: EventDetail }) {
  const [open, setOpen] = useState(false);
  // Stringified only when asked for: payloads run to hundreds of kilobytes.
  const json = () => JSON.stringify(event.payload, null, 2);
  return (
    <Section
      title="Raw JSON"
      aside={
        <span className="ev-raw-actions">
          <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'}
          </button>
          <button type="button" onClick={() => download(`event-${event.event_id}.json`, json())}>
            Download
          </button>
        </span>
      }
    >
      {open && <CodeBlock code={json()} label={`${event.size_bytes.toLocaleString()} bytes stored`} />}
    </Section>
  );
}
