/**
 * Releases of a project, newest first: when each started and was last seen, where it was deployed,
 * the issues it brought (new) and brought back (regressions), its error events and its p95 against
 * the release before; `/releases/<version>` lists those issues and deploys. Figures come from
 * GET /api/v1/projects/:slug/releases[/:version].
 */
import { useEffect, type ReactNode } from 'react';
import {
  qs,
  useResource,
  type DeployView,
  type ReleaseDetail,
  type ReleaseIssue,
  type ReleaseLatency,
  type ReleaseList,
  type ReleaseSummary,
} from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { EmptyState, LoadError } from '../components/empty-state';
import { LevelBadge } from '../components/level-badge';
import { ProjectNav } from '../components/project-nav';
import { RelativeTime, formatTimestamp } from '../components/relative-time';
import { changeTone, formatChange, formatDuration } from '../format-duration';
import { Link, useLocation } from '../router';
import { useProject } from './performance-common';
import { perfHref } from './performance-filters';
import './issues-list.css';
import './performance-common.css';
import './releases.css';

const enc = encodeURIComponent;
export const releasesHref = (slug: string) => `/projects/${enc(slug)}/releases`;
export const releaseHref = (slug: string, version: string) => `${releasesHref(slug)}/${enc(version)}`;
export const releasesApiPath = (slug: string, cursor?: string | null) =>
  `/api/v1/projects/${enc(slug)}/releases${qs({ cursor })}`;
export const releaseApiPath = (slug: string, version: string) =>
  `/api/v1/projects/${enc(slug)}/releases/${enc(version)}`;

/** When a release started: its first event, else when it was created (by sentry-cli or a deploy). */
export function startedAt(r: Pick<ReleaseSummary, 'first_seen' | 'created_at'>): string {
  return r.first_seen ?? r.created_at;
}

/** The deploy environments of a release, newest deploy first, each once. */
export function deployedTo(deploys: readonly DeployView[]): string[] {
  return [...new Set(deploys.map((d) => d.environment))];
}

function Head({ slug, name, version }: { slug: string; name: string; version?: string }) {
  return (
    <>
      <nav className="page-crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link href={`/projects/${enc(slug)}/issues`}>{name}</Link> <span aria-hidden="true">/</span>{' '}
        {version === undefined ? (
          <span>Releases</span>
        ) : (
          <>
            <Link href={releasesHref(slug)}>Releases</Link> <span aria-hidden="true">/</span>{' '}
            <span>{version}</span>
          </>
        )}
      </nav>
      <ProjectNav slug={slug} />
    </>
  );
}

function P95({ latency }: { latency: ReleaseLatency }) {
  if (latency.p95 === null) return <span className="muted">—</span>;
  const tone = changeTone(latency.p95_change_percent, 'latency');
  return (
    <span className="rel-p95">
      {formatDuration(latency.p95)}
      {latency.p95_change_percent !== null && (
        <span
          className={`rel-change tone-${tone}`}
          title={`p95 ${formatDuration(latency.previous_p95)} in the release before`}
        >
          {formatChange(latency.p95_change_percent)}
        </span>
      )}
    </span>
  );
}

function Deploys({ deploys }: { deploys: readonly DeployView[] }) {
  if (deploys.length === 0) return <span className="muted">—</span>;
  return (
    <span className="rel-deploys">
      {deployedTo(deploys).map((env) => {
        const last = deploys.find((d) => d.environment === env)!;
        return (
          <span
            key={env}
            className="chip rel-env"
            title={`Last deployed ${formatTimestamp(last.finished_at)}`}
          >
            {env}
          </span>
        );
      })}
    </span>
  );
}

const count = (n: number) => (n === 0 ? <span className="muted">0</span> : n.toLocaleString('en-US'));

function releaseColumns(slug: string): Column<ReleaseSummary>[] {
  return [
    {
      id: 'version',
      header: 'Release',
      render: (r) => (
        <Link href={releaseHref(slug, r.version)} className="rel-version">
          {r.version}
        </Link>
      ),
    },
    { id: 'started', header: 'Started', width: '110px', render: (r) => <RelativeTime iso={startedAt(r)} /> },
    {
      id: 'last',
      header: 'Last seen',
      width: '110px',
      render: (r) =>
        r.last_seen ? <RelativeTime iso={r.last_seen} /> : <span className="muted">no data yet</span>,
    },
    { id: 'deploys', header: 'Deployed to', render: (r) => <Deploys deploys={r.deploys} /> },
    {
      id: 'new',
      header: 'New issues',
      align: 'right',
      width: '112px',
      render: (r) => count(r.new_issue_count),
    },
    {
      id: 'regressions',
      header: 'Regressions',
      align: 'right',
      width: '124px',
      render: (r) => count(r.regression_count),
    },
    { id: 'errors', header: 'Errors', align: 'right', width: '90px', render: (r) => count(r.error_events) },
    { id: 'p95', header: 'p95', align: 'right', width: '180px', render: (r) => <P95 latency={r.latency} /> },
  ];
}

export function ReleasesPage({ slug }: { slug: string }) {
  const { query } = useLocation();
  const cursor = query.get('cursor');
  const res = useResource<ReleaseList>(releasesApiPath(slug, cursor), { live: true });
  const name = useProject(slug)?.name ?? slug;
  useEffect(() => {
    document.title = `Releases · ${name} · Snag`;
  }, [name]);
  const data = res.data;

  return (
    <div className="rel-page">
      <Head slug={slug} name={name} />
      <h1 className="page-title">Releases</h1>
      <p className="muted rel-intro">
        Each release with the issues it introduced, the resolved issues it brought back, and its p95 latency
        against the release before.
      </p>
      {!data && res.error ? (
        <LoadError title="Could not load the releases" error={res.error} retry={res.reload} />
      ) : !data ? (
        <div className="card rel-loading" aria-busy="true">
          Loading…
        </div>
      ) : data.releases.length === 0 && !cursor ? (
        <EmptyState
          title="No releases yet"
          body={
            <>
              Set <code>release</code> in your SDK&apos;s init, or create one with{' '}
              <code>sentry-cli releases new &lt;version&gt;</code> and record deploys with{' '}
              <code>sentry-cli deploys new -r &lt;version&gt; -e production</code> (see the README).
            </>
          }
        />
      ) : (
        <>
          <DataTable
            caption="Releases"
            columns={releaseColumns(slug)}
            rows={data.releases}
            rowKey={(r) => r.version}
            empty="No older releases."
          />
          <nav className="rel-pager" aria-label="Pages">
            {cursor && <Link href={releasesHref(slug)}>← Newest</Link>}
            {data.next_cursor && (
              <Link href={`${releasesHref(slug)}${qs({ cursor: data.next_cursor })}`}>Older releases →</Link>
            )}
          </nav>
        </>
      )}
    </div>
  );
}

function IssueRows({
  slug,
  issues,
  caption,
  empty,
  when,
}: {
  slug: string;
  issues: readonly (ReleaseIssue & { reopened_at?: string })[];
  caption: string;
  empty: string;
  when?: boolean;
}) {
  const columns: Column<ReleaseIssue & { reopened_at?: string }>[] = [
    { id: 'level', header: '', width: '40px', render: (i) => <LevelBadge level={i.level} /> },
    {
      id: 'title',
      header: 'Issue',
      render: (i) => (
        <div className="rel-issue">
          <Link href={`/projects/${enc(slug)}/issues/${i.id}`}>{i.title}</Link>
          <span className="muted truncate">{i.culprit}</span>
        </div>
      ),
    },
    ...(when
      ? [
          {
            id: 'reopened',
            header: 'Reopened',
            width: '110px',
            render: (i: ReleaseIssue & { reopened_at?: string }) =>
              i.reopened_at ? <RelativeTime iso={i.reopened_at} /> : null,
          },
        ]
      : []),
    {
      id: 'status',
      header: 'Status',
      width: '90px',
      render: (i) => <span className="chip">{i.status}</span>,
    },
    {
      id: 'count',
      header: 'Events',
      align: 'right',
      width: '80px',
      render: (i) => i.count.toLocaleString('en-US'),
    },
  ];
  return (
    <DataTable
      caption={caption}
      showCaption
      columns={columns}
      rows={issues}
      rowKey={(i) => i.id}
      empty={empty}
    />
  );
}

export function ReleaseDetailPage({ slug, version }: { slug: string; version: string }) {
  const res = useResource<ReleaseDetail>(releaseApiPath(slug, version), { live: true });
  const name = useProject(slug)?.name ?? slug;
  useEffect(() => {
    document.title = `${version} · Releases · ${name} · Snag`;
  }, [name, version]);
  const d = res.data;

  if (!d)
    return (
      <div className="rel-page">
        <Head slug={slug} name={name} version={version} />
        {res.error ? (
          <LoadError title={`Could not load release ${version}`} error={res.error} retry={res.reload} />
        ) : (
          <div className="card rel-loading" aria-busy="true">
            Loading…
          </div>
        )}
      </div>
    );

  const facts: [string, ReactNode][] = [
    ['Started', <RelativeTime key="s" iso={startedAt(d)} />],
    ['Last seen', d.last_seen ? <RelativeTime key="l" iso={d.last_seen} /> : 'no data yet'],
    ['Finalized', d.released_at ? <RelativeTime key="f" iso={d.released_at} /> : 'no'],
    ['Error events', d.error_events.toLocaleString('en-US')],
    ['Transactions', d.transactions.toLocaleString('en-US')],
    ['p95', <P95 key="p" latency={d.latency} />],
  ];
  return (
    <div className="rel-page">
      <Head slug={slug} name={name} version={version} />
      <header className="card rel-header">
        <div className="rel-title-row">
          <h1 className="page-title rel-title">{d.version}</h1>
          {d.url && (
            <a href={d.url} className="rel-url" rel="noreferrer noopener" target="_blank">
              {d.url}
            </a>
          )}
        </div>
        <dl className="rel-facts">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {d.previous_version && (
          <p className="rel-compare">
            <Link href={perfHref.compare(slug, { a: d.previous_version, b: d.version })}>
              Compare latency with {d.previous_version} →
            </Link>
          </p>
        )}
      </header>

      <section className="card rel-section rel-deploys-card" aria-label="Deploys">
        <h2>Deploys</h2>
        {d.deploys.length === 0 ? (
          <p className="muted">
            No deploys recorded: <code>sentry-cli deploys new -r {d.version} -e production</code>
          </p>
        ) : (
          <ul className="rel-deploy-list">
            {d.deploys.map((dep) => (
              <li key={dep.id}>
                <span className="chip rel-env">{dep.environment}</span>{' '}
                <time dateTime={dep.finished_at}>{formatTimestamp(dep.finished_at)}</time>
                {dep.name && <span className="muted"> · {dep.name}</span>}
                {dep.url && (
                  <>
                    {' '}
                    ·{' '}
                    <a href={dep.url} rel="noreferrer noopener" target="_blank">
                      {dep.url}
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <div className="rel-section">
        <IssueRows
          slug={slug}
          issues={d.new_issues}
          caption={`New in this release (${d.new_issue_count})`}
          empty="No issue was first seen in this release."
        />
      </div>
      <div className="rel-section">
        <IssueRows
          slug={slug}
          issues={d.regressions}
          caption={`Regressed in this release (${d.regression_count})`}
          empty="No resolved issue came back in this release."
          when
        />
      </div>
    </div>
  );
}
