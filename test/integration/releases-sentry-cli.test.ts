/**
 * The real sentry-cli (@sentry/cli 3.8) against a real Snag: the release script commands people
 * already run (releases new / finalize / info / list, deploys new / list, and the older
 * `releases deploys <v> new` spelling), read back through Snag's own API. Login is off (open
 * mode), so any token passes, as it does for a fresh install.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssueList, ReleaseDetail, ReleaseList } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { REPO_ROOT, getJson, startSnag, type RunningSnag } from '../helpers/snag.js';

const run = promisify(execFile);
const SENTRY_CLI = path.join(REPO_ROOT, 'node_modules/.bin/sentry-cli');
const VERSION = 'shop@1.4.0+build.7';
const CLI_TIMEOUT_MS = 20_000;

describe('sentry-cli → Snag release and deploy API', () => {
  let snag: RunningSnag;
  let api: string;

  /** Runs sentry-cli with the environment a CI job would set; never throws, so failures can be asserted. */
  async function cli(...args: string[]): Promise<{ code: number; out: string }> {
    try {
      const { stdout, stderr } = await run(SENTRY_CLI, args, {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '/tmp',
          SENTRY_URL: snag.url,
          SENTRY_AUTH_TOKEN: 'ci-release-token',
          SENTRY_ORG: 'any-org',
          SENTRY_LOG_LEVEL: 'warn',
        },
        timeout: CLI_TIMEOUT_MS,
      });
      return { code: 0, out: stdout + stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  }

  const release = (v = VERSION) => getJson<ReleaseDetail>(`${api}/releases/${encodeURIComponent(v)}`);

  beforeAll(async () => {
    snag = await startSnag();
    api = `${snag.url}/api/v1/projects/default`;
  });

  afterAll(() => stopAndRemove(snag));

  it('creates a release with `releases new`, before any event names it', async () => {
    const r = await cli(
      'releases',
      'new',
      VERSION,
      '-p',
      'default',
      '--url',
      'https://git.example/shop/tags/1.4.0',
    );
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain(`Created release ${VERSION}`);
    const detail = await release();
    expect(detail).toMatchObject({
      version: VERSION,
      first_seen: null,
      released_at: null,
      url: 'https://git.example/shop/tags/1.4.0',
      error_events: 0,
      deploys: [],
    });
    // Running it again (a re-run CI job) is not an error.
    expect((await cli('releases', 'new', VERSION, '-p', 'default')).code).toBe(0);
  });

  it('finalizes it with `releases finalize`', async () => {
    const before = Date.now();
    const r = await cli('releases', 'finalize', VERSION, '-p', 'default');
    expect(r.out).toContain(`Finalized release ${VERSION}`);
    expect(r.code).toBe(0);
    const released = Date.parse((await release()).released_at!);
    expect(released).toBeGreaterThanOrEqual(before - 1000);
    expect(released).toBeLessThanOrEqual(Date.now());
  });

  it('records deploys with `deploys new` and `releases deploys <v> new`, with name, url and duration', async () => {
    const a = await cli(
      'deploys',
      'new',
      '-r',
      VERSION,
      '-e',
      'production',
      '-n',
      'build-7',
      '-u',
      'https://ci.example/runs/7',
      '-t',
      '42',
    );
    expect(a.out).toContain("Created new deploy build-7 for 'production'");
    expect(a.code).toBe(0);
    const b = await cli('releases', 'deploys', VERSION, 'new', '-e', 'staging');
    expect(b.out).toContain("Created new deploy unnamed for 'staging'");

    const { deploys } = await release();
    expect(deploys.map((d) => d.environment)).toEqual(['staging', 'production']);
    const prod = deploys[1]!;
    expect(prod).toMatchObject({ name: 'build-7', url: 'https://ci.example/runs/7', version: VERSION });
    // -t 42: the CLI sends dateStarted 42 s before dateFinished.
    expect(Date.parse(prod.finished_at) - Date.parse(prod.started_at!)).toBe(42_000);
    expect(deploys[0]!.started_at).toBeNull();
  });

  it('lists deploys with `deploys list` and releases with `releases list` and `releases info`', async () => {
    const deploys = await cli('deploys', 'list', '-r', VERSION);
    expect(deploys.code).toBe(0);
    expect(deploys.out).toMatch(/production\s*\|\s*build-7/);
    expect(deploys.out).toMatch(/staging\s*\|\s*unnamed/);

    await cli('releases', 'new', 'shop@1.5.0', '-p', 'default');
    for (const args of [
      ['releases', 'list', '-p', 'default'],
      ['releases', 'list'],
    ]) {
      const list = await cli(...args);
      expect(list.code).toBe(0);
      expect(list.out).toContain(VERSION);
      expect(list.out).toContain('shop@1.5.0');
      // Newest first, and the finalized one shows a release time rather than "(unreleased)".
      expect(list.out.indexOf('shop@1.5.0')).toBeLessThan(list.out.indexOf(VERSION));
    }
    const info = await cli('releases', 'info', VERSION);
    expect(info.code).toBe(0);
    expect(info.out).toContain(VERSION);
  });

  it('puts the deploys on the charts as markers', async () => {
    const list = await getJson<IssueList>(`${api}/issues`);
    expect(list.release_markers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ version: VERSION, environment: 'production' }),
        expect.objectContaining({ version: VERSION, environment: 'staging' }),
      ]),
    );
    const releases = await getJson<ReleaseList>(`${api}/releases`);
    expect(releases.releases.map((r) => r.version)).toEqual(['shop@1.5.0', VERSION]);
  });

  it('fails the way sentry-cli reports: unknown project, unknown release, bad version', async () => {
    const noProject = await cli('releases', 'new', 'x@1', '-p', 'no-such-project');
    expect(noProject.code).not.toBe(0);
    // sentry-cli prints Snag's JSON error debug-formatted (quotes escaped).
    expect(noProject.out).toMatch(/http status: 400.*No project \\?"no-such-project/s);

    const noRelease = await cli('deploys', 'new', '-r', 'never-created@9', '-e', 'production');
    expect(noRelease.code).not.toBe(0);
    expect(noRelease.out).toMatch(/not found/i);

    const noEnv = await fetch(
      `${snag.url}/api/0/organizations/o/releases/${encodeURIComponent(VERSION)}/deploys/`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        body: JSON.stringify({ name: 'x' }),
      },
    );
    expect(noEnv.status).toBe(400);
    expect(((await noEnv.json()) as { detail: string }).detail).toContain('environment is required');

    const badVersion = await fetch(`${snag.url}/api/0/organizations/o/releases/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify({ version: '..', projects: ['default'] }),
    });
    expect(badVersion.status).toBe(400);
  });
});
