/**
 * POST /mcp: MCP Streamable HTTP, stateless (no Mcp-Session-Id) with JSON responses, the SDK's
 * recommended shape for a server that keeps nothing between requests. Each request gets its own
 * McpServer and transport, built for the authenticated caller, so concurrent agents share nothing
 * but the services. GET (a server-to-client SSE stream) and DELETE (ending a session) mean nothing
 * without sessions: 405, which the spec allows and clients expect. A call to a tool that changes
 * data needs the write scope: without it the request is refused before any tool runs.
 *
 * The SDK, zod and the tools are loaded on the first authenticated request, not at start: they are
 * ~20 MiB of a process whose idle RSS target is 150 MB, and most Snags never see an MCP client.
 * The first call pays the import (~100–200 ms); every later one finds the modules loaded.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_SECURITY_HEADERS } from '../http/security-headers.js';
import type { TokenCaller } from '../auth/bearer.js';
import type { BearerAuth } from './auth.js';
import type { Caller, McpDeps } from './deps.js';
import { rewriteInvalidParams } from './invalid-params.js';

export interface McpHttpDeps {
  tools: McpDeps;
  auth: BearerAuth;
}

interface McpRuntime {
  createMcpServer: typeof import('./server.js').createMcpServer;
  StreamableHTTPServerTransport: typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js').StreamableHTTPServerTransport;
  writingTools: Set<string>;
}

let runtime: Promise<McpRuntime> | undefined;

function loadRuntime(): Promise<McpRuntime> {
  runtime ??= Promise.all([
    import('./server.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('./tools/index.js'),
  ]).then(([server, transport, tools]) => ({
    createMcpServer: server.createMcpServer,
    StreamableHTTPServerTransport: transport.StreamableHTTPServerTransport,
    writingTools: new Set(tools.TOOLS.filter((t) => t.kind !== 'read').map((t) => t.name)),
  }));
  // A failed import is retried by the next request rather than cached.
  runtime.catch(() => (runtime = undefined));
  return runtime;
}

/** Whether a JSON-RPC message (or batch) calls a tool that changes data. */
function callsWritingTool(body: unknown, writingTools: Set<string>): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some((m) => {
    const msg = m as { method?: unknown; params?: { name?: unknown } } | null;
    return msg?.method === 'tools/call' && writingTools.has(String(msg.params?.name));
  });
}

const jsonRpcError = (code: number, message: string) => ({
  jsonrpc: '2.0',
  error: { code, message },
  id: null,
});

/**
 * JSON-RPC batches (MCP 2025-03-26; the 2025-06-18 revision dropped them) run their calls one after
 * another on the event loop, each with its own time budget: the SDK's cap of 100 would let one
 * request hold the server for minutes on a large database, while no client batches more than a few.
 */
const MAX_BATCH_MESSAGES = 10;

export function registerMcpRoute(app: FastifyInstance, deps: McpHttpDeps): void {
  const callers = new WeakMap<FastifyRequest, { caller: Caller; token: TokenCaller }>();

  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: '/mcp',
    // Before the body is read: an unauthenticated client never gets its body parsed.
    onRequest: async (request, reply) => {
      const result = deps.auth.authenticate(request.headers.authorization);
      if (!result.ok) return reply.code(result.status).headers(result.headers).send(result.body);
      callers.set(request, { caller: result.caller, token: result.token });
    },
    handler: async (request, reply) => {
      if (request.method !== 'POST') {
        return reply
          .code(405)
          .header('allow', 'POST')
          .send(jsonRpcError(-32000, 'This MCP server is stateless: send JSON-RPC requests with POST.'));
      }
      if (Array.isArray(request.body) && request.body.length > MAX_BATCH_MESSAGES) {
        return reply
          .code(400)
          .send(
            jsonRpcError(
              -32600,
              `A batch holds at most ${MAX_BATCH_MESSAGES} messages (this one ${request.body.length}); send the rest in further requests.`,
            ),
          );
      }
      const { caller, token } = callers.get(request)!;
      const { createMcpServer, StreamableHTTPServerTransport, writingTools } = await loadRuntime();
      if (!token.scopes.includes('write') && callsWritingTool(request.body, writingTools)) {
        const refusal = deps.auth.insufficientScope('write');
        return reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
      }
      const server = createMcpServer(deps.tools, caller);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      const send = transport.send.bind(transport);
      transport.send = (message, options) => send(rewriteInvalidParams(message), options);
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      // A hijacked reply skips onSend hooks: the SDK's writeHead keeps headers set here.
      for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) reply.raw.setHeader(name, value);
      reply.hijack();
      try {
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (err) {
        request.log.error({ err }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(
            JSON.stringify(jsonRpcError(-32603, 'Internal error: it has been logged on the Snag server.')),
          );
        }
      }
    },
  });
}
