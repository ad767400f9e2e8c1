/**
 * Timestamps to integer microseconds since the epoch (LogRecord.timeUs). OTLP sends uint64
 * nanoseconds, which a double cannot hold (2^53 ns is only 104 days), so they are cut to
 * microseconds before they become numbers: from their decimal string in JSON, from the two 32-bit
 * halves in protobuf.
 */
import { parseTimestamp } from '../events/normalize.js';
import { RejectedRecordError } from './payload-errors.js';

const DIGITS = /^\d+$/;
// 2^32 = 4,294,967 × 1,000 + 296: splits hi × 2^32 into a multiple of 1,000 and a small rest.
const HI_MICROS = 4_294_967;
const HI_REST_NANOS = 296;

/**
 * OTLP JSON `timeUnixNano`: a decimal string (proto3 JSON for uint64) or, from lax encoders such
 * as OpenTelemetry JS's for ids, a number. Null for absent or 0 (OTLP's "unknown").
 */
export function microsFromNanos(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    if (!DIGITS.test(value))
      throw new RejectedRecordError(`${field} must be unsigned nanoseconds, got "${value.slice(0, 40)}"`);
    return value.length <= 3 ? null : Number(value.slice(0, -3)) || null;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return Math.floor(value / 1000) || null;
  }
  throw new RejectedRecordError(`${field} must be unsigned nanoseconds`);
}

/** A protobuf fixed64 of nanoseconds, given as its low and high 32 bits; null for 0. */
export function microsFromFixed64(lo: number, hi: number): number | null {
  const micros = hi * HI_MICROS + Math.floor((hi * HI_REST_NANOS + lo) / 1000);
  return micros === 0 ? null : micros;
}

/** Sentry's float seconds (also as a numeric string) or an RFC 3339 string; null when unusable. */
export function microsFromSentryTimestamp(value: unknown): number | null {
  const seconds = parseTimestamp(value);
  // A float of ~1.8e9 s resolves 0.24 µs, so rounding recovers the microsecond the SDK meant.
  return seconds === undefined ? null : Math.round(seconds * 1e6);
}
