/**
 * Finding transactions: slow ones (a minimum duration), one endpoint's, failed ones, one release's
 * or tag's. Every filter lives in the query string; results are newest first and "Load more"
 * follows the API's cursor. The first page refreshes itself while nothing more is loaded, so new
 * transactions appear on top without moving rows the user has paged to.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  api,
  useResource,
  type PerformanceOverview,
  type PerformanceRange,
  type TransactionList,
  type TransactionSummary,
} from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { EmptyState, LoadError } from '../components/empty-state';
import { NPlusOneBadge } from '../components/query-analysis';
import { RelativeTime, formatTimestamp } from '../components/relative-time';
import { isFailedStatus } from '../components/waterfall-layout';
import { TimeRangePicker } from '../components/time-range-picker';
import { formatDuration } from '../format-duration';
import { useKeyboard } from '../keyboard';
import { Link, navigate, useLocation } from '../router';
import { PerfHead, useKept, useProject, withCurrent } from './performance-common';
import {
  DEFAULT_PERF_RANGE,
  PERF_RANGES,
  perfHref,
  performanceApiPath,
  type PerfFilters,
} from './performance-filters';
import {
  filterParams,
  httpStatusClass,
  isFiltered,
  parsePerfRange,
  parseTagInput,
  readTransactionFilters,
  transactionsApiPath,
  type TransactionFilters,
} from './transaction-pages';
import './transactions-search.css';

/**
 * The environment and release choices of a range. TransactionList and NPlusOneList do not carry
 * them; the overview of the same range does (loaded once per range, not polled).
 */
export function useFilterChoices(
  slug: string,
  range: PerformanceRange,
): { environments: string[]; releases: string[] } {
  const overview = useResource<PerformanceOverview>(
    performanceApiPath(slug, { range, environment: '', release: '' } satisfies PerfFilters),
  );
  const { value } = useKept(overview.data, slug);
  return { environments: value?.environments ?? [], releases: value?.releases ?? [] };
}

/** Span statuses as Sentry SDKs send them (OpenTelemetry's codes in snake_case). */
const STATUSES = [
  'ok',
  'internal_error',
  'unknown',
  'cancelled',
  'deadline_exceeded',
  'invalid_argument',
  'not_found',
  'already_exists',
  'permission_denied',
  'unauthenticated',
  'resource_exhausted',
  'failed_precondition',
  'aborted',
  'unavailable',
  'unimplemented',
  'data_loss',
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Pages after the first, appended by "Load more"; the first is `useResource`'s. */
function useMorePages(apiPath: string) {
  const [more, setMore] = useState<{ path: string; pages: TransactionList[] }>({ path: apiPath, pages: [] });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const pages = more.path === apiPath ? more.pages : [];
  const load = async (cursor: string) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<TransactionList>(`${apiPath}&cursor=${encodeURIComponent(cursor)}`);
      setMore((m) => ({ path: apiPath, pages: [...(m.path === apiPath ? m.pages : []), page] }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };
  return { pages, loading, error, load };
}

export function TransactionsSearchPage({ slug }: { slug: string }) {
  const { path, query } = useLocation();
  const f = readTransactionFilters(query);
  const apiPath = transactionsApiPath(slug, f);
  const more = useMorePages(apiPath);
  const first = useResource<TransactionList>(apiPath, { live: more.pages.length === 0 });
  const nameRef = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState(f);
  const queryKey = query.toString();
  useEffect(() => setDraft(readTransactionFilters(new URLSearchParams(queryKey))), [queryKey]);
  const name = useProject(slug)?.name ?? slug;
  const choices = useFilterChoices(slug, f.range);
  useEffect(() => {
    document.title = `Transactions · ${name} · Snag`;
  }, [name]);

  const seen = new Set<string>();
  const rows: TransactionSummary[] = [];
  for (const page of [first.data, ...more.pages])
    for (const t of page?.transactions ?? []) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      rows.push(t);
    }
  const nextCursor = (more.pages.at(-1) ?? first.data)?.next_cursor ?? null;
  const longest = Math.max(1, ...rows.map((r) => r.duration_ms));

  const apply = (next: TransactionFilters) => {
    const q = filterParams({ ...next, tags: parseTagInput(next.tags.join(' ')) }).toString();
    navigate(q ? `${path}?${q}` : path, { replace: true });
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const detailHref = (t: TransactionSummary) => perfHref.transaction(slug, t.id);

  const moveFocus = (delta: number) => {
    const trs = [...document.querySelectorAll<HTMLTableRowElement>('.tx-search-table tbody tr[tabindex]')];
    if (trs.length === 0) return;
    const at = trs.indexOf(document.activeElement as HTMLTableRowElement);
    const next =
      trs[at < 0 ? (delta > 0 ? 0 : trs.length - 1) : Math.max(0, Math.min(trs.length - 1, at + delta))];
    next?.focus();
    next?.scrollIntoView({ block: 'nearest' });
  };
  useKeyboard({ j: () => moveFocus(1), k: () => moveFocus(-1), '/': () => nameRef.current?.focus() });

  const columns: Column<TransactionSummary>[] = [
    {
      id: 'time',
      header: 'Time',
      width: '104px',
      render: (t) => (
        <span title={formatTimestamp(t.timestamp)}>
          <RelativeTime iso={t.timestamp} />
        </span>
      ),
    },
    {
      id: 'name',
      header: 'Transaction',
      render: (t) => (
        <div className="tx-cell-name">
          <Link href={detailHref(t)} className="tx-name-link">
            {t.name}
          </Link>
          <span className="muted tx-cell-op">
            {t.op} · {t.environment}
            {t.release && ` · ${t.release}`}
          </span>
        </div>
      ),
    },
    {
      id: 'duration',
      header: 'Duration',
      width: '190px',
      render: (t) => (
        <div className="tx-dur-cell">
          <span className="tx-dur-track" aria-hidden="true">
            <span className="tx-dur-bar" style={{ width: `${(t.duration_ms / longest) * 100}%` }} />
          </span>
          <span className="tx-dur-text">{formatDuration(t.duration_ms)}</span>
        </div>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      width: '120px',
      render: (t) => (
        <span className={t.is_error || isFailedStatus(t.status) ? 'tx-status tx-status-failed' : 'tx-status'}>
          {t.status}
        </span>
      ),
    },
    {
      id: 'http',
      header: 'HTTP',
      width: '108px',
      render: (t) =>
        t.http_method || t.http_status !== null ? (
          <span className={httpStatusClass(t.http_status)}>
            {t.http_method && <span className="tx-method">{t.http_method}</span>}
            {t.http_status !== null && <span>{t.http_status}</span>}
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    { id: 'queries', header: 'Queries', width: '84px', align: 'right', render: (t) => t.query_count },
    {
      id: 'n1',
      header: <abbr title="N+1 query pattern">N+1</abbr>,
      width: '72px',
      align: 'center',
      render: (t) => (t.n_plus_one ? <NPlusOneBadge /> : null),
    },
  ];

  const field = (key: Exclude<keyof TransactionFilters, 'tags' | 'range'>) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
  });
  const select = (key: 'status' | 'method' | 'environment' | 'release') => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => apply({ ...draft, [key]: e.target.value }),
  });

  return (
    <div className="tx-search-page">
      <PerfHead
        slug={slug}
        projectName={name}
        trail={[<span key="tx">Transactions</span>]}
        title="Transactions"
        live={first.data && more.pages.length === 0 ? (first.error ? 'offline' : 'on') : undefined}
      >
        <TimeRangePicker
          value={f.range}
          options={PERF_RANGES}
          onChange={(range) => apply({ ...draft, range: parsePerfRange(range) })}
        />
      </PerfHead>

      <form className="card tx-filters" role="search" aria-label="Filter transactions" onSubmit={onSubmit}>
        <label>
          <span>Endpoint</span>
          <input ref={nameRef} type="search" placeholder="GET /orders  ( / )" {...field('name')} />
        </label>
        <label>
          <span>Min duration (ms)</span>
          <input
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            placeholder="e.g. 500"
            {...field('minDuration')}
          />
        </label>
        <label>
          <span>Status</span>
          <select {...select('status')}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Method</span>
          <select {...select('method')}>
            <option value="">Any</option>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          <span>HTTP status</span>
          <input type="text" inputMode="numeric" placeholder="e.g. 500" {...field('httpStatus')} />
        </label>
        <label>
          <span>Environment</span>
          <select {...select('environment')}>
            <option value="">All</option>
            {withCurrent(choices.environments, draft.environment).map((env) => (
              <option key={env}>{env}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Release</span>
          <select {...select('release')}>
            <option value="">All</option>
            {withCurrent(choices.releases, draft.release).map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="tx-f-tags">
          <span>Tags</span>
          <input
            type="text"
            placeholder="key:value key:value"
            value={draft.tags.join(' ')}
            onChange={(e) => setDraft({ ...draft, tags: e.target.value.split(' ') })}
          />
        </label>
        <div className="tx-f-actions">
          <button type="submit" className="primary">
            Search
          </button>
          {isFiltered(f) && (
            <Link href={f.range === DEFAULT_PERF_RANGE ? path : `${path}?range=${f.range}`} className="small">
              Clear filters
            </Link>
          )}
        </div>
      </form>

      {!first.data && first.error ? (
        <LoadError title="Could not load transactions" error={first.error} retry={first.reload} />
      ) : first.data && rows.length === 0 ? (
        isFiltered(f) ? (
          <EmptyState
            title="No transactions match these filters"
            body="Try a longer time range or fewer filters."
          />
        ) : (
          <EmptyState
            title="No transactions in this time range"
            body={
              <>
                Transactions arrive when an SDK traces requests: set <code>tracesSampleRate</code> (or{' '}
                <code>traces_sample_rate</code>) in its init.
              </>
            }
          />
        )
      ) : (
        <>
          <DataTable
            caption="Transactions, newest first"
            className="tx-search-table"
            columns={columns}
            rows={rows}
            rowKey={(t) => t.id}
            loading={!first.data}
            rowClassName={(t) => (t.is_error ? 'tx-row-error' : undefined)}
            onRowClick={(t, e) => {
              const href = detailHref(t);
              if (e.metaKey || e.ctrlKey) window.open(href, '_blank');
              else navigate(href);
            }}
          />
          <div className="tx-more">
            {more.error && <span className="tx-more-error">Could not load more: {more.error.message}</span>}
            {nextCursor ? (
              <button type="button" disabled={more.loading} onClick={() => void more.load(nextCursor)}>
                {more.loading ? 'Loading…' : 'Load more'}
              </button>
            ) : (
              rows.length > 0 && (
                <span className="muted small">{rows.length.toLocaleString()} transactions · end of list</span>
              )
            )}
          </div>
        </>
      )}
      <p className="kbd-hint muted">
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>/</kbd> endpoint filter
      </p>
    </div>
  );
}
