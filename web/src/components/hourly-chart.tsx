/**
 * Events per hour over several days as an SVG bar chart, with a label at each local midnight and
 * the deploys in the window drawn as markers (else the releases first seen in it, for data from
 * before deploys were recorded). The SVG stretches to the card's width; labels are HTML placed by
 * percentage so text never stretches.
 */
import { markerPosition, markerTitle, sparklineBars, type MarkerInput } from './sparkline';

const HOUR_MS = 3_600_000;
/** SVG units; the plot is scaled to its box, so only the ratio between bars matters. */
const PLOT_HEIGHT = 100;

export interface AxisTick {
  /** 0..1 across the window. */
  at: number;
  label: string;
}

/**
 * Made on first use, not when the module loads: the issues list imports this module (windowEnd),
 * and a new tab's first Intl object costs 15–100 ms of setting up ICU (format-count.ts).
 */
let formats: { weekday: Intl.DateTimeFormat; hour: Intl.DateTimeFormat } | undefined;
const formatsOf = () =>
  (formats ??= {
    weekday: new Intl.DateTimeFormat(undefined, { weekday: 'short' }),
    hour: new Intl.DateTimeFormat(undefined, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }),
  });
/** "Mon 16": some locales order weekday and day the other way round when formatted together. */
const dayLabel = { format: (d: Date) => `${formatsOf().weekday.format(d)} ${d.getDate()}` };

/** Local midnights inside the window of `hours` hours ending at `end` (ms), as positions. */
export function dayTicks(end: number, hours: number): AxisTick[] {
  const start = end - hours * HOUR_MS;
  const d = new Date(start);
  d.setHours(24, 0, 0, 0);
  const ticks: AxisTick[] = [];
  for (; d.getTime() < end; d.setDate(d.getDate() + 1)) {
    ticks.push({ at: (d.getTime() - start) / (end - start), label: dayLabel.format(d) });
  }
  return ticks;
}

/** The end of the hourly window: the start of the next hour, as the server's last bucket is the current hour. */
export function windowEnd(now = Date.now()): number {
  return (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
}

export interface MarkerFlag {
  at: number;
  label: string;
  title: string;
}

/** Markers closer than this (fraction of the width) share one flag, or their labels would overlap. */
const MIN_FLAG_GAP = 0.06;

/** Markers placed in the window, neighbours merged into one flag ("v2 +1"). */
export function markerFlags(markers: MarkerInput[], end: number, hours: number): MarkerFlag[] {
  const placed = markers
    .map((m) => ({ ...m, at: markerPosition(m.first_seen, end, hours) }))
    .filter((m): m is MarkerInput & { at: number } => m.at !== null)
    .sort((a, b) => a.at - b.at);
  const groups: (MarkerInput & { at: number })[][] = [];
  for (const m of placed) {
    const last = groups.at(-1);
    if (last && m.at - last[0]!.at < MIN_FLAG_GAP) last.push(m);
    else groups.push([m]);
  }
  return groups.map((g) => {
    const newest = g.at(-1)!;
    return {
      at: newest.at,
      label: g.length > 1 ? `${newest.version} +${g.length - 1}` : newest.version,
      title: g.map(markerTitle).join('\n'),
    };
  });
}

export function HourlyChart({
  values,
  end,
  markers,
  label,
}: {
  values: number[];
  end: number;
  markers: MarkerInput[];
  label: string;
}) {
  const n = values.length;
  const bars = sparklineBars(values, n, PLOT_HEIGHT, 0.25);
  const total = values.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...values);
  const ticks = dayTicks(end, n);
  const placed = markers
    .map((m) => ({ ...m, at: markerPosition(m.first_seen, end, n) }))
    .filter((m): m is MarkerInput & { at: number } => m.at !== null);
  const flags = markerFlags(markers, end, n);
  const start = end - n * HOUR_MS;

  return (
    <figure className="hourly-chart">
      <div className="hc-y" aria-hidden="true">
        <span>{peak}</span>
        <span>0</span>
      </div>
      <div className="hc-area">
        <div className="hc-plot">
          <svg
            viewBox={`0 0 ${n} ${PLOT_HEIGHT}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={`${label}: ${total} events, at most ${peak} in an hour${placed.length ? `; ${placed.some((m) => m.environment) ? 'deploys' : 'releases'} ${placed.map((m) => m.version).join(', ')}` : ''}`}
          >
            {ticks.map((t) => (
              <line
                key={t.label}
                className="hc-day"
                x1={t.at * n}
                x2={t.at * n}
                y1={0}
                y2={PLOT_HEIGHT}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {bars.map((b, i) => (
              <g key={i} className="hc-bucket">
                <title>{`${formatsOf().hour.format(new Date(start + i * HOUR_MS))}: ${b.value} event${b.value === 1 ? '' : 's'}`}</title>
                <rect className="hc-hit" x={b.x} y={0} width={1} height={PLOT_HEIGHT} />
                <rect className="hc-bar" x={b.x} y={b.y} width={b.width} height={b.height} />
              </g>
            ))}
            {placed.map((m, i) => (
              <line
                key={`${m.version}-${i}`}
                className="hc-marker"
                x1={m.at * n}
                x2={m.at * n}
                y1={0}
                y2={PLOT_HEIGHT}
                vectorEffect="non-scaling-stroke"
              >
                <title>{markerTitle(m)}</title>
              </line>
            ))}
          </svg>
          {flags.map((f) => (
            <span
              key={`${f.label}-${f.at}`}
              className={f.at > 0.85 ? 'hc-flag hc-flag-left' : 'hc-flag'}
              style={{ left: `${f.at * 100}%` }}
              title={f.title}
            >
              {f.label}
            </span>
          ))}
        </div>
        <div className="hc-x" aria-hidden="true">
          {ticks.map((t) => (
            <span
              key={t.label}
              className={t.at > 0.95 ? 'hc-tick-end' : undefined}
              style={{ left: `${t.at * 100}%` }}
            >
              {t.label}
            </span>
          ))}
        </div>
      </div>
    </figure>
  );
}
