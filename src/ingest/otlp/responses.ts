/**
 * OTLP/HTTP answers, in the encoding of the request as the spec requires
 * (opentelemetry-proto `docs/specification.md`, "OTLP/HTTP Response"):
 * - success: ExportLogsServiceResponse, with `partial_success` only when records were rejected;
 * - failure: google.rpc.Status { code, message }.
 * Protobuf is written by hand: two tiny messages do not justify a protobuf runtime.
 */
export type OtlpEncoding = 'json' | 'protobuf';

export const OTLP_CONTENT_TYPES: Record<OtlpEncoding, string> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

export function encodeExportResponse(
  encoding: OtlpEncoding,
  rejected: number,
  errorMessage: string | null,
): Buffer | string {
  if (encoding === 'json') {
    if (rejected === 0) return '{}';
    // proto3 JSON writes int64 as a string.
    return JSON.stringify({
      partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: errorMessage ?? '' },
    });
  }
  if (rejected === 0) return Buffer.alloc(0);
  // ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
  const partial = Buffer.concat([
    varintField(1, rejected),
    ...(errorMessage ? [bytesField(2, Buffer.from(errorMessage, 'utf8'))] : []),
  ]);
  // ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
  return bytesField(1, partial);
}

/** google.rpc.Status; `code` is a gRPC status code (3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED…). */
export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Buffer | string {
  if (encoding === 'json') return JSON.stringify({ code, message });
  return Buffer.concat([varintField(1, code), bytesField(2, Buffer.from(message, 'utf8'))]);
}

/** The gRPC code that matches an HTTP status, for the Status body. */
export function grpcCodeOf(httpStatus: number): number {
  if (httpStatus === 400 || httpStatus === 413 || httpStatus === 415) return 3; // INVALID_ARGUMENT
  if (httpStatus === 401) return 16; // UNAUTHENTICATED
  if (httpStatus === 403) return 7; // PERMISSION_DENIED
  if (httpStatus === 404) return 5; // NOT_FOUND
  if (httpStatus === 429) return 8; // RESOURCE_EXHAUSTED
  if (httpStatus === 503) return 14; // UNAVAILABLE
  return 13; // INTERNAL
}

function varintField(field: number, value: number): Buffer {
  return Buffer.concat([varint(field << 3), varint(value)]);
}

function bytesField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}
