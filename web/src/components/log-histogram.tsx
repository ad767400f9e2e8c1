/**
 * Log volume over the searched window as bars stacked by level (uPlot, as the performance charts).
 * Dragging across it, or clicking a bar, zooms the search to that window. Stacking is done here:
 * each level is drawn as the running total up to it, tallest first, so every band shows through
 * above the one below, with errors at the bottom where a glance finds them.
 *
 * The pure part (histogram → stacked columns) is exported for the unit tests.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LogHistogram, LogLevel } from '../api/client';
import { readChartStyle } from './chart-style';
import './latency-chart.css';
import './log-line.css';

/** Bottom of the stack first: the levels a reader looks for are the ones that never get buried. */
const STACK_ORDER: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
/** A drag narrower than this is a click. */
const MIN_DRAG_PX = 4;

export interface StackedHistogram {
  /** Bucket centres, seconds (uPlot's time unit). */
  x: number[];
  /** Bucket starts, ms: what a click zooms to (with `bucketMs`). */
  starts: number[];
  bucketMs: number;
  /** The window: first bucket's start to last bucket's end, seconds. */
  from: number;
  to: number;
  /** Drawing order (tallest first): each level's running total from the bottom of the stack up to it. */
  layers: { level: LogLevel; top: number[]; counts: number[] }[];
  totals: Record<LogLevel, number>;
  total: number;
}

export function stackHistogram(h: Pick<LogHistogram, 'bucket_ms' | 'buckets'>): StackedHistogram {
  const starts = h.buckets.map((b) => Date.parse(b.start));
  const running = starts.map(() => 0);
  const totals = Object.fromEntries(STACK_ORDER.map((l) => [l, 0])) as Record<LogLevel, number>;
  const layers = STACK_ORDER.map((level) => {
    const counts = h.buckets.map((b) => b.counts[level] ?? 0);
    counts.forEach((c, i) => (running[i]! += c));
    totals[level] = counts.reduce((a, b) => a + b, 0);
    return { level, top: [...running], counts };
  }).reverse();
  return {
    x: starts.map((s) => (s + h.bucket_ms / 2) / 1000),
    starts,
    bucketMs: h.bucket_ms,
    from: starts.length ? starts[0]! / 1000 : 0,
    to: starts.length ? (starts.at(-1)! + h.bucket_ms) / 1000 : 0,
    layers,
    totals,
    total: Object.values(totals).reduce((a, b) => a + b, 0),
  };
}

/** 1234 → "1.2k": axis labels stay narrow. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Re-renders when <html data-theme> changes, so the canvas repaints in the new colours. */
function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((v) => v + 1));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return version;
}

const timeLabel = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function LogHistogramChart({
  data,
  onZoom,
  height = 120,
}: {
  data: StackedHistogram;
  /** A window [fromMs, toMs] the reader dragged across or clicked. */
  onZoom?: (fromMs: number, toMs: number) => void;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const theme = useThemeVersion();
  const columns: uPlot.AlignedData = [data.x, ...data.layers.map((l) => l.top)];
  const latest = useRef({ data, columns, onZoom });

  useEffect(() => {
    latest.current = { data, columns, onZoom };
    chart.current?.setData(columns);
  });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { color, axis } = readChartStyle(el);
    const levelColor: Record<LogLevel, string> = {
      trace: color('--level-trace'),
      debug: color('--level-debug'),
      info: color('--level-info'),
      warn: color('--level-warning'),
      error: color('--level-error'),
      fatal: color('--log-fatal'),
    };
    let downX = -1;

    const u = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        padding: [8, 12, 0, 0],
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        legend: { show: true, live: true },
        scales: {
          x: { time: true, range: () => [latest.current.data.from, latest.current.data.to] },
          y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
        },
        axes: [
          { ...axis, space: 80 },
          {
            ...axis,
            size: 44,
            incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6],
            values: (_u, splits) => splits.map(formatCount),
          },
        ],
        series: [
          {
            label: 'Time',
            value: (_u, v) => (v === null || v === undefined ? '—' : timeLabel.format(new Date(v * 1000))),
          },
          ...latest.current.data.layers.map((layer, i): uPlot.Series => ({
            label: layer.level,
            stroke: levelColor[layer.level],
            fill: levelColor[layer.level],
            width: 0,
            paths: uPlot.paths.bars!({ size: [0.86, 40], gap: 1 }),
            points: { show: false },
            // The legend reads the level's own count, not the running total drawn.
            value: (_u, _v, _s, idx) =>
              idx === null || idx === undefined
                ? String(latest.current.data.totals[layer.level])
                : String(latest.current.data.layers[i]?.counts[idx] ?? 0),
          })),
        ],
        hooks: {
          setSelect: [
            (self) => {
              const { left, width } = self.select;
              if (width < MIN_DRAG_PX) return;
              const from = self.posToVal(left, 'x') * 1000;
              const to = self.posToVal(left + width, 'x') * 1000;
              self.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              latest.current.onZoom?.(from, to);
            },
          ],
        },
      },
      latest.current.columns,
      el,
    );
    chart.current = u;
    const onDown = (e: MouseEvent) => (downX = e.clientX);
    const onClick = (e: MouseEvent) => {
      const idx = u.cursor.idx;
      if (Math.abs(e.clientX - downX) >= MIN_DRAG_PX || idx === null || idx === undefined) return;
      const { starts, bucketMs } = latest.current.data;
      const start = starts[idx];
      if (start !== undefined) latest.current.onZoom?.(start, start + bucketMs);
    };
    u.over.addEventListener('mousedown', onDown);
    u.over.addEventListener('click', onClick);
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry!.contentRect.width);
      if (width > 0 && width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.over.removeEventListener('mousedown', onDown);
      u.over.removeEventListener('click', onClick);
      u.destroy();
      chart.current = null;
    };
  }, [theme, height]);

  const summary = `${data.total.toLocaleString('en-US')} lines: ${STACK_ORDER.map(
    (l) => `${data.totals[l].toLocaleString('en-US')} ${l}`,
  ).join(', ')}`;
  return (
    <figure
      className={onZoom ? 'latency-chart log-histogram zoomable' : 'latency-chart log-histogram'}
      role="group"
      aria-label="Log volume by level"
    >
      <div ref={box} className="latency-chart-plot" />
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  );
}
