/**
 * MCP over Streamable HTTP with the official SDK client against a real Snag, seeded by real
 * @sentry/node and python-sentry-sdk traffic (errors in two releases, a regression, and the
 * instrumented Node app's transactions with an N+1 and a failing checkout trace) and real logs
 * (@sentry/node `enableLogs` with a span segment, the OpenTelemetry logs SDK over OTLP). Every tool is
 * called with good arguments (its structuredContent checked against the outputSchema it declared)
 * and with bad ones (an isError result whose message says what to do); bearer auth is checked
 * without a token, with a wrong one and with a revoked one.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpSettings } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { connectClient, httpTransport, mintToken, snagCli, structuredOf, textOf } from '../helpers/mcp.js';
import {
  runNodeApm,
  runNodeLogs,
  runNodeSdk,
  runOtelLogs,
  runPythonSdk,
  type ApmIds,
  type LogSenderResult,
} from '../helpers/sdk-senders.js';
import { getJson, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const ENV_TOKEN = randomBytes(32).toString('hex');
const R1 = 'shop@1.0.0';
const R2 = 'shop@1.1.0';
/** Log lines each sender adds to the fixed set of log-lines.js (every third @sentry/node one in its span). */
const LOG_BULK = 12;
/** @sentry/node lines logged inside the sender's span: three of log-lines.js and every third bulk one. */
const IN_SPAN = 3 + Math.ceil(LOG_BULK / 3);

const EXPECTED_TOOLS = [
  'list_projects',
  'get_status',
  'list_recent_issues',
  'search_issues',
  'get_issue',
  'get_issue_events',
  'get_event',
  'resolve_issue',
  'ignore_issue',
  'reopen_issue',
  'get_transaction_stats',
  'get_endpoint_summary',
  'get_endpoint_timeseries',
  'find_n_plus_one_endpoints',
  'search_slow_transactions',
  'get_transactions_by_endpoint',
  'get_transaction',
  'get_transaction_spans',
  'compare_endpoint_performance',
  'search_logs',
  'get_log',
  'get_trace_logs',
  'get_trace',
  'compare_releases',
];
const STATUS_TOOLS = ['resolve_issue', 'ignore_issue', 'reopen_issue'];

type Health = { queue_depth: number; event_count: number; transaction_count: number };
type LogRow = {
  log_id: string;
  timestamp: string;
  level: string;
  body: string;
  service: string | null;
  environment: string | null;
  trace_id: string | null;
  span_id: string | null;
};

async function waitForData(snag: RunningSnag, events: number, transactions: number) {
  await waitFor(
    async () => {
      const h = await getJson<Health>(`${snag.url}/_health`);
      return h.queue_depth === 0 && h.event_count >= events && h.transaction_count >= transactions;
    },
    30_000,
    `${events} events and ${transactions} transactions digested`,
  );
}

/** Every log of the default project, once `expected` are stored (through the JSON API). */
async function waitForLogs(snag: RunningSnag, expected: number) {
  await waitFor(
    async () =>
      (await getJson<{ logs: unknown[] }>(`${snag.url}/api/v1/projects/default/logs?limit=500`)).logs
        .length >= expected,
    20_000,
    `${expected} logs stored`,
  );
}

async function issueOfEvent(snag: RunningSnag, eventId: string): Promise<number> {
  return (await getJson<{ issue_id: number }>(`${snag.url}/api/v1/projects/default/events/${eventId}`))
    .issue_id;
}

describe('MCP over HTTP', () => {
  let snag: RunningSnag;
  let agentToken: string;
  let client: Client;
  let tools: Map<string, Tool>;
  let apm: ApmIds;
  let node: Record<string, string>;
  let python: Record<string, string>;
  let newInR2: Record<string, string>;
  let regressedIssue: number;
  let sentryLogs: LogSenderResult;
  let otelLogs: LogSenderResult;

  const call = (name: string, args: Record<string, unknown> = {}) =>
    client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
  const ok = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}) =>
    structuredOf<T>(tools.get(name)!, await call(name, args));

  beforeAll(async () => {
    snag = await startSnag({ env: { SNAG_MCP_TOKEN: ENV_TOKEN } });
    apm = await runNodeApm(snag.dsn, 'stream', 'requests', { release: R1, environment: 'production' });
    node = await runNodeSdk(snag.dsn, ['user-not-found', 'chained', 'context'], {
      release: R1,
      environment: 'production',
    });
    python = await runPythonSdk(snag.dsn, 'errors', { release: R1 });
    // No release: the release comparisons below count the APM app's transactions only.
    sentryLogs = await runNodeLogs(snag.dsn, LOG_BULK, { environment: 'staging' });
    otelLogs = await runOtelLogs(snag.url, snag.publicKey, { encoding: 'protobuf', count: LOG_BULK });
    // 4 node + 5 python + the checkout error; users, orders, checkout, inventory, slow, and the
    // log sender's `checkout` span.
    await waitForData(snag, 10, 6);
    await waitForLogs(snag, sentryLogs.sent + otelLogs.sent);

    agentToken = await mintToken(snag, 'agent');
    client = await connectClient(httpTransport(snag, agentToken));
    tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));

    // Release 2: the same app, a new issue, and a regression of an issue resolved through MCP.
    regressedIssue = await issueOfEvent(snag, node['user-0']!);
    expect((await ok('resolve_issue', { issue_id: regressedIssue, reason: 'fixed in #12' }))['changed']).toBe(
      true,
    );
    await runNodeApm(snag.dsn, 'static', 'requests', { release: R2, environment: 'production' });
    newInR2 = await runNodeSdk(snag.dsn, ['other-path', 'user-not-found'], {
      release: R2,
      environment: 'production',
      env: { SNAG_USER_IDS: '777' },
    });
    await waitForData(snag, 13, 11);
  }, 180_000);

  afterAll(async () => {
    await client?.close();
    await stopAndRemove(snag);
  });

  describe('auth', () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '0' } },
    };
    const post = (headers: Record<string, string>) =>
      fetch(`${snag.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(initialize),
      });

    it('answers 401 with a JSON-RPC error and a Bearer challenge without a token', async () => {
      const res = await post({});
      expect(res.status).toBe(401);
      // RFC 9728 §5.1: the challenge names the resource metadata, where OAuth clients start.
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="snag", scope="read write", resource_metadata="${snag.url}/.well-known/oauth-protected-resource/mcp"`,
      );
      const body = (await res.json()) as {
        jsonrpc: string;
        id: null;
        error: { code: number; message: string };
      };
      expect(body.jsonrpc).toBe('2.0');
      expect(body.id).toBeNull();
      expect(body.error.code).toBe(-32001);
      expect(body.error.message).toContain('snag token create');
      await expect(connectClient(httpTransport(snag))).rejects.toThrow(
        /needs an `Authorization: Bearer <token>` header/,
      );
    });

    it('answers 401 with error="invalid_token" for a wrong token and for a revoked one', async () => {
      const wrong = await post({ authorization: 'Bearer snag_not-a-real-token' });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer realm="snag", error="invalid_token"/);
      expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain(
        'snag token list',
      );

      const doomed = await mintToken(snag, 'doomed');
      expect((await post({ authorization: `Bearer ${doomed}` })).status).toBe(200);
      await snagCli(snag.dataDir, ['token', 'revoke', 'doomed']);
      const revoked = await post({ authorization: `Bearer ${doomed}` });
      expect(revoked.status).toBe(401);
      expect(revoked.headers.get('www-authenticate')).toContain('invalid_token');
      await expect(connectClient(httpTransport(snag, doomed))).rejects.toThrow(
        /This bearer token is not valid/,
      );
    });

    it('accepts SNAG_MCP_TOKEN and minted tokens, records last use, and refuses GET without a session', async () => {
      const viaEnv = await connectClient(httpTransport(snag, ENV_TOKEN));
      expect((await viaEnv.listTools()).tools).toHaveLength(EXPECTED_TOOLS.length);
      await viaEnv.close();
      const listed = JSON.parse(await snagCli(snag.dataDir, ['token', 'list', '--json'])) as {
        name: string;
        last_used_at: string | null;
        revoked_at: string | null;
      }[];
      expect(listed.find((t) => t.name === 'agent')?.last_used_at).not.toBeNull();
      expect(listed.find((t) => t.name === 'doomed')?.revoked_at).not.toBeNull();
      const get = await fetch(`${snag.url}/mcp`, { headers: { authorization: `Bearer ${ENV_TOKEN}` } });
      expect(get.status).toBe(405);
    });

    it('answers a batch of up to 10 messages and refuses a bigger one before running any', async () => {
      const batch = (n: number) =>
        fetch(`${snag.url}/mcp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            authorization: `Bearer ${ENV_TOKEN}`,
            'mcp-protocol-version': '2025-03-26',
          },
          body: JSON.stringify(
            Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'ping' })),
          ),
        });
      const ten = await batch(10);
      expect(ten.status).toBe(200);
      expect(((await ten.json()) as unknown[]).length).toBe(10);
      const eleven = await batch(11);
      expect(eleven.status).toBe(400);
      const body = (await eleven.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(-32600);
      expect(body.error.message).toContain('at most 10 messages');
    });

    it('the Settings API shows the setup and whether the env token is set, never a token', async () => {
      const res = await fetch(`${snag.url}/api/v1/settings/mcp`);
      const raw = await res.text();
      const settings = JSON.parse(raw) as McpSettings;
      expect(settings.url).toBe(`${snag.url}/mcp`);
      expect(settings.env_token_configured).toBe(true);
      expect(settings.tokens.map((t) => t.name)).toContain('agent');
      expect(settings.setups.map((s) => s.client)).toEqual(
        expect.arrayContaining(['Claude Code', 'Cursor', 'VS Code']),
      );
      expect(settings.setups[0]!.text).toContain(`claude mcp add --transport http snag ${snag.url}/mcp`);
      expect(raw).not.toContain(ENV_TOKEN);
      expect(raw).not.toContain(agentToken);
    });
  });

  it('lists every tool with input and output schemas and the right annotations', () => {
    expect([...tools.keys()].sort()).toEqual([...EXPECTED_TOOLS].sort());
    for (const t of tools.values()) {
      expect(t.outputSchema, t.name).toBeDefined();
      expect(t.description?.length, t.name).toBeGreaterThan(40);
      if (STATUS_TOOLS.includes(t.name)) {
        expect(t.annotations).toMatchObject({
          readOnlyHint: false,
          idempotentHint: true,
          destructiveHint: false,
        });
      } else {
        expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      }
    }
  });

  it('calls every tool with good arguments: answers match their outputSchema', async () => {
    const orders = apm.segment_ids['/orders']!;
    const checkoutTrace = apm.trace_ids['/checkout']!;
    const keyError = await issueOfEvent(snag, python['keyerror']!);
    const retry = (await ok<{ logs: LogRow[] }>('search_logs', { query: '"Payment retry"' })).logs[0]!;
    const good: Record<string, Record<string, unknown>> = {
      list_projects: {},
      get_status: {},
      list_recent_issues: { limit: 50 },
      search_issues: { query: 'Payment provider' },
      get_issue: { issue_id: regressedIssue },
      get_issue_events: { issue_id: regressedIssue },
      get_event: { event_id: node['context']! },
      resolve_issue: { issue_id: keyError },
      ignore_issue: { issue_id: keyError },
      reopen_issue: { issue_id: keyError },
      get_transaction_stats: {},
      get_endpoint_summary: { endpoint: 'GET /orders' },
      get_endpoint_timeseries: { endpoint: 'GET /orders', hours: 6, buckets: 12 },
      find_n_plus_one_endpoints: {},
      search_slow_transactions: { min_duration_ms: 0 },
      get_transactions_by_endpoint: { endpoint: 'GET /checkout' },
      get_transaction: { transaction_id: orders },
      get_transaction_spans: { transaction_id: orders, op_filter: 'db' },
      compare_endpoint_performance: { before_release: R1, after_release: R2 },
      search_logs: { query: 'status:422' },
      get_log: { log_id: retry.log_id },
      get_trace_logs: { trace_id: sentryLogs.trace_id },
      get_trace: { trace_id: checkoutTrace },
      compare_releases: { before_release: R1, after_release: R2 },
    };
    expect(Object.keys(good).sort()).toEqual([...EXPECTED_TOOLS].sort());
    for (const [name, args] of Object.entries(good)) {
      const data = await ok(name, args);
      expect(data['notes'], name).toBeInstanceOf(Array);
      expect(data['partial'], name).toBe(false);
    }
  });

  it('answers every tool’s bad arguments with isError and a message that says what to do', async () => {
    const bad: Record<string, [Record<string, unknown>, RegExp]> = {
      list_projects: [{ verbose: true }, /Unrecognized key.*verbose/],
      get_status: [{ project: 'default' }, /Unrecognized key/],
      list_recent_issues: [{ status: 'closed' }, /status must be one of open, resolved, ignored, all/],
      search_issues: [{}, /Give query .* or exception_type.*list_recent_issues/],
      get_issue: [{ issue_id: 999_999 }, /No issue 999999.*list_recent_issues or search_issues/],
      get_issue_events: [{}, /issue_id is required: the numeric id from list_recent_issues/],
      get_event: [
        { event_id: '0'.repeat(32) },
        /No event 0{32} in any project: event ids are the 32-hex ids/,
      ],
      resolve_issue: [{ issue_id: 'abc' }, /issue_id must be a number/],
      ignore_issue: [{ issue_id: -4 }, /issue_id must be a positive number/],
      reopen_issue: [{ issue_id: 424_242 }, /No issue 424242/],
      get_transaction_stats: [{ project: 'nope' }, /No project "nope"\. Projects: default/],
      get_endpoint_summary: [
        {},
        /endpoint is required: a transaction name as get_transaction_stats lists it/,
      ],
      get_endpoint_timeseries: [{ endpoint: 'GET /orders', buckets: 1000 }, /buckets is at most 168/],
      find_n_plus_one_endpoints: [{ start_time: 'yesterday' }, /start_time must be an ISO 8601 time/],
      search_slow_transactions: [{ tags: { 'bad key!': 'x' } }, /tags: keys are letters, digits/],
      get_transactions_by_endpoint: [
        { endpoint: 'GET /checkout', end_time: '2020-01-01T00:00:00Z' },
        /before the oldest performance data kept .* ask about a later window/,
      ],
      get_transaction: [{}, /Give transaction_id \(16 hex digits.*\) or trace_id/],
      get_transaction_spans: [{ transaction_id: 'xyz' }, /transaction_id must be 16 hex digits/],
      compare_endpoint_performance: [{ before_release: R1 }, /Give both before_release and after_release/],
      search_logs: [{ query: 'level:verbose' }, /Unknown level "verbose": use level:trace, debug, info/],
      get_log: [
        { log_id: '99999999' },
        /No log 99999999 in any project: log ids are the numbers search_logs/,
      ],
      get_trace_logs: [{ trace_id: 'xyz' }, /trace_id must be 32 hex digits/],
      get_trace: [{ trace_id: 'f'.repeat(32) }, /Nothing stored for trace f{32}/],
      compare_releases: [
        { before_release: R1, after_release: 'nope@9' },
        /No release "nope@9" has sent events to this project; recent releases: .*shop@1\.1\.0/,
      ],
    };
    expect(Object.keys(bad).sort()).toEqual([...EXPECTED_TOOLS].sort());
    for (const [name, [args, message]] of Object.entries(bad)) {
      const result = await call(name, args);
      expect(result.isError, `${name} ${JSON.stringify(args)} → ${textOf(result)}`).toBe(true);
      expect(textOf(result), name).toMatch(message);
    }
    // Limits have maxima.
    expect(textOf(await call('list_recent_issues', { limit: 500 }))).toMatch(/limit is at most 100/);
  });

  it('get_issue shows the latest event’s stack, in-app frames first, fenced as untrusted data', async () => {
    const issue = await ok<{
      issue: { status: string; count: number; first_release: string | null };
      status_changes: { to: string; actor: string; reason: string }[];
      latest_event: {
        release: string;
        exceptions: { type: string; frames: { in_app: boolean; function: string | null; index: number }[] }[];
      };
    }>('get_issue', { issue_id: regressedIssue });
    expect(issue.issue.status).toBe('open');
    expect(issue.issue.first_release).toBe(R1);
    expect(issue.status_changes.map((c) => [c.to, c.actor])).toEqual([
      ['resolved', 'mcp:agent'],
      ['open', 'system'],
    ]);
    expect(issue.status_changes[0]!.reason).toBe('fixed in #12');
    const frames = issue.latest_event.exceptions[0]!.frames;
    const firstLibrary = frames.findIndex((f) => !f.in_app);
    expect(frames[0]!.in_app).toBe(true);
    expect(frames[0]!.function).toBe('findUser');
    if (firstLibrary >= 0) expect(frames.slice(firstLibrary).every((f) => !f.in_app)).toBe(true);
    const text = textOf(await call('get_issue', { issue_id: regressedIssue }));
    expect(text.startsWith('_Quoted values')).toBe(true);
    expect(text).toMatch(/In-app frames, innermost first \(\d+\):\n```text\n#0 at findUser/);
  });

  it('get_event returns the request-side parts: breadcrumbs, user, tags, contexts', async () => {
    const e = await ok<{
      exceptions: unknown[];
      user: Record<string, unknown>;
      tags: { key: string; value: string }[];
      breadcrumbs: { message?: string }[];
      contexts: Record<string, unknown>;
    }>('get_event', { event_id: node['context']! });
    expect(e.user['id']).toBe('user-42');
    expect(e.tags).toContainEqual({ key: 'feature', value: 'checkout' });
    expect(e.breadcrumbs.map((b) => b.message)).toEqual(
      expect.arrayContaining(['User logged in', 'Added 3 items']),
    );
    expect(e.contexts).toHaveProperty('order');
  });

  it('status changes are idempotent and audited with the token’s name', async () => {
    const id = await issueOfEvent(snag, python['chained']!);
    expect((await ok('ignore_issue', { issue_id: id }))['changed']).toBe(true);
    const again = await call('ignore_issue', { issue_id: id });
    expect(structuredOf(tools.get('ignore_issue')!, again)['changed']).toBe(false);
    expect(textOf(again)).toContain('was already ignored: nothing changed');
    expect((await ok('reopen_issue', { issue_id: id }))['status']).toBe('open');
  });

  it('performance tools find the N+1, the slow request and the endpoint series', async () => {
    const n1 = await ok<{ endpoints: { name: string; pattern: { sql: string; count: number } | null }[] }>(
      'find_n_plus_one_endpoints',
    );
    expect(n1.endpoints[0]!.name).toBe('GET /orders');
    // The costliest flagged pattern of the latest request: which of the two wins depends on timing.
    expect([
      ['SELECT * FROM users WHERE id = ?', 8],
      ['SELECT * FROM settings WHERE key = ?', 5],
    ]).toContainEqual([n1.endpoints[0]!.pattern!.sql, n1.endpoints[0]!.pattern!.count]);

    const slow = await ok<{ transactions: { name: string; duration_ms: number }[] }>(
      'search_slow_transactions',
      {
        min_duration_ms: 0,
      },
    );
    const durations = slow.transactions.map((t) => t.duration_ms);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    expect(slow.transactions[0]!.name).toBe('GET /slow');

    const series = await ok<{ bucket_minutes: number; series: { count: number }[] }>(
      'get_endpoint_timeseries',
      {
        endpoint: 'GET /orders',
        hours: 6,
        buckets: 12,
      },
    );
    expect(series.bucket_minutes).toBe(30);
    expect(series.series.length).toBeGreaterThanOrEqual(12);
    expect(series.series.reduce((sum, p) => sum + p.count, 0)).toBe(2);

    const spans = await ok<{ repeated: { description: string; count: number }[] }>('get_transaction_spans', {
      transaction_id: apm.segment_ids['/orders']!,
      op_filter: 'db',
    });
    expect(spans.repeated[0]).toMatchObject({ count: 8 });
    expect(spans.repeated[0]!.description).toContain('FROM users WHERE id = ?');

    const stats = await ok<{ stats: { count: number }; endpoints: { name: string }[] }>(
      'get_transaction_stats',
      {
        hours: 5000,
      },
    );
    // The APM app's 10 and the log sender's `checkout` span.
    expect(stats.stats.count).toBe(11);
    expect(stats.endpoints.map((e) => e.name)).toContain('GET /checkout');
    expect((await ok<{ notes: string[] }>('get_transaction_stats', { hours: 5000 })).notes[0]).toMatch(
      /^Window clamped: it now starts at .* \(performance data older than 90 days is not kept\)\.$/,
    );
  });

  it('get_trace joins a request’s transactions and its error on one timeline', async () => {
    const trace = await ok<{
      transactions: { name: string; span_count: number | null }[];
      errors: { event_id: string; title: string }[];
      timeline: { kind: string; at: string }[];
    }>('get_trace', { trace_id: apm.trace_ids['/checkout']! });
    expect(trace.transactions.map((t) => t.name).sort()).toEqual(['GET /checkout', 'GET /inventory']);
    expect(trace.transactions.every((t) => (t.span_count ?? 0) > 0)).toBe(true);
    expect(trace.errors.map((e) => e.event_id)).toEqual([apm.event_ids['checkout']]);
    expect(trace.timeline.map((e) => e.kind).sort()).toEqual(['error', 'transaction', 'transaction']);
    const times = trace.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    // The same trace through get_transaction, by trace id.
    const tx = await ok<{ trace_errors: { event_id: string }[] }>('get_transaction', {
      trace_id: apm.trace_ids['/checkout']!,
    });
    expect(tx.trace_errors.map((e) => e.event_id)).toEqual([apm.event_ids['checkout']]);
  });

  it('search_logs finds real logs with the UI’s syntax, filters and pages', async () => {
    const search = (args: Record<string, unknown>) =>
      ok<{ logs: LogRow[]; next_cursor: string | null; window: { from: string; to: string } }>(
        'search_logs',
        args,
      );
    // Both senders log the same line: the attribute-scoped term finds it, the words alone do not.
    const scoped = await search({ query: 'status:422' });
    expect(scoped.logs.map((l) => l.body)).toEqual(['Payment retry 2 of 3', 'Payment retry 2 of 3']);
    const otel = await search({ query: 'status:422', service: 'checkout' });
    expect(otel.logs).toHaveLength(1);
    expect(otel.logs[0]).toMatchObject({
      level: 'warn',
      environment: 'fixture',
      trace_id: otelLogs.trace_id,
    });
    const sentry = await search({ query: 'status:422', environment: 'staging' });
    expect(sentry.logs).toHaveLength(1);
    expect(sentry.logs[0]).toMatchObject({ trace_id: sentryLogs.trace_id, span_id: sentryLogs.span_id });

    const severe = await search({ level: ['error', 'fatal'], limit: 200 });
    expect(severe.logs.length).toBeGreaterThan(2);
    expect(severe.logs.every((l) => l.level === 'error' || l.level === 'fatal')).toBe(true);
    expect((await search({ query: '"card declined"', level: 'error' })).logs).toHaveLength(2);

    // Newest first, and the cursor pages on to older logs without repeating one.
    const first = await search({ limit: 5 });
    const times = first.logs.map((l) => l.timestamp);
    expect(times).toEqual([...times].sort().reverse());
    expect(first.next_cursor).not.toBeNull();
    const second = await search({ limit: 5, cursor: first.next_cursor });
    expect(second.logs).toHaveLength(5);
    expect(second.logs.every((l) => l.timestamp <= times.at(-1)!)).toBe(true);
    expect(second.logs.map((l) => l.log_id)).not.toContain(first.logs[0]!.log_id);
    const all = await search({ limit: 200 });
    expect(all.logs).toHaveLength(sentryLogs.sent + otelLogs.sent);

    const text = textOf(await call('search_logs', { query: 'status:422' }));
    expect(text.startsWith('_Quoted values')).toBe(true);
    expect(text).toMatch(/```text\n.* WARN {2}#\d+ .*Payment retry 2 of 3/);
    expect(textOf(await call('search_logs', { level: 'warning' }))).toMatch(
      /level must be one of trace, debug, info, warn, error, fatal/,
    );
    expect(textOf(await call('search_logs', { query: 'status:' }))).toMatch(/"status:" needs a value/);
    expect(textOf(await call('search_logs', { limit: 500 }))).toMatch(/limit is at most 200/);
    expect((await ok<{ notes: string[] }>('search_logs', { hours: 24 * 400 })).notes[0]).toMatch(
      /^Window clamped: .* \(log data older than 14 days is not kept\)\.$/,
    );
  });

  it('get_log returns the full record and its links to the trace’s transaction', async () => {
    const [charge] = (
      await ok<{ logs: LogRow[] }>('search_logs', { query: 'declined', environment: 'staging' })
    ).logs;
    const log = await ok<{
      body: string;
      source: string;
      attributes: Record<string, unknown>;
      scope: { name: string } | null;
      trace_id: string;
      links: {
        transaction: { id: string; name: string; trace_id: string } | null;
        errors: unknown[];
        trace_log_count: number;
      };
    }>('get_log', { log_id: charge!.log_id });
    expect(log.source).toBe('sentry');
    expect(log.body).toMatch(/^Charge failed for request .*: card declined$/);
    expect(log.attributes['error.type']).toBe('CardDeclined');
    expect(log.scope?.name).toBe('sentry.javascript.node');
    expect(log.links.transaction).toMatchObject({ name: 'checkout', trace_id: sentryLogs.trace_id });
    expect(log.links.errors).toEqual([]);
    // @sentry/node gives lines outside a span its scope's trace id too, the same as the span's.
    expect(log.links.trace_log_count).toBe(sentryLogs.sent);
    // The transaction it links to is the one get_transaction reads.
    const tx = await ok<{ transaction: { name: string; trace_id: string } }>('get_transaction', {
      transaction_id: log.links.transaction!.id,
    });
    expect(tx.transaction).toMatchObject({ name: 'checkout', trace_id: sentryLogs.trace_id });
    const text = textOf(await call('get_log', { log_id: Number(charge!.log_id) }));
    expect(text).toMatch(/Body:\n```text\nCharge failed/);
    expect(text).toContain(
      `Trace ${sentryLogs.trace_id}, span ${sentryLogs.span_id}: ${sentryLogs.sent} log(s)`,
    );
    // OTLP records keep their resource.
    const otel = await ok<{ resource: Record<string, unknown> }>('get_log', {
      log_id: (await ok<{ logs: LogRow[] }>('search_logs', { query: 'status:422', service: 'checkout' }))
        .logs[0]!.log_id,
    });
    expect(otel.resource['service.name']).toBe('checkout');
  });

  it('get_trace_logs and get_trace put a request’s logs beside its transaction', async () => {
    const logs = await ok<{ total: number; logs: LogRow[] }>('get_trace_logs', {
      trace_id: sentryLogs.trace_id,
    });
    expect(logs.total).toBe(sentryLogs.sent);
    expect(logs.logs).toHaveLength(sentryLogs.sent);
    expect(logs.logs.filter((l) => l.span_id === sentryLogs.span_id)).toHaveLength(IN_SPAN);
    expect(logs.logs.every((l) => l.trace_id === sentryLogs.trace_id)).toBe(true);
    const times = logs.logs.map((l) => l.timestamp);
    expect(times).toEqual([...times].sort());
    expect(logs.logs.map((l) => l.body)).toEqual(
      expect.arrayContaining(['Order o-9 created', 'Payment retry 2 of 3']),
    );
    const cut = await ok<{ total: number; logs: LogRow[]; notes: string[] }>('get_trace_logs', {
      trace_id: sentryLogs.trace_id.toUpperCase(),
      limit: 2,
    });
    expect(cut.logs.map((l) => l.log_id)).toEqual(logs.logs.slice(0, 2).map((l) => l.log_id));
    expect(cut.notes[0]).toMatch(
      new RegExp(`^The trace has ${sentryLogs.sent} logs; the first 2 are listed`),
    );
    const none = await ok<{ total: number; logs: LogRow[] }>('get_trace_logs', { trace_id: 'e'.repeat(32) });
    expect(none).toMatchObject({ total: 0, logs: [] });

    const trace = await ok<{
      transactions: { name: string }[];
      logs: { log_id: string; body: string }[];
      timeline: { kind: string; id: string; at: string; label: string }[];
    }>('get_trace', { trace_id: sentryLogs.trace_id });
    expect(trace.transactions.map((t) => t.name)).toEqual(['checkout']);
    expect(trace.logs.map((l) => l.log_id)).toEqual(logs.logs.map((l) => l.log_id));
    expect(trace.timeline.filter((e) => e.kind === 'log')).toHaveLength(sentryLogs.sent);
    expect(
      trace.timeline.find((e) => e.kind === 'log' && e.label.startsWith('warn: Payment retry')),
    ).toBeDefined();
    expect(trace.timeline.map((e) => Date.parse(e.at))).toEqual(
      trace.timeline.map((e) => Date.parse(e.at)).sort((a, b) => a - b),
    );
    expect(textOf(await call('get_trace', { trace_id: sentryLogs.trace_id }))).toMatch(
      new RegExp(`1 transaction\\(s\\), 0 error\\(s\\), ${sentryLogs.sent} log\\(s\\)`),
    );
    // Logs alone are enough for a trace: the OpenTelemetry sender stored no transaction.
    const otel = await ok<{ transactions: unknown[]; logs: unknown[] }>('get_trace', {
      trace_id: otelLogs.trace_id,
    });
    expect(otel.transactions).toEqual([]);
    expect(otel.logs.length).toBeGreaterThanOrEqual(3);
  });

  it('compare_releases lists what the later release introduced and what regressed in it', async () => {
    const c = await ok<{
      before: { new_issue_count: number; error_events: number; transactions: number };
      after: {
        new_issues: { title: string }[];
        regressions: { issue_id: number; event_id: string }[];
        transactions: number;
      };
    }>('compare_releases', { before_release: R1, after_release: R2 });
    expect(c.before.error_events).toBe(10);
    expect(c.before.transactions).toBe(5);
    expect(c.after.transactions).toBe(5);
    expect(c.after.new_issues.map((i) => i.title)).toEqual(['Error: User 789 not found']);
    expect(c.after.regressions).toEqual([
      expect.objectContaining({ issue_id: regressedIssue, event_id: newInR2['user-0'] }),
    ]);
  });

  it('serves concurrent calls from several clients', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connectClient(httpTransport(snag, agentToken))));
    const names = ['get_status', 'list_recent_issues', 'get_transaction_stats', 'find_n_plus_one_endpoints'];
    const results = await Promise.all(
      clients.flatMap((c) =>
        names.map((name) => c.callTool({ name, arguments: {} }) as Promise<CallToolResult>),
      ),
    );
    for (const [i, r] of results.entries()) structuredOf(tools.get(names[i % names.length]!)!, r);
    await Promise.all(clients.map((c) => c.close()));
  });
});
