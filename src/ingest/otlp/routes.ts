/**
 * OTLP/HTTP routes: `POST /v1/logs` (what an exporter or Collector appends to its endpoint) and
 * Sentry's `POST /api/<id>/integration/otlp/v1/logs`. Bodies are read raw, capped and inflated
 * like Sentry's (decode-body.ts); answers and errors are written in the request's encoding.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { readBodyParts, type BodyLimits, type BodyParts } from '../decode-body.js';
import { CORS_HEADERS } from '../sentry/routes.js';
import { acceptOtlpLogs, type OtlpAcceptDeps } from './accept.js';
import {
  encodeExportResponse,
  encodeStatus,
  grpcCodeOf,
  OTLP_CONTENT_TYPES,
  type OtlpEncoding,
} from './responses.js';
import { otlpFormatOf } from '../../domain/logs/otlp.js';

const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'authorization, x-sentry-auth, content-type, content-encoding',
  'Access-Control-Max-Age': '3600',
};

export function registerOtlpRoutes(
  app: FastifyInstance,
  deps: OtlpAcceptDeps & { limits: BodyLimits },
): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (request, payload, done) => {
      readBodyParts(payload, headerOf(request, 'content-encoding'), deps.limits).then(
        (parts) => done(null, parts),
        (err: Error) => done(err, undefined),
      );
    });
    scope.addHook('onSend', async (_request, reply) => {
      reply.headers(CORS_HEADERS);
    });
    // OTLP clients read google.rpc.Status, in the encoding they sent (JSON when unknown).
    scope.setErrorHandler((err: FastifyError | AppError, request, reply) => {
      const status = err instanceof AppError ? err.status : (err.statusCode ?? 500);
      const exposed = err instanceof AppError ? err.expose : status < 500;
      if (!exposed) request.log.error({ err, url: request.url }, 'OTLP request failed');
      const encoding = otlpFormatOf(request.headers['content-type']) ?? 'json';
      const message = exposed ? err.message : 'internal error: it has been logged';
      return reply
        .code(status)
        .headers(err instanceof AppError ? err.headers : {})
        .type(OTLP_CONTENT_TYPES[encoding])
        .send(encodeStatus(encoding, grpcCodeOf(status), message));
    });

    const handle = async (request: FastifyRequest, reply: FastifyReply, projectId: string | undefined) => {
      const parts = request.body as BodyParts | undefined;
      const encoding: OtlpEncoding = otlpFormatOf(request.headers['content-type']) ?? 'json';
      const outcome = await acceptOtlpLogs(
        {
          projectId,
          query: request.query as Record<string, unknown>,
          headers: request.headers,
          contentType: request.headers['content-type'],
          body: parts?.body ?? Buffer.alloc(0),
          sent: parts && parts.raw !== parts.body ? { raw: parts.raw, encoding: parts.encoding } : undefined,
          clientIp: request.ip,
        },
        deps,
      );
      return reply
        .type(OTLP_CONTENT_TYPES[encoding])
        .send(encodeExportResponse(encoding, outcome.rejected, outcome.rejectReason));
    };

    scope.post('/v1/logs', (request, reply) => handle(request, reply, undefined));
    scope.post<{ Params: { projectId: string } }>(
      '/api/:projectId/integration/otlp/v1/logs',
      (request, reply) => handle(request, reply, request.params.projectId),
    );
    const preflight = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.code(200).headers(PREFLIGHT_HEADERS).send();
    scope.options('/v1/logs', preflight);
    scope.options('/api/:projectId/integration/otlp/v1/logs', preflight);
  });
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
