/**
 * Accepting Sentry payloads: authenticate, cap, validate the framing, enqueue, answer. Nothing here
 * parses or stores an event beyond what the answer needs; the digest worker does the rest. The
 * caller has already read and decompressed the body within the byte caps (decode-body.ts).
 */
import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { AppError, badRequest, tooLarge } from '../../errors.js';
import { JOB_KINDS, type JobKind, type JobMeta } from '../../queue/jobs.js';
import type { Queue } from '../../queue/queue.js';
import type { NewJob } from '../../storage/index.js';
import type { RateLimitCategory, RateLimits } from '../rate-limits.js';
import type { IngestStats } from '../stats.js';
import { extractAuth } from './auth.js';
import { parseEnvelope, type Envelope } from './envelope.js';

export interface SentryRequest {
  projectId: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
  /** The body as sent and its Content-Encoding, when it differs from `body`. */
  sent?: { raw: Buffer; encoding: string };
  clientIp: string;
}

export interface AcceptDeps {
  findProjectByKey(publicKey: string): { id: number; slug: string } | undefined;
  queue: Queue;
  stats: IngestStats;
  maxEventBytes: number;
  /** Per-project limits (ingest/rate-limits.ts); absent when none is configured. */
  rateLimits?: RateLimits;
}

/**
 * Item types a consumer digests, and the job kind each becomes; every other type is accepted and
 * dropped (counted in /_health). `span` covers both streamed v2 containers and legacy single spans;
 * `log` is a container of up to 100 log records.
 */
const DIGESTED_ITEM_TYPES: ReadonlyMap<string, JobKind> = new Map([
  ['event', JOB_KINDS.event],
  ['transaction', JOB_KINDS.transaction],
  ['span', JOB_KINDS.span],
  ['log', JOB_KINDS.log],
]);
/** The rate-limited category of each job kind (Sentry's names); span containers are not limited. */
const RATE_LIMIT_CATEGORIES: ReadonlyMap<JobKind, RateLimitCategory> = new Map([
  [JOB_KINDS.event, 'error'],
  [JOB_KINDS.transaction, 'transaction'],
  [JOB_KINDS.log, 'log_item'],
]);
/**
 * SDKs put one event or transaction, and at most one span or log container, in an envelope. A
 * client sending 2,000 span containers in one 20 MB envelope queued 2,000 jobs at once and took the
 * server past 530 MB RSS (docs/reliability.md, fuzzing finding 5); over this many → 413, as Relay
 * answers an item-count overflow.
 */
const MAX_DIGESTED_ITEMS_PER_ENVELOPE = 100;
const MAX_ITEM_COUNT = 1000;
/** Kinds whose items carry an event id the SDK expects back; containers (spans, logs) have none. */
const KINDS_WITH_EVENT_ID: ReadonlySet<JobKind> = new Set([JOB_KINDS.event, JOB_KINDS.transaction]);
const HEX_32 = /^[0-9a-f]{32}$/;
/**
 * Error events are queued decompressed while fewer jobs than this wait: the errors worker is the
 * slowest stage, and unpacking a queued gzip envelope cost it ~90 µs of its ~600 µs per event,
 * while committing the ~4x larger item costs this thread ~20 µs more (docs/benchmarks.md). A longer
 * backlog is queued as sent again, so it stays ~6 rather than ~22 KB a job on disk.
 */
const EVENTS_DECOMPRESSED_BELOW_DEPTH = 10_000;

export async function acceptEnvelope(req: SentryRequest, deps: AcceptDeps): Promise<{ id?: string }> {
  const pathProjectId = parseProjectId(req.projectId);
  if (!req.body || req.body.length === 0)
    throw badRequest('empty envelope: the body must hold at least the envelope header line.');
  const envelope = parseEnvelope(req.body);
  const project = authenticate(req, pathProjectId, deps, envelope.headers['dsn']);

  const receivedAt = Date.now();
  const headerEventId = envelope.headers['event_id'] as string | undefined;
  const jobs: NewJob[] = [];
  /** Items per job for the counters: a span container holds up to 1,000 spans. */
  const itemCounts: number[] = [];
  let responseId = headerEventId;
  const digestedItems = envelope.items.filter((item) => DIGESTED_ITEM_TYPES.has(item.type)).length;
  if (digestedItems > MAX_DIGESTED_ITEMS_PER_ENVELOPE) {
    throw tooLarge(
      `envelope holds ${digestedItems} event, transaction, span and log items; the limit is ${MAX_DIGESTED_ITEMS_PER_ENVELOPE}: send them in several envelopes.`,
    );
  }
  for (const [index, item] of envelope.items.entries()) {
    const kind = DIGESTED_ITEM_TYPES.get(item.type);
    if (!kind) {
      deps.stats.recordAccepted(item.type, itemCount(item.headers), receivedAt);
      deps.stats.recordDropped(item.type, itemCount(item.headers));
      continue;
    }
    if (item.payload.length > deps.maxEventBytes) {
      throw tooLarge(
        `${item.type} item is ${item.payload.length} bytes; the limit is ${deps.maxEventBytes} (SNAG_MAX_EVENT_BYTES).`,
      );
    }
    const meta: JobMeta & { event_id?: string } = { client_ip: req.clientIp };
    if (KINDS_WITH_EVENT_ID.has(kind)) {
      meta.event_id = headerEventId ?? eventIdFromPayload(item.payload) ?? mintEventId();
      responseId ??= meta.event_id;
    }
    // A compressed envelope holding one digestible item is queued as sent: gzip bodies shrink ~4x,
    // and the queue commit on this thread costs by the byte (docs/benchmarks.md). The worker
    // unpacks it. Error events, see EVENTS_DECOMPRESSED_BELOW_DEPTH.
    const sent = req.sent;
    const queueAsSent =
      digestedItems === 1 &&
      sent?.encoding &&
      sent.raw.length < item.payload.length &&
      (kind !== JOB_KINDS.event || deps.queue.depth() >= EVENTS_DECOMPRESSED_BELOW_DEPTH);
    itemCounts.push(itemCount(item.headers, kind));
    jobs.push(
      queueAsSent
        ? job(kind, project.id, receivedAt, { ...meta, encoding: sent.encoding, item: index }, sent.raw)
        : job(kind, project.id, receivedAt, meta, item.payload),
    );
  }
  deps.rateLimits?.admit(project.id, rateLimitCounts(jobs, itemCounts));
  await deps.queue.enqueue(jobs);
  jobs.forEach((j, i) => deps.stats.recordAccepted(j.kind, itemCounts[i], receivedAt));
  return responseId ? { id: responseId } : {};
}

/**
 * The legacy store endpoint: one JSON event, optionally base64 + zlib (very old SDKs). Old Python
 * SDKs still post errors here.
 */
export async function acceptStore(
  req: SentryRequest,
  deps: AcceptDeps,
): Promise<{ id: string } | Record<string, never>> {
  const pathProjectId = parseProjectId(req.projectId);
  const project = authenticate(req, pathProjectId, deps, undefined);
  if (!req.body || req.body.length === 0) throw badRequest('empty body: post one JSON event.');
  const json = decodeStoreBody(req.body, deps.maxEventBytes);
  if (json.length > deps.maxEventBytes) {
    throw tooLarge(
      `event is ${json.length} bytes; the limit is ${deps.maxEventBytes} (SNAG_MAX_EVENT_BYTES).`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (err) {
    throw badRequest(`body is not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw badRequest('body must be a JSON object (one event).');
  const receivedAt = Date.now();
  const payloadId = normalizeEventId((parsed as { event_id?: unknown }).event_id);
  const eventId = payloadId ?? mintEventId();
  const kind =
    (parsed as { type?: unknown }).type === 'transaction' ? JOB_KINDS.transaction : JOB_KINDS.event;
  deps.rateLimits?.admit(project.id, { [RATE_LIMIT_CATEGORIES.get(kind)!]: 1 });
  await deps.queue.enqueue([
    job(kind, project.id, receivedAt, { event_id: eventId, client_ip: req.clientIp }, json),
  ]);
  deps.stats.recordAccepted(kind, 1, receivedAt);
  return { id: eventId };
}

function authenticate(req: SentryRequest, pathProjectId: number, deps: AcceptDeps, envelopeDsn: unknown) {
  const auth = extractAuth({ query: req.query, headers: req.headers, envelopeDsn });
  const project = deps.findProjectByKey(auth.publicKey);
  if (!project) {
    throw new AppError(
      'unknown_key',
      403,
      `DSN key ${auth.publicKey.slice(0, 8)}… is not known to this Snag: copy the DSN from Settings → Projects (or \`snag project list\`).`,
    );
  }
  if (project.id !== pathProjectId) {
    throw new AppError(
      'project_mismatch',
      403,
      `This DSN key belongs to project ${project.id} (${project.slug}), not project ${pathProjectId}: use the DSN exactly as Snag printed it.`,
    );
  }
  return project;
}

function parseProjectId(raw: string): number {
  // Sentry SDKs take the leading digits of the last DSN path segment; anything else is a bad URL.
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw badRequest(
      `"${raw}" is not a project id: the URL is /api/<numeric project id>/envelope/ as derived from the DSN.`,
    );
  }
  return Number(raw);
}

function job(
  kind: JobKind,
  projectId: number,
  receivedAt: number,
  meta: JobMeta & { event_id?: string },
  payload: Buffer,
): NewJob {
  return { kind, projectId, receivedAt, meta: JSON.stringify(meta), payload };
}

function rateLimitCounts(jobs: NewJob[], itemCounts: number[]): Partial<Record<RateLimitCategory, number>> {
  const counts: Partial<Record<RateLimitCategory, number>> = {};
  jobs.forEach((j, i) => {
    const category = RATE_LIMIT_CATEGORIES.get(j.kind as JobKind);
    if (category) counts[category] = (counts[category] ?? 0) + itemCounts[i]!;
  });
  return counts;
}

/**
 * Items an item stands for, for the counters and rate limits. `item_count` is the client's word:
 * an event or transaction is one whatever it says, and a container's count is capped (span
 * containers hold at most 1,000, log containers 100). Taken as sent, `item_count: 1e308` on an
 * event made /_health report 1e308 accepted events (docs/reliability.md, fuzzing finding 6).
 */
function itemCount(headers: Record<string, unknown>, kind?: JobKind): number {
  if (kind && KINDS_WITH_EVENT_ID.has(kind)) return 1;
  const n = headers['item_count'];
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? Math.min(n, MAX_ITEM_COUNT) : 1;
}

/** Only when the envelope header has no event_id (old or hand-written clients): parse to find it. */
function eventIdFromPayload(payload: Buffer): string | undefined {
  try {
    return normalizeEventId(
      (JSON.parse(payload.toString('utf8')) as { event_id?: unknown } | null)?.event_id,
    );
  } catch {
    return undefined; // the worker counts the item as invalid
  }
}

function normalizeEventId(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const id = raw.replace(/-/g, '').toLowerCase();
  return HEX_32.test(id) ? id : undefined;
}

const mintEventId = () => randomUUID().replace(/-/g, '');

function decodeStoreBody(body: Buffer, maxBytes: number): Buffer {
  const first = body.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b /* { */) return body;
  // Legacy clients: base64(zlib(json)).
  try {
    // maxOutputLength stops a zlib bomb at the cap instead of after allocating it.
    return inflateSync(Buffer.from(body.toString('latin1'), 'base64'), { maxOutputLength: maxBytes + 1 });
  } catch (err) {
    if (err instanceof RangeError)
      throw tooLarge(`event is over ${maxBytes} bytes decompressed (SNAG_MAX_EVENT_BYTES).`);
    throw badRequest('body is neither JSON nor base64-encoded zlib JSON.');
  }
}

export type { Envelope };
