// Fuzzing finding 4 (docs/reliability.md): `end=99999999999999999999` on the logs histogram was a
// valid whole number, became an Invalid Date further down, and answered 500.
import { expect, test } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { optionalTime } from '../../../src/api/params.js';

test('query times outside 1970–9999 are a 400, in both spellings', () => {
  for (const v of [
    '99999999999999999999',
    '8640000000000001',
    '+275760-09-13T00:00:00.000Z',
    '-000001-01-01T00:00:00Z',
    'NaN',
    '1e3',
  ]) {
    expect(() => optionalTime({ end: v }, 'end'), v).toThrow(AppError);
  }
  expect(optionalTime({ end: '2026-11-22T10:00:00Z' }, 'end')).toBe(Date.parse('2026-11-22T10:00:00Z'));
  expect(optionalTime({ end: '1795335538117' }, 'end')).toBe(1795335538117);
  expect(optionalTime({}, 'end')).toBeUndefined();
});
