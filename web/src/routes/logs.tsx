/**
 * A project's logs (`/projects/<slug>/logs`): search with the logs syntax, level and facet filters,
 * a volume histogram by level that zooms on drag or click, the matching lines newest first with
 * infinite scroll, and live tail. Every filter is in the query string (shareable, back works: a
 * zoom is a history entry, a filter change replaces it). Keyboard: `/` search, `j`/`k` move,
 * `Enter` open, `t` live tail.
 */
import { useEffect, useRef } from 'react';
import {
  RequestError,
  useResource,
  type LogFacets,
  type LogHistogram,
  type LogSummary,
  type ProjectView,
} from '../api/client';
import { EmptyState, LoadError } from '../components/empty-state';
import { LogHistogramChart, stackHistogram } from '../components/log-histogram';
import { LogLine } from '../components/log-line';
import { ProjectNav } from '../components/project-nav';
import { TIME_RANGES } from '../components/time-range-picker';
import { useKeyboard } from '../keyboard';
import { Link, setQuery, useLocation } from '../router';
import {
  isFiltered,
  logFacetsApiPath,
  logHistogramApiPath,
  logsHref,
  readLogFilters,
  zoomWindow,
  type LogFilters,
} from './log-filters';
import { LogFilterBar, LogSearch } from './logs-toolbar';
import { LogsSetup } from './logs-setup';
import { useLogStream } from './use-log-stream';
import './issues-list.css';
import './logs.css';

/** Starts loading the next page this far before the list's end comes into view. */
const PREFETCH_MARGIN_PX = 600;

function windowWords(f: LogFilters): string {
  if (f.start && f.end) return 'the zoomed window';
  return TIME_RANGES.find((r) => r.value === f.range)!.long.replace(/^Last/, 'the last');
}

export function LogsPage({ slug }: { slug: string }) {
  const { query } = useLocation();
  const f = readLogFilters(query);
  const listRef = useRef<HTMLOListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const view = useLogStream(slug, f, listRef);
  const histogram = useResource<LogHistogram>(logHistogramApiPath(slug, f), {
    live: f.tail,
  });
  const facets = useResource<LogFacets>(logFacetsApiPath(slug), { live: f.tail });
  const project = useResource<ProjectView>(`/api/v1/projects/${encodeURIComponent(slug)}`);
  const name = project.data?.name ?? slug;
  const zoomed = Boolean(f.start && f.end);

  useEffect(() => {
    document.title = `Logs · ${name} · Snag`;
  }, [name]);

  const { stream, loadMore, loadingMore } = view;
  const cursor = stream?.cursor ?? null;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !cursor || loadingMore) return;
    // A new observer reports at once, so a short page that leaves the sentinel in view loads on.
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), {
      rootMargin: `${PREFETCH_MARGIN_PX}px 0px`,
    });
    io.observe(el);
    return () => io.disconnect();
  }, [cursor, loadingMore, loadMore, stream?.rows.length]);

  const moveFocus = (delta: number) => {
    const links = [...(listRef.current?.querySelectorAll<HTMLAnchorElement>('.log-row-link') ?? [])];
    if (links.length === 0) return;
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next =
      links[
        at < 0 ? (delta > 0 ? 0 : links.length - 1) : Math.max(0, Math.min(links.length - 1, at + delta))
      ];
    next?.focus({ preventScroll: true });
    next?.scrollIntoView({ block: 'nearest' });
  };
  const toggleTail = () => !zoomed && setQuery({ tail: f.tail ? null : '1' }, { replace: true });
  useKeyboard({
    j: () => moveFocus(1),
    k: () => moveFocus(-1),
    '/': () => searchRef.current?.focus(),
    t: toggleTail,
  });

  const rows = stream?.rows ?? [];
  const pending = stream?.pending.length ?? 0;
  // A search the server cannot read answers 400 with the reason: shown under the box, not as a failure.
  const badQuery =
    view.error instanceof RequestError && view.error.status === 400 ? view.error.message : null;
  const stacked = histogram.data ? stackHistogram(histogram.data) : null;
  const noLogsAtAll = facets.data !== undefined && facets.data.levels.length === 0;
  // A trace crosses services and levels: its link keeps only the time window.
  const traceHref = (log: LogSummary) =>
    log.trace_id
      ? logsHref.list(slug, { q: `trace:${log.trace_id}`, range: f.range, start: f.start, end: f.end })
      : null;
  const now = Date.now();

  return (
    <div className="logs-page">
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={`/projects/${encodeURIComponent(slug)}/issues`}>{name}</Link>{' '}
        <span aria-hidden="true">/</span> <span>Logs</span>
      </nav>
      <ProjectNav slug={slug} />
      <div className="logs-head">
        <h1 className="page-title">Logs</h1>
        <button
          type="button"
          className={f.tail && !zoomed ? 'logs-tail-toggle is-on' : 'logs-tail-toggle'}
          aria-pressed={f.tail && !zoomed}
          disabled={zoomed}
          title={zoomed ? 'Live tail follows the newest lines: reset the zoom first' : 'Stream new lines (t)'}
          onClick={toggleTail}
        >
          <span className="logs-tail-dot" aria-hidden="true" />
          {f.tail && !zoomed ? (view.tailError ? 'Reconnecting…' : 'Live tail on') : 'Live tail'}
        </button>
      </div>

      <section className="card logs-controls" aria-label="Search and filters">
        <LogSearch value={f.q} error={badQuery} inputRef={searchRef} />
        <LogFilterBar f={f} facets={facets.data} />
      </section>

      {stacked && !(noLogsAtAll && !isFiltered(f)) && (
        <section className="card logs-volume" aria-label="Volume">
          <div className="logs-volume-head">
            <span>
              <strong>
                {histogram.data?.approximate ? '≈ ' : ''}
                {stacked.total.toLocaleString('en-US')}
              </strong>{' '}
              {stacked.total === 1 ? 'line' : 'lines'} in {windowWords(f)}
            </span>
            {stacked.total > 0 && (
              <span className="muted small">Drag across the chart or click a bar to zoom</span>
            )}
          </div>
          <LogHistogramChart
            data={stacked}
            onZoom={(from, to) => setQuery({ ...zoomWindow(from, to), tail: null })}
          />
        </section>
      )}

      {badQuery ? null : view.error && !stream ? (
        <LoadError title="Could not load logs" error={view.error} retry={view.retry} />
      ) : !stream ? (
        <div className="card logs-loading" aria-busy="true">
          Loading logs…
        </div>
      ) : rows.length === 0 && !cursor && pending === 0 ? (
        noLogsAtAll && !isFiltered(f) ? (
          <EmptyState
            title="No logs yet"
            body="Logs arrive from Sentry SDKs with logs turned on, or from any OpenTelemetry log exporter:"
          >
            {project.data && <LogsSetup dsn={project.data.dsn} />}
          </EmptyState>
        ) : (
          <EmptyState
            title={`No lines ${isFiltered(f) ? 'match this search ' : ''}in ${windowWords(f)}`}
            body={zoomed ? 'Reset the zoom or pick a longer range.' : 'Try a longer range or fewer filters.'}
          >
            {isFiltered(f) && (
              <p>
                <Link href={logsHref.list(slug, { range: f.range })}>Clear search and filters</Link>
              </p>
            )}
          </EmptyState>
        )
      ) : (
        <div
          className={view.stale ? 'card logs-results is-stale' : 'card logs-results'}
          aria-busy={view.stale}
        >
          {pending > 0 && (
            <button
              type="button"
              className="logs-new-pill"
              onClick={() => (view.flush(), window.scrollTo(0, 0))}
            >
              ↑ {pending.toLocaleString('en-US')}
              {stream.overflowed ? '+' : ''} new {pending === 1 ? 'line' : 'lines'}
            </button>
          )}
          <ol ref={listRef} id="log-list" className="log-list" aria-label="Log lines, newest first">
            {rows.map((log) => (
              <LogLine
                key={log.id}
                log={log}
                href={logsHref.detail(slug, log.id)}
                traceHref={traceHref(log)}
                fresh={stream.fresh.has(log.id)}
                now={now}
              />
            ))}
          </ol>
          <div ref={sentinel} className="logs-end" role="status">
            {view.moreError ? (
              <>
                Could not load more: {view.moreError.message}{' '}
                <button type="button" onClick={loadMore}>
                  Try again
                </button>
              </>
            ) : cursor ? (
              <button type="button" disabled={loadingMore} onClick={loadMore}>
                {loadingMore ? 'Loading…' : 'Load older lines'}
              </button>
            ) : (
              <span>
                {rows.length.toLocaleString('en-US')} {rows.length === 1 ? 'line' : 'lines'} · end of{' '}
                {windowWords(f)}
              </span>
            )}
          </div>
        </div>
      )}
      <p className="kbd-hint muted">
        <kbd>/</kbd> search · <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>t</kbd> live tail
      </p>
    </div>
  );
}
