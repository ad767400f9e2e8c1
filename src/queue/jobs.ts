/**
 * What a queued job carries, shared by the producer (ingest) and the consumers (workers).
 *
 * Kinds: `event` (errors consumer), `transaction` and `span` (transactions consumer), `log` and
 * `otlp_log` (logs consumer). `payload` is the item's JSON (for `otlp_log`, the OTLP request body,
 * JSON or protobuf per `format`), or, when `encoding` is set, the bytes exactly as the client sent
 * them (compressed): for Sentry kinds the whole envelope, whose item number `item` is the one to
 * digest; for `otlp_log` the compressed request body.
 */
export const JOB_KINDS = {
  event: 'event',
  transaction: 'transaction',
  span: 'span',
  log: 'log',
  otlpLog: 'otlp_log',
} as const;

export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS];

export interface JobMeta {
  client_ip?: string;
  /** Content-Encoding of a payload queued as sent. */
  encoding?: string;
  /** Index of the item among the envelope's items, with `encoding` (Sentry kinds only). */
  item?: number;
}

export interface EventJobMeta extends JobMeta {
  /** From the envelope header (it wins over the payload's), or minted at ingest. */
  event_id: string;
}

/** `transaction` jobs carry the event id like events do; `span` containers have none. */
export type TransactionJobMeta = EventJobMeta;
export type SpanJobMeta = JobMeta;
export type LogJobMeta = JobMeta;

export interface OtlpLogJobMeta extends JobMeta {
  format: 'json' | 'protobuf';
}
