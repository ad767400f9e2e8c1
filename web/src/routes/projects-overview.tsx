/**
 * `/`: one card per project (open issues, events in 24 h, last issue, DSN). Until any project has
 * seen an event, a first-run panel shows how to send one; the page polls, so it turns into the
 * cards by itself when the first event lands.
 */
import { useState } from 'react';
import { useResource, type ProjectList, type ProjectWithStats } from '../api/client';
import { CopyButton } from '../components/copy-button';
import { EmptyState, LoadError } from '../components/empty-state';
import { RelativeTime, useNow } from '../components/relative-time';
import { SdkSnippets } from '../components/sdk-snippets';
import { Sparkline } from '../components/sparkline';
import { formatDuration, formatRate, formatThroughput } from '../format-duration';
import { Link } from '../router';
import './projects-overview.css';

const HOUR_MS = 3_600_000;

/** Bucket `i` of `hourly` covers the clock hour starting here (the server buckets by UTC hour). */
function bucketStart(i: number, count: number, now: number): Date {
  return new Date((Math.floor(now / HOUR_MS) - (count - 1 - i)) * HOUR_MS);
}

function bucketLabel(i: number, value: number, count: number, now: number): string {
  const start = bucketStart(i, count, now);
  const hh = String(start.getHours()).padStart(2, '0');
  const mm = String(start.getMinutes()).padStart(2, '0');
  return `${hh}:${mm} · ${value.toLocaleString()} ${value === 1 ? 'event' : 'events'}`;
}

export function isFirstRun(projects: ProjectWithStats[]): boolean {
  return projects.every((p) => p.stats.events_24h === 0 && p.stats.last_issue === null);
}

function ProjectCard({ project, now }: { project: ProjectWithStats; now: number }) {
  const { stats } = project;
  const issuesHref = `/projects/${encodeURIComponent(project.slug)}/issues`;
  const last = stats.last_issue;
  const headingId = `project-${project.id}-name`;
  return (
    <article className="card project-card" aria-labelledby={headingId}>
      <header className="project-card-head">
        <span className="project-avatar" aria-hidden="true">
          {project.name.trim().charAt(0).toUpperCase() || '?'}
        </span>
        <div className="project-card-title">
          <h2 id={headingId}>
            <Link href={issuesHref}>{project.name}</Link>
          </h2>
          <span className="muted project-slug">{project.slug}</span>
        </div>
      </header>

      <dl className="project-stats">
        <div>
          <dt>Open issues</dt>
          <dd>
            <Link href={issuesHref} className="project-stat-link">
              {stats.open_issues.toLocaleString()}
            </Link>
          </dd>
        </div>
        <div>
          <dt>Events · 24h</dt>
          <dd>{stats.events_24h.toLocaleString()}</dd>
        </div>
      </dl>

      <div className="project-chart">
        <Sparkline
          values={stats.hourly}
          width={240}
          height={44}
          className="project-sparkline"
          label={`${project.name}, events per hour over the last 24 hours`}
          bucketLabel={(i, v) => bucketLabel(i, v, stats.hourly.length, now)}
        />
        <div className="project-chart-axis muted" aria-hidden="true">
          <span>24h ago</span>
          <span>now</span>
        </div>
      </div>

      {stats.performance && (
        <ProjectPerformance
          performance={stats.performance}
          href={`/projects/${encodeURIComponent(project.slug)}/performance`}
          name={project.name}
        />
      )}

      <div className="project-last">
        <div className="eyebrow">Last issue</div>
        {last ? (
          <>
            <Link href={`${issuesHref}/${last.id}`} className="project-last-title" title={last.title}>
              <span className={`level level-${last.level}`} aria-hidden="true" />
              <span className="visually-hidden">{last.level}: </span>
              <span className="truncate">{last.title}</span>
            </Link>
            <div className="project-last-meta muted">
              {last.culprit && (
                <span className="truncate project-last-culprit" title={last.culprit}>
                  {last.culprit}
                </span>
              )}
              <RelativeTime iso={last.last_seen} className="nowrap" />
            </div>
          </>
        ) : (
          <div className="muted">No issues yet.</div>
        )}
      </div>

      <footer className="project-dsn">
        <span className="eyebrow">DSN</span>
        <code className="truncate" title={project.dsn}>
          {project.dsn}
        </code>
        <CopyButton text={project.dsn} aria-label={`Copy the DSN of ${project.name}`} />
      </footer>
    </article>
  );
}

/** The last 24 hours of transactions, when the project sends any. */
function ProjectPerformance({
  performance: perf,
  href,
  name,
}: {
  performance: NonNullable<ProjectWithStats['stats']['performance']>;
  href: string;
  name: string;
}) {
  return (
    <div className="project-perf">
      <Link href={href} className="eyebrow project-perf-link" aria-label={`Performance of ${name}`}>
        Performance · 24h
      </Link>
      <dl className="project-perf-stats">
        <div>
          <dt>p50</dt>
          <dd>{formatDuration(perf.p50)}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{formatThroughput(perf.throughput_per_minute)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd className={perf.error_rate >= 0.05 ? 'project-perf-bad' : undefined}>
            {formatRate(perf.error_rate)}
          </dd>
        </div>
      </dl>
    </div>
  );
}

function FirstRunPanel({ projects }: { projects: ProjectWithStats[] }) {
  const [slug, setSlug] = useState(projects[0]!.slug);
  const project = projects.find((p) => p.slug === slug) ?? projects[0]!;
  return (
    <section className="card first-run" aria-labelledby="first-run-title">
      <div className="first-run-head">
        <span className="first-run-mark" aria-hidden="true">
          ◆
        </span>
        <div>
          <h2 id="first-run-title">Send your first error</h2>
          <p className="muted">
            Snag speaks the Sentry protocol: point any Sentry SDK at this DSN and errors show up here, grouped
            into issues.
          </p>
        </div>
      </div>

      <div className="first-run-dsn">
        {projects.length > 1 && (
          <label className="first-run-project">
            <span>Project</span>
            <select value={project.slug} onChange={(e) => setSlug(e.target.value)}>
              {projects.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="dsn-field">
          <span className="dsn-field-label">DSN</span>
          <code>{project.dsn}</code>
          <CopyButton text={project.dsn} aria-label="Copy the DSN" />
        </div>
      </div>

      <SdkSnippets
        key={project.slug}
        dsn={project.dsn}
        variant="first-error"
        label="Send a first error with"
      />

      <p className="first-run-waiting" role="status">
        <span className="pulse" aria-hidden="true" />
        Waiting for the first event… This page updates itself when it arrives: no need to reload.
      </p>
      <p className="muted first-run-more">
        Setting up a real app? Snippets for Node, the browser, Python, Ruby/Rails and Go are in{' '}
        <Link href="/settings/projects">Settings → Projects</Link>.
      </p>
    </section>
  );
}

function LoadingCards() {
  return (
    <div className="project-grid" aria-busy="true" aria-label="Loading projects">
      {[0, 1, 2].map((i) => (
        <div key={i} className="card project-card project-card-skeleton" />
      ))}
    </div>
  );
}

export function ProjectsOverview() {
  const { data, error, reload } = useResource<ProjectList>('/api/v1/projects', { live: true });
  // Sparkline tooltips name each bucket's clock hour; a minute of drift is harmless.
  const now = useNow(60_000);

  const header = (
    <div className="page-header">
      <h1 className="page-title">Projects</h1>
      <Link href="/settings/projects" className="button">
        Manage projects
      </Link>
    </div>
  );

  if (!data) {
    return (
      <>
        {header}
        {error ? (
          <LoadError title="Could not load projects" error={error} retry={reload} />
        ) : (
          <LoadingCards />
        )}
      </>
    );
  }

  const { projects } = data;
  return (
    <>
      {header}
      {error && (
        <p className="stale-banner" role="status">
          Live updates paused: {error.message}. Retrying…
        </p>
      )}
      {projects.length === 0 ? (
        <EmptyState
          title="No projects yet"
          body="A project holds the errors of one app or service and has its own DSN."
          actions={
            <Link href="/settings/projects" className="button primary">
              Create a project
            </Link>
          }
        />
      ) : isFirstRun(projects) ? (
        <FirstRunPanel projects={projects} />
      ) : (
        <div className="project-grid">
          {projects.map((p) => (
            <ProjectCard key={p.id} project={p} now={now} />
          ))}
        </div>
      )}
    </>
  );
}
