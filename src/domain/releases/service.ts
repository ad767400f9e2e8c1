/**
 * Releases as the API, the UI and sentry-cli see them: what each release brought (new issues,
 * regressions, error events, p95 against the release before), its deploys, and the writes
 * release scripts make (create, finalize, deploy). Releases belong to a project; Sentry's
 * organization-level routes name the projects in the body or, when they do not, mean every
 * project that knows the version.
 */
import { AppError, badRequest, notFound } from '../../errors.js';
import type { AppStore, Deploy, Release, ReleaseChanges, ReleaseIssuesStore } from '../../storage/index.js';
import type { ProjectView } from '../projects/service.js';
import type { PerformanceService } from '../transactions/performance-service.js';
import type {
  DeployView,
  ReleaseDetail,
  ReleaseIssue,
  ReleaseLatency,
  ReleaseList,
  ReleaseSummary,
} from './views.js';

export const MAX_RELEASES_PAGE = 50;
/** Sentry's limit on a version's length (sentry/models/release.py). */
const MAX_VERSION_CHARS = 200;
const MAX_ENVIRONMENT_CHARS = 64;
const MAX_URL_CHARS = 2000;
/** New issues and regressions listed on a release's page. */
const DETAIL_ISSUES = 50;
/** The digest's audit reason for a reopening names the event (storage/digest-store.ts). */
const REGRESSION_EVENT = /^regression: event ([0-9a-f]{32})/;

export interface DeployInput {
  environment: string;
  name?: string | null;
  url?: string | null;
  startedAt?: number | null;
  /** Defaults to now. */
  finishedAt?: number | null;
}

interface ProjectReader {
  listProjects(): ProjectView[];
  findProject(ref: string | number): ProjectView | undefined;
  getProject(ref: string | number): ProjectView;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function createReleaseService(deps: {
  releases: Pick<
    AppStore,
    | 'findRelease'
    | 'saveRelease'
    | 'listReleasePage'
    | 'listProjectIdsWithRelease'
    | 'insertDeploy'
    | 'listDeploysOf'
  >;
  releaseIssues: ReleaseIssuesStore;
  performance: Pick<PerformanceService, 'overview'>;
  projects: ProjectReader;
  now?: () => number;
}) {
  const { releases } = deps;
  const now = () => deps.now?.() ?? Date.now();

  function deployView(d: Deploy): DeployView {
    return {
      id: d.id,
      version: d.version,
      environment: d.environment,
      name: d.name,
      url: d.url,
      started_at: isoOrNull(d.startedAt),
      finished_at: iso(d.finishedAt),
    };
  }

  /** p95 over the hours the release was seen in (its transactions only). */
  function p95Of(slug: string, r: Release): { transactions: number; p95: number | null } {
    if (r.firstSeen === null || r.lastSeen === null || r.transactionCount === 0)
      return { transactions: r.transactionCount, p95: null };
    const { headline } = deps.performance.overview(slug, {
      window: { from: r.firstSeen, to: r.lastSeen + 1, buckets: 1 },
      release: r.version,
    });
    return { transactions: headline.count, p95: headline.count > 0 ? headline.p95 : null };
  }

  function latency(
    current: { transactions: number; p95: number | null },
    previous: { p95: number | null } | undefined,
  ): ReleaseLatency {
    const before = previous?.p95 ?? null;
    return {
      transactions: current.transactions,
      p95: current.p95,
      previous_p95: before,
      p95_change_percent:
        current.p95 === null || before === null || before === 0
          ? null
          : Math.round(((current.p95 - before) / before) * 1000) / 10,
    };
  }

  /** Summaries of `page` (newest first); `older` is the release before the last one, for its p95 change. */
  function summarize(project: ProjectView, page: Release[], older: Release | undefined): ReleaseSummary[] {
    const versions = page.map((r) => r.version);
    const newIssues = deps.releaseIssues.countNewIssuesByRelease(project.id, versions);
    const regressions = deps.releaseIssues.countRegressionsByRelease(project.id, versions);
    const deploys = new Map<string, DeployView[]>();
    for (const d of releases.listDeploysOf(project.id, versions))
      deploys.set(d.version, [...(deploys.get(d.version) ?? []), deployView(d)]);
    const withOlder = older ? [...page, older] : page;
    const p95s = withOlder.map((r) => p95Of(project.slug, r));
    return page.map((r, i) => ({
      version: r.version,
      first_seen: isoOrNull(r.firstSeen),
      last_seen: isoOrNull(r.lastSeen),
      created_at: iso(r.createdAt),
      released_at: isoOrNull(r.releasedAt),
      url: r.url,
      error_events: r.eventCount,
      transactions: r.transactionCount,
      new_issue_count: newIssues.get(r.version) ?? 0,
      regression_count: regressions.get(r.version) ?? 0,
      deploys: deploys.get(r.version) ?? [],
      previous_version: withOlder[i + 1]?.version ?? null,
      latency: latency(p95s[i]!, p95s[i + 1]),
    }));
  }

  function requireRelease(projectId: number, version: string): Release {
    const r = releases.findRelease(projectId, version);
    if (!r)
      throw notFound(
        `No release "${version}" in this project: releases come from events' \`release\`, \`sentry-cli releases new\` or a deploy. List them with GET /api/v1/projects/<slug>/releases.`,
        'release_not_found',
      );
    return r;
  }

  function checkVersion(version: string): string {
    const v = version.trim();
    if (v === '' || v.length > MAX_VERSION_CHARS || v === '.' || v === '..' || /[/\p{Cc}]/u.test(v))
      throw badRequest(
        `A release version is 1 to ${MAX_VERSION_CHARS} characters without slashes or control characters; got ${JSON.stringify(version)}.`,
      );
    return v;
  }

  return {
    list(slug: string, opts: { limit?: number; cursor?: string } = {}): ReleaseList {
      const project = deps.projects.getProject(slug);
      const limit = Math.min(Math.max(1, opts.limit ?? 20), MAX_RELEASES_PAGE);
      const rows = releases.listReleasePage(project.id, limit + 1, decodeCursor(opts.cursor));
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        releases: summarize(project, page, rows[limit]),
        next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },

    get(slug: string, version: string): ReleaseDetail {
      const project = deps.projects.getProject(slug);
      const r = requireRelease(project.id, version);
      const older = releases.listReleasePage(project.id, 1, cursorOf(r))[0];
      const issueView = (i: {
        id: number;
        title: string;
        culprit: string;
        type: string;
        level: string;
        status: ReleaseIssue['status'];
        event_count: number;
      }): ReleaseIssue => ({
        id: i.id,
        title: i.title,
        culprit: i.culprit,
        type: i.type,
        level: i.level,
        status: i.status,
        count: i.event_count,
      });
      return {
        ...summarize(project, [r], older)[0]!,
        project: { id: project.id, slug: project.slug, name: project.name },
        new_issues: deps.releaseIssues.listNewIssuesIn(project.id, r.version, DETAIL_ISSUES).map(issueView),
        regressions: deps.releaseIssues.listRegressionsIn(project.id, r.version, DETAIL_ISSUES).map((c) => ({
          ...issueView({ ...c, id: c.issue_id }),
          reopened_at: iso(c.created_at),
          event_id: REGRESSION_EVENT.exec(c.reason)?.[1] ?? null,
        })),
      };
    },

    listDeploys(slug: string, version: string): DeployView[] {
      const project = deps.projects.getProject(slug);
      requireRelease(project.id, version);
      return releases.listDeploysOf(project.id, [version]).map(deployView);
    },

    /** A deploy of `version` to one project, creating the release if nothing has named it yet. */
    createDeploy(slug: string, version: string, input: DeployInput): DeployView {
      const project = deps.projects.getProject(slug);
      return deployView(this.addDeploys([project.id], version, input)[0]!);
    },

    // ---- What Sentry's release routes need (api/sentry-releases.ts) ---------------------------

    /** Projects named by slug or id; an unknown one is refused, naming it. */
    resolveProjects(refs: string[]): ProjectView[] {
      return refs.map((ref) => {
        const p = deps.projects.findProject(ref);
        if (!p)
          throw badRequest(
            `No project "${ref}" in Snag: pass a project slug from Settings → Projects with --project.`,
          );
        return p;
      });
    },

    project: (id: number) => deps.projects.getProject(id),

    /** Every project's id (Sentry's organization-wide release list). */
    resolveAll: () => deps.projects.listProjects().map((p) => p.id),

    /** Creates the release in each project or updates it (url, finalized time). */
    saveRelease(projectIds: number[], version: string, changes: ReleaseChanges): Release[] {
      const v = checkVersion(version);
      if (changes.url) checkUrl(changes.url);
      return projectIds.map((id) => releases.saveRelease(id, v, changes, now()));
    },

    /** The release in each of `projectIds`, or in every project that knows it when none are given. */
    findReleases(version: string, projectIds?: number[]): Release[] {
      const ids = projectIds ?? releases.listProjectIdsWithRelease(version);
      return ids.flatMap((id) => releases.findRelease(id, version) ?? []);
    },

    /** Newest first across `projectIds`. */
    recentReleases(projectIds: number[], limit: number): Release[] {
      const started = (r: Release) => r.firstSeen ?? r.createdAt;
      return projectIds
        .flatMap((id) => releases.listReleasePage(id, limit))
        .sort((a, b) => started(b) - started(a))
        .slice(0, limit);
    },

    addDeploys(projectIds: number[], version: string, input: DeployInput): Deploy[] {
      const v = checkVersion(version);
      const environment = input.environment?.trim();
      if (!environment || environment.length > MAX_ENVIRONMENT_CHARS || /[/\p{Cc}]/u.test(environment))
        throw badRequest(
          `environment is required: a name of 1 to ${MAX_ENVIRONMENT_CHARS} characters without slashes, e.g. production.`,
        );
      if (input.url) checkUrl(input.url);
      const finishedAt = input.finishedAt ?? now();
      if (input.startedAt != null && input.startedAt > finishedAt)
        throw badRequest('A deploy cannot finish before it starts: check started_at and the deploy time.');
      return projectIds.map((projectId) =>
        releases.insertDeploy(
          {
            projectId,
            version: v,
            environment,
            name: input.name?.trim() || null,
            url: input.url || null,
            startedAt: input.startedAt ?? null,
            finishedAt,
          },
          now(),
        ),
      );
    },

    deploysOf(projectId: number, version: string): Deploy[] {
      return releases.listDeploysOf(projectId, [version]);
    },

    newIssueCounts: (projectId: number, versions: string[]) =>
      deps.releaseIssues.countNewIssuesByRelease(projectId, versions),
  };
}

export type ReleaseService = ReturnType<typeof createReleaseService>;

function checkUrl(url: string): void {
  let ok = false;
  try {
    ok = url.length <= MAX_URL_CHARS && ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  if (!ok)
    throw badRequest(
      `url must be an http(s) URL of at most ${MAX_URL_CHARS} characters; got ${JSON.stringify(url)}.`,
    );
}

const cursorOf = (r: Release) => ({ startedAt: r.firstSeen ?? r.createdAt, version: r.version });

function encodeCursor(r: Release): string {
  const c = cursorOf(r);
  return Buffer.from(JSON.stringify([c.startedAt, c.version])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { startedAt: number; version: string } | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && Number.isFinite(v[0]) && typeof v[1] === 'string')
      return { startedAt: v[0] as number, version: v[1] };
  } catch {
    // the error below
  }
  throw new AppError('bad_cursor', 400, 'cursor is not one this API returned: pass next_cursor unchanged.');
}
