/**
 * `snag mcp`: MCP over stdio, for desktop clients that start a command rather than call a URL.
 *
 *   snag mcp                          the tools over the local data dir (SNAG_DATA_DIR), read
 *                                     directly, also while a server runs on it (as the CLI does)
 *   snag mcp --url <url> [--token t]  a proxy to a remote Snag's /mcp (token: --token, else
 *                                     SNAG_MCP_TOKEN): JSON-RPC messages pass through unchanged
 *
 * stdout carries the protocol only; logs go to stderr. The process ends when stdin closes.
 */
import { parseArgs } from 'node:util';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { createStatusService } from '../domain/status/service.js';
import type { Logger } from '../log.js';
import { UNAUTHORIZED_CODE } from '../mcp/auth.js';
import { createMcpServer } from '../mcp/server.js';
import { createServices } from '../services.js';
import { migrateAll, openStorage } from '../storage/index.js';
import { VERSION } from '../version.js';

const USAGE = 'usage: snag mcp [--url <snag base URL> [--token <token>]]';

export async function runMcpCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { url: { type: 'string' }, token: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 0 || (values.token !== undefined && values.url === undefined)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  // File descriptor 2: stdout belongs to the protocol.
  const log = pino(
    { level: config.logLevel, base: { pid: process.pid, name: 'snag-mcp' } },
    pino.destination(2),
  );
  if (values.url !== undefined) {
    const token = values.token ?? config.mcp.token;
    if (!token) {
      console.error(
        'snag mcp --url needs a token: --token <token> or SNAG_MCP_TOKEN (create one with `snag token create` on that server).',
      );
      return 2;
    }
    return proxy(mcpEndpoint(values.url), token, log);
  }
  return serveLocal(config, log);
}

/** A base URL gets /mcp appended; a URL already ending in /mcp is used as it is. */
export function mcpEndpoint(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `--url ${JSON.stringify(raw)} is not a URL: give the Snag address, e.g. https://snag.example.com.`,
    );
  }
  if (!url.pathname.replace(/\/+$/, '').endsWith('/mcp'))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/mcp`;
  return url;
}

/** Resolves when stdin ends: the client closed the connection. */
const stdinClosed = () =>
  new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });

async function serveLocal(config: Config, log: Logger): Promise<number> {
  migrateAll(config.dataDir);
  const storage = openStorage(config.dataDir);
  try {
    // The same services `snag serve` builds, over the same files.
    const { projects, issues, performance, logs } = createServices(storage, config.publicUrl);
    const status = createStatusService({
      app: storage.app,
      issues: storage.issues,
      transactions: storage.transactions,
      queueDepth: () => storage.queue.countJobs(),
      dataDir: config.dataDir,
      version: VERSION,
      runtime: `Node.js ${process.version}`,
    });
    const server = createMcpServer(
      {
        projects,
        issues,
        performance,
        status,
        logs,
        logRetentionHours: config.logs.retentionMs / 3_600_000,
        version: VERSION,
        log,
      },
      // Whoever can start this process can read the data dir: no token to check.
      { actor: 'mcp:stdio' },
    );
    const closed = stdinClosed();
    await server.connect(new StdioServerTransport());
    await closed;
    await server.close();
    return 0;
  } finally {
    storage.close();
  }
}

async function proxy(endpoint: URL, token: string, log: Logger): Promise<number> {
  const local = new StdioServerTransport();
  const remote = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });

  remote.onmessage = (message) => {
    // Later requests carry the negotiated version in MCP-Protocol-Version, as a direct client's do.
    const result = (message as { result?: { protocolVersion?: unknown } }).result;
    if (typeof result?.protocolVersion === 'string') remote.setProtocolVersion(result.protocolVersion);
    void local.send(message);
  };
  remote.onerror = (err) => log.warn({ err }, 'MCP proxy: remote transport error');
  local.onmessage = (message: JSONRPCMessage) => {
    remote.send(message).catch((err: unknown) => {
      log.error({ err, url: endpoint.href }, 'MCP proxy: request to the remote Snag failed');
      if (isJSONRPCRequest(message)) void local.send(proxyError(message.id, endpoint, err));
    });
  };

  const closed = stdinClosed();
  await remote.start();
  await local.start();
  await closed;
  await remote.close();
  return 0;
}

/** The remote's own JSON-RPC error when it sent one (a 401's message says what to do), else ours. */
function proxyError(id: string | number, endpoint: URL, err: unknown): JSONRPCMessage {
  let code = -32603;
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  let message = `Snag at ${endpoint.origin} could not be reached: ${err instanceof Error ? err.message : String(err)}${cause}`;
  if (err instanceof StreamableHTTPError) {
    if (err.code === 401) code = UNAUTHORIZED_CODE;
    const body = err.message.slice(err.message.indexOf('{'));
    try {
      const parsed = JSON.parse(body) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string')
        message = `Snag at ${endpoint.origin}: ${parsed.error.message}`;
    } catch {
      // not JSON: keep the transport's message
    }
  }
  return { jsonrpc: '2.0', id, error: { code, message } };
}
