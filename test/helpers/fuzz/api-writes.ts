/**
 * Hostile requests to the write routes of the JSON API (docs/api.md) and sentry-cli's release API:
 * each route's body starts plausible and gets mutated (wrong types, huge arrays, deep values, giant
 * strings), or is sent damaged, empty, as the wrong JSON type or with the wrong Content-Type; path
 * ids are real ones of both projects, another project's, or hostile.
 */
import { damageJsonText, mutateFields } from './json-mutate.js';
import type { Rng } from './prng.js';
import { hostileScalar, toJsonText } from './values.js';
import type { FuzzRequest } from './harness.js';

export interface WriteIds {
  /** [0] is the project the path names most often; the others are other projects. */
  projects: { id: number; slug: string; issues: number[] }[];
  tokens: number[];
  channels: number[];
  rules: number[];
  releases: string[];
  maintenanceTasks: string[];
}

type Method = NonNullable<FuzzRequest['method']>;

interface WriteRoute {
  name: string;
  method: Method;
  path: (rng: Rng, ids: WriteIds) => string;
  body: (rng: Rng, ids: WriteIds) => unknown;
}

const STATUSES = ['open', 'resolved', 'ignored'];
const HOSTILE_SEGMENTS = [
  '0',
  '-1',
  '1.5',
  '99999999999999999999',
  'abc',
  '%00',
  '..',
  '%2F',
  'default%20',
  ' ',
];

const pickProject = (rng: Rng, ids: WriteIds) => rng.pick(ids.projects);
const projectRef = (rng: Rng, ids: WriteIds) => {
  const roll = rng.int(10);
  const p = pickProject(rng, ids);
  if (roll < 4) return p.slug;
  if (roll < 8) return String(p.id);
  return rng.pick(HOSTILE_SEGMENTS);
};
const idOf = (rng: Rng, known: number[]) =>
  rng.chance(0.8) && known.length > 0 ? String(rng.pick(known)) : rng.pick(HOSTILE_SEGMENTS);
const allIssues = (ids: WriteIds) => ids.projects.flatMap((p) => p.issues);
const version = (rng: Rng, ids: WriteIds) =>
  rng.chance(0.7) && ids.releases.length > 0
    ? rng.pick(ids.releases)
    : rng.pick(['fuzz@1.0.0', 'a'.repeat(201), '.', 'x\u0001y', 'café@2', '1.0.0+build']);
const seg = encodeURIComponent;
const when = (rng: Rng) =>
  rng.pick([
    new Date().toISOString(),
    '2026-11-22T11:12:27.630927192Z',
    1763800000,
    '1970-01-01T00:00:00Z',
    1e15,
    -1,
  ]);
const url = (rng: Rng) =>
  rng.pick(['http://127.0.0.1:1/hook', 'https://ci.example/run/1', 'javascript:alert(1)', '']);
const channelConfig = (rng: Rng) =>
  rng.pick([
    { to: ['ops@example.com'] },
    { url: 'http://127.0.0.1:1/topic', priority: 3 },
    { url: 'http://127.0.0.1:1/hook' },
    { url: 'http://127.0.0.1:1/hook', secret: 'x'.repeat(32) },
  ]);

export const WRITE_ROUTES: readonly WriteRoute[] = [
  {
    name: 'bulk issue status',
    method: 'PATCH',
    path: (rng, ids) => `/api/v1/projects/${seg(projectRef(rng, ids))}/issues`,
    body: (rng, ids) => {
      // Mostly the path's project's issues, often mixed with another project's.
      const own = ids.projects[0]!.issues;
      const pool = rng.chance(0.5) ? own : allIssues(ids);
      const n = rng.pick([0, 1, 2, 5, 1001]);
      return {
        ids: Array.from({ length: n }, () => rng.pick(pool)),
        status: rng.pick(STATUSES),
        reason: rng.pick(['manual', 'fuzz', undefined]),
      };
    },
  },
  {
    name: 'issue status',
    method: 'PATCH',
    path: (rng, ids) => `/api/v1/issues/${seg(idOf(rng, allIssues(ids)))}`,
    body: (rng) => ({ status: rng.pick(STATUSES), reason: rng.pick(['manual', undefined]) }),
  },
  {
    name: 'create project',
    method: 'POST',
    path: () => '/api/v1/projects',
    body: (rng) => ({ name: `fuzz ${rng.int(1e6)}` }),
  },
  {
    name: 'rename project',
    method: 'PATCH',
    path: (rng, ids) => `/api/v1/projects/${seg(projectRef(rng, ids))}`,
    body: (rng) => ({ name: `renamed ${rng.int(1e6)}` }),
  },
  {
    name: 'rotate key',
    method: 'POST',
    path: (rng, ids) => `/api/v1/projects/${seg(projectRef(rng, ids))}/rotate-key`,
    body: () => ({}),
  },
  {
    name: 'create token',
    method: 'POST',
    path: () => '/api/v1/tokens',
    body: (rng, ids) => ({
      name: `fuzz-${rng.int(1e6)}`,
      scopes: rng.pick([['read'], ['read', 'write'], ['admin'], ['root']]),
      project: rng.pick([null, pickProject(rng, ids).slug, 'nope']),
      expires_in: rng.pick([null, '30d', '1h', '0d', '99999999d', 'soon']),
    }),
  },
  {
    name: 'revoke token',
    method: 'DELETE',
    path: (rng, ids) => `/api/v1/tokens/${seg(idOf(rng, ids.tokens))}`,
    body: () => undefined,
  },
  {
    name: 'create channel',
    method: 'POST',
    path: () => '/api/v1/alert-channels',
    body: (rng) => ({
      name: `ch ${rng.int(1e6)}`,
      type: rng.pick(['email', 'ntfy', 'slack', 'discord', 'webhook', 'sms']),
      config: channelConfig(rng),
    }),
  },
  {
    name: 'update channel',
    method: 'PATCH',
    path: (rng, ids) => `/api/v1/alert-channels/${seg(idOf(rng, ids.channels))}`,
    body: (rng) => ({ name: `ch ${rng.int(1e6)}`, config: channelConfig(rng) }),
  },
  {
    name: 'delete channel',
    method: 'DELETE',
    path: (rng) => `/api/v1/alert-channels/${seg(rng.pick(HOSTILE_SEGMENTS))}`,
    body: () => undefined,
  },
  {
    name: 'create rule',
    method: 'POST',
    path: (rng, ids) => `/api/v1/projects/${seg(projectRef(rng, ids))}/alert-rules`,
    body: (rng, ids) => ({
      trigger: rng.pick([
        'new_issue',
        'regression',
        'burst',
        'spike',
        'endpoint_p95',
        'endpoint_error_rate',
        'x',
      ]),
      channel_ids: ids.channels.slice(0, rng.between(0, ids.channels.length)),
      threshold: rng.pick([undefined, 10, 0.5, 2]),
      cooldown_minutes: rng.pick([undefined, 0, 60]),
      environment: rng.pick([undefined, 'production']),
      min_level: rng.pick([undefined, 'error', 'fatal']),
      enabled: rng.chance(0.5),
    }),
  },
  {
    name: 'update rule',
    method: 'PATCH',
    path: (rng, ids) => `/api/v1/alert-rules/${seg(idOf(rng, ids.rules))}`,
    body: (rng, ids) => ({
      enabled: rng.chance(0.5),
      channel_ids: ids.channels.slice(0, 1),
      threshold: rng.pick([undefined, 5]),
    }),
  },
  {
    name: 'delete rule',
    method: 'DELETE',
    path: (rng) => `/api/v1/alert-rules/${seg(rng.pick(HOSTILE_SEGMENTS))}`,
    body: () => undefined,
  },
  {
    name: 'deploy',
    method: 'POST',
    path: (rng, ids) =>
      `/api/v1/projects/${seg(projectRef(rng, ids))}/releases/${seg(version(rng, ids))}/deploys`,
    body: (rng) => ({
      environment: rng.pick(['production', 'staging', '', 'a/b', 'e'.repeat(65)]),
      name: rng.pick([undefined, 'deploy 1']),
      url: rng.pick([undefined, url(rng)]),
      started_at: rng.pick([undefined, when(rng)]),
      time: rng.pick([undefined, when(rng)]),
    }),
  },
  {
    name: 'retention',
    method: 'PUT',
    path: () => '/api/v1/settings/retention',
    body: (rng) => ({
      [rng.pick(['events', 'transactions', 'spans', 'logs', 'rollups', 'x'])]: rng.pick([1, 30, 3650, 3651]),
    }),
  },
  {
    name: 'maintenance',
    method: 'POST',
    path: () => '/api/v1/settings/maintenance/run',
    // A real task runs rarely: each is a 200 doing real work, and the point is the refusals.
    body: (rng, ids) => ({
      task: rng.chance(0.03) ? rng.pick(ids.maintenanceTasks) : rng.pick(['vacuum;', 'x', '']),
    }),
  },
  {
    name: 'revoke MCP client',
    method: 'DELETE',
    path: (rng) => `/api/v1/settings/mcp/clients/${seg(rng.pick(HOSTILE_SEGMENTS))}`,
    body: () => undefined,
  },
  {
    name: 'sentry-cli new release',
    method: 'POST',
    path: (rng, ids) =>
      rng.chance(0.5)
        ? '/api/0/organizations/snag/releases/'
        : `/api/0/projects/snag/${seg(projectRef(rng, ids))}/releases/`,
    body: (rng, ids) => ({
      version: version(rng, ids),
      projects: rng.pick([
        [pickProject(rng, ids).slug],
        ids.projects.map((p) => p.slug),
        [],
        ['nope'],
        undefined,
      ]),
      url: rng.pick([undefined, url(rng)]),
      dateStarted: rng.pick([undefined, when(rng)]),
      dateReleased: rng.pick([undefined, when(rng)]),
    }),
  },
  {
    name: 'sentry-cli finalize',
    method: 'PUT',
    path: (rng, ids) =>
      rng.chance(0.5)
        ? `/api/0/organizations/snag/releases/${seg(version(rng, ids))}/`
        : `/api/0/projects/snag/${seg(projectRef(rng, ids))}/releases/${seg(version(rng, ids))}/`,
    body: (rng, ids) => ({
      projects: rng.pick([[pickProject(rng, ids).slug], undefined]),
      dateReleased: when(rng),
      refs: rng.pick([undefined, [{ repository: 'x/y', commit: 'abc' }]]),
    }),
  },
  {
    name: 'sentry-cli deploy',
    method: 'POST',
    path: (rng, ids) => `/api/0/organizations/snag/releases/${seg(version(rng, ids))}/deploys/`,
    body: (rng, ids) => ({
      environment: rng.pick(['production', '', 'x/y']),
      name: rng.pick([undefined, 'd']),
      url: rng.pick([undefined, url(rng)]),
      dateStarted: rng.pick([undefined, when(rng)]),
      dateFinished: rng.pick([undefined, when(rng)]),
      projects: rng.pick([undefined, [pickProject(rng, ids).slug]]),
    }),
  },
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/xml',
];

/** One hostile write and the route it was drawn from. */
export function fuzzApiWrite(rng: Rng, ids: WriteIds): { route: WriteRoute; request: FuzzRequest } {
  const route = rng.pick(WRITE_ROUTES);
  const path = route.path(rng, ids);
  const plausible = route.body(rng, ids);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  let body: Buffer;
  const roll = rng.int(100);
  if (plausible === undefined && roll < 70) body = Buffer.alloc(0);
  else if (roll < 30) body = Buffer.from(toJsonText(plausible ?? {}));
  else if (roll < 70)
    body = Buffer.from(toJsonText(mutateFields(rng, plausible ?? {}, { huge: rng.chance(0.1) })));
  else if (roll < 80) body = damageJsonText(rng, toJsonText(mutateFields(rng, plausible ?? {})));
  else if (roll < 88) {
    body = Buffer.from(toJsonText(plausible ?? {}));
    const ct = rng.pick([...CONTENT_TYPES, undefined]);
    if (ct === undefined) delete headers['content-type'];
    else headers['content-type'] = ct;
  } else if (roll < 94)
    body = Buffer.from(toJsonText(rng.pick([[], [plausible], 'x', 0, null, true, hostileScalar(rng)])));
  else
    body = Buffer.from(
      toJsonText({ ...(plausible as object), ids: Array.from({ length: 150_000 }, (_, i) => i + 1) }),
    );
  if (body.length === 0 && rng.chance(0.5)) delete headers['content-type'];
  return { route, request: { method: route.method, path, body, headers } };
}
