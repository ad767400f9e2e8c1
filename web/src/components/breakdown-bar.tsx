/**
 * Where a transaction's time goes (db, view, http, cache, queue, other) as one stacked horizontal
 * bar, with a legend of milliseconds and shares; `compact` is the bar alone, for a table row.
 */
import type { Breakdown, SpanCategory } from '../api/client';
import { formatDuration, formatRate } from '../format-duration';
import './breakdown-bar.css';

export const CATEGORY_LABELS: Record<SpanCategory, string> = {
  db: 'Database',
  view: 'View',
  http: 'HTTP calls',
  cache: 'Cache',
  queue: 'Queue',
  other: 'Other',
};
const ORDER: SpanCategory[] = ['db', 'view', 'http', 'cache', 'queue', 'other'];

export interface BreakdownSegment {
  category: SpanCategory;
  label: string;
  ms: number;
  /** 0–1 of the sum of all categories. */
  share: number;
}

/** The categories with time in them, in a fixed order (colours stay put between rows), with shares. */
export function breakdownSegments(b: Breakdown): BreakdownSegment[] {
  const total = ORDER.reduce((a, c) => a + Math.max(0, b[c] ?? 0), 0);
  if (total <= 0) return [];
  return ORDER.filter((c) => (b[c] ?? 0) > 0).map((c) => ({
    category: c,
    label: CATEGORY_LABELS[c],
    ms: b[c],
    share: b[c] / total,
  }));
}

export function describeBreakdown(segments: BreakdownSegment[]): string {
  return segments.length === 0
    ? 'no time recorded'
    : segments.map((s) => `${s.label} ${formatDuration(s.ms)} (${formatRate(s.share)})`).join(', ');
}

export function BreakdownBar({
  breakdown,
  compact = false,
  label = 'Time breakdown',
}: {
  breakdown: Breakdown;
  compact?: boolean;
  label?: string;
}) {
  const segments = breakdownSegments(breakdown);
  const description = describeBreakdown(segments);
  const bar = (
    <div
      className={compact ? 'breakdown-track breakdown-compact' : 'breakdown-track'}
      role="img"
      aria-label={`${label}: ${description}`}
      title={compact ? description : undefined}
    >
      {segments.map((s) => (
        <span
          key={s.category}
          className={`breakdown-seg bd-${s.category}`}
          style={{ width: `${s.share * 100}%` }}
          title={compact ? undefined : `${s.label}: ${formatDuration(s.ms)} (${formatRate(s.share)})`}
        />
      ))}
    </div>
  );
  if (compact) return bar;
  return (
    <div className="breakdown">
      {bar}
      {segments.length === 0 ? (
        <p className="muted breakdown-none">No span timings recorded for these transactions.</p>
      ) : (
        <ul className="breakdown-legend" aria-label={`${label} legend`}>
          {segments.map((s) => (
            <li key={s.category}>
              <span className={`breakdown-swatch bd-${s.category}`} aria-hidden="true" />
              <span className="breakdown-name">{s.label}</span>
              <span className="breakdown-ms">{formatDuration(s.ms)}</span>
              <span className="breakdown-pct">{formatRate(s.share)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
