/**
 * One `event` job → one row to store: parse, normalize, scrub, group, compress. Pure apart from
 * the compression; the consumer does the database work for a whole batch at once.
 */
import { stringifyCapped } from '../../domain/events/depth.js';
import { normalizeEvent } from '../../domain/events/normalize.js';
import { scrubEvent, type ScrubOptions } from '../../domain/events/scrub.js';
import type { NormalizedEvent } from '../../domain/events/types.js';
import { groupEvent } from '../../domain/issues/grouping.js';
import type { EventJobMeta } from '../../queue/jobs.js';
import type { EventToStore, Job } from '../../storage/index.js';
import { encodePayload, type PayloadCodec } from '../../storage/payload-codec.js';
import { InvalidPayloadError } from '../unpack-job.js';

export type { ScrubOptions };

/** Relay's clock-skew rule: more than a minute ahead or 30 days behind → use the receive time. */
const MAX_FUTURE_SKEW_MS = 60_000;
const MAX_AGE_MS = 30 * 24 * 3_600_000;
/** Bounds the per-issue tag bookkeeping an event can cause. */
const MAX_TAGS_PER_EVENT = 50;

/** `codec`: errors.db's (its current dictionary); without one, plain zstd (benches, tests). */
export function digestEventJob(
  job: Job,
  scrub: ScrubOptions,
  codec: Pick<PayloadCodec, 'encode'> = { encode: encodePayload },
): EventToStore {
  let raw: unknown;
  try {
    raw = JSON.parse(job.payload.toString('utf8'));
  } catch (err) {
    throw new InvalidPayloadError(`event payload is not JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidPayloadError('event payload is not a JSON object');
  }
  const meta = JSON.parse(job.meta) as EventJobMeta;
  const event = scrubEvent(
    normalizeEvent(raw, { eventId: meta.event_id, receivedAt: job.receivedAt, clientIp: meta.client_ip }),
    scrub,
  );
  const grouping = groupEvent(event);

  let timestamp = Math.round(event.timestamp * 1000);
  if (timestamp > job.receivedAt + MAX_FUTURE_SKEW_MS || timestamp < job.receivedAt - MAX_AGE_MS) {
    timestamp = job.receivedAt;
  }

  const json = stringifyCapped(event);
  const user = event.user;
  const trace = event.contexts['trace'];
  return {
    jobId: job.id,
    projectId: job.projectId,
    eventId: event.event_id,
    hash: grouping.hash,
    title: grouping.title,
    culprit: grouping.culprit,
    type: grouping.type,
    value: grouping.value,
    level: event.level,
    platform: event.platform,
    timestamp,
    receivedAt: job.receivedAt,
    environment: event.environment,
    release: event.release ?? null,
    transactionName: event.transaction ?? null,
    traceId: typeof trace?.['trace_id'] === 'string' ? trace['trace_id'] : null,
    serverName: event.server_name ?? null,
    userId: user?.id ?? null,
    userEmail: user?.email ?? null,
    userIp: user?.ip_address ?? null,
    userKey: userKeyOf(event),
    sdk: event.sdk?.name ? `${event.sdk.name}${event.sdk.version ? `/${event.sdk.version}` : ''}` : null,
    tags: tagsToIndex(event),
    ...codec.encode(json),
  };
}

function userKeyOf(event: NormalizedEvent): string | null {
  const u = event.user;
  if (!u) return null;
  if (u.id) return `id:${u.id}`;
  if (u.email) return `email:${u.email}`;
  if (u.username) return `username:${u.username}`;
  if (u.ip_address) return `ip:${u.ip_address}`;
  return null;
}

/** The SDK's tags plus the fields every issue page breaks down by (Sentry shows these as tags too). */
function tagsToIndex(event: NormalizedEvent): [string, string][] {
  const tags = new Map<string, string>(event.tags.slice(0, MAX_TAGS_PER_EVENT));
  tags.set('environment', event.environment);
  tags.set('level', event.level);
  if (event.release) tags.set('release', event.release);
  if (event.server_name && !tags.has('server_name')) tags.set('server_name', event.server_name);
  return [...tags];
}
