/**
 * Two kinds of bad input. A payload that cannot be read at all (not JSON, not protobuf, not the
 * container it claims to be) throws: the OTLP edge answers 400, the logs consumer counts and drops
 * it. One bad record inside a good payload is only counted, with its reason, so the rest is kept
 * and OTLP can answer `partialSuccess`.
 */

/** The whole payload is unusable; nothing in it was kept. */
export class InvalidLogPayloadError extends Error {
  override name = 'InvalidLogPayloadError';
}

/** An OTLP request body that is not an ExportLogsServiceRequest in its declared encoding (→ 400). */
export class InvalidOtlpPayloadError extends InvalidLogPayloadError {
  override name = 'InvalidOtlpPayloadError';
}

/** One record cannot be kept; thrown inside a parser and caught per record, never escapes it. */
export class RejectedRecordError extends Error {
  override name = 'RejectedRecordError';
}

/** Counts rejections and keeps the first reason, which is what OTLP `partialSuccess` reports. */
export class Rejections {
  count = 0;
  reason: string | null = null;

  add(where: string, err: unknown): void {
    if (!(err instanceof RejectedRecordError)) throw err;
    this.count++;
    this.reason ??= `${where}: ${err.message}`;
  }
}
