/**
 * Bar sparkline as inline SVG: one bar per bucket, optional markers (deploys, else releases' first
 * events) as vertical lines at their position in the window. Pure geometry lives in `sparklineBars` so it is unit-tested.
 * A null bucket (no data, e.g. a latency where no request came) is a gap, told apart from 0 on hover.
 */
import { useState, type PointerEvent } from 'react';

export interface SparkMarker {
  /** 0..1 position across the window. */
  at: number;
  label: string;
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

/** Bars scaled to the tallest bucket; a non-zero bucket is always at least 1px tall so it shows. */
export function sparklineBars(
  values: readonly (number | null)[],
  width: number,
  height: number,
  gap = 1,
): Bar[] {
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const n = values.length || 1;
  const slot = width / n;
  const barWidth = Math.max(1, slot - gap);
  return values.map((v, i) => {
    const value = v ?? 0;
    const h = max === 0 ? 0 : Math.max(value > 0 ? 1 : 0, Math.round((value / max) * height));
    return { x: i * slot, y: height - h, width: barWidth, height: h, value };
  });
}

/** Where an ISO time falls in a window ending at `end` (ms) of `hours` hours, or null if outside. */
export function markerPosition(iso: string, end: number, hours: number): number | null {
  const start = end - hours * 3_600_000;
  const t = new Date(iso).getTime();
  if (!(t >= start && t <= end)) return null;
  return (t - start) / (end - start);
}

/** A chart marker as the API sends it: a deploy (with its environment) or a release's first event. */
export interface MarkerInput {
  version: string;
  first_seen: string;
  environment?: string | null;
}

/** A marker's tooltip: what it stands for and when. */
export function markerTitle(m: MarkerInput): string {
  const at = new Date(m.first_seen).toLocaleString();
  return m.environment
    ? `Deploy of ${m.version} to ${m.environment}, ${at}`
    : `Release ${m.version} first seen ${at}`;
}

/** One SVG path for all bars: 24 rows × 24 buckets of <rect> were most of the list's DOM. */
export function sparklinePath(bars: Bar[]): string {
  return bars
    .filter((b) => b.height > 0)
    .map((b) => `M${round(b.x)} ${round(b.y)}h${round(b.width)}v${round(b.height)}h${round(-b.width)}z`)
    .join('');
}

/** The bucket under a pointer at `x` (CSS px) over a chart drawn `clientWidth` px wide. */
export function bucketAt(x: number, clientWidth: number, buckets: number): number {
  if (buckets === 0 || clientWidth <= 0) return -1;
  return Math.min(buckets - 1, Math.max(0, Math.floor((x / clientWidth) * buckets)));
}

const round = (n: number) => Math.round(n * 100) / 100;

export function Sparkline({
  values,
  width = 120,
  height = 24,
  markers = [],
  label,
  summary,
  bucketLabel,
  className,
}: {
  values: readonly (number | null)[];
  width?: number;
  height?: number;
  markers?: SparkMarker[];
  label: string;
  /** The accessible description after the label; defaults to the total ("12 events"). */
  summary?: string;
  /** Tooltip text of bucket `i` (e.g. "14:00 · 3 events"); defaults to the count. */
  bucketLabel?: (index: number, value: number) => string;
  /** With a CSS width/height the chart stretches to fill it (preserveAspectRatio="none"). */
  className?: string;
}) {
  const [hover, setHover] = useState(-1);
  const bars = sparklineBars(values, width, height);
  const total = values.reduce<number>((a, b) => a + (b ?? 0), 0);
  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    setHover(bucketAt(e.clientX - rect.left, rect.width, values.length));
  };
  const hovered = hover >= 0 && hover < values.length ? values[hover]! : undefined;
  const tooltip =
    hovered === undefined
      ? undefined
      : hovered === null
        ? 'No data'
        : bucketLabel
          ? bucketLabel(hover, hovered)
          : String(hovered);
  return (
    <svg
      className={className ? `sparkline ${className}` : 'sparkline'}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${label}: ${summary ?? `${total} events`}`}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHover(-1)}
    >
      {/* The hovered bucket's figure as the chart's tooltip (one title, not one per bucket). */}
      {tooltip !== undefined && <title>{tooltip}</title>}
      <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="sparkline-baseline" />
      <path d={sparklinePath(bars)} className="sparkline-bar" />
      {markers.map((m, i) => (
        <line
          key={`m${i}`}
          x1={m.at * width}
          x2={m.at * width}
          y1={0}
          y2={height}
          className="sparkline-marker"
        >
          <title>{m.label}</title>
        </line>
      ))}
    </svg>
  );
}
