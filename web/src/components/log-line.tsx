/**
 * One log line as a dense monospace row (time to the millisecond, level, service, body on one
 * line, a link to its trace's logs), shared by the logs page and the trace views. The row is a
 * link to the line's page, so Enter, middle-click and "open in new tab" work as on any link.
 * Bodies are text: React escapes them, and CSS cuts them to one line.
 */
import type { LogLevel, LogSummary } from '../api/client';
import { Link } from '../router';
import { formatLogTime, formatLogTimestamp } from './log-time';
import './log-line.css';

/** A body longer than this is cut before it reaches the DOM: one line shows far less. */
const MAX_ROW_BODY_CHARS = 400;

export function LogLevelTag({ level }: { level: LogLevel }) {
  return <span className={`log-level log-level-${level}`}>{level}</span>;
}

function TraceIcon() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        d="M2 4h5M4 8h7M7 12h7"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        fill="none"
      />
    </svg>
  );
}

export function LogLine({
  log,
  href,
  traceHref,
  showService = true,
  fresh = false,
  current = false,
  now,
  onFocus,
}: {
  log: LogSummary;
  href: string;
  /** The trace's logs, when the line has a trace. */
  traceHref?: string | null;
  showService?: boolean;
  /** Just arrived by live tail: flashes once. */
  fresh?: boolean;
  /** The line the page is about (trace views of one line). */
  current?: boolean;
  now?: number;
  onFocus?: () => void;
}) {
  const cls = ['log-row', `log-row-${log.level}`, fresh && 'is-new', current && 'is-current']
    .filter(Boolean)
    .join(' ');
  const body = log.body.length > MAX_ROW_BODY_CHARS ? `${log.body.slice(0, MAX_ROW_BODY_CHARS)}…` : log.body;
  return (
    <li className={cls} data-id={log.id}>
      <Link
        href={href}
        className="log-row-link"
        onFocus={onFocus}
        aria-current={current ? 'true' : undefined}
        title={log.body.length > 120 ? log.body.slice(0, 2000) : undefined}
      >
        <time className="log-time" dateTime={log.timestamp} title={formatLogTimestamp(log.timestamp)}>
          {formatLogTime(log.timestamp, now)}
        </time>
        <LogLevelTag level={log.level} />
        {showService && <span className="log-service">{log.service ?? ''}</span>}
        <span className="log-body">{body}</span>
      </Link>
      {traceHref && log.trace_id ? (
        <Link
          href={traceHref}
          className="log-trace-link"
          aria-label={`Logs of trace ${log.trace_id.slice(0, 8)}`}
          title={`Logs of trace ${log.trace_id}`}
        >
          <TraceIcon />
        </Link>
      ) : (
        <span className="log-trace-link" aria-hidden="true" />
      )}
    </li>
  );
}
