/**
 * A job queued as sent (a compressed envelope holding one digestible item, see src/queue/jobs.ts)
 * → the same job holding just that item's JSON. Ingest already decoded and parsed these bytes
 * once within the caps, so a failure here is bad input that slipped through, not a bug.
 */
import { decodeBufferSync } from '../ingest/decode-body.js';
import { parseEnvelope } from '../ingest/sentry/envelope.js';
import type { JobMeta } from '../queue/jobs.js';
import type { Job } from '../storage/index.js';

export class InvalidPayloadError extends Error {}

export function unpackJob(job: Job, maxDecompressedBytes: number): Job {
  const meta = JSON.parse(job.meta) as JobMeta;
  if (!meta.encoding) return job;
  const envelope = parseEnvelope(decodeBufferSync(job.payload, meta.encoding, maxDecompressedBytes));
  const item = envelope.items[meta.item ?? 0];
  if (!item) throw new InvalidPayloadError(`queued envelope has no item ${meta.item}`);
  return { ...job, payload: item.payload };
}
