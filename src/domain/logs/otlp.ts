/**
 * OTLP/HTTP logs (`POST /v1/logs`, opentelemetry.io/docs/specs/otlp/#otlphttp) in both encodings
 * an exporter or Collector may send, normalized to LogRecords. Gzip is the edge's business: these
 * take the decompressed body.
 */
import { parseOtlpJson } from './otlp-json.js';
import { parseOtlpProtobuf } from './otlp-protobuf.js';
import type { ParsedLogs } from './types.js';

export { InvalidLogPayloadError, InvalidOtlpPayloadError } from './payload-errors.js';

export type OtlpFormat = 'json' | 'protobuf';

/**
 * Throws InvalidOtlpPayloadError when the body is not an ExportLogsServiceRequest at all (answer
 * 400); records it cannot keep are counted in `rejected` with the first `rejectReason` (answer 200
 * with `partialSuccess`). Records of one ResourceLogs share its `resource` object, and those of
 * one ScopeLogs its `scope`: copy before changing one record's.
 */
export function parseOtlpLogs(body: Buffer, format: OtlpFormat, ctx: { receivedUs: number }): ParsedLogs {
  return format === 'json' ? parseOtlpJson(body, ctx.receivedUs) : parseOtlpProtobuf(body, ctx.receivedUs);
}

/**
 * The encoding a Content-Type names, or null for one OTLP does not define (answer 415). Only the
 * media type counts: `application/json; charset=utf-8` is JSON.
 */
export function otlpFormatOf(contentType: string | undefined): OtlpFormat | null {
  if (contentType === undefined) return null;
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  // application/x-protobuf is what the spec and every exporter send; application/protobuf is the
  // name IANA registered in 2023 (draft-ietf-dispatch-mime-protobuf), which newer clients may use.
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  return null;
}
