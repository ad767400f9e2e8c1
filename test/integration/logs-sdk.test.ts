/**
 * Logs with real senders against a real Snag: @sentry/node with `enableLogs`, and the OpenTelemetry
 * JS logs SDK through both OTLP/HTTP exporters (JSON, protobuf, gzip), each into its own project.
 * Checks levels, typed attributes, trace ids, resource fields, that JSON and protobuf give the same
 * records, search hits, facets, trace links and the OTLP edge's answers to bad requests.
 *
 * Python: Debian's python3-sentry-sdk (1.9.10) has no logs API (`enable_logs` is refused), so no
 * Python sender runs here; test/fixtures/logs/NOTES.md has how that was checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDetail, LogSummary, ProjectView } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runNodeLogs, runOtelLogs, type LogSenderResult } from '../helpers/sdk-senders.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';
import { ATTRIBUTE_HEX_ID, ATTRIBUTE_UUID, BODY_UUID } from '../helpers/log-lines.js';

const BULK = 60;

async function createProject(snag: RunningSnag, name: string): Promise<ProjectView> {
  const res = await fetch(`${snag.url}/api/v1/projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`create project → ${res.status} ${await res.text()}`);
  return (await res.json()) as ProjectView;
}

/** Every log of the project, newest first, once `expected` are stored. */
async function allLogs(api: SnagApi, expected: number): Promise<LogSummary[]> {
  return waitFor(
    async () => {
      const page = await api.searchLogs({ limit: '500' });
      return page.logs.length >= expected ? page.logs : undefined;
    },
    20_000,
    `${expected} logs stored`,
  );
}

const byBody = (logs: LogSummary[], text: string) => logs.find((l) => l.body.includes(text));

describe('logs: real senders', () => {
  let snag: RunningSnag;
  const sentry = {} as { api: SnagApi; sent: LogSenderResult; logs: LogSummary[] };
  const otlp = {} as Record<
    'json' | 'protobuf' | 'gzip',
    { api: SnagApi; project: ProjectView; sent: LogSenderResult; logs: LogSummary[] }
  >;

  beforeAll(async () => {
    snag = await startSnag();
    const sentryProject = await createProject(snag, 'sentry logs');
    sentry.api = snagApi(snag, sentryProject.slug);
    sentry.sent = await runNodeLogs(sentryProject.dsn, BULK, {
      environment: 'staging',
      release: 'shop@2.1.0',
    });
    sentry.logs = await allLogs(sentry.api, sentry.sent.sent);
    const traceId = '5b8efff798038103d269b633813fc60c';
    const spanId = 'eee19b7ec3c1b174';
    // One start time for the three OTLP runs, so their records are the same but for the encoding.
    const time = Date.now() - 60_000;
    for (const [name, options] of [
      ['json', { encoding: 'json' }],
      ['protobuf', { encoding: 'protobuf' }],
      ['gzip', { encoding: 'protobuf', gzip: true }],
    ] as const) {
      const project = await createProject(snag, `otlp ${name}`);
      const api = snagApi(snag, project.slug);
      const sent = await runOtelLogs(snag.url, project.public_key, {
        ...options,
        count: BULK,
        traceId,
        spanId,
        time,
      });
      otlp[name] = { api, project, sent, logs: await allLogs(api, sent.sent) };
    }
  }, 120_000);

  afterAll(() => stopAndRemove(snag));

  it('stores every @sentry/node log with its level, typed attributes, environment and release', async () => {
    expect(sentry.logs).toHaveLength(sentry.sent.sent);
    const levels = new Set(sentry.logs.map((l) => l.level));
    expect([...levels].sort()).toEqual(['debug', 'error', 'fatal', 'info', 'trace', 'warn']);
    for (const l of sentry.logs) {
      expect(l.environment).toBe('staging');
      expect(l.release).toBe('shop@2.1.0');
      expect(l.host).toBe('fixture-host');
    }
    const flags = await sentry.api.getLog(byBody(sentry.logs, 'feature flags')!.id);
    expect(flags.level).toBe('debug');
    expect(flags.attributes['flags.count']).toBe(3);
    expect(flags.attributes['flags.names']).toEqual(['checkout-v2', 'dark-mode', 'beta']);
    expect(flags.source).toBe('sentry');
    expect(flags.scope?.name).toBe('sentry.javascript.node');
    const cache = await sentry.api.getLog(byBody(sentry.logs, 'Cache lookup')!.id);
    expect(cache.attributes['cache.hit']).toBe(false);
    const login = await sentry.api.getLog(byBody(sentry.logs, 'logged in')!.id);
    expect(login.body).toBe('User jane logged in from 10.0.0.7');
    // Sentry.logger.fmt sends the template and its parameters: kept as attributes.
    expect(login.attributes['sentry.message.template']).toBe('User %s logged in from %s');
  });

  it('gives logs written inside a span that span and its trace, and links them to the stored transaction', async () => {
    const inSpan = sentry.logs.filter((l) => l.span_id === sentry.sent.span_id);
    expect(inSpan.length).toBeGreaterThanOrEqual(3);
    for (const l of inSpan) expect(l.trace_id).toBe(sentry.sent.trace_id);
    const detail: LogDetail = await waitFor(
      async () => {
        const d = await sentry.api.getLog(byBody(inSpan, 'Charge failed')!.id);
        return d.links.transaction ? d : undefined;
      },
      15_000,
      'the span segment to be stored',
    );
    expect(detail.links.transaction!.trace_id).toBe(sentry.sent.trace_id);
    expect(detail.links.trace_log_count).toBeGreaterThanOrEqual(inSpan.length);
    const tx = await sentry.api.getTransaction(detail.links.transaction!.id);
    expect(tx.trace_logs?.count).toBe(detail.links.trace_log_count);
    expect(tx.trace_logs?.url).toContain(encodeURIComponent(`trace:${sentry.sent.trace_id}`));
    const trace = await sentry.api.traceLogs(sentry.sent.trace_id);
    expect(trace.total).toBe(detail.links.trace_log_count);
    const times = trace.logs.map((l) => l.timestamp);
    expect(times).toEqual([...times].sort());
  });

  it('maps OTLP resource and record fields, and JSON, protobuf and gzip give the same records', async () => {
    const strip = (d: LogDetail) => ({ ...d, id: '', links: null });
    const details = await Promise.all(
      (['json', 'protobuf', 'gzip'] as const).map(async (name) => {
        const logs = otlp[name].logs;
        expect(logs).toHaveLength(otlp[name].sent.sent);
        return Promise.all([...logs].reverse().map((l) => otlp[name].api.getLog(l.id)));
      }),
    );
    const [json, protobuf, gzip] = details;
    for (const d of json!) {
      expect(d.source).toBe('otlp');
      expect(d.service).toBe('checkout');
      expect(d.release).toBe('fixture@1.0.0');
      expect(d.environment).toBe('fixture');
      expect(d.host).toBe('fixture-host');
      expect(d.resource['service.name']).toBe('checkout');
    }
    // The OTel JS exporter writes ints as JSON numbers and protobuf varints: the same value here.
    expect(protobuf!.map(strip)).toEqual(json!.map(strip));
    expect(gzip!.map(strip)).toEqual(protobuf!.map(strip));
    const retry = json!.find((d) => d.body === 'Payment retry 2 of 3')!;
    expect(retry.level).toBe('warn');
    expect(retry.attributes['status']).toBe(422);
    expect(retry.trace_id).toBe('5b8efff798038103d269b633813fc60c');
    expect(retry.span_id).toBe('eee19b7ec3c1b174');
  });

  it('finds words, scoped attributes, phrases, prefixes and pasted ids', async () => {
    const { api } = otlp.protobuf;
    const bodies = async (q: string) => (await api.searchLogs({ q, limit: '500' })).logs.map((l) => l.body);
    expect(await bodies('declined')).toEqual([expect.stringContaining('card declined')]);
    expect(await bodies('status:422')).toEqual(['Payment retry 2 of 3']);
    // The scoped form does not match the words merely appearing: no body says "status 422".
    expect(await bodies('status:500')).toEqual([]);
    expect((await bodies('http.response.status_code:500')).length).toBe(Math.ceil(BULK / 7));
    expect(await bodies('"retry 2 of 3"')).toEqual(['Payment retry 2 of 3']);
    expect(await bodies('"2 retry"')).toEqual([]);
    expect((await bodies('answ*')).length).toBe(BULK);
    expect(await bodies(BODY_UUID.toUpperCase())).toHaveLength(1);
    // In `request.id` of one line and, nested, in `http.request.header` of an OTLP-only record.
    expect(await bodies(ATTRIBUTE_UUID.replace(/-/g, ''))).toHaveLength(2);
    expect(await bodies(ATTRIBUTE_HEX_ID)).toHaveLength(1);
    expect(await bodies('level:fatal -memory')).toHaveLength(BULK / 6);
    const res = await fetch(
      `${snag.url}/api/v1/projects/${otlp.protobuf.project.slug}/logs?q=${encodeURIComponent('status:')}`,
    );
    expect([200, 400]).toContain(res.status);
  });

  it('keeps facets and a zero-filled histogram per level', async () => {
    const facets = await otlp.json.api.logFacets();
    expect(facets.services).toEqual(['checkout']);
    expect(facets.environments).toEqual(['fixture']);
    expect(facets.releases).toEqual(['fixture@1.0.0']);
    expect(facets.levels).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
    const h = await otlp.json.api.logHistogram({ range: '1h' });
    expect(h.bucket_ms).toBe(60_000);
    expect(h.buckets.length).toBeGreaterThanOrEqual(60);
    const total = h.buckets.reduce((n, b) => n + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
    expect(total).toBe(otlp.json.sent.sent);
    const errors = await otlp.json.api.searchLogs({ level: 'error,fatal', limit: '500' });
    expect(errors.logs.every((l) => l.level === 'error' || l.level === 'fatal')).toBe(true);
    expect(errors.logs.length).toBe(
      otlp.json.logs.filter((l) => l.level === 'error' || l.level === 'fatal').length,
    );
  });
});

describe('logs: the OTLP edge', () => {
  let snag: RunningSnag;
  beforeAll(async () => {
    snag = await startSnag();
  }, 30_000);
  afterAll(() => stopAndRemove(snag));

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${snag.url}${path}`, { method: 'POST', body, headers });
  const record = (traceId: string, body: string) => ({
    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    severityNumber: 17,
    body: { stringValue: body },
    traceId,
  });
  const request = (...records: object[]) =>
    JSON.stringify({
      resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: records }] }],
    });

  it('answers partialSuccess for the records it rejects and keeps the rest', async () => {
    const res = await post(
      '/v1/logs',
      request(record('ab'.repeat(16), 'kept one'), record('abc', 'bad trace id')),
      {
        'content-type': 'application/json',
        authorization: `Bearer ${snag.publicKey}`,
      },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      partialSuccess?: { rejectedLogRecords: string; errorMessage: string };
    };
    expect(body.partialSuccess?.rejectedLogRecords).toBe('1');
    expect(body.partialSuccess?.errorMessage).toMatch(/trace/i);
    const api = snagApi(snag);
    const logs = await waitFor(
      async () => {
        const found = (await api.searchLogs({ q: 'kept' })).logs;
        return found.length > 0 ? found : undefined;
      },
      10_000,
      'the kept record',
    );
    expect(logs.map((l) => l.body)).toEqual(['kept one']);
    expect((await api.searchLogs({ q: 'bad' })).logs).toEqual([]);
  });

  it('accepts the key as X-Sentry-Auth or ?sentry_key= on the Sentry-style path, and an empty success body for protobuf', async () => {
    const viaHeader = await post(
      `/api/${snag.projectId}/integration/otlp/v1/logs`,
      request(record('cd'.repeat(16), 'via header')),
      {
        'content-type': 'application/json',
        'x-sentry-auth': `Sentry sentry_key=${snag.publicKey}, sentry_version=7`,
      },
    );
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toEqual({});
    const viaQuery = await post(`/v1/logs?sentry_key=${snag.publicKey}`, Buffer.alloc(0), {
      'content-type': 'application/x-protobuf',
    });
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get('content-type')).toMatch(/application\/x-protobuf/);
    expect((await viaQuery.arrayBuffer()).byteLength).toBe(0);
  });

  it('refuses bad requests with a clear status and stores nothing', async () => {
    const auth = { authorization: `Bearer ${snag.publicKey}` };
    const accepted = async () =>
      ((await (await fetch(`${snag.url}/_health`)).json()) as { items_accepted: Record<string, number> })
        .items_accepted['otlp_log'] ?? 0;
    const before = await accepted();
    const cases: [Record<string, string>, string | Buffer, number][] = [
      [{ ...auth, 'content-type': 'text/plain' }, 'hello', 415],
      [{ ...auth, 'content-type': 'application/json' }, '{"resourceLogs": 3', 400],
      [{ ...auth, 'content-type': 'application/x-protobuf' }, Buffer.from([0x0a, 0xff, 0xff, 0xff]), 400],
      [{ 'content-type': 'application/json' }, request(record('ef'.repeat(16), 'no key')), 401],
      [{ authorization: `Bearer ${'0'.repeat(32)}`, 'content-type': 'application/json' }, request(), 403],
    ];
    for (const [headers, body, status] of cases) {
      const res = await post('/v1/logs', body, headers);
      expect(res.status, JSON.stringify(headers)).toBe(status);
      const type = res.headers.get('content-type') ?? '';
      if (type.includes('json')) expect(((await res.json()) as { message: string }).message).toBeTruthy();
    }
    expect(await accepted()).toBe(before);
  });
});
