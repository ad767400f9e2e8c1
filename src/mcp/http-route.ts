/**
 * POST /mcp: MCP Streamable HTTP, stateless (no Mcp-Session-Id) with JSON responses, the SDK's
 * recommended shape for a server that keeps nothing between requests. Each request gets its own
 * McpServer and transport, built for the authenticated caller, so concurrent agents share nothing
 * but the services. GET (a server-to-client SSE stream) and DELETE (ending a session) mean nothing
 * without sessions: 405, which the spec allows and clients expect.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BearerAuth } from './auth.js';
import type { Caller, McpDeps } from './deps.js';
import { createMcpServer } from './server.js';

export interface McpHttpDeps {
  tools: McpDeps;
  auth: BearerAuth;
}

const jsonRpcError = (code: number, message: string) => ({
  jsonrpc: '2.0',
  error: { code, message },
  id: null,
});

export function registerMcpRoute(app: FastifyInstance, deps: McpHttpDeps): void {
  const callers = new WeakMap<FastifyRequest, Caller>();

  app.route({
    method: ['POST', 'GET', 'DELETE'],
    url: '/mcp',
    // Before the body is read: an unauthenticated client never gets its body parsed.
    onRequest: async (request, reply) => {
      const result = deps.auth.authenticate(request.headers.authorization);
      if (!result.ok) return reply.code(result.status).headers(result.headers).send(result.body);
      callers.set(request, result.caller);
    },
    handler: async (request, reply) => {
      if (request.method !== 'POST') {
        return reply
          .code(405)
          .header('allow', 'POST')
          .send(jsonRpcError(-32000, 'This MCP server is stateless: send JSON-RPC requests with POST.'));
      }
      const server = createMcpServer(deps.tools, callers.get(request)!);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
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
