/**
 * Pieces the three performance pages (overview, endpoint, release comparison) share: the page head
 * (breadcrumb, project sections, title), the range / environment / release filters, the headline
 * figures, the "turn tracing on" instructions, and keeping the last data on screen while the next
 * loads.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useResource, type LatencyStats, type ProjectView } from '../api/client';
import { CodeBlock } from '../components/code-block';
import { ProjectNav } from '../components/project-nav';
import { TimeRangePicker } from '../components/time-range-picker';
import { formatDuration, formatRate, formatThroughput } from '../format-duration';
import { Link, setQuery } from '../router';
import { PERF_RANGES, perfHref, type PerfFilters } from './performance-filters';
import './issues-list.css';
import './performance-common.css';

/** Keeps the last loaded value while the next one loads (filters change), so the page never blanks. */
export function useKept<T>(data: T | undefined, scope: string): { value: T | undefined; stale: boolean } {
  const [kept, setKept] = useState<{ scope: string; data: T } | null>(null);
  useEffect(() => {
    if (data !== undefined) setKept({ scope, data });
  }, [data, scope]);
  if (data !== undefined) return { value: data, stale: false };
  return kept?.scope === scope ? { value: kept.data, stale: true } : { value: undefined, stale: false };
}

/** The project (name, DSN) for the page head; the slug stands in until it loads. */
export function useProject(slug: string): ProjectView | undefined {
  return useResource<ProjectView>(`/api/v1/projects/${encodeURIComponent(slug)}`).data;
}

/** A filter value from the URL stays selectable even when the data no longer offers it. */
export function withCurrent(options: string[], current: string): string[] {
  return current && !options.includes(current) ? [current, ...options] : options;
}

export function PerfHead({
  slug,
  projectName,
  trail = [],
  title,
  live,
  children,
}: {
  slug: string;
  projectName: string;
  /** Breadcrumb entries after Projects / project / Performance; the last is the current page. */
  trail?: ReactNode[];
  title: ReactNode;
  /** Shows the "Live" badge; `offline` while refreshes fail. */
  live?: 'on' | 'offline';
  children?: ReactNode;
}) {
  const perf = perfHref.overview(slug);
  return (
    <>
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={`/projects/${encodeURIComponent(slug)}/issues`}>{projectName}</Link>{' '}
        <span aria-hidden="true">/</span>{' '}
        {trail.length === 0 ? <span>Performance</span> : <Link href={perf}>Performance</Link>}
        {trail.map((t, i) => (
          <span key={i} className="perf-crumb">
            <span aria-hidden="true">/</span> {t}
          </span>
        ))}
      </nav>
      <ProjectNav slug={slug} />
      <div className="perf-head">
        <h1 className="page-title perf-title">{title}</h1>
        {live && (
          <span
            className={live === 'offline' ? 'live-badge offline' : 'live-badge'}
            title="The figures refresh every 3 seconds"
          >
            {live === 'offline' ? 'Reconnecting…' : 'Live'}
          </span>
        )}
        <div className="perf-head-actions">{children}</div>
      </div>
    </>
  );
}

export function PerfFilterBar({
  filters,
  environments,
  releases,
}: {
  filters: PerfFilters;
  environments: string[];
  releases: string[];
}) {
  const set = (changes: Record<string, string | null>) => setQuery(changes, { replace: true });
  return (
    <div className="perf-toolbar" role="group" aria-label="Filters">
      <TimeRangePicker
        value={filters.range}
        options={PERF_RANGES}
        onChange={(r) => set({ range: r === '24h' ? null : r })}
      />
      <select
        aria-label="Environment"
        value={filters.environment}
        onChange={(e) => set({ environment: e.target.value || null })}
      >
        <option value="">All environments</option>
        {withCurrent(environments, filters.environment).map((env) => (
          <option key={env} value={env}>
            {env}
          </option>
        ))}
      </select>
      <select
        aria-label="Release"
        value={filters.release}
        onChange={(e) => set({ release: e.target.value || null })}
      >
        <option value="">All releases</option>
        {withCurrent(releases, filters.release).map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface Figure {
  label: string;
  value: string;
  /** Longer wording for the tooltip. */
  title?: string;
  tone?: 'bad' | 'warn';
}

/** The headline numbers of a set of transactions, as a description list. */
export function latencyFigures(s: LatencyStats): Figure[] {
  return [
    { label: 'Transactions', value: s.count.toLocaleString('en-US') },
    { label: 'Throughput', value: formatThroughput(s.throughput_per_minute, s.count), title: 'Per minute' },
    { label: 'p50', value: formatDuration(s.p50), title: 'Median duration' },
    { label: 'p95', value: formatDuration(s.p95), title: '95th percentile duration' },
    { label: 'p99', value: formatDuration(s.p99), title: '99th percentile duration' },
    {
      label: 'Error rate',
      value: formatRate(s.error_rate),
      title: 'Share of transactions that failed (5xx or a failed span status)',
      tone: s.error_rate >= 0.05 ? 'bad' : s.error_rate > 0 ? 'warn' : undefined,
    },
  ];
}

export function Figures({ figures, label }: { figures: Figure[]; label: string }) {
  return (
    <dl className="perf-figures" aria-label={label}>
      {figures.map((f) => (
        <div key={f.label} title={f.title}>
          <dt>{f.label}</dt>
          <dd className={f.tone ? `tone-${f.tone}` : undefined}>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** How to turn tracing on, with the project's DSN: what the empty performance page shows. */
export function TracingSetup({ dsn }: { dsn: string }) {
  const node = `import * as Sentry from '@sentry/node';

Sentry.init({
  dsn: '${dsn}',
  // Send every request as a transaction; lower it under heavy traffic.
  tracesSampleRate: 1.0,
});`;
  const python = `import sentry_sdk

sentry_sdk.init(
    dsn="${dsn}",
    # Send every request as a transaction; lower it under heavy traffic.
    traces_sample_rate=1.0,
)`;
  return (
    <div className="tracing-setup">
      <CodeBlock code={node} label="Node.js — instrument.mjs" language="javascript" />
      <CodeBlock code={python} label="Python" language="python" />
    </div>
  );
}
