/**
 * MCP test helpers: the official SDK client against a running Snag, tokens minted with the real
 * CLI, and a check of every structured answer against the outputSchema the server declared.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { expect } from 'vitest';
import { REPO_ROOT, type RunningSnag } from './snag.js';

const run = promisify(execFile);

/** `snag <args>` against the data dir of `snag`, as an operator would run it. */
export async function snagCli(dataDir: string, args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'bin/snag.js'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: dataDir, SNAG_LOG_LEVEL: 'warn', ...env },
  });
  return stdout;
}

export async function mintToken(snag: RunningSnag, name: string): Promise<string> {
  const out = JSON.parse(await snagCli(snag.dataDir, ['token', 'create', '--name', name, '--json'])) as {
    token: string;
  };
  return out.token;
}

export async function connectClient(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'snag-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export function httpTransport(snag: RunningSnag, token?: string): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL('/mcp', snag.url), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  });
}

const validator = new AjvJsonSchemaValidator();

/** The structured answer of a successful call, checked against the tool's declared outputSchema. */
export function structuredOf<T = Record<string, unknown>>(tool: Tool, result: CallToolResult): T {
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  expect(result.isError ?? false, `${tool.name} failed: ${text}`).toBe(false);
  expect(text.length, `${tool.name} returned no text`).toBeGreaterThan(0);
  expect(tool.outputSchema, `${tool.name} declares no outputSchema`).toBeDefined();
  const check = validator.getValidator(tool.outputSchema as never)(result.structuredContent);
  expect(check.errorMessage, `${tool.name}: structuredContent does not match outputSchema`).toBeUndefined();
  expect(check.valid).toBe(true);
  return result.structuredContent as T;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
