/**
 * A project's issues: status tabs with counts, environment / release / search / sort filters and
 * the page cursor, all in the query string (shareable, back button works). Polls while visible;
 * rows are keyed, focused and selected by issue id, so a refresh never moves what the user reads.
 * One file (over the usual length) because filters, focus, selection and undo are one state that
 * the toolbar, the table and the keyboard all act on; the pure parts are exported and named.
 */
import { useEffect, useRef, useState } from 'react';
import {
  qs,
  useResource,
  type IssueList,
  type IssueListItem,
  type IssueStatus,
  type ProjectView,
} from '../api/client';
import { EmptyState } from '../components/empty-state';
import { windowEnd } from '../components/hourly-chart';
import { LevelBadge } from '../components/level-badge';
import { ProjectNav } from '../components/project-nav';
import { RelativeTime } from '../components/relative-time';
import { Sparkline, markerPosition, type SparkMarker } from '../components/sparkline';
import {
  STATUS_VERBS,
  StatusActions,
  actionsFor,
  setIssueStatus,
  setIssuesStatus,
} from '../components/status-actions';
import { formatCount } from '../format-count';
import { useKeyboard } from '../keyboard';
import { Link, navigate, setQuery, useLocation } from '../router';
import './issues-list.css';

export const PAGE_SIZE = 25;
const STATUSES: IssueStatus[] = ['open', 'resolved', 'ignored'];
const SORTS: [string, string][] = [
  ['last_seen', 'Last seen'],
  ['first_seen', 'First seen'],
  ['count', 'Events'],
];
const DONE: Record<IssueStatus, string> = { open: 'Reopened', resolved: 'Resolved', ignored: 'Ignored' };
const EMPTY: Record<IssueStatus, [string, string]> = {
  open: ['No open issues', 'Nothing to fix. New errors show up here within seconds of being sent.'],
  resolved: ['No resolved issues', 'Issues you resolve land here; a new event reopens them.'],
  ignored: ['No ignored issues', 'Issues you ignore land here and stop counting as open.'],
};
/** How long the "Resolved 3 issues · Undo" note stays. */
const NOTICE_MS = 8000;

export interface IssueFilters {
  status: IssueStatus;
  environment: string;
  release: string;
  query: string;
  sort: string;
  /** Cursors of the pages walked through; the last one is the current page's. */
  cursors: string[];
}

/**
 * The page cursors live in one parameter, "A.B" for page 3. Cursors are base64url, which never
 * contains ".", and a stack (not a page number) is what a cursor API can walk back through.
 */
export function parseCursors(value: string | null): string[] {
  return value ? value.split('.').filter(Boolean) : [];
}

export function readFilters(query: URLSearchParams): IssueFilters {
  const status = query.get('status') as IssueStatus | null;
  const sort = query.get('sort');
  return {
    status: status && STATUSES.includes(status) ? status : 'open',
    environment: query.get('environment') ?? '',
    release: query.get('release') ?? '',
    query: query.get('query') ?? '',
    sort: sort && SORTS.some(([k]) => k === sort) ? sort : 'last_seen',
    cursors: parseCursors(query.get('cursor')),
  };
}

export function issuesApiPath(slug: string, f: IssueFilters): string {
  return `/api/v1/projects/${encodeURIComponent(slug)}/issues${qs({
    status: f.status,
    environment: f.environment,
    release: f.release,
    query: f.query,
    sort: f.sort === 'last_seen' ? undefined : f.sort,
    limit: PAGE_SIZE,
    cursor: f.cursors.at(-1),
  })}`;
}

/** Release markers for a 24 h sparkline ending at `end`. */
export function releaseMarkers(
  releases: { version: string; first_seen: string }[],
  end: number,
): SparkMarker[] {
  return releases.flatMap((r) => {
    const at = markerPosition(r.first_seen, end, 24);
    return at === null ? [] : [{ at, label: `Release ${r.version}` }];
  });
}

function hrefWith(path: string, query: URLSearchParams, changes: Record<string, string | null>): string {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function IssuesPage({ slug }: { slug: string }) {
  const { path, query } = useLocation();
  const f = readFilters(query);
  const apiPath = issuesApiPath(slug, f);
  const res = useResource<IssueList>(apiPath, { live: true });
  const project = useResource<ProjectView>(`/api/v1/projects/${encodeURIComponent(slug)}`);

  // While another page or filter loads, keep the last list on screen (dimmed) instead of blanking.
  // Updated during render, not in an effect: an effect would commit every list twice.
  const [shown, setShown] = useState<{ slug: string; list: IssueList } | null>(null);
  if (res.data && (shown?.list !== res.data || shown.slug !== slug)) setShown({ slug, list: res.data });
  const list = res.data ?? (shown?.slug === slug ? shown.list : undefined);
  const stale = !res.data && list !== undefined;
  const rows = list?.issues ?? [];

  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [focusId, setFocusId] = useState<number | null>(null);
  const lastFocusIndex = useRef(0);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; undo?: () => void } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState(f.query);

  useEffect(() => setDraft(f.query), [f.query]);
  useEffect(() => {
    // Keeping the same empty set lets the first render's effects end without another render.
    setSelected((s) => (s.size === 0 ? s : new Set()));
    setFocusId(null);
  }, [apiPath]);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);
  const name = project.data?.name ?? slug;
  useEffect(() => {
    document.title = `Issues · ${name} · Snag`;
  }, [name]);

  // Rows appearing after the first load of this view flash once.
  const seen = useRef<{ path: string; ids: Set<number> }>({ path: '', ids: new Set() });
  useEffect(() => {
    if (!list) return;
    if (seen.current.path !== apiPath) seen.current = { path: apiPath, ids: new Set() };
    for (const r of list.issues) seen.current.ids.add(r.id);
  }, [list, apiPath]);
  const isNew = (id: number) => seen.current.path === apiPath && !seen.current.ids.has(id);

  // The focused row is tracked by id; if it leaves the list (resolved, paged out) focus stays at its place.
  let focusIndex = rows.findIndex((r) => r.id === focusId);
  if (focusIndex === -1 && focusId !== null && rows.length > 0)
    focusIndex = Math.min(lastFocusIndex.current, rows.length - 1);
  useEffect(() => {
    if (focusIndex >= 0) lastFocusIndex.current = focusIndex;
  });
  const focused = focusIndex >= 0 ? rows[focusIndex] : undefined;
  const selectedRows = rows.filter((r) => selected.has(r.id));

  const issueHref = (id: number) => `/projects/${encodeURIComponent(slug)}/issues/${id}`;

  const move = (delta: number) => {
    if (rows.length === 0) return;
    const i =
      focusIndex < 0
        ? delta > 0
          ? 0
          : rows.length - 1
        : Math.max(0, Math.min(rows.length - 1, focusIndex + delta));
    const row = rows[i]!;
    setFocusId(row.id);
    // Real focus on the row's link, not only a highlight: screen readers announce it and the
    // browser's focus ring shows where j/k went.
    document
      .querySelector<HTMLAnchorElement>(`#issue-${row.id} a.issue-title`)
      ?.focus({ preventScroll: true });
    document.getElementById(`issue-${row.id}`)?.scrollIntoView({ block: 'nearest' });
  };
  const toggle = (id: number) =>
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  async function changeStatus(targets: IssueListItem[], to: IssueStatus, undoable = true) {
    const moving = targets.filter((t) => t.status !== to);
    if (moving.length === 0 || busy) return;
    const ids = moving.map((t) => t.id);
    setBusy(true);
    setActionError(null);
    try {
      if (ids.length === 1) await setIssueStatus(ids[0]!, to);
      else await setIssuesStatus(slug, ids, to);
      setSelected((s) => new Set([...s].filter((id) => !ids.includes(id))));
      const from = moving[0]!.status;
      const what = moving.length === 1 ? moving[0]!.title : `${moving.length} issues`;
      const canUndo = undoable && moving.every((m) => m.status === from);
      setNotice({
        text: `${DONE[to]} ${moving.length === 1 ? `“${what}”` : what}`,
        undo: canUndo
          ? () =>
              void changeStatus(
                moving.map((m) => ({ ...m, status: to })),
                from,
                false,
              )
          : undefined,
      });
      res.reload();
    } catch (e) {
      setActionError(`Could not change the status: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }
  const act = (to: IssueStatus) =>
    void changeStatus(selectedRows.length > 0 ? selectedRows : focused ? [focused] : [], to);

  useKeyboard({
    j: () => move(1),
    k: () => move(-1),
    Enter: () => focused && navigate(issueHref(focused.id)),
    x: () => focused && toggle(focused.id),
    r: () => act('resolved'),
    i: () => act('ignored'),
    '/': () => searchRef.current?.focus(),
    Escape: () => setSelected(new Set()),
  });

  const setFilter = (changes: Record<string, string | null>) =>
    setQuery({ ...changes, cursor: null }, { replace: true });
  const filtered = Boolean(f.environment || f.release || f.query);
  const end = windowEnd();
  const markers = releaseMarkers(list?.release_markers ?? [], end);
  const environments = withCurrent(list?.environments ?? [], f.environment);
  const releases = withCurrent(list?.releases ?? [], f.release);
  const page = f.cursors.length;
  const total = list?.counts[f.status] ?? 0;
  const allChecked = rows.length > 0 && selectedRows.length === rows.length;

  // One URL per environment, not one per chip: a page of rows shows a few environments many times.
  const envHrefs = new Map<string, string>();
  const envHref = (env: string) => {
    let href = envHrefs.get(env);
    if (href === undefined)
      envHrefs.set(env, (href = hrefWith(path, query, { environment: env, cursor: null })));
    return href;
  };

  const goPage = (cursors: string[]) => {
    setQuery({ cursor: cursors.join('.') || null });
    window.scrollTo(0, 0);
  };

  return (
    <div className="issues-page">
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span> <span>{name}</span>
      </nav>
      <ProjectNav slug={slug} />
      <div className="issues-head">
        <h1 className="page-title">Issues</h1>
        <span
          className={res.error && list ? 'live-badge offline' : 'live-badge'}
          title="The list refreshes every 3 seconds"
        >
          {res.error && list ? 'Reconnecting…' : 'Live'}
        </span>
      </div>

      <nav className="status-tabs" aria-label="Issue status">
        {STATUSES.map((s) => (
          <Link
            key={s}
            href={hrefWith(path, query, { status: s === 'open' ? null : s, cursor: null })}
            aria-current={s === f.status ? 'page' : undefined}
          >
            {s[0]!.toUpperCase() + s.slice(1)}
            <span className="tab-count">{list ? formatCount(list.counts[s]) : '–'}</span>
          </Link>
        ))}
      </nav>

      <form
        className="issues-toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ query: draft.trim() || null });
        }}
      >
        <input
          ref={searchRef}
          type="search"
          className="issues-search"
          aria-label="Search issues by title, type, culprit or message"
          placeholder="Search title, type, culprit, message…  ( / )"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            if (e.target.value === '' && f.query) setFilter({ query: null });
          }}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
        />
        <select
          aria-label="Environment"
          value={f.environment}
          onChange={(e) => setFilter({ environment: e.target.value || null })}
        >
          <option value="">All environments</option>
          {environments.map((env) => (
            <option key={env} value={env}>
              {env}
            </option>
          ))}
        </select>
        <select
          aria-label="Release"
          value={f.release}
          onChange={(e) => setFilter({ release: e.target.value || null })}
        >
          <option value="">All releases</option>
          {releases.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <label className="sort-label">
          <span className="muted">Sort</span>
          <select
            value={f.sort}
            onChange={(e) => setFilter({ sort: e.target.value === 'last_seen' ? null : e.target.value })}
          >
            {SORTS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>

      {actionError && (
        <p className="issues-banner error" role="alert">
          {actionError}
        </p>
      )}
      <div className="issues-notice" role="status" aria-live="polite">
        {notice && (
          <span className="issues-banner">
            {notice.text}
            {notice.undo && (
              <button type="button" className="link-button" onClick={notice.undo}>
                Undo
              </button>
            )}
          </span>
        )}
      </div>

      {!list && res.error ? (
        <EmptyState title="Could not load issues" body={res.error.message}>
          <p>
            <Link href="/">Back to projects</Link>
          </p>
        </EmptyState>
      ) : !list ? (
        <div className="card issues-loading" aria-busy="true">
          Loading issues…
        </div>
      ) : rows.length === 0 ? (
        <EmptyState
          title={filtered ? `No ${f.status} issues match these filters` : EMPTY[f.status][0]}
          body={filtered ? undefined : EMPTY[f.status][1]}
        >
          {filtered && (
            <p>
              <Link
                href={hrefWith(path, query, { environment: null, release: null, query: null, cursor: null })}
              >
                Clear filters
              </Link>
            </p>
          )}
        </EmptyState>
      ) : (
        <div className={stale ? 'card issues-card stale' : 'card issues-card'} aria-busy={stale}>
          <table className="issues-table">
            {/* Fixed widths here, not on the header cells: the bulk bar replaces those cells. */}
            <colgroup>
              <col className="col-check" />
              <col />
              <col className="col-graph" />
              <col className="col-num" />
              <col className="col-num" />
              <col className="col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th className="col-check">
                  <input
                    type="checkbox"
                    aria-label="Select all issues on this page"
                    checked={allChecked}
                    ref={(el) => {
                      if (el) el.indeterminate = selectedRows.length > 0 && !allChecked;
                    }}
                    onChange={() => setSelected(allChecked ? new Set() : new Set(rows.map((r) => r.id)))}
                  />
                </th>
                {selectedRows.length > 0 ? (
                  <th colSpan={5} className="bulk-bar">
                    <span className="bulk-count">{selectedRows.length} selected</span>
                    {actionsFor(f.status).map((to) => (
                      <button
                        key={to}
                        type="button"
                        disabled={busy}
                        onClick={() => void changeStatus(selectedRows, to)}
                      >
                        {STATUS_VERBS[to]}
                      </button>
                    ))}
                    <button type="button" className="link-button" onClick={() => setSelected(new Set())}>
                      Clear selection
                    </button>
                  </th>
                ) : (
                  <>
                    <th className="col-issue">Issue</th>
                    <th className="col-graph">Last 24 hours</th>
                    <th className="col-num">Events</th>
                    <th className="col-num">Users</th>
                    <th className="col-actions">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((issue, i) => (
                <IssueRow
                  key={issue.id}
                  timed={i === 0}
                  issue={issue}
                  href={issueHref(issue.id)}
                  markers={markers}
                  focused={issue.id === focused?.id}
                  selected={selected.has(issue.id)}
                  fresh={isNew(issue.id)}
                  busy={busy}
                  onFocus={() => setFocusId(issue.id)}
                  onToggle={() => toggle(issue.id)}
                  onStatus={(to) => void changeStatus([issue], to)}
                  envHref={envHref}
                />
              ))}
            </tbody>
          </table>
          <div className="pager">
            <span className="muted">
              {formatCount(page * PAGE_SIZE + 1)}–{formatCount(page * PAGE_SIZE + rows.length)} of{' '}
              {formatCount(total)}
            </span>
            <button type="button" disabled={page === 0} onClick={() => goPage(f.cursors.slice(0, -1))}>
              ← Previous
            </button>
            <button
              type="button"
              disabled={!list.next_cursor}
              onClick={() => list.next_cursor && goPage([...f.cursors, list.next_cursor])}
            >
              Next →
            </button>
          </div>
        </div>
      )}

      <p className="kbd-hint muted">
        <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>x</kbd> select · <kbd>r</kbd> resolve ·{' '}
        <kbd>i</kbd> ignore · <kbd>/</kbd> search
      </p>
    </div>
  );
}

/** A filter value from the URL stays selectable even when the list no longer offers it. */
function withCurrent(options: string[], current: string): string[] {
  return current && !options.includes(current) ? [current, ...options] : options;
}

/**
 * Element Timing (https://w3c.github.io/element-timing/) reports when the first row's title was
 * painted: the "renders" of the UI's speed target, read by bench/ui-list.js and any RUM script.
 * Spread in, because React's JSX types do not list the attribute.
 */
const FIRST_ROW_TIMING = { elementtiming: 'issue-row' };

function IssueRow({
  issue,
  timed,
  href,
  markers,
  focused,
  selected,
  fresh,
  busy,
  onFocus,
  onToggle,
  onStatus,
  envHref,
}: {
  issue: IssueListItem;
  timed: boolean;
  href: string;
  markers: SparkMarker[];
  focused: boolean;
  selected: boolean;
  fresh: boolean;
  busy: boolean;
  onFocus: () => void;
  onToggle: () => void;
  onStatus: (to: IssueStatus) => void;
  envHref: (env: string) => string;
}) {
  const cls = ['issue-row', focused && 'is-focused', selected && 'is-selected', fresh && 'is-new']
    .filter(Boolean)
    .join(' ');
  return (
    <tr
      id={`issue-${issue.id}`}
      className={cls}
      onClick={onFocus}
      aria-selected={selected}
      aria-current={focused ? 'true' : undefined}
    >
      <td className="col-check">
        <input type="checkbox" aria-label={`Select ${issue.title}`} checked={selected} onChange={onToggle} />
      </td>
      <td className="col-issue">
        <div className="issue-line">
          <LevelBadge level={issue.level} />
          <Link href={href} className="issue-title" {...(timed ? FIRST_ROW_TIMING : undefined)}>
            <strong>{issue.type || issue.title}</strong>
          </Link>
          {issue.culprit && <span className="issue-culprit">{issue.culprit}</span>}
        </div>
        {issue.type && issue.value && <div className="issue-value">{issue.value}</div>}
        <div className="issue-meta">
          {(issue.environments ?? []).map((env) => (
            <Link key={env} href={envHref(env)} className="chip env-chip" title={`Only issues in ${env}`}>
              {env}
            </Link>
          ))}
          <span>
            last seen <RelativeTime iso={issue.last_seen} />
          </span>
          <span>
            first seen <RelativeTime iso={issue.first_seen} />
          </span>
          {issue.last_release && <span className="meta-release">{issue.last_release}</span>}
        </div>
      </td>
      <td className="col-graph">
        <Sparkline
          values={issue.hourly}
          width={120}
          height={28}
          markers={markers}
          label={`Events per hour for ${issue.title}, last 24 hours`}
        />
      </td>
      <td className="col-num">{formatCount(issue.count)}</td>
      <td className="col-num">{formatCount(issue.user_count)}</td>
      <td className="col-actions">
        <StatusActions compact status={issue.status} busy={busy} onChange={onStatus} label={issue.title} />
      </td>
    </tr>
  );
}
