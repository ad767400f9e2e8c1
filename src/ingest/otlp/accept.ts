/**
 * Accepting OTLP/HTTP logs (`POST /v1/logs`): authenticate by project key, decode, validate, enqueue.
 *
 * Unlike Sentry items, the body is parsed here: OTLP's answer must say how many records were
 * rejected (`partial_success`), and only a parse can tell. The queue still gets the bytes as sent
 * (compressed when they came compressed) and the logs consumer parses them again: re-encoding the
 * records would cost more than the second parse (docs/benchmarks.md, logs), and the worker's parse
 * is the same pure function, so it keeps and rejects exactly the same records.
 */
import { AppError, badRequest } from '../../errors.js';
import { InvalidOtlpPayloadError, otlpFormatOf, parseOtlpLogs } from '../../domain/logs/otlp.js';
import { JOB_KINDS, type OtlpLogJobMeta } from '../../queue/jobs.js';
import type { AcceptDeps } from '../sentry/accept.js';
import { extractAuth } from '../sentry/auth.js';
import type { OtlpEncoding } from './responses.js';

export interface OtlpRequest {
  /** From `/api/<id>/integration/otlp/v1/logs`; undefined on the plain `/v1/logs` path. */
  projectId: string | undefined;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | undefined;
  body: Buffer;
  /** The body as sent and its Content-Encoding, when it was compressed. */
  sent?: { raw: Buffer; encoding: string };
  clientIp: string;
}

export interface OtlpOutcome {
  accepted: number;
  rejected: number;
  rejectReason: string | null;
}

export type OtlpAcceptDeps = Pick<AcceptDeps, 'findProjectByKey' | 'queue' | 'stats' | 'rateLimits'>;

/** The request's encoding, or 415: the only encodings OTLP/HTTP defines are JSON and protobuf. */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const format = otlpFormatOf(contentType);
  if (!format) {
    throw new AppError(
      'unsupported_media_type',
      415,
      `Content-Type "${contentType ?? ''}" is not OTLP: send application/x-protobuf or application/json.`,
    );
  }
  return format;
}

export async function acceptOtlpLogs(req: OtlpRequest, deps: OtlpAcceptDeps): Promise<OtlpOutcome> {
  const format = encodingOf(req.contentType);
  const project = authenticate(req, deps);
  const receivedAt = Date.now();
  let parsed;
  try {
    parsed = parseOtlpLogs(req.body, format, { receivedUs: receivedAt * 1000 });
  } catch (err) {
    if (err instanceof InvalidOtlpPayloadError) throw badRequest(`not an OTLP logs request: ${err.message}`);
    throw err;
  }
  const accepted = parsed.records.length;
  if (accepted > 0) {
    // OTLP/HTTP spec, "Throttling": 429 with Retry-After, which exporters honour before retrying.
    deps.rateLimits?.admit(project.id, { log_item: accepted });
    const meta: OtlpLogJobMeta = { client_ip: req.clientIp, format };
    const queueAsSent = req.sent && req.sent.raw.length < req.body.length;
    await deps.queue.enqueue([
      {
        kind: JOB_KINDS.otlpLog,
        projectId: project.id,
        receivedAt,
        meta: JSON.stringify(queueAsSent ? { ...meta, encoding: req.sent!.encoding } : meta),
        payload: queueAsSent ? req.sent!.raw : req.body,
      },
    ]);
    deps.stats.recordAccepted(JOB_KINDS.otlpLog, accepted, receivedAt);
  }
  if (parsed.rejected > 0) deps.stats.recordDropped(JOB_KINDS.otlpLog, parsed.rejected);
  return { accepted, rejected: parsed.rejected, rejectReason: parsed.rejectReason };
}

function authenticate(req: OtlpRequest, deps: OtlpAcceptDeps): { id: number; slug: string } {
  const auth = extractAuth({ query: req.query, headers: req.headers });
  const project = deps.findProjectByKey(auth.publicKey);
  if (!project) {
    throw new AppError(
      'unknown_key',
      403,
      `Project key ${auth.publicKey.slice(0, 8)}… is not known to this Snag: use the public key of a DSN (\`snag project list\`) as \`Authorization: Bearer <key>\`.`,
    );
  }
  if (req.projectId !== undefined && String(project.id) !== req.projectId) {
    throw new AppError(
      'project_mismatch',
      403,
      `This key belongs to project ${project.id} (${project.slug}), not project ${req.projectId}.`,
    );
  }
  return project;
}
