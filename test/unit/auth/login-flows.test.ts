import { describe, expect, it } from 'vitest';
import { createLoginFlows, LOGIN_FLOW_TTL_MS, safeReturnTo } from '../../../src/auth/login-flows.js';
import { createRateLimiter } from '../../../src/auth/rate-limit.js';

describe('safeReturnTo', () => {
  it('keeps paths on this Snag', () => {
    expect(safeReturnTo('/projects/web/issues?status=all')).toBe('/projects/web/issues?status=all');
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/auth/login',
    '',
    5,
  ])('replaces %j with /', (raw) => expect(safeReturnTo(raw)).toBe('/'));
});

describe('login flows', () => {
  it('are taken once, by the key the browser holds, before they expire', () => {
    const flows = createLoginFlows();
    const { key, flow } = flows.start('/x', 1000);
    expect(flow.codeVerifier.length).toBeGreaterThanOrEqual(43);
    expect(flows.take('other', 1001)).toBeUndefined();
    expect(flows.take(key, 1002)).toEqual(flow);
    expect(flows.take(key, 1003)).toBeUndefined();
    const late = flows.start('/y', 0);
    expect(flows.take(late.key, LOGIN_FLOW_TTL_MS)).toBeUndefined();
  });
});

describe('rate limiter', () => {
  it('allows a burst, then refills at the configured rate', () => {
    const limiter = createRateLimiter({ burst: 3, perMinute: 60 });
    expect([0, 0, 0].map(() => limiter.take('1.2.3.4', 0))).toEqual([0, 0, 0]);
    expect(limiter.take('1.2.3.4', 0)).toBe(1);
    expect(limiter.take('5.6.7.8', 0)).toBe(0);
    expect(limiter.take('1.2.3.4', 1000)).toBe(0);
  });
});
