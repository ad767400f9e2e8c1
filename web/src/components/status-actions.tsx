/**
 * Issue status: the badge, the buttons that move an issue between open / resolved / ignored, the
 * two API calls behind them (one issue, or many of one project at once), and the audit trail.
 */
import {
  api,
  type IssueStatus,
  type IssueView,
  type StatusChangeResult,
  type StatusChangeView,
} from '../api/client';
import { RelativeTime } from './relative-time';
import './event-view.css';

export const STATUS_LABELS: Record<IssueStatus, string> = {
  open: 'Open',
  resolved: 'Resolved',
  ignored: 'Ignored',
};

/** The verb for moving *to* a status, as on the buttons. */
export const STATUS_VERBS: Record<IssueStatus, string> = {
  open: 'Reopen',
  resolved: 'Resolve',
  ignored: 'Ignore',
};

/** Where an issue can go from `status`, most likely first. */
export function actionsFor(status: IssueStatus): IssueStatus[] {
  if (status === 'open') return ['resolved', 'ignored'];
  if (status === 'resolved') return ['open', 'ignored'];
  return ['open', 'resolved'];
}

export function setIssueStatus(
  id: number,
  status: IssueStatus,
): Promise<{ changed: boolean; issue: IssueView }> {
  return api.patch(`/api/v1/issues/${id}`, { status });
}

export function setIssuesStatus(
  slug: string,
  ids: number[],
  status: IssueStatus,
): Promise<StatusChangeResult> {
  return api.patch(`/api/v1/projects/${encodeURIComponent(slug)}/issues`, { ids, status });
}

/** Reopened by a new event rather than by a person: Sentry's "Regressed". */
export function isRegressed(status: IssueStatus, changes: StatusChangeView[]): boolean {
  const last = changes.at(-1);
  return status === 'open' && last !== undefined && last.to_status === 'open' && last.actor === 'system';
}

export function StatusBadge({ status }: { status: IssueStatus }) {
  return <span className={`status-badge status-${status}`}>{STATUS_LABELS[status]}</span>;
}

export function StatusActions({
  status,
  onChange,
  busy = false,
  compact = false,
  label,
}: {
  status: IssueStatus;
  onChange: (to: IssueStatus) => void;
  busy?: boolean;
  compact?: boolean;
  /** What the buttons act on, for screen readers ("TypeError: x"). */
  label?: string;
}) {
  return (
    <span className={compact ? 'status-actions compact' : 'status-actions'}>
      {actionsFor(status).map((to, i) => (
        <button
          key={to}
          type="button"
          className={i === 0 && !compact ? 'primary' : undefined}
          disabled={busy}
          onClick={() => onChange(to)}
          aria-label={label ? `${STATUS_VERBS[to]} ${label}` : undefined}
          title={to === 'resolved' ? 'Resolve (r)' : to === 'ignored' ? 'Ignore (i)' : 'Reopen'}
        >
          {STATUS_VERBS[to]}
        </button>
      ))}
    </span>
  );
}

/** Who moved the issue where, and why, newest first; ends with the issue's first sighting. */
export function StatusTrail({
  changes,
  firstSeen,
  firstRelease,
}: {
  changes: StatusChangeView[];
  firstSeen: string;
  firstRelease: string | null;
}) {
  return (
    <ol className="activity">
      {[...changes].reverse().map((c) => (
        <li key={c.id}>
          <div className="activity-line">
            <StatusBadge status={c.from_status} /> <span aria-label="to">→</span>{' '}
            <StatusBadge status={c.to_status} />
          </div>
          <div className="activity-meta">
            by <strong>{c.actor}</strong> · <RelativeTime iso={c.created_at} />
          </div>
          {c.reason && <div className="activity-reason">{c.reason}</div>}
        </li>
      ))}
      <li>
        <div className="activity-line">First seen{firstRelease ? ` in ${firstRelease}` : ''}</div>
        <div className="activity-meta">
          <RelativeTime iso={firstSeen} />
        </div>
      </li>
    </ol>
  );
}
