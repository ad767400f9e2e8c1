/**
 * Sentry's release and deploy API as sentry-cli 3.x calls it, so release scripts work unchanged:
 *
 *   sentry-cli releases new V        POST /api/0/organizations/{org}/releases/  {version, projects, url?, dateStarted, dateReleased?}
 *   sentry-cli releases finalize V   PUT  /api/0/organizations/{org}/releases/V/  {projects?, dateReleased, url?}
 *   sentry-cli releases set-commits  PUT  (same) {commits | refs}: accepted, commits are not kept
 *   sentry-cli releases info V       GET  /api/0/organizations/{org}/releases/V/
 *   sentry-cli releases list         GET  /api/0/projects/{org}/{project}/releases/ (no -p: …/organizations/{org}/releases/)
 *   sentry-cli deploys new -r V -e E POST /api/0/organizations/{org}/releases/V/deploys/
 *                                         {environment, name, url, dateStarted, dateFinished, projects? (only with -p)}
 *   sentry-cli deploys list -r V     GET  (same)
 *
 * (recorded from sentry-cli 3.8.0 against a logging server; test/integration/releases-sentry-cli.test.ts
 * runs the real binary.) The organization slug is not checked: Snag has one organization. Without
 * `projects`, a route means every project that knows the version. Auth is the guard's (a bearer
 * token, write scope for POST/PUT); a project-scoped token only reaches its own project, checked
 * here because the project is in the body, not the path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, badRequest, notFound } from '../errors.js';
import type { ReleaseService } from '../domain/releases/service.js';
import type { Deploy, Release } from '../storage/index.js';
import { bodyObject } from './params.js';

export interface SentryReleaseDeps {
  releases: ReleaseService;
}

/** `sentry-cli releases list` prints one page; Sentry's default page is 100 too. */
const LIST_LIMIT = 100;

type Org = { Params: { org: string } };
type OrgProject = { Params: { org: string; project: string } };
type OrgVersion = { Params: { org: string; version: string } };
type OrgProjectVersion = { Params: { org: string; project: string; version: string } };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function registerSentryReleaseRoutes(app: FastifyInstance, { releases }: SentryReleaseDeps): void {
  /** The project a project-scoped token is limited to (the guard sets `snagCaller`). */
  function tokenProject(request: FastifyRequest): number | null {
    const caller = request.snagCaller;
    return caller?.kind === 'token' ? caller.projectId : null;
  }

  /** Projects named in the body (slugs or ids), or null when none are named. */
  function namedProjects(request: FastifyRequest, body: Record<string, unknown>): number[] | null {
    const raw = body['projects'];
    if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) return null;
    if (!Array.isArray(raw) || !raw.every((p) => typeof p === 'string' || typeof p === 'number'))
      throw badRequest('projects must be a list of project slugs.');
    const ids = releases.resolveProjects(raw.map(String)).map((p) => p.id);
    const only = tokenProject(request);
    if (only !== null && ids.some((id) => id !== only))
      throw new AppError('forbidden', 403, 'This token is limited to one project: name only that project.');
    return ids;
  }

  /** Every project's row of `version` the caller may see; 404 when there is none. */
  function existing(request: FastifyRequest, version: string, projectIds: number[] | null): Release[] {
    const only = tokenProject(request);
    const found = releases
      .findReleases(version, projectIds ?? undefined)
      .filter((r) => only === null || r.projectId === only);
    if (found.length === 0) throw notFound(`Release ${version} not found.`, 'release_not_found');
    return found;
  }

  /** One release over the projects that have it, in Sentry's shape (the fields sentry-cli reads, and a few more). */
  function releaseJson(rows: Release[]) {
    const first = rows[0]!;
    const newGroups = rows.map((r) => releases.newIssueCounts(r.projectId, [r.version]).get(r.version) ?? 0);
    const deploys = rows.flatMap((r) => releases.deploysOf(r.projectId, r.version));
    const min = (xs: (number | null)[]) =>
      nonNull(xs).reduce<number | null>((a, b) => (a === null ? b : Math.min(a, b)), null);
    const max = (xs: (number | null)[]) =>
      nonNull(xs).reduce<number | null>((a, b) => (a === null ? b : Math.max(a, b)), null);
    return {
      version: first.version,
      shortVersion: first.version,
      ref: null,
      url: rows.find((r) => r.url)?.url ?? null,
      dateCreated: iso(min(rows.map((r) => r.createdAt))),
      dateReleased: iso(max(rows.map((r) => r.releasedAt))),
      dateStarted: null,
      firstEvent: iso(min(rows.map((r) => r.firstSeen))),
      lastEvent: iso(max(rows.map((r) => r.lastSeen))),
      newGroups: newGroups.reduce((a, b) => a + b, 0),
      owner: null,
      data: {},
      commitCount: 0,
      lastCommit: null,
      authors: [],
      deployCount: deploys.length,
      lastDeploy:
        deploys.length > 0
          ? deployJson(deploys.reduce((a, b) => (b.finishedAt > a.finishedAt ? b : a)))
          : null,
      status: 'open',
      projects: rows.map((r, i) => {
        const p = releases.project(r.projectId);
        return {
          id: p.id,
          slug: p.slug,
          name: p.name,
          platform: p.platform,
          newGroups: newGroups[i],
          hasHealthData: false,
        };
      }),
    };
  }

  function create(request: FastifyRequest, projectIds: number[] | null, reply: { code(n: number): unknown }) {
    const body = bodyObject(request.body);
    const version = body['version'];
    if (typeof version !== 'string')
      throw badRequest('Send {"version": "<release>", "projects": ["<slug>"]}.');
    if (body['status'] !== undefined && body['status'] !== 'open')
      throw badRequest(
        'Snag does not archive releases: a release stays listed until retention removes its data.',
      );
    const ids = projectIds ?? namedProjects(request, body);
    if (ids === null)
      throw badRequest(
        'Name the project the release belongs to: sentry-cli releases new <version> --project <slug>.',
      );
    const before = releases.findReleases(version, ids).length;
    const rows = releases.saveRelease(ids, version, {
      url: optionalString(body, 'url'),
      releasedAt: optionalDate(body, 'dateReleased'),
    });
    // Sentry answers 208 when the release already existed in every project named.
    reply.code(before === ids.length ? 208 : 201);
    return releaseJson(rows);
  }

  function update(request: FastifyRequest, version: string, projectIds: number[] | null) {
    const body = bodyObject(request.body);
    // set-commits sends {commits} or {refs}: Snag keeps no commits, and failing would stop release
    // scripts that run it before `finalize`.
    const rows = existing(request, version, projectIds ?? namedProjects(request, body));
    const saved = releases.saveRelease(
      rows.map((r) => r.projectId),
      version,
      { url: optionalString(body, 'url'), releasedAt: optionalDate(body, 'dateReleased') },
    );
    return releaseJson(saved);
  }

  function list(request: FastifyRequest, projectIds: number[]) {
    const only = tokenProject(request);
    const ids = only === null ? projectIds : projectIds.filter((id) => id === only);
    const page = releases.recentReleases(ids, LIST_LIMIT);
    // One entry per version, as Sentry's organization has one release per version.
    const byVersion = new Map<string, Release[]>();
    for (const r of page) byVersion.set(r.version, [...(byVersion.get(r.version) ?? []), r]);
    return [...byVersion.values()].map(releaseJson);
  }

  function deploy(request: FastifyRequest, version: string, projectIds: number[] | null) {
    const body = bodyObject(request.body);
    const named = projectIds ?? namedProjects(request, body);
    // With projects named, the deploy may come first; without, it goes to the projects that know the version.
    const ids = named ?? existing(request, version, null).map((r) => r.projectId);
    const environment = body['environment'];
    if (typeof environment !== 'string')
      throw badRequest(
        'environment is required: sentry-cli deploys new --release <version> --env production.',
      );
    const [d] = releases.addDeploys(ids, version, {
      environment,
      name: optionalString(body, 'name'),
      url: optionalString(body, 'url'),
      startedAt: optionalDate(body, 'dateStarted'),
      finishedAt: optionalDate(body, 'dateFinished'),
    });
    return deployJson(d!);
  }

  function deployList(request: FastifyRequest, version: string, projectIds: number[] | null) {
    const seen = new Set<string>();
    const out: ReturnType<typeof deployJson>[] = [];
    // A deploy to several projects is one row per project; Sentry shows it once.
    for (const r of existing(request, version, projectIds))
      for (const d of releases.deploysOf(r.projectId, version)) {
        const key = JSON.stringify([d.environment, d.name, d.url, d.startedAt, d.finishedAt]);
        if (!seen.has(key)) out.push(deployJson(d));
        seen.add(key);
      }
    return out.sort((a, b) => b.dateFinished.localeCompare(a.dateFinished));
  }

  const allProjects = () => releases.resolveAll();
  const projectOf = (request: FastifyRequest<OrgProject>) => {
    const id = releases.resolveProjects([request.params.project])[0]!.id;
    const only = tokenProject(request);
    if (only !== null && id !== only)
      throw new AppError('forbidden', 403, 'This token is limited to another project.');
    return [id];
  };

  // Organization routes name their projects in the body (or not at all): the guard cannot check a
  // project-scoped token there, so these handlers do (namedProjects, existing, list).
  const checkedHere = { config: { projectCheckInHandler: true } };
  const org = '/api/0/organizations/:org/releases';
  const proj = '/api/0/projects/:org/:project/releases';
  app.post<Org>(org, checkedHere, async (request, reply) => create(request, null, reply));
  app.post<OrgProject>(proj, async (request, reply) => create(request, projectOf(request), reply));
  app.get<Org>(org, checkedHere, async (request) => list(request, allProjects()));
  app.get<OrgProject>(proj, async (request) => list(request, projectOf(request)));
  app.get<OrgVersion>(`${org}/:version`, checkedHere, async (request) =>
    releaseJson(existing(request, request.params.version, null)),
  );
  app.get<OrgProjectVersion>(`${proj}/:version`, async (request) =>
    releaseJson(existing(request, request.params.version, projectOf(request))),
  );
  app.put<OrgVersion>(`${org}/:version`, checkedHere, async (request) =>
    update(request, request.params.version, null),
  );
  app.put<OrgProjectVersion>(`${proj}/:version`, async (request) =>
    update(request, request.params.version, projectOf(request)),
  );
  app.post<OrgVersion>(`${org}/:version/deploys`, checkedHere, async (request, reply) => {
    reply.code(201);
    return deploy(request, request.params.version, null);
  });
  app.get<OrgVersion>(`${org}/:version/deploys`, checkedHere, async (request) =>
    deployList(request, request.params.version, null),
  );
}

function deployJson(d: Deploy) {
  return {
    id: String(d.id),
    environment: d.environment,
    name: d.name,
    url: d.url,
    dateStarted: iso(d.startedAt),
    dateFinished: iso(d.finishedAt)!,
  };
}

function nonNull(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null);
}

function optionalString(body: Record<string, unknown>, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string.`);
  return v;
}

/** sentry-cli sends RFC 3339 with nanoseconds (2026-11-22T11:12:27.630927192Z); Date.parse reads it. */
function optionalDate(body: Record<string, unknown>, name: string): number | null {
  const v = optionalString(body, name);
  if (v === null) return null;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw badRequest(`${name} must be an RFC 3339 time; got ${JSON.stringify(v)}.`);
  return ms;
}
