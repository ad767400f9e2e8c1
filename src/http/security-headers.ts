/**
 * Security headers for every answer that does not set its own: the JSON API, /mcp, ingest,
 * /_health, /metrics, errors and 404s. UI pages and assets (http/static.ts), the login pages
 * (auth/guard.ts PAGE_HEADERS) and the MCP consent page set stricter or page-specific ones first,
 * and those are kept. JSON is never a document: nothing it names may load, no page may frame it
 * (clickjacking an API answer shown in a frame), and it must not be sniffed into HTML by a browser
 * that opens it directly (OWASP Secure Headers Project; what helmet sets by default).
 */
import type { FastifyInstance } from 'fastify';

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const ENTRIES = Object.entries(API_SECURITY_HEADERS);

/** Register on the root instance, before the routes: the hook then runs for every answer. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  // Four header lookups per answer: ~1 µs, against ~40 µs for the cheapest ingest request.
  // A callback hook, not an async one: one promise less on every ingest request.
  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of ENTRIES) if (!reply.hasHeader(name)) void reply.header(name, value);
    done(null, payload);
  });
}
