import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { createRateLimits } from '../../src/ingest/rate-limits.js';

function refusal(fn: () => void): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('createRateLimits', () => {
  test('no limit configured: nothing to check', () => {
    expect(createRateLimits({ error: 0, transaction: 0, log_item: 0 })).toBeUndefined();
  });

  test('a burst of a minute’s worth, then one per 60/limit seconds, per project', () => {
    const limits = createRateLimits({ error: 6, transaction: 0, log_item: 0 })!;
    const t0 = 1_000_000;
    for (let i = 0; i < 6; i++) limits.admit(1, { error: 1 }, t0);
    const err = refusal(() => limits.admit(1, { error: 1 }, t0));
    expect(err.status).toBe(429);
    expect(err.headers['Retry-After']).toBe('10');
    expect(err.headers['X-Sentry-Rate-Limits']).toBe('10:default;error:project:project_rate_limit');
    limits.admit(2, { error: 1 }, t0); // another project
    limits.admit(1, { transaction: 5 }, t0); // an unlimited category
    expect(() => limits.admit(1, { error: 1 }, t0 + 9_000)).toThrow(AppError);
    limits.admit(1, { error: 1 }, t0 + 10_000);
  });

  test('a request is refused or admitted whole: nothing is taken from a category when another refuses', () => {
    const limits = createRateLimits({ error: 2, transaction: 1, log_item: 0 })!;
    limits.admit(1, { transaction: 1 }, 0);
    const err = refusal(() => limits.admit(1, { error: 1, transaction: 1 }, 0));
    expect(err.headers['X-Sentry-Rate-Limits']).toBe('60:transaction:project:project_rate_limit');
    limits.admit(1, { error: 2 }, 0);
  });

  test('a batch bigger than what is left is taken once and leaves a debt', () => {
    const limits = createRateLimits({ error: 0, transaction: 0, log_item: 60 })!;
    limits.admit(7, { log_item: 100 }, 0);
    const err = refusal(() => limits.admit(7, { log_item: 1 }, 0));
    expect(err.headers['Retry-After']).toBe('41');
    limits.admit(7, { log_item: 1 }, 41_000);
  });
});

describe('rate limit settings', () => {
  test('off by default, set per category, refused when not a whole number ≥ 0', () => {
    expect(loadConfig({}).rateLimits).toEqual({ error: 0, transaction: 0, log_item: 0 });
    expect(
      loadConfig({
        SNAG_RATE_LIMIT_EVENTS_PER_MINUTE: '600',
        SNAG_RATE_LIMIT_TRANSACTIONS_PER_MINUTE: '60',
        SNAG_RATE_LIMIT_LOGS_PER_MINUTE: '6000',
      }).rateLimits,
    ).toEqual({ error: 600, transaction: 60, log_item: 6000 });
    expect(() => loadConfig({ SNAG_RATE_LIMIT_EVENTS_PER_MINUTE: '-1' })).toThrow(
      /SNAG_RATE_LIMIT_EVENTS_PER_MINUTE/,
    );
    expect(() => loadConfig({ SNAG_RATE_LIMIT_LOGS_PER_MINUTE: '1.5' })).toThrow(
      /SNAG_RATE_LIMIT_LOGS_PER_MINUTE/,
    );
  });
});
