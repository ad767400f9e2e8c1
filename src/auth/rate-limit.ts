/**
 * A token bucket per client address for the login, callback and token endpoints: a person signing
 * in makes two or three requests, a script guessing codes or hammering the provider through us makes
 * hundreds. In memory: a restart refills every bucket, which only matters to an attacker who can
 * restart Snag. Answered with 429 and Retry-After (RFC 6585 §4).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export interface RateLimit {
  /** Requests a client may burst. */
  burst: number;
  /** Tokens refilled per minute. */
  perMinute: number;
}

/** Buckets kept before the oldest are dropped: bounds memory under an address-spraying flood. */
const MAX_TRACKED_CLIENTS = 10_000;

export function createRateLimiter(limit: RateLimit) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillPerMs = limit.perMinute / 60_000;

  /** Takes one token for `key`; returns the seconds to wait when there is none. */
  function take(key: string, now = Date.now()): number {
    const b = buckets.get(key) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + (now - b.at) * refillPerMs);
    b.at = now;
    buckets.delete(key);
    buckets.set(key, b);
    if (buckets.size > MAX_TRACKED_CLIENTS) buckets.delete(buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / refillPerMs / 1000);
  }

  return {
    take,
    /** A Fastify onRequest hook: 429 with Retry-After when the client's bucket is empty. */
    hook: async (request: FastifyRequest, _reply: FastifyReply) => {
      const wait = take(request.ip);
      if (wait > 0) {
        throw new AppError(
          'rate_limited',
          429,
          `Too many sign-in requests from this address: try again in ${wait} s.`,
          { headers: { 'Retry-After': String(wait) } },
        );
      }
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
