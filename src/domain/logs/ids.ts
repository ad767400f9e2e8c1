/**
 * Trace and span ids to lowercase hex. OTLP/JSON says hex (the spec's one deviation from proto3
 * JSON, which would be base64), but some exporters send base64 anyway, so both are read: a string
 * of exactly twice the byte width is hex, anything else must base64-decode to exactly the width.
 * An id of the wrong width rejects its record (OTLP spec: the receiver may drop it); an all-zero
 * id is W3C Trace Context's "invalid" and reads as no id.
 */
import { RejectedRecordError } from './payload-errors.js';

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ZEROS = /^0+$/;

/** Protobuf `bytes`: empty means no id. */
export function idFromBytes(
  buf: Uint8Array,
  start: number,
  end: number,
  bytes: number,
  field: string,
): string | null {
  if (end === start) return null;
  if (end - start !== bytes)
    throw new RejectedRecordError(`${field} must be ${bytes} bytes, got ${end - start}`);
  let hex = '';
  let zero = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (byte !== 0) zero = false;
    hex += HEX_BYTE[byte];
  }
  return zero ? null : hex;
}

/** OTLP/JSON: hex, or base64 from exporters that encode ids as proto3 JSON bytes. */
export function idFromJson(value: unknown, bytes: number, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new RejectedRecordError(`${field} must be a hex string`);
  const hex = HEX.test(value);
  if (hex && value.length === bytes * 2) return ZEROS.test(value) ? null : value.toLowerCase();
  // All-hex but the wrong width is a cut hex id, not base64 (random base64 is all-hex ~never).
  if (!hex && BASE64.test(value)) {
    // Standard or URL-safe alphabet, padded or not: Buffer reads all four.
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) return idFromBytes(decoded, 0, bytes, bytes, field);
  }
  throw new RejectedRecordError(
    `${field} must be ${bytes * 2} hex characters (or base64 of ${bytes} bytes), got "${value.slice(0, 64)}"`,
  );
}

/** Sentry: hex, or for trace ids the hyphenated UUID form Sentry's own ids also take. */
export function idFromSentry(value: unknown, bytes: number, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  const hex = typeof value === 'string' ? (bytes === TRACE_ID_BYTES ? value.replaceAll('-', '') : value) : '';
  if (hex.length !== bytes * 2 || !HEX.test(hex)) {
    throw new RejectedRecordError(
      `${field} must be ${bytes * 2} hex characters, got ${JSON.stringify(value).slice(0, 64)}`,
    );
  }
  return ZEROS.test(hex) ? null : hex.toLowerCase();
}
