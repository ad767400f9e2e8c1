/**
 * Hostile requests to POST /mcp (MCP Streamable HTTP, JSON-RPC 2.0): tool calls whose arguments
 * start plausible (drawn from each tool's own inputSchema, as the server lists it) and get
 * mutated; JSON-RPC envelopes with the wrong types for jsonrpc/id/method/params; unknown methods
 * and tools; batches; deep and giant params; damaged JSON and invalid UTF-8; wrong Accept and
 * Content-Type; missing, wrong, revoked, project-scoped and oversized bearer tokens.
 */
import { damageJsonText, mutateFields } from './json-mutate.js';
import type { Rng } from './prng.js';
import { deepValue, giantString, hostileScalar, hostileValue, toJsonText } from './values.js';
import type { FuzzRequest } from './harness.js';

/** A tool as `tools/list` describes it: only what the generator reads of its JSON Schema. */
export interface ListedTool {
  name: string;
  inputSchema: { properties?: Record<string, JsonSchema>; required?: string[] };
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

export interface McpFuzzContext {
  tools: ListedTool[];
  /** Tokens that authenticate (SNAG_MCP_TOKEN, a minted one). */
  goodTokens: string[];
  /** Tokens that must be refused: revoked, project-scoped, unknown. */
  badTokens: string[];
  /** A valid token with the read scope only: refused for the tools that change data. */
  readOnlyToken: string;
  /** Strings and numbers the stored data answers to (ids, versions, endpoint names). */
  known: { strings: string[]; numbers: number[] };
}

export type McpCase = 'tool-call' | 'envelope' | 'batch' | 'method' | 'damaged' | 'headers' | 'auth' | 'huge';

const ACCEPT = 'application/json, text/event-stream';
const METHODS = [
  'initialize',
  'tools/list',
  'tools/call',
  'ping',
  'resources/list',
  'prompts/list',
  'notifications/initialized',
  'notifications/cancelled',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'rpc.discover',
  '',
  '__proto__',
  'tools/call/../list',
];

/** One hostile request and what it is, so a test can keep per-case tallies. */
export function fuzzMcpRequest(rng: Rng, ctx: McpFuzzContext): { kind: McpCase; request: FuzzRequest } {
  const roll = rng.int(100);
  const token = rng.pick(ctx.goodTokens);
  if (roll < 40) return build('tool-call', toolCall(rng, ctx), token);
  if (roll < 52) return build('envelope', mutateFields(rng, toolCall(rng, ctx)), token);
  if (roll < 62) return build('batch', batch(rng, ctx), token);
  if (roll < 70) return build('method', methodCall(rng), token);
  if (roll < 80) {
    const text = damageJsonText(rng, toJsonText(toolCall(rng, ctx)));
    return { kind: 'damaged', request: request(text, headersFor(token)) };
  }
  if (roll < 88) return { kind: 'headers', request: badHeaders(rng, ctx, token) };
  if (roll < 95) return { kind: 'auth', request: badAuth(rng, ctx) };
  return build('huge', hugeCall(rng, ctx), token);
}

function build(kind: McpCase, message: unknown, token: string) {
  return { kind, request: request(Buffer.from(toJsonText(message)), headersFor(token)) };
}

function request(body: Buffer, headers: Record<string, string>): FuzzRequest {
  return { method: 'POST', path: '/mcp', body, headers };
}

function headersFor(token: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: ACCEPT, authorization: `Bearer ${token}` };
}

function rpcId(rng: Rng): unknown {
  return rng.chance(0.8) ? rng.between(1, 1e6) : hostileValue(rng);
}

export function toolCall(rng: Rng, ctx: McpFuzzContext, name?: string): Record<string, unknown> {
  const tool = name === undefined ? rng.pick(ctx.tools) : ctx.tools.find((t) => t.name === name)!;
  const args = plausibleArgs(rng, tool, ctx);
  const roll = rng.int(10);
  let argumentsValue: unknown = args;
  if (roll < 5) argumentsValue = mutateFields(rng, args);
  else if (roll === 5) argumentsValue = { ...args, [rng.pick(['unknown', 'projct', '__proto__', 'x'])]: 1 };
  else if (roll === 6) argumentsValue = hostileValue(rng);
  const toolName =
    name === undefined && rng.chance(0.07)
      ? rng.pick(['no_such_tool', '', 'list_projects\u0000', 'LIST_PROJECTS', '../get_status', 42, null])
      : tool.name;
  return {
    jsonrpc: '2.0',
    id: rpcId(rng),
    method: 'tools/call',
    params: { name: toolName, arguments: argumentsValue },
  };
}

/** Values that satisfy the schema most of the time, so calls get past validation into the tools. */
function plausibleArgs(rng: Rng, tool: ListedTool, ctx: McpFuzzContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(tool.inputSchema.required ?? []);
  for (const [name, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
    if (!required.has(name) && rng.chance(0.5)) continue;
    out[name] = plausibleValue(rng, name, schema, ctx);
  }
  return out;
}

function plausibleValue(rng: Rng, name: string, schema: JsonSchema, ctx: McpFuzzContext): unknown {
  if (schema.enum && schema.enum.length > 0) return rng.pick(schema.enum);
  if (schema.anyOf && schema.anyOf.length > 0) return plausibleValue(rng, name, rng.pick(schema.anyOf), ctx);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  if (type === 'integer' || type === 'number') {
    if (/_id$/.test(name) && ctx.known.numbers.length > 0 && rng.chance(0.7))
      return rng.pick(ctx.known.numbers);
    const min = schema.minimum ?? 0;
    const max = Math.min(schema.maximum ?? 1000, 1000);
    return rng.between(Math.ceil(min), Math.max(Math.ceil(min), Math.floor(max)));
  }
  if (type === 'boolean') return rng.chance(0.5);
  if (type === 'array') return [plausibleValue(rng, name, schema.items ?? {}, ctx)];
  if (/time$/.test(name))
    return rng.pick([new Date(Date.now() - 3600_000).toISOString(), '2026-11-22T10:00:00Z']);
  if (name === 'project') return rng.pick(['default', '1', 'b-project']);
  return rng.chance(0.7) && ctx.known.strings.length > 0
    ? rng.pick(ctx.known.strings)
    : rng.pick(['production', 'GET /', 'error', 'level:error', '"unbalanced', 'a*', 'NEAR(a b)']);
}

function batch(rng: Rng, ctx: McpFuzzContext): unknown[] {
  const n = rng.pick([0, 1, 2, 5, 20, 100, 101, 500]);
  const withInit = rng.chance(0.1);
  return Array.from({ length: n }, (_, i) =>
    withInit && i === 0
      ? methodCall(rng, 'initialize')
      : rng.chance(0.8)
        ? toolCall(rng, ctx)
        : hostileValue(rng),
  );
}

function methodCall(rng: Rng, method?: string): Record<string, unknown> {
  const m = method ?? (rng.chance(0.8) ? rng.pick(METHODS) : hostileScalar(rng));
  const params =
    m === 'initialize' && rng.chance(0.5)
      ? {
          protocolVersion: rng.pick(['2025-06-18', '2024-11-05', '1999-01-01', hostileScalar(rng)]),
          capabilities: rng.chance(0.8) ? {} : hostileValue(rng),
          clientInfo: rng.chance(0.8) ? { name: 'fuzz', version: '0' } : hostileValue(rng),
        }
      : hostileValue(rng);
  const message: Record<string, unknown> = {
    jsonrpc: rng.chance(0.85) ? '2.0' : hostileScalar(rng),
    method: m,
    params,
  };
  if (rng.chance(0.8)) message['id'] = rpcId(rng); // else a notification
  return message;
}

function badHeaders(rng: Rng, ctx: McpFuzzContext, token: string): FuzzRequest {
  const body = Buffer.from(toJsonText(toolCall(rng, ctx)));
  const headers = headersFor(token);
  const roll = rng.int(6);
  if (roll === 0) delete headers['accept'];
  else if (roll === 1)
    headers['accept'] = rng.pick(['text/html', 'application/json', '*/*', 'text/event-stream', '']);
  else if (roll === 2)
    headers['content-type'] = rng.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/jsonx',
      '',
    ]);
  else if (roll === 3) delete headers['content-type'];
  else if (roll === 4)
    return { ...request(body, headers), method: rng.pick(['GET', 'DELETE', 'PUT', 'PATCH']) };
  else headers['content-encoding'] = rng.pick(['gzip', 'br', 'zstd', 'identity', 'bogus']);
  return request(body, headers);
}

/**
 * Calls (mostly of the tools that change data) with credentials that must not reach a tool: every
 * one must be a 401 or 403, and the test checks that nothing changed.
 */
function badAuth(rng: Rng, ctx: McpFuzzContext): FuzzRequest {
  const name = rng.pick(['resolve_issue', 'ignore_issue', 'reopen_issue', 'list_projects']);
  const body = Buffer.from(toJsonText(toolCall(rng, ctx, name)));
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT };
  const good = rng.pick(ctx.goodTokens);
  const auth = rng.pick([
    undefined,
    name === 'list_projects' ? undefined : `Bearer ${ctx.readOnlyToken}`,
    'Bearer',
    'Bearer ',
    `Basic ${Buffer.from(`x:${good}`).toString('base64')}`,
    `bearer ${rng.pick(ctx.badTokens)}`,
    `Bearer ${rng.pick(ctx.badTokens)}`,
    `Bearer ${good.slice(0, -1)}`,
    `Bearer ${good}x`,
    `Bearer ${good.toUpperCase()}`,
    `Bearer ${good} ${good}`,
    `Bearer ${'A'.repeat(rng.pick([100, 4000, 12_000]))}`,
    `Bearer snag_oauth_${rng.bytes(16).toString('hex')}`,
    `Token ${good}`,
  ]);
  if (auth !== undefined) headers['authorization'] = auth;
  return request(body, headers);
}

function hugeCall(rng: Rng, ctx: McpFuzzContext): unknown {
  const call = toolCall(rng, ctx);
  const params = call['params'] as Record<string, unknown>;
  const roll = rng.int(4);
  if (roll === 0) params['arguments'] = { project: giantString(rng, 900 * 1024) };
  else if (roll === 1) params['arguments'] = { query: deepValue(rng, 10_000) };
  else if (roll === 2) call['params'] = deepValue(rng, rng.pick([1000, 10_000]));
  else call['id'] = giantString(rng, 700 * 1024);
  return call;
}
