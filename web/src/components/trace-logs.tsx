/**
 * "N logs for this trace": the log lines of one trace, oldest first, as a compact list that links
 * each line to its page and the whole set to the logs page filtered by the trace. Used by the
 * transaction page, the event view and the log page. Shown only when the trace has logs: a
 * transaction or error whose logs were never sent renders nothing, not an empty box.
 */
import { useState } from 'react';
import { useResource, type LogList } from '../api/client';
import { Link } from '../router';
import { logsHref, traceLogsApiPath } from '../routes/log-filters';
import { windowAround } from '../routes/log-stream';
import { LogLine } from './log-line';

/** Lines listed before "Show all": a trace view is about the request, the logs are one part of it. */
const COLLAPSED_LINES = 12;

export function TraceLogs({
  slug,
  traceId,
  currentId,
  headingLevel = 2,
  className = 'card trace-logs',
}: {
  slug: string;
  traceId: string;
  /** The line the page shows, marked in the list. */
  currentId?: string;
  headingLevel?: 2 | 3;
  className?: string;
}) {
  const res = useResource<LogList>(traceLogsApiPath(slug, traceId));
  const [expanded, setExpanded] = useState(false);
  const list = res.data;
  const total = list?.total ?? list?.logs.length ?? 0;
  if (!list || total === 0) return null;

  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  const headingId = `trace-logs-${traceId}`;
  const now = Date.now();
  // Collapsed around the current line, so the log page shows what came just before and after it.
  const at = currentId
    ? Math.max(
        0,
        list.logs.findIndex((l) => l.id === currentId),
      )
    : 0;
  const from = windowAround(list.logs.length, at, COLLAPSED_LINES);
  const shown = expanded ? list.logs : list.logs.slice(from, from + COLLAPSED_LINES);
  const hidden = list.logs.length - shown.length;
  // One service usually writes a trace's lines, and Sentry SDKs name none: the column is noise then.
  const showService = new Set(list.logs.map((l) => l.service)).size > 1;

  return (
    <section className={className} aria-labelledby={headingId}>
      <div className="trace-logs-head">
        <Heading id={headingId}>
          {total.toLocaleString('en-US')} {total === 1 ? 'log' : 'logs'} for this trace
        </Heading>
        <Link href={logsHref.trace(slug, traceId)}>Open in Logs →</Link>
      </div>
      <ol className="log-list trace-logs-list" aria-label="Logs of this trace, oldest first">
        {shown.map((log) => (
          <LogLine
            key={log.id}
            log={log}
            href={logsHref.detail(slug, log.id)}
            current={log.id === currentId}
            showService={showService}
            now={now}
          />
        ))}
      </ol>
      {(hidden > 0 || list.logs.length < total) && (
        <p className="trace-logs-more muted">
          {hidden > 0 && (
            <button type="button" className="trace-logs-show" onClick={() => setExpanded(true)}>
              Show all {list.logs.length.toLocaleString('en-US')}
            </button>
          )}
          {list.logs.length < total && (
            <span>
              The first {list.logs.length.toLocaleString('en-US')} are listed here;{' '}
              <Link href={logsHref.trace(slug, traceId)}>search them all</Link>.
            </span>
          )}
        </p>
      )}
    </section>
  );
}
