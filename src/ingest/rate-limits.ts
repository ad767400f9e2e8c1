/**
 * Per-project rate limits at ingest: a token bucket per project and data category, in memory.
 * A bucket holds a minute's worth (the configured per-minute limit is also the burst) and refills
 * continuously, so a project that sent its minute's worth waits `60 / limit` seconds per item, not
 * until the next wall-clock minute, and a Retry-After of a few seconds is honest.
 *
 * A request is checked for every category it holds before anything is taken: refused as a whole
 * (429, nothing queued) or admitted as a whole. A container larger than what is left (a log batch
 * of 100 records with 10 tokens left) is admitted and leaves the bucket in debt, so no batch is
 * refused forever because it is bigger than the limit.
 *
 * Answer (develop-docs/sdk/expected-features/rate-limiting.mdx; Relay `format_rate_limits`):
 * `Retry-After: <s>` and `X-Sentry-Rate-Limits: <s>:<categories>:project:<reason>`; Sentry SDKs then
 * stop sending those categories, and only those, for that long. A restart refills every bucket.
 */
import { AppError } from '../errors.js';

/** Sentry's data categories as SDKs read them back from X-Sentry-Rate-Limits. */
export type RateLimitCategory = 'error' | 'transaction' | 'log_item';

/** Items per minute per project and category; 0 = no limit. */
export type RateLimitsConfig = Record<RateLimitCategory, number>;

export interface RateLimits {
  /** Takes `counts` from the project's buckets, or throws a 429 naming the limited categories. */
  admit(projectId: number, counts: Partial<Record<RateLimitCategory, number>>, now?: number): void;
}

/**
 * Categories named in the header per bucket: an `event` item is `error` for exceptions and
 * `default` for messages in Sentry's SDKs, and both spend our one error budget.
 */
const HEADER_CATEGORIES: Record<RateLimitCategory, string> = {
  error: 'default;error',
  transaction: 'transaction',
  log_item: 'log_item',
};
const REASON_CODE = 'project_rate_limit';
/** Buckets kept before the least recently used are dropped: bounds memory whatever the project count. */
const MAX_TRACKED_BUCKETS = 10_000;

export function createRateLimits(config: RateLimitsConfig): RateLimits | undefined {
  const limited = (Object.keys(config) as RateLimitCategory[]).filter((c) => config[c] > 0);
  if (limited.length === 0) return undefined;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function bucketOf(projectId: number, category: RateLimitCategory, now: number) {
    const key = `${projectId}:${category}`;
    const limit = config[category];
    const b = buckets.get(key) ?? { tokens: limit, at: now };
    b.tokens = Math.min(limit, b.tokens + ((now - b.at) * limit) / 60_000);
    b.at = now;
    buckets.delete(key);
    buckets.set(key, b);
    if (buckets.size > MAX_TRACKED_BUCKETS) buckets.delete(buckets.keys().next().value!);
    return b;
  }

  return {
    admit(projectId, counts, now = Date.now()) {
      const wanted = limited.filter((c) => (counts[c] ?? 0) > 0);
      if (wanted.length === 0) return;
      const refused: { category: RateLimitCategory; seconds: number }[] = [];
      const taken = wanted.map((category) => ({ category, bucket: bucketOf(projectId, category, now) }));
      for (const { category, bucket } of taken) {
        if (bucket.tokens >= 1) continue;
        const seconds = Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / config[category]));
        refused.push({ category, seconds });
      }
      if (refused.length > 0) throw rateLimited(refused);
      for (const { category, bucket } of taken) bucket.tokens -= counts[category]!;
    },
  };
}

function rateLimited(refused: { category: RateLimitCategory; seconds: number }[]): AppError {
  const longest = Math.max(...refused.map((r) => r.seconds));
  const header = refused
    .map((r) => `${r.seconds}:${HEADER_CATEGORIES[r.category]}:project:${REASON_CODE}`)
    .join(', ');
  const names = refused.map((r) => r.category).join(', ');
  return new AppError(
    'rate_limited',
    429,
    `This project is over its rate limit for ${names} (SNAG_RATE_LIMIT_*_PER_MINUTE); retry in ${longest} s.`,
    { headers: { 'Retry-After': String(longest), 'X-Sentry-Rate-Limits': header } },
  );
}
