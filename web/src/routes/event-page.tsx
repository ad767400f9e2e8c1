/** One event on its own page (`/projects/<slug>/events/<event_id>`), linked back to its issue. */
import { useEffect } from 'react';
import { useResource, type EventDetail } from '../api/client';
import { EmptyState } from '../components/empty-state';
import { EventView } from '../components/event-view';
import { Link, navigate } from '../router';
import './issues-list.css';

export function EventPage({ slug, eventId }: { slug: string; eventId: string }) {
  const res = useResource<EventDetail>(
    `/api/v1/projects/${encodeURIComponent(slug)}/events/${encodeURIComponent(eventId)}`,
  );
  const event = res.data;
  const issuesHref = `/projects/${encodeURIComponent(slug)}/issues`;
  const eventHref = (id: string) => `/projects/${encodeURIComponent(slug)}/events/${id}`;

  useEffect(() => {
    if (event) document.title = `${event.title} · event ${event.event_id.slice(0, 8)} · Snag`;
  }, [event]);

  if (!event) {
    if (res.error) {
      return (
        <EmptyState title="Event not found" body={res.error.message}>
          <p>
            <Link href={issuesHref}>Back to issues</Link>
          </p>
        </EmptyState>
      );
    }
    return <div className="card issues-loading">Loading event…</div>;
  }

  const issueHref = `${issuesHref}/${event.issue_id}`;
  return (
    <div className="event-page">
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span> <Link href={issuesHref}>{slug}</Link>
        <span aria-hidden="true">/</span> <Link href={issueHref}>Issue #{event.issue_id}</Link>{' '}
        <span aria-hidden="true">/</span>
        <span>Event</span>
      </nav>
      <h1 className="page-title">
        <Link href={issueHref} className="event-page-title">
          {event.title}
        </Link>
      </h1>
      <div className="card">
        <EventView
          event={event}
          slug={slug}
          actions={
            <>
              <button
                type="button"
                disabled={!event.previous}
                onClick={() => event.previous && navigate(eventHref(event.previous))}
              >
                ← Older
              </button>
              <button
                type="button"
                disabled={!event.next}
                onClick={() => event.next && navigate(eventHref(event.next))}
              >
                Newer →
              </button>
            </>
          }
        />
      </div>
    </div>
  );
}
