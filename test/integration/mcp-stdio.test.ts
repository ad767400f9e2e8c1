/**
 * `snag mcp` over stdio with the SDK's StdioClientTransport, the way Claude Desktop starts it: once
 * over the local data dir (next to a running server, as the CLI works), once as a proxy to the
 * server's /mcp with a minted token. Seeded by real @sentry/node events and logs.
 */
import path from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { connectClient, mintToken, structuredOf, textOf } from '../helpers/mcp.js';
import { runNodeLogs, runNodeSdk, type LogSenderResult } from '../helpers/sdk-senders.js';
import { getJson, REPO_ROOT, startSnag, waitFor, waitForDigest, type RunningSnag } from '../helpers/snag.js';

function stdioTransport(args: string[], env: Record<string, string>) {
  return new StdioClientTransport({
    command: process.execPath,
    args: [path.join(REPO_ROOT, 'bin/snag.js'), 'mcp', ...args],
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', SNAG_LOG_LEVEL: 'warn', ...env },
    stderr: 'pipe',
  });
}

describe('snag mcp (stdio)', () => {
  let snag: RunningSnag;
  let ids: Record<string, string>;
  let token: string;
  let logs: LogSenderResult;

  beforeAll(async () => {
    snag = await startSnag();
    ids = await runNodeSdk(snag.dsn, ['user-not-found', 'context'], { release: 'cli@1.0.0' });
    await waitForDigest(snag, 3);
    logs = await runNodeLogs(snag.dsn, 0);
    await waitFor(
      async () =>
        (await getJson<{ logs: unknown[] }>(`${snag.url}/api/v1/projects/default/logs`)).logs.length ===
        logs.sent,
      20_000,
      'the logs stored',
    );
    token = await mintToken(snag, 'desktop');
  }, 60_000);

  afterAll(() => stopAndRemove(snag));

  it('serves the tools over the local data dir, with status changes audited as mcp:stdio', async () => {
    const client = await connectClient(stdioTransport([], { SNAG_DATA_DIR: snag.dataDir }));
    try {
      const tools = new Map((await client.listTools()).tools.map((t: Tool) => [t.name, t]));
      expect(tools.size).toBeGreaterThanOrEqual(24);
      const call = async (name: string, args: Record<string, unknown>) =>
        structuredOf<Record<string, unknown>>(
          tools.get(name)!,
          (await client.callTool({ name, arguments: args })) as CallToolResult,
        );
      const listed = (await call('search_issues', { query: 'not found' })) as {
        issues: { id: number; count: number }[];
      };
      expect(listed.issues).toHaveLength(1);
      expect(listed.issues[0]!.count).toBe(2);
      const event = (await call('get_event', { event_id: ids['context']! })) as { user: { id: string } };
      expect(event.user.id).toBe('user-42');
      const id = listed.issues[0]!.id;
      expect((await call('resolve_issue', { issue_id: id }))['changed']).toBe(true);
      const issue = (await call('get_issue', { issue_id: id })) as { status_changes: { actor: string }[] };
      expect(issue.status_changes.at(-1)!.actor).toBe('mcp:stdio');
      // The server running on the same files sees the change.
      const api = (await (await fetch(`${snag.url}/api/v1/issues/${id}`)).json()) as { status: string };
      expect(api.status).toBe('resolved');
      // The logs service over the same files: a search and a trace's logs.
      const found = (await call('search_logs', { query: 'status:422' })) as { logs: { body: string }[] };
      expect(found.logs.map((l) => l.body)).toEqual(['Payment retry 2 of 3']);
      const trace = (await call('get_trace_logs', { trace_id: logs.trace_id })) as { total: number };
      // @sentry/node gives every line its scope's trace id, in the span or not.
      expect(trace.total).toBe(logs.sent);
      const status = await call('get_status', {});
      expect((status['counts'] as Record<string, number>)['events']).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('proxies to a remote Snag with --url and --token (or SNAG_MCP_TOKEN)', async () => {
    for (const [args, env] of [
      [['--url', snag.url, '--token', token], {}],
      [['--url', `${snag.url}/mcp`], { SNAG_MCP_TOKEN: token }],
    ] as const) {
      const client = await connectClient(stdioTransport([...args], { ...env }));
      try {
        const tools = (await client.listTools()).tools;
        expect(tools.map((t) => t.name)).toContain('get_trace');
        const projects = (await client.callTool({ name: 'list_projects', arguments: {} })) as CallToolResult;
        const data = structuredOf<{ projects: { slug: string }[] }>(
          tools.find((t) => t.name === 'list_projects')!,
          projects,
        );
        expect(data.projects.map((p) => p.slug)).toEqual(['default']);
        const bad = (await client.callTool({
          name: 'get_issue',
          arguments: { issue_id: 31337 },
        })) as CallToolResult;
        expect(bad.isError).toBe(true);
        expect(textOf(bad)).toContain('No issue 31337');
      } finally {
        await client.close();
      }
    }
  });

  it('a proxy with a bad token answers the client with the server’s 401 message', async () => {
    const transport = stdioTransport(['--url', snag.url, '--token', 'snag_wrong'], {});
    await expect(connectClient(transport)).rejects.toThrow(/This bearer token is not valid for this Snag/);
    await transport.close();
  });
});
