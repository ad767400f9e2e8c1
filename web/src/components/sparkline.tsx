/**
 * Bar sparkline as inline SVG: one bar per bucket, optional markers (releases) as vertical lines at
 * their position in the window. Pure geometry lives in `sparklineBars` so it is unit-tested.
 */
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
export function sparklineBars(values: number[], width: number, height: number, gap = 1): Bar[] {
  const max = Math.max(0, ...values);
  const n = values.length || 1;
  const slot = width / n;
  const barWidth = Math.max(1, slot - gap);
  return values.map((value, i) => {
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

export function Sparkline({
  values,
  width = 120,
  height = 24,
  markers = [],
  label,
  bucketLabel,
  className,
}: {
  values: number[];
  width?: number;
  height?: number;
  markers?: SparkMarker[];
  label: string;
  /** Tooltip text of bucket `i` (e.g. "14:00 · 3 events"); defaults to the count. */
  bucketLabel?: (index: number, value: number) => string;
  /** With a CSS width/height the chart stretches to fill it (preserveAspectRatio="none"). */
  className?: string;
}) {
  const bars = sparklineBars(values, width, height);
  const total = values.reduce((a, b) => a + b, 0);
  const slot = width / (values.length || 1);
  return (
    <svg
      className={className ? `sparkline ${className}` : 'sparkline'}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${label}: ${total} events`}
    >
      <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="sparkline-baseline" />
      {bars.map((b, i) => (
        <g key={i}>
          <title>{bucketLabel ? bucketLabel(i, b.value) : String(b.value)}</title>
          {/* A full-height transparent target so empty buckets have a tooltip too. */}
          <rect x={i * slot} y={0} width={slot} height={height} className="sparkline-hit" />
          {b.height > 0 && (
            <rect x={b.x} y={b.y} width={b.width} height={b.height} className="sparkline-bar" />
          )}
        </g>
      ))}
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
