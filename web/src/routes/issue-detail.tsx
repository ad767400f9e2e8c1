/**
 * One issue: header with status actions, the 7-day hourly chart with release markers, tag
 * distributions, the status audit trail, and its events: one shown in full (the latest, or the
 * one in `?event=`) with older/newer navigation, or all of them as a list (`?tab=events`).
 * A little over the usual length: the two event panels share the page's query-string state.
 */
import { useEffect, useState } from 'react';
import {
  qs,
  useResource,
  type EventDetail,
  type EventList,
  type IssueDetail,
  type IssueStatus,
} from '../api/client';
import { EmptyState } from '../components/empty-state';
import { EventView } from '../components/event-view';
import { HourlyChart, windowEnd } from '../components/hourly-chart';
import { LevelBadge } from '../components/level-badge';
import { RelativeTime } from '../components/relative-time';
import {
  StatusActions,
  StatusBadge,
  StatusTrail,
  isRegressed,
  setIssueStatus,
} from '../components/status-actions';
import { useKeyboard } from '../keyboard';
import { Link, setQuery, useLocation } from '../router';
import './issue-detail.css';
import './issues-list.css';

const EVENTS_PAGE_SIZE = 25;
/** Tag values shown before "Show all": Sentry's sidebar shows the top few. */
const TAG_VALUES_SHOWN = 5;

export interface TagShare {
  value: string;
  count: number;
  /** 0..100, of all the issue's events. */
  percent: number;
}

/** Each value's share of the issue's events; `total` never drops below what the values add up to. */
export function tagShares(values: { value: string; count: number }[], total: number): TagShare[] {
  const sum = values.reduce((a, v) => a + v.count, 0);
  const of = Math.max(total, sum, 1);
  return values.map((v) => ({ value: v.value, count: v.count, percent: (v.count / of) * 100 }));
}

/** "42%", or "<1%" for a share that would round to nothing but exists. */
export function formatPercent(p: number): string {
  if (p > 0 && p < 1) return '<1%';
  return `${Math.round(p)}%`;
}

/** Keeps the last loaded value while the next one loads, so switching events never blanks the page. */
function useKept<T>(data: T | undefined, scope: string): { value: T | undefined; stale: boolean } {
  const [kept, setKept] = useState<{ scope: string; data: T } | null>(null);
  useEffect(() => {
    if (data !== undefined) setKept({ scope, data });
  }, [data, scope]);
  if (data !== undefined) return { value: data, stale: false };
  return kept?.scope === scope ? { value: kept.data, stale: true } : { value: undefined, stale: false };
}

export function IssueDetailPage({ slug, issueId }: { slug: string; issueId: number }) {
  const { path, query } = useLocation();
  const issue = useResource<IssueDetail>(`/api/v1/issues/${issueId}`, { live: true });
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const data = issue.data;

  useEffect(() => {
    if (data) document.title = `${data.title} · Snag`;
  }, [data]);

  const change = async (to: IssueStatus) => {
    if (!data || data.status === to || busy) return;
    setBusy(true);
    setActionError(null);
    try {
      await setIssueStatus(issueId, to);
      issue.reload();
    } catch (e) {
      setActionError(`Could not change the status: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  useKeyboard({ r: () => void change('resolved'), i: () => void change('ignored') });

  if (!data) {
    if (issue.error) {
      return (
        <EmptyState title={`Issue ${issueId} could not be loaded`} body={issue.error.message}>
          <p>
            <Link href={`/projects/${encodeURIComponent(slug)}/issues`}>Back to issues</Link>
          </p>
        </EmptyState>
      );
    }
    return <div className="card issues-loading">Loading issue…</div>;
  }

  const issuesHref = `/projects/${encodeURIComponent(slug)}/issues`;
  const total7d = data.hourly.reduce((a, b) => a + b, 0);
  const tab = query.get('tab') === 'events' ? 'events' : 'event';
  const tabHref = (t: 'event' | 'events') => {
    const q = new URLSearchParams(query);
    if (t === 'events') q.set('tab', 'events');
    else q.delete('tab');
    q.delete('ecursor');
    return q.size ? `${path}?${q}` : path;
  };

  return (
    <div className="issue-page">
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span>
        <Link href={issuesHref}>{data.project?.name ?? slug}</Link> <span aria-hidden="true">/</span>
        <span>Issue #{data.id}</span>
      </nav>

      <header className="card issue-header">
        <div className="issue-header-main">
          <div className="issue-h1-row">
            <LevelBadge level={data.level} variant="tag" />
            <h1 className="issue-h1">
              {data.type ? (
                <>
                  <strong>{data.type}</strong>
                  {data.value && <span className="issue-h1-value">{data.value}</span>}
                </>
              ) : (
                <strong>{data.title}</strong>
              )}
            </h1>
          </div>
          {data.culprit && <p className="issue-h-culprit">{data.culprit}</p>}
          <div className="issue-status-row">
            <StatusBadge status={data.status} />
            {isRegressed(data.status, data.status_changes) && (
              <span className="status-badge status-regressed" title={data.status_changes.at(-1)?.reason}>
                Regressed
              </span>
            )}
            {data.status_changed_at && (
              <span className="muted small">
                since <RelativeTime iso={data.status_changed_at} />
              </span>
            )}
            <StatusActions status={data.status} busy={busy} onChange={(to) => void change(to)} />
            <span className="muted small kbd-inline">
              <kbd>r</kbd> resolve · <kbd>i</kbd> ignore
            </span>
          </div>
          {actionError && (
            <p className="issues-banner error" role="alert">
              {actionError}
            </p>
          )}
        </div>
        <dl className="issue-stats">
          <div>
            <dt>Events</dt>
            <dd>{data.count.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Users</dt>
            <dd>{data.user_count.toLocaleString()}</dd>
          </div>
        </dl>
      </header>

      <div className="issue-grid">
        <div className="issue-main">
          <section className="card chart-card" aria-labelledby="chart-title">
            <div className="card-head">
              <h2 id="chart-title">Events per hour, last 7 days</h2>
              <span className="muted small">
                {total7d.toLocaleString()} {total7d === 1 ? 'event' : 'events'}
              </span>
            </div>
            <HourlyChart
              values={data.hourly}
              end={windowEnd()}
              markers={data.release_markers ?? []}
              label="Events per hour over the last 7 days"
            />
          </section>

          <div className="card event-card">
            <nav className="status-tabs event-tabs" aria-label="Events">
              <Link href={tabHref('event')} aria-current={tab === 'event' ? 'page' : undefined}>
                {query.get('event') ? 'Event' : 'Latest event'}
              </Link>
              <Link href={tabHref('events')} aria-current={tab === 'events' ? 'page' : undefined}>
                All events <span className="tab-count">{data.count.toLocaleString()}</span>
              </Link>
            </nav>
            {tab === 'event' ? (
              <EventPanel slug={slug} issue={data} eventId={query.get('event')} />
            ) : (
              <EventsTable
                issueId={issueId}
                selected={query.get('event')}
                cursorParam={query.get('ecursor')}
              />
            )}
          </div>
        </div>

        <aside className="issue-side" aria-label="Issue details">
          <section className="card side-card">
            <dl className="seen-list">
              <div>
                <dt>Last seen</dt>
                <dd>
                  <RelativeTime iso={data.last_seen} />
                  {data.last_release && (
                    <>
                      {' '}
                      in <code>{data.last_release}</code>
                    </>
                  )}
                </dd>
              </div>
              <div>
                <dt>First seen</dt>
                <dd>
                  <RelativeTime iso={data.first_seen} />
                  {data.first_release && (
                    <>
                      {' '}
                      in <code>{data.first_release}</code>
                    </>
                  )}
                </dd>
              </div>
            </dl>
          </section>

          <section className="card side-card" aria-labelledby="tags-title">
            <h2 id="tags-title" className="side-title">
              Tags
            </h2>
            {data.tags.length === 0 ? (
              <p className="muted small">No tags on this issue's events.</p>
            ) : (
              data.tags.map((t) => (
                <TagDistribution
                  key={t.key}
                  tagKey={t.key}
                  values={t.values}
                  total={data.count}
                  issuesHref={issuesHref}
                />
              ))
            )}
          </section>

          <section className="card side-card" aria-labelledby="activity-title">
            <h2 id="activity-title" className="side-title">
              Activity
            </h2>
            <StatusTrail
              changes={data.status_changes}
              firstSeen={data.first_seen}
              firstRelease={data.first_release}
            />
          </section>
        </aside>
      </div>
    </div>
  );
}

function TagDistribution({
  tagKey,
  values,
  total,
  issuesHref,
}: {
  tagKey: string;
  values: { value: string; count: number }[];
  total: number;
  issuesHref: string;
}) {
  const [all, setAll] = useState(false);
  const shares = tagShares(values, total);
  const shown = all ? shares : shares.slice(0, TAG_VALUES_SHOWN);
  const filterable = tagKey === 'environment' || tagKey === 'release';
  return (
    <div className="tag-dist">
      <h3 className="tag-dist-key">{tagKey}</h3>
      <ul>
        {shown.map((s) => (
          <li
            key={s.value}
            title={`${s.value}: ${s.count.toLocaleString()} events (${formatPercent(s.percent)})`}
          >
            <span className="tag-dist-bar" style={{ width: `${s.percent}%` }} aria-hidden="true" />
            <span className="tag-dist-value">
              {filterable ? (
                <Link href={`${issuesHref}${qs({ [tagKey]: s.value })}`}>{s.value}</Link>
              ) : (
                s.value
              )}
            </span>
            <span className="tag-dist-pct">{formatPercent(s.percent)}</span>
          </li>
        ))}
      </ul>
      {shares.length > TAG_VALUES_SHOWN && (
        <button type="button" className="link-button small" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${shares.length}`}
        </button>
      )}
    </div>
  );
}

function EventPanel({ slug, issue, eventId }: { slug: string; issue: IssueDetail; eventId: string | null }) {
  const res = useResource<EventDetail>(
    eventId
      ? `/api/v1/projects/${encodeURIComponent(slug)}/events/${encodeURIComponent(eventId)}`
      : `/api/v1/issues/${issue.id}/events/latest`,
  );
  const { value: event, stale } = useKept(res.data, String(issue.id));
  if (!event) {
    if (res.error) return <p className="panel-msg">{res.error.message}</p>;
    return <p className="panel-msg muted">Loading event…</p>;
  }
  const newer = !eventId && issue.last_event_id && issue.last_event_id !== event.event_id;
  const go = (id: string | null) => setQuery({ event: id });
  return (
    <div className={stale ? 'stale' : undefined} aria-busy={stale}>
      {newer && (
        <p className="issues-banner event-newer" role="status">
          A newer event arrived.
          <button type="button" className="link-button" onClick={res.reload}>
            Show it
          </button>
        </p>
      )}
      <EventView
        event={event}
        slug={slug}
        actions={
          <>
            <button
              type="button"
              disabled={!event.previous}
              onClick={() => go(event.previous)}
              title="Older event"
            >
              ← Older
            </button>
            <button type="button" disabled={!event.next} onClick={() => go(event.next)} title="Newer event">
              Newer →
            </button>
            <button type="button" disabled={!eventId} onClick={() => go(null)}>
              Latest
            </button>
          </>
        }
      />
    </div>
  );
}

function EventsTable({
  issueId,
  selected,
  cursorParam,
}: {
  issueId: number;
  selected: string | null;
  cursorParam: string | null;
}) {
  const { path } = useLocation();
  const cursors = cursorParam ? cursorParam.split('.').filter(Boolean) : [];
  const res = useResource<EventList>(
    `/api/v1/issues/${issueId}/events${qs({ limit: EVENTS_PAGE_SIZE, cursor: cursors.at(-1) })}`,
    { live: cursors.length === 0 },
  );
  const { value: list, stale } = useKept(res.data, String(issueId));
  if (!list) return <p className="panel-msg muted">{res.error ? res.error.message : 'Loading events…'}</p>;
  if (list.events.length === 0)
    return <p className="panel-msg muted">No events stored for this issue (they may have aged out).</p>;
  return (
    <div className={stale ? 'stale' : undefined}>
      <table className="events-table">
        <thead>
          <tr>
            <th>Event</th>
            <th>Time</th>
            <th>Environment</th>
            <th>Release</th>
            <th>User</th>
          </tr>
        </thead>
        <tbody>
          {list.events.map((e) => {
            const user = e.user.email ?? e.user.id ?? e.user.ip_address;
            return (
              <tr key={e.event_id} className={e.event_id === selected ? 'is-current' : undefined}>
                <td>
                  <Link
                    href={`${path}?${new URLSearchParams({ event: e.event_id })}`}
                    className="mono"
                    aria-current={e.event_id === selected ? 'true' : undefined}
                  >
                    {e.event_id.slice(0, 12)}
                  </Link>
                </td>
                <td title={new Date(e.timestamp).toLocaleString()}>
                  <RelativeTime iso={e.timestamp} />
                </td>
                <td>{e.environment}</td>
                <td className="mono">{e.release ?? <span className="muted">—</span>}</td>
                <td>{user ?? <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="pager">
        <span className="muted">Newest first</span>
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setQuery({ ecursor: cursors.slice(0, -1).join('.') || null })}
        >
          ← Previous
        </button>
        <button
          type="button"
          disabled={!list.next_cursor}
          onClick={() => list.next_cursor && setQuery({ ecursor: [...cursors, list.next_cursor].join('.') })}
        >
          Next →
        </button>
      </div>
    </div>
  );
}
