/**
 * Segmented "1h · 24h · 7d · 14d · 30d" control. It is controlled: the page keeps the value in its
 * query string so the range is part of a shareable URL, e.g.
 *
 *   const { query } = useLocation();
 *   <TimeRangePicker value={parseTimeRange(query.get('range'))} onChange={(r) => setQuery({ range: r })} />
 *
 * Follows the WAI-ARIA radio group pattern: one Tab stop, arrow keys move and select.
 */
import { useRef, type KeyboardEvent } from 'react';

export const TIME_RANGES = [
  { value: '1h', label: '1h', long: 'Last hour', hours: 1 },
  { value: '6h', label: '6h', long: 'Last 6 hours', hours: 6 },
  { value: '24h', label: '24h', long: 'Last 24 hours', hours: 24 },
  { value: '7d', label: '7d', long: 'Last 7 days', hours: 7 * 24 },
  { value: '14d', label: '14d', long: 'Last 14 days', hours: 14 * 24 },
  { value: '30d', label: '30d', long: 'Last 30 days', hours: 30 * 24 },
] as const;

export type TimeRange = (typeof TIME_RANGES)[number]['value'];

export const DEFAULT_TIME_RANGE: TimeRange = '24h';

/** The presets a picker shows unless it names its own (6h is for the pages that ask, e.g. performance). */
const DEFAULT_OPTIONS: readonly TimeRange[] = ['1h', '24h', '7d', '14d', '30d'];

/** A query-string value as a known range; anything else (missing, hand-edited) is the fallback. */
export function parseTimeRange(
  raw: string | null | undefined,
  fallback: TimeRange = DEFAULT_TIME_RANGE,
): TimeRange {
  return TIME_RANGES.find((r) => r.value === raw)?.value ?? fallback;
}

export function timeRangeHours(range: TimeRange): number {
  return TIME_RANGES.find((r) => r.value === range)!.hours;
}

export function TimeRangePicker({
  value,
  onChange,
  options = DEFAULT_OPTIONS,
  label = 'Time range',
}: {
  value: TimeRange;
  onChange: (range: TimeRange) => void;
  /** A subset of the presets, in display order (e.g. a chart that only has 14 days of data). */
  options?: readonly TimeRange[];
  label?: string;
}) {
  const group = useRef<HTMLDivElement>(null);
  const presets = TIME_RANGES.filter((r) => options.includes(r.value));
  const current = presets.some((r) => r.value === value) ? value : presets[0]?.value;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = presets.findIndex((r) => r.value === current);
    const step =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? -1
          : 0;
    let next = step ? (i + step + presets.length) % presets.length : -1;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = presets.length - 1;
    const target = presets[next];
    if (!target) return;
    e.preventDefault();
    onChange(target.value);
    group.current?.querySelector<HTMLButtonElement>(`[data-value="${target.value}"]`)?.focus();
  };

  return (
    <div
      className="segmented time-range-picker"
      role="radiogroup"
      aria-label={label}
      ref={group}
      onKeyDown={onKeyDown}
    >
      {presets.map((r) => (
        <button
          key={r.value}
          type="button"
          role="radio"
          aria-checked={r.value === current}
          aria-label={r.long}
          title={r.long}
          tabIndex={r.value === current ? 0 : -1}
          data-value={r.value}
          onClick={() => r.value !== current && onChange(r.value)}
        >
          {r.label}
        </button>
      ))}
    </div>
  );
}
