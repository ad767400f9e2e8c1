import { describe, expect, it } from 'vitest';
import { formatCount } from '../../../web/src/format-count';

describe('formatCount', () => {
  it('groups thousands exactly as toLocaleString("en-US") does', () => {
    const values = [0, 7, 999, 1000, 1200, 12_345, 999_999, 1_000_000, 987_654_321, -1, -1234, -1_000_000];
    for (let n = 1; n < Number.MAX_SAFE_INTEGER / 7; n = n * 7 + 3) values.push(n, -n);
    for (const n of values) expect(formatCount(n), String(n)).toBe(n.toLocaleString('en-US'));
  });

  it('leaves what is not a safe integer to Intl', () => {
    expect(formatCount(1234.5)).toBe('1,234.5');
    expect(formatCount(Number.NaN)).toBe('NaN');
  });
});
