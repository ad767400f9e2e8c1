/**
 * GET /metrics: parsed by a strict reader of the Prometheus text format 0.0.4 (every line a
 * comment, a HELP/TYPE line or `name{labels} value`; each family typed before its samples;
 * histogram buckets cumulative and ending in +Inf = _count), moving with real @sentry/node
 * traffic, and guarded by SNAG_METRICS_TOKEN when it is set.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const run = promisify(execFile);
const SENDER = path.join(REPO_ROOT, 'test/integration/retention-sender.js');
const TOKEN = 'metrics-test-token-0123456789abcdef0123456789';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(types.has(type[1]!), `TYPE given twice for ${type[1]}`).toBe(false);
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const body = m![2] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const l = LABEL.exec(body);
      expect(l, `bad labels in ${line}`).not.toBeNull();
      labels[l![1]!] = l![2]!;
    }
    const value = m![3] === '+Inf' ? Infinity : Number(m![3]);
    expect(Number.isNaN(value), line).toBe(false);
    const family = m![1]!.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(m![1]!) || types.get(family) === 'histogram', `sample before its TYPE: ${line}`).toBe(
      true,
    );
    samples.push({ name: m![1]!, labels, value });
  }
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le: _le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      for (let i = 1; i < buckets.length; i++)
        expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
      expect(buckets.at(-1)!.labels['le']).toBe('+Inf');
      const count = samples.find((x) => x.name === `${family}_count` && JSON.stringify(x.labels) === key);
      expect(count?.value).toBe(buckets.at(-1)!.value);
    }
  }
  return { samples, types };
}

const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

let open: RunningSnag;
let guarded: RunningSnag;
beforeAll(async () => {
  [open, guarded] = await Promise.all([startSnag(), startSnag({ env: { SNAG_METRICS_TOKEN: TOKEN } })]);
}, 30_000);
afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
});

async function scrape(snag: RunningSnag, token?: string) {
  const res = await fetch(
    `${snag.url}/metrics`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /metrics', () => {
  it('is valid Prometheus text and moves with ingest', async () => {
    const first = await scrape(open);
    expect(first.status).toBe(200);
    expect(first.type).toContain('text/plain; version=0.0.4');
    const before = parseExposition(first.text);
    expect(before.types.get('snag_http_request_duration_seconds')).toBe('histogram');
    expect(
      value(before.samples, 'snag_database_bytes', { database: 'errors', part: 'main' }),
    ).toBeGreaterThan(0);

    await run(process.execPath, [SENDER, 'errors'], {
      cwd: REPO_ROOT,
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'] ?? '',
        SNAG_DSN: open.dsn,
        SNAG_LABEL: 'MetricsTest',
        SNAG_COUNT: '4',
      },
    });
    const after = await waitFor(
      async () => {
        const s = parseExposition((await scrape(open)).text);
        return value(s.samples, 'snag_digested_items_total', { thread: 'errors' }) >= 4 ? s : null;
      },
      15_000,
      'errors digested',
    );
    expect(value(after.samples, 'snag_ingest_items_total', { type: 'event', outcome: 'accepted' })).toBe(
      value(before.samples, 'snag_ingest_items_total', { type: 'event', outcome: 'accepted' }) + 4,
    );
    expect(
      value(after.samples, 'snag_http_request_duration_seconds_count', {
        route: '/api/:projectId/envelope/',
        status: '2xx',
      }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      value(after.samples, 'snag_digest_batch_duration_seconds_count', { thread: 'errors' }),
    ).toBeGreaterThanOrEqual(1);
    expect(value(after.samples, 'snag_queue_depth', {})).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('needs SNAG_METRICS_TOKEN as a bearer token when it is set', async () => {
    expect((await scrape(guarded)).status).toBe(401);
    expect((await scrape(guarded, 'wrong-token')).status).toBe(401);
    const ok = await scrape(guarded, TOKEN);
    expect(ok.status).toBe(200);
    parseExposition(ok.text);
  });

  it('with login on, opens only to a read-scoped API token or SNAG_METRICS_TOKEN', async () => {
    const withLogin = await startSnag({
      env: {
        // An issuer that is never contacted: no sign-in happens here, only the guard's mode.
        SNAG_OIDC_ISSUER: 'https://login.example.com',
        SNAG_OIDC_CLIENT_ID: 'snag',
        SNAG_OIDC_CLIENT_SECRET: 'not-used-here',
        SNAG_ALLOWED_DOMAINS: 'example.com',
        SNAG_METRICS_TOKEN: TOKEN,
      },
    });
    try {
      const { stdout } = await run(
        process.execPath,
        [
          path.join(REPO_ROOT, 'bin/snag.js'),
          'token',
          'create',
          '--name',
          'prometheus',
          '--scope',
          'read',
          '--json',
        ],
        { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: withLogin.dataDir } },
      );
      const apiToken = (JSON.parse(stdout) as { token: string }).token;
      expect((await scrape(withLogin)).status).toBe(401);
      expect((await scrape(withLogin, 'snag_unknown')).status).toBe(401);
      expect((await scrape(withLogin, TOKEN)).status).toBe(200);
      const viaToken = await scrape(withLogin, apiToken);
      expect(viaToken.status).toBe(200);
      parseExposition(viaToken.text);
    } finally {
      await withLogin.stop();
    }
  }, 60_000);
});
