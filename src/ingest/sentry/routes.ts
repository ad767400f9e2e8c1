/**
 * Sentry protocol routes, exactly as SDKs derive them from a DSN: /api/<id>/envelope/ and
 * /api/<id>/store/ (trailing slash optional, duplicate slashes folded by the router). Bodies are
 * read here as raw streams, capped and decompressed while streaming (Content-Type is ignored:
 * browsers send text/plain, Node sends none). CORS per Relay so browser SDKs can read rate limits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readBodyParts, type BodyLimits, type BodyParts } from '../decode-body.js';
import { acceptEnvelope, acceptStore, type AcceptDeps, type SentryRequest } from './accept.js';

export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'x-sentry-error, x-sentry-rate-limits, retry-after',
};

const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers':
    'x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, content-type, authentication, authorization, content-encoding, transfer-encoding, sentry-trace, baggage',
  'Access-Control-Max-Age': '3600',
};

export function registerSentryRoutes(app: FastifyInstance, deps: AcceptDeps & { limits: BodyLimits }): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      readBodyParts(payload, headerOf(request, 'content-encoding'), deps.limits).then(
        (parts) => done(null, parts),
        (err: Error) => done(err, undefined),
      );
    });
    // Set before anything can fail, so errors answered from this scope carry CORS too and a
    // browser SDK can read the 429's headers (Fastify keeps headers set before an error).
    scope.addHook('onRequest', (_request, reply, done) => {
      reply.headers(CORS_HEADERS);
      done();
    });

    const toRequest = (request: FastifyRequest<{ Params: { projectId: string } }>): SentryRequest => {
      const parts = request.body as BodyParts | undefined;
      return {
        projectId: request.params.projectId,
        query: request.query as Record<string, unknown>,
        headers: request.headers,
        body: parts?.body,
        sent: parts,
        clientIp: request.ip,
      };
    };

    scope.post<{ Params: { projectId: string } }>('/api/:projectId/envelope/', async (request) =>
      acceptEnvelope(toRequest(request), deps),
    );
    scope.post<{ Params: { projectId: string } }>('/api/:projectId/store/', async (request) =>
      acceptStore(toRequest(request), deps),
    );
    const preflight = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.code(200).headers(PREFLIGHT_HEADERS).send();
    scope.options('/api/:projectId/envelope/', preflight);
    scope.options('/api/:projectId/store/', preflight);
  });
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
