/**
 * Per-project rate limits and the global queue cap answer 429 with Retry-After and
 * X-Sentry-Rate-Limits, and the real @sentry/node honours them: it stops sending the limited
 * category (only that one) until the time has passed. What reaches the server is counted by a
 * small forwarding proxy between the SDK and Snag.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { eventEnvelope, postRaw, sdkEvent } from '../helpers/ingest.js';
import { loadFixture } from '../helpers/fixtures.js';
import { REPO_ROOT, getJson, startSnag, type RunningSnag } from '../helpers/snag.js';

const run = promisify(execFile);
/** 12 a minute: a burst of 12, then one every 5 s, so the test waits seconds, not a minute. */
const EVENTS_PER_MINUTE = 12;
const SECONDS_PER_EVENT = 60 / EVENTS_PER_MINUTE;

interface Seen {
  types: string[];
  status: number;
}

/** Forwards every request to `target`, recording the item types of each envelope and the answer. */
async function startCountingProxy(
  target: string,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k),
        ),
      ) as Record<string, string>;
      void postRaw(target, req.url!, body, headers, req.method).then(
        (answer) => {
          const types = body
            .toString('utf8')
            .split('\n')
            .flatMap((line) => /^\{"type":"(\w+)"/.exec(line)?.[1] ?? []);
          seen.push({ types, status: answer.status });
          const forwarded: Record<string, string> = {};
          for (const name of ['retry-after', 'x-sentry-rate-limits', 'content-type'])
            if (answer.headers[name]) forwarded[name] = String(answer.headers[name]);
          res.writeHead(answer.status, forwarded).end(answer.text);
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

async function runSender(dsn: string, steps: string[]): Promise<{ ids: string[] }> {
  const { stdout } = await run(
    process.execPath,
    [path.join(REPO_ROOT, 'test/helpers/rate-limit-sender.js'), ...steps],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', SNAG_DSN: dsn },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { ids: string[] };
}

async function createProject(snag: RunningSnag, name: string): Promise<{ id: number; public_key: string }> {
  const { stdout } = await run(
    process.execPath,
    [path.join(REPO_ROOT, 'bin/snag.js'), 'project', 'create', name, '--json'],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: snag.dataDir },
    },
  );
  return JSON.parse(stdout) as { id: number; public_key: string };
}

describe('per-project rate limits', () => {
  let snag: RunningSnag | undefined;

  beforeAll(async () => {
    snag = await startSnag({
      env: {
        SNAG_RATE_LIMIT_EVENTS_PER_MINUTE: String(EVENTS_PER_MINUTE),
        SNAG_RATE_LIMIT_LOGS_PER_MINUTE: '10',
      },
    });
  });
  afterAll(() => stopAndRemove(snag));

  test(
    '@sentry/node stops sending errors while limited, keeps sending spans, resumes after Retry-After',
    { timeout: 60_000 },
    async () => {
      const s = snag!;
      const proxy = await startCountingProxy(s.url);
      try {
        const dsn = s.dsn.replace(/http:\/\/([^@]+)@[^/]+/, `http://$1@${proxy.url.slice('http://'.length)}`);
        const wait = Math.ceil(SECONDS_PER_EVENT * 1000 + 700);
        await runSender(dsn, [`errors:${EVENTS_PER_MINUTE + 4}`, 'transaction', `wait:${wait}`, 'errors:1']);
        const errors = proxy.seen.filter((r) => r.types.includes('event'));
        // 12 accepted, the 13th refused; the SDK then held back the other 3 until Retry-After passed.
        expect(errors.map((r) => r.status)).toEqual([
          ...Array<number>(EVENTS_PER_MINUTE).fill(200),
          429,
          200,
        ]);
        // Only errors were limited: the root span went through while errors were paused (@sentry/node
        // 11 streams it as a `span` item; older SDKs send a `transaction`).
        const spans = proxy.seen.filter((r) => r.types.includes('span') || r.types.includes('transaction'));
        expect(
          spans.map((r) => r.status),
          JSON.stringify(proxy.seen),
        ).toEqual([200]);
        const order = proxy.seen.filter((r) => r.types.includes('event') || spans.includes(r));
        expect(order.at(-2)).toBe(spans[0]);
        const h = await getJson<{ items_accepted: Record<string, number> }>(`${s.url}/_health`);
        expect(h.items_accepted['event']).toBe(EVENTS_PER_MINUTE + 1);
      } finally {
        await proxy.close();
      }
    },
  );

  test("the 429 carries Retry-After and X-Sentry-Rate-Limits in Sentry's format, per project", async () => {
    const s = snag!;
    const other = await createProject(s, 'other');
    const send = (projectId: number, key: string) =>
      postRaw(s.url, `/api/${projectId}/envelope/?sentry_key=${key}`, eventEnvelope(sdkEvent()));
    // Spend whatever budget is left, then one more is refused.
    let refused = await send(s.projectId, s.publicKey);
    for (let i = 0; refused.status === 200 && i < EVENTS_PER_MINUTE; i++)
      refused = await send(s.projectId, s.publicKey);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(SECONDS_PER_EVENT);
    expect(refused.headers['x-sentry-rate-limits']).toBe(
      `${retryAfter}:default;error:project:project_rate_limit`,
    );
    expect(refused.headers['access-control-expose-headers']).toMatch(/x-sentry-rate-limits/);
    // Another project has its own budget.
    expect((await send(other.id, other.public_key)).status).toBe(200);
    // The store endpoint spends the same budget.
    const store = await postRaw(
      s.url,
      `/api/${s.projectId}/store/?sentry_key=${s.publicKey}`,
      Buffer.from(JSON.stringify(sdkEvent())),
    );
    expect(store.status).toBe(429);
  });

  test('OTLP logs over the limit: 429 with Retry-After, as the OTLP spec asks', async () => {
    const s = snag!;
    const fixture = loadFixture('logs/otlp-json');
    const post = () =>
      postRaw(s.url, '/v1/logs', fixture.body, {
        'content-type': 'application/json',
        authorization: `Bearer ${s.publicKey}`,
      });
    // The fixture holds 13 records: over a budget of 10, taken once (the bucket goes into debt)…
    expect((await post()).status).toBe(200);
    // …and the next batch waits for the debt to be paid.
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['x-sentry-rate-limits']).toMatch(/^\d+:log_item:project:project_rate_limit$/);
    expect(refused.headers['content-type']).toMatch(/application\/json/);
  });
});

describe('global queue cap', () => {
  let snag: RunningSnag | undefined;

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_QUEUE_MAX_DEPTH: '2' } });
  });
  afterAll(() => stopAndRemove(snag));

  test('past SNAG_QUEUE_MAX_DEPTH ingest answers 429 with Retry-After and an all-categories limit, and keeps nothing of it', async () => {
    const s = snag!;
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        postRaw(s.url, `/api/${s.projectId}/envelope/?sentry_key=${s.publicKey}`, eventEnvelope(sdkEvent())),
      ),
    );
    const refused = burst.filter((r) => r.status === 429);
    const accepted = burst.filter((r) => r.status === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length + refused.length).toBe(burst.length);
    for (const r of refused) {
      expect(r.headers['retry-after']).toBe('5');
      // Empty categories: every category (develop-docs rate-limiting.mdx).
      expect(r.headers['x-sentry-rate-limits']).toBe('5::organization:queue_full');
    }
    const h = await getJson<{ items_accepted: Record<string, number> }>(`${s.url}/_health`);
    expect(h.items_accepted['event']).toBe(accepted.length);

    const otlp = loadFixture('logs/otlp-json');
    const logs = await Promise.all(
      Array.from({ length: 10 }, () =>
        postRaw(s.url, '/v1/logs', otlp.body, {
          'content-type': 'application/json',
          authorization: `Bearer ${s.publicKey}`,
        }),
      ),
    );
    const limited = logs.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) expect(r.headers['retry-after']).toBe('5');
  });
});
