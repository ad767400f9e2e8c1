/**
 * What a queued job carries, shared by the producer (ingest) and the consumer (workers).
 * `kind: 'event'`: `payload` is the event item's JSON, or, when `encoding` is set, the whole
 * envelope exactly as the SDK sent it (compressed), whose item number `item` is the event.
 */
export interface EventJobMeta {
  /** From the envelope header (it wins over the payload's), or minted at ingest. */
  event_id: string;
  client_ip?: string;
  /** Content-Encoding of a payload queued as sent. */
  encoding?: string;
  /** Index of the event among the envelope's items, with `encoding`. */
  item?: number;
}
