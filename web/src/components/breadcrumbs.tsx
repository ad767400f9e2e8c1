/**
 * Breadcrumbs as a timeline ending at the event: each crumb's time relative to the event (the
 * absolute time on hover), category, level, message and data as compact key=value pairs.
 */
import { useState } from 'react';
import type { Breadcrumb } from '../api/client';
import { levelClass } from './level-badge';
import './event-view.css';

/** Sentry's SDKs keep 100 crumbs; the last 20 are what led to the error, the rest waits behind a button. */
export const BREADCRUMBS_SHOWN = 20;
/** A data value longer than this is cut in the row; the full value is on hover. */
const MAX_VALUE_CHARS = 300;

export interface BreadcrumbRow {
  key: number;
  /** "−1.2s" before the event; null when the crumb has no timestamp. */
  offset: string | null;
  /** ISO time, for the hover title. */
  absolute: string | null;
  category: string;
  level: string;
  type: string;
  message: string;
  data: { key: string; value: string; full: string }[];
}

/** A signed duration, short: "−350ms", "−4.2s", "−3m 05s", "−2h 10m", "−3d 4h". */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '−' : ms > 0 ? '+' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  const s = a / 1000;
  if (s < 60) return `${sign}${s.toFixed(1)}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m ${pad(Math.floor(s % 60))}s`;
  if (s < 86400) return `${sign}${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${sign}${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Rows for the timeline, oldest first. HTTP crumbs without a message get Sentry's
 * "GET https://… [200]" line, and the data keys used for it are not repeated.
 */
export function breadcrumbRows(crumbs: Breadcrumb[], eventTimestamp: number): BreadcrumbRow[] {
  return crumbs.map((crumb, key) => {
    const data = { ...(crumb.data ?? {}) };
    let message = typeof crumb.message === 'string' ? crumb.message : '';
    if (
      !message &&
      (crumb.type === 'http' ||
        crumb.category === 'http' ||
        crumb.category === 'fetch' ||
        crumb.category === 'xhr')
    ) {
      if (typeof data['url'] === 'string') {
        const status = data['status_code'] !== undefined ? ` [${stringify(data['status_code'])}]` : '';
        message = `${typeof data['method'] === 'string' ? data['method'] + ' ' : ''}${data['url']}${status}`;
        delete data['url'];
        delete data['method'];
        delete data['status_code'];
      }
    }
    const ts =
      typeof crumb.timestamp === 'number' && Number.isFinite(crumb.timestamp) ? crumb.timestamp : null;
    return {
      key,
      offset: ts === null ? null : formatOffset((ts - eventTimestamp) * 1000),
      absolute: ts === null ? null : new Date(ts * 1000).toISOString(),
      category: crumb.category || crumb.type || 'default',
      level: crumb.level ?? 'info',
      type: crumb.type ?? 'default',
      message,
      data: Object.entries(data).map(([k, v]) => {
        const full = stringify(v);
        return {
          key: k,
          value: full.length > MAX_VALUE_CHARS ? full.slice(0, MAX_VALUE_CHARS) + '…' : full,
          full,
        };
      }),
    };
  });
}

/** Local date and time with milliseconds: breadcrumbs are often milliseconds apart. */
const absoluteFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 3,
  hour12: false,
});

export function formatAbsolute(iso: string): string {
  return absoluteFormat.format(new Date(iso));
}

export function Breadcrumbs({ crumbs, eventTimestamp }: { crumbs: Breadcrumb[]; eventTimestamp: number }) {
  const [showAll, setShowAll] = useState(false);
  const rows = breadcrumbRows(crumbs, eventTimestamp);
  const hidden = showAll ? 0 : Math.max(0, rows.length - BREADCRUMBS_SHOWN);
  return (
    <div className="crumbs">
      {hidden > 0 && (
        <button type="button" className="crumbs-more" onClick={() => setShowAll(true)}>
          Show {hidden} earlier breadcrumbs
        </button>
      )}
      <ol className="crumb-list">
        {rows.slice(hidden).map((r) => (
          <li key={r.key} className={`crumb crumb-${levelClass(r.level)}`}>
            <span className={`crumb-dot level level-${levelClass(r.level)}`} aria-hidden="true" />
            <span className="crumb-category">{r.category}</span>
            <span className="crumb-main">
              {r.message && <span className="crumb-message">{r.message}</span>}
              {r.data.length > 0 && (
                <span className="crumb-data">
                  {r.data.map((d) => (
                    <span
                      key={d.key}
                      className="crumb-kv"
                      title={d.full.length > d.value.length ? d.full : undefined}
                    >
                      <span className="crumb-k">{d.key}</span>=<span className="crumb-v">{d.value}</span>
                    </span>
                  ))}
                </span>
              )}
            </span>
            <span className="crumb-level">{r.level}</span>
            {r.offset !== null ? (
              <time
                className="crumb-time"
                dateTime={r.absolute ?? undefined}
                title={r.absolute ? formatAbsolute(r.absolute) : undefined}
              >
                {r.offset}
              </time>
            ) : (
              <span className="crumb-time muted">—</span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
