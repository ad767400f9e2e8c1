/**
 * One normalized log record, whatever sent it (a Sentry `log` item or an OTLP log record). Parsers
 * (sentry-logs.ts, otlp.ts) produce it, the logs consumer stores it, the read side returns it.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** An attribute value as sent: OTLP AnyValue and Sentry typed attributes both flatten to this. */
export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export interface LogRecord {
  /** When it happened, microseconds since the epoch (OTLP sends nanoseconds, Sentry float seconds). */
  timeUs: number;
  /** When a collector or SDK observed it (OTLP `observedTimeUnixNano`), else when Snag received it. */
  observedUs: number;
  level: LogLevel;
  /** 1–24 as in OTLP; Sentry's `severity_number` or the level's base number. */
  severityNumber: number | null;
  /** As sent (`WARNING`, `warn`, `Error`…), before bucketing into `level`. */
  severityText: string | null;
  /** The message; non-string OTLP bodies are JSON-encoded. */
  body: string;
  logger: string | null;
  service: string | null;
  host: string | null;
  environment: string | null;
  release: string | null;
  /** 32 lowercase hex, or null. */
  traceId: string | null;
  /** 16 lowercase hex, or null. */
  spanId: string | null;
  /** The record's own attributes (Sentry typed attributes unwrapped to their values). */
  attributes: Attributes;
  /** OTLP resource attributes; for Sentry logs, empty. */
  resource: Attributes;
  /** OTLP instrumentation scope, or the Sentry SDK (`sentry.sdk.name`/`version`). */
  scope: { name: string; version: string | null } | null;
  source: 'sentry' | 'otlp';
}

/** What a parser returns for one payload: the records it kept and why it rejected the others. */
export interface ParsedLogs {
  records: LogRecord[];
  rejected: number;
  /** First rejection reason, for OTLP `partialSuccess.errorMessage`; null when nothing was rejected. */
  rejectReason: string | null;
}
