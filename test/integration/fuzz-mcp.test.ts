/**
 * Fuzz: POST /mcp (JSON-RPC over MCP Streamable HTTP) against a Snag holding real SDK data, with
 * every tool's arguments drawn from the inputSchema it lists and then mutated, broken JSON-RPC
 * framing, batches, deep and giant params, bad Accept/Content-Type and bad bearer tokens. Never a
 * 5xx, never a crash, memory bounded; every answer is JSON (a JSON-RPC error or result, or a 4xx
 * body); no tool fails with an internal error; a refused credential changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { runFuzz, startFuzzTarget, type FuzzTarget } from '../helpers/fuzz/harness.js';
import {
  fuzzMcpRequest,
  type ListedTool,
  type McpCase,
  type McpFuzzContext,
} from '../helpers/fuzz/mcp-requests.js';
import { createRng, fuzzSettings } from '../helpers/fuzz/prng.js';
import { seedRealData } from '../helpers/fuzz/seed-data.js';
import { postRaw, type RawResponse } from '../helpers/ingest.js';
import { mintToken, snagCli } from '../helpers/mcp.js';
import { getJson } from '../helpers/snag.js';

const settings = fuzzSettings(250);
const ENV_TOKEN = randomBytes(32).toString('hex');
let target: FuzzTarget | undefined;
let ctx: McpFuzzContext;

/** Statuses /mcp may answer besides the common ones: 202 (notifications only), 405 (GET, DELETE), 406 (Accept). */
const MCP_STATUSES = [202, 405, 406];

type IssueRow = { id: number; status: string };

beforeAll(async () => {
  target = await startFuzzTarget({ SNAG_MCP_TOKEN: ENV_TOKEN }, { extraStatuses: MCP_STATUSES });
  const snag = target.snag;
  const ids = await seedRealData(snag);
  const minted = await mintToken(snag, 'fuzz-agent');
  const revoked = await mintToken(snag, 'fuzz-revoked');
  await snagCli(snag.dataDir, ['token', 'revoke', 'fuzz-revoked']);
  const cli = async (args: string[]) =>
    (JSON.parse(await snagCli(snag.dataDir, ['token', 'create', ...args, '--json'])) as { token: string })
      .token;
  const scoped = await cli(['--name', 'fuzz-scoped', '--project', 'default']);
  const readOnly = await cli(['--name', 'fuzz-read', '--scope', 'read']);
  const listed = await postRaw(
    snag.url,
    '/mcp',
    Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })),
    {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${ENV_TOKEN}`,
    },
  );
  expect(listed.status, listed.text).toBe(200);
  const tools = (listed.json as { result: { tools: ListedTool[] } }).result.tools;
  expect(tools.length).toBeGreaterThanOrEqual(22);
  ctx = {
    tools,
    goodTokens: [ENV_TOKEN, minted],
    badTokens: [revoked, scoped, `snag_${randomBytes(20).toString('hex')}`],
    readOnlyToken: readOnly,
    known: {
      strings: ids.issue,
      numbers: ids.issue.filter((s) => /^\d{1,9}$/.test(s)).map(Number),
    },
  };
});

afterAll(async () => {
  await target?.stop();
  await stopAndRemove(target?.snag);
});

const issueStatuses = async (t: FuzzTarget) =>
  (
    await getJson<{ issues: IssueRow[] }>(`${t.snag.url}/api/v1/projects/default/issues?status=all&limit=100`)
  ).issues.map(({ id, status }) => ({ id, status }));

/** What every /mcp answer must be: JSON, and a JSON-RPC response or list of them when it is a 200. */
function checkAnswer(res: RawResponse, kind: McpCase, where: string): void {
  if (res.status === 202) return; // notifications only: no body (Streamable HTTP spec)
  expect(res.json, `${where}: a ${res.status} that is not JSON: ${res.text.slice(0, 300)}`).toBeDefined();
  if (res.status !== 200) return;
  const messages: unknown[] = Array.isArray(res.json) ? res.json : [res.json];
  for (const m of messages) {
    const msg = m as {
      result?: { isError?: boolean; content?: { text?: string }[] };
      error?: { code: number; message: string };
    };
    expect(
      msg.result !== undefined || msg.error !== undefined,
      `${where}: not a JSON-RPC response: ${JSON.stringify(m).slice(0, 300)}`,
    ).toBe(true);
    // -32603 is the SDK's answer when a handler throws: a bug, not a refusal of bad input.
    expect(msg.error?.code, `${where} (${kind}): internal error ${JSON.stringify(msg.error)}`).not.toBe(
      -32603,
    );
    const text = msg.result?.content?.map((c) => c.text ?? '').join('\n') ?? '';
    expect(text, `${where} (${kind}): a tool failed inside`).not.toMatch(
      /failed with an internal error|does not match its declared outputSchema/,
    );
  }
}

test(
  `MCP: ${settings.iterations} hostile JSON-RPC requests, seed ${settings.seed}`,
  { timeout: 60_000 + settings.iterations * 300 },
  async () => {
    const t = target!;
    const tally = new Map<string, number>();
    await runFuzz('mcp', settings, async (i, where) => {
      const rng = createRng(settings.seed).fork(`mcp:${i}`);
      const { kind, request } = fuzzMcpRequest(rng, ctx);
      const before = kind === 'auth' ? await issueStatuses(t) : undefined;
      const res = await t.send(request, where);
      const key = `${kind} ${res?.status ?? 'closed'}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (!res) return;
      checkAnswer(res, kind, where);
      if (before) {
        // 400: a read-only token is valid, so a body that does not parse is refused as such.
        expect(
          [400, 401, 403],
          `${where}: a bad credential was answered ${res.status}: ${res.text.slice(0, 300)}`,
        ).toContain(res.status);
        expect(await issueStatuses(t), `${where}: a refused call changed an issue`).toEqual(before);
      }
    });
    await t.finish(`[fuzz mcp seed=${settings.seed}]`);
    const out = t.snag.output();
    expect(out, 'a tool threw').not.toMatch(
      /MCP tool failed|MCP request failed|does not match its outputSchema/,
    );
    const count = (prefix: string) =>
      [...tally].filter(([k]) => k.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
    // The generator must reach the tools, not only the refusals in front of them.
    expect(tally.get('tool-call 200') ?? 0).toBeGreaterThan(count('tool-call') / 2);
    console.log(
      `fuzz mcp: seed ${settings.seed}, ${JSON.stringify(Object.fromEntries([...tally].sort()))}, peak RSS ${Math.round(t.peakRssBytes() / 1048576)} MB`,
    );
  },
);
