/**
 * What a queued job carries, shared by the producer (ingest) and the consumers (workers).
 *
 * Kinds: `event` (errors consumer), `transaction` and `span` (transactions consumer). `payload` is
 * the item's JSON, or, when `encoding` is set, the whole envelope exactly as the SDK sent it
 * (compressed), whose item number `item` is the one to digest.
 */
export const JOB_KINDS = { event: 'event', transaction: 'transaction', span: 'span' } as const;

export interface JobMeta {
  client_ip?: string;
  /** Content-Encoding of a payload queued as sent. */
  encoding?: string;
  /** Index of the item among the envelope's items, with `encoding`. */
  item?: number;
}

export interface EventJobMeta extends JobMeta {
  /** From the envelope header (it wins over the payload's), or minted at ingest. */
  event_id: string;
}

/** `transaction` jobs carry the event id like events do; `span` containers have none. */
export type TransactionJobMeta = EventJobMeta;
export type SpanJobMeta = JobMeta;
