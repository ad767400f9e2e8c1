/**
 * Time series drawn with uPlot (~50 KB, canvas: thousands of points without a DOM node each): bars
 * for counts, lines for percentiles, deploys as dashed vertical lines labelled with the release.
 * Colours are theme variables read when the chart is built, and the chart is rebuilt when the theme
 * changes; it follows its container's width. uPlot styles its elements through the CSSOM
 * (`el.style.x = …`), which the CSP's `style-src 'self'` allows; it writes no inline <style> or
 * style attribute, and its stylesheet is bundled like ours.
 *
 * The pure parts (bucket → chart data, marker placement) are exported for the unit tests.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesPoint } from '../api/client';
import { readChartStyle } from './chart-style';
import { markerFlags } from './hourly-chart';
import type { MarkerInput } from './sparkline';
import './latency-chart.css';

/** The x values and series of a chart, times in seconds (uPlot's unit for time scales). */
export interface ChartData {
  /** Bucket centres: a bar fills its bucket and a line point sits in the middle of it. */
  x: number[];
  /** The window the chart spans, from the first bucket's start to the last bucket's end. */
  from: number;
  to: number;
  count: number[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  errorRate: number[];
}

/** The smallest gap between consecutive times (ms): the bucket width, even where buckets are missing. */
export function bucketWidth(times: number[], fallback: number): number {
  let step = Infinity;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0 && d < step) step = d;
  }
  return Number.isFinite(step) ? step : fallback;
}

/**
 * Series points as uPlot columns. The API zero-fills its buckets; a gap in what arrives (a bucket
 * the server skipped) is filled here too, with 0 transactions and no latency, so bars never widen
 * and lines break where there was no traffic instead of bridging it.
 */
export function toChartData(points: SeriesPoint[], rangeMs: number): ChartData {
  const times = points.map((p) => Date.parse(p.t));
  const step = bucketWidth(times, points.length ? rangeMs / points.length : rangeMs);
  const out: ChartData = { x: [], from: 0, to: 0, count: [], p50: [], p95: [], p99: [], errorRate: [] };
  const push = (t: number, p: SeriesPoint | null) => {
    out.x.push((t + step / 2) / 1000);
    out.count.push(p?.count ?? 0);
    out.p50.push(p?.p50 ?? null);
    out.p95.push(p?.p95 ?? null);
    out.p99.push(p?.p99 ?? null);
    out.errorRate.push(p?.error_rate ?? 0);
  };
  points.forEach((p, i) => {
    const t = times[i]!;
    if (i > 0) for (let gap = times[i - 1]! + step; gap < t; gap += step) push(gap, null);
    push(t, p);
  });
  if (times.length) {
    out.from = times[0]! / 1000;
    out.to = (times.at(-1)! + step) / 1000;
  }
  return out;
}

export interface ChartMarker {
  /** Seconds. */
  t: number;
  label: string;
  title: string;
}

/**
 * Deploys (else releases' first events) inside the window [from, to] (seconds), neighbours merged
 * into one labelled line ("v2 +1").
 */
export function chartMarkers(deploys: MarkerInput[], from: number, to: number): ChartMarker[] {
  if (!(to > from)) return [];
  const hours = (to - from) / 3600;
  return markerFlags(deploys, to * 1000, hours).map((f) => ({
    t: from + f.at * (to - from),
    label: f.label,
    title: f.title,
  }));
}

/** Which side of its line a marker's label goes: right, unless it would run past the plot's right edge. */
export function flagSide(x: number, labelWidth: number, plotRight: number): 'left' | 'right' {
  return x + labelWidth + 4 > plotRight ? 'left' : 'right';
}

/**
 * Indexes of values with no neighbour (null on both sides): a line cannot be drawn through them,
 * so they are drawn as dots, or a lone busy bucket in a quiet range would not show at all.
 */
export function isolatedPoints(values: readonly (number | null | undefined)[]): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v !== null && v !== undefined && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null)
      out.push(i);
  });
  return out;
}

/** `#rrggbb` / `#rgb` at `alpha` as rgba(): canvas fills cannot rely on color-mix(). Other colours pass through. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim())?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export interface ChartSeries {
  label: string;
  /** A theme variable, e.g. `--accent`: read at build time, so the chart follows the theme. */
  color: string;
  values: readonly (number | null)[];
  kind?: 'line' | 'bars';
}

/** Re-renders when <html data-theme> changes (the theme toggle), so canvases can repaint. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((v) => v + 1));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return version;
}

const MARKER_FONT_PX = 10.5;
const MARKER_BAND_PX = 18;
const timeLabel = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function LatencyChart({
  data,
  series,
  markers = [],
  format,
  integer = false,
  height = 180,
  label,
  summary,
}: {
  data: Pick<ChartData, 'x' | 'from' | 'to'>;
  series: ChartSeries[];
  markers?: ChartMarker[];
  /** Y values as text (axis and legend). */
  format: (v: number) => string;
  /** Counts: axis steps of whole numbers only. */
  integer?: boolean;
  height?: number;
  /** The chart's accessible name; `summary` says in words what it shows. */
  label: string;
  summary: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const theme = useThemeVersion();
  const columns: uPlot.AlignedData = [data.x, ...series.map((s) => s.values as (number | null)[])];
  const latest = useRef({ columns, markers, format, from: data.from, to: data.to });
  const shape = series.map((s) => `${s.label}|${s.color}|${s.kind ?? 'line'}`).join(';');

  // Declared before the build effect: on mount it fills `latest` first; afterwards it feeds new
  // data to the existing chart (every poll) without rebuilding it.
  useEffect(() => {
    latest.current = { columns, markers, format, from: data.from, to: data.to };
    chart.current?.setData(columns);
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { css, color, axis } = readChartStyle(el);
    const px = uPlot.pxRatio;

    const drawMarkers = (u: uPlot) => {
      const { ctx, bbox } = u;
      const marker = color('--marker');
      ctx.save();
      ctx.font = `${MARKER_FONT_PX * px}px ${css.getPropertyValue('--mono').trim() || 'monospace'}`;
      ctx.textBaseline = 'middle';
      // uPlot leaves the alignment of its last axis label behind.
      ctx.textAlign = 'left';
      for (const m of latest.current.markers) {
        const x = Math.round(u.valToPos(m.t, 'x', true));
        if (x < bbox.left || x > bbox.left + bbox.width) continue;
        ctx.strokeStyle = marker;
        ctx.lineWidth = 1.5 * px;
        ctx.setLineDash([3 * px, 3 * px]);
        ctx.beginPath();
        ctx.moveTo(x, bbox.top - 4 * px);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        const w = ctx.measureText(m.label).width + 8 * px;
        const h = 14 * px;
        const left = flagSide(x, w, bbox.left + bbox.width) === 'right' ? x : x - w;
        const top = bbox.top - MARKER_BAND_PX * px;
        ctx.fillStyle = marker;
        ctx.fillRect(left, top, w, h);
        ctx.fillStyle = color('--bg-raised');
        ctx.fillText(m.label, left + 4 * px, top + h / 2);
      }
      ctx.restore();
    };

    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      padding: [MARKER_BAND_PX + 2, 22, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { show: true, live: true },
      scales: {
        // The whole window, not just the span of the data: an empty hour at either end stays visible.
        x: { time: true, range: () => [latest.current.from, latest.current.to] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { ...axis, space: 70 },
        {
          ...axis,
          size: 64,
          incrs: integer
            ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5]
            : undefined,
          values: (_u, splits) => splits.map((v) => latest.current.format(v)),
        },
      ],
      series: [
        {
          label: 'Time',
          value: (_u, v) => (v === null || v === undefined ? '—' : timeLabel.format(new Date(v * 1000))),
        },
        ...series.map((s): uPlot.Series => {
          const stroke = color(s.color);
          const bars = s.kind === 'bars';
          return {
            label: s.label,
            stroke,
            width: bars ? 0 : 1.75,
            fill: bars ? withAlpha(stroke, 0.7) : undefined,
            paths: bars ? uPlot.paths.bars!({ size: [0.8, 48] }) : undefined,
            points: bars
              ? { show: false }
              : {
                  show: true,
                  size: 5,
                  fill: stroke,
                  filter: (u, i) => isolatedPoints(u.data[i] as (number | null)[]),
                },
            spanGaps: false,
            value: (_u, v) => (v === null || v === undefined ? '—' : latest.current.format(v)),
          };
        }),
      ],
      hooks: { draw: [drawMarkers] },
    };
    const u = new uPlot(opts, latest.current.columns, el);
    chart.current = u;
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry!.contentRect.width);
      if (width > 0 && width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [shape, theme, height, integer]);

  return (
    <figure className="latency-chart" role="group" aria-label={label}>
      <div ref={box} className="latency-chart-plot" />
      <figcaption className="visually-hidden">
        {summary}
        {markers.length > 0 && `. ${markers.map((m) => m.title.replaceAll('\n', '; ')).join('; ')}.`}
      </figcaption>
    </figure>
  );
}
