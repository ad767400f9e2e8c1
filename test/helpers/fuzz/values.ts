/**
 * Hostile JSON values: the wrong type for whatever field they land in, limits' edges, strings that
 * look like numbers, control characters, lone surrogates, deep nesting and giant strings/arrays.
 * `huge` values are drawn rarely (a megabyte string costs a request and a digest each).
 */
import type { Rng } from './prng.js';

const MiB = 1024 * 1024;

const SCALARS: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  -0,
  0.5,
  -(2 ** 53),
  2 ** 53 + 2,
  2 ** 64,
  -(2 ** 63),
  1e308,
  -1e308,
  5e-324,
  4294967296,
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '0x1f',
  '00000000000000000000000000000000',
  'ffffffffffffffffffffffffffffffff',
  '2026-13-45T99:99:99Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '\u0000',
  'a\u0000b',
  '\ufeff',
  '\ud800',
  'x\udc00y',
  '\u202e\u0301\u200b',
  '💥'.repeat(20),
  '__proto__',
  'constructor',
  '{{ default }}',
  '%s %d %n',
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
  '\n\r\t\\',
  '../../../../etc/passwd',
];

export function hostileScalar(rng: Rng): unknown {
  return rng.pick(SCALARS);
}

/**
 * Nested `depth` levels of arrays or objects (10,000 is what the edge must survive). Returned as a
 * marker that `toJsonText` expands: JSON.stringify and structuredClone recurse, and would overflow
 * this process's stack long before the server's.
 */
export function deepValue(rng: Rng, depth: number): unknown {
  return `${DEEP_MARK}${rng.chance(0.5) ? 'o' : 'a'}${depth}${DEEP_MARK}`;
}

const DEEP_MARK = '\u0001deep\u0001';
const DEEP_MARKER = /"\\u0001deep\\u0001([oa])(\d+)\\u0001deep\\u0001"/g;

/** JSON.stringify, with deep-value markers expanded into real nesting. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(DEEP_MARKER, (_m, kind: string, n: string) =>
    kind === 'o'
      ? '{"a":'.repeat(Number(n)) + 'null' + '}'.repeat(Number(n))
      : '['.repeat(Number(n)) + ']'.repeat(Number(n)),
  );
}

export function giantString(rng: Rng, maxBytes: number): string {
  const n = rng.between(64 * 1024, maxBytes);
  return rng.pick(['x', 'é', '\u0000', '💥', 'ab ']).repeat(Math.ceil(n / 3));
}

export function hostileValue(rng: Rng, options: { huge?: boolean } = {}): unknown {
  const roll = rng.int(100);
  if (roll < 45) return hostileScalar(rng);
  if (roll < 55) return [];
  if (roll < 62) return {};
  if (roll < 70) return Array.from({ length: rng.between(1, 5) }, () => hostileScalar(rng));
  if (roll < 78)
    return Object.fromEntries(
      Array.from({ length: rng.between(1, 4) }, (_, i) => [
        rng.pick(['type', 'value', 'id', 'frames', 'data', '__proto__', String(i), '']),
        hostileScalar(rng),
      ]),
    );
  if (roll < 84) return deepValue(rng, rng.pick([50, 200, 1000]));
  if (roll < 87) return 'y'.repeat(rng.between(1000, 20_000));
  if (roll < 90) return Array.from({ length: rng.pick([1000, 10_000]) }, (_, i) => i);
  if (!options.huge) return hostileScalar(rng);
  if (roll < 94) return deepValue(rng, 10_000);
  if (roll < 97) return giantString(rng, 2 * MiB);
  return Array.from({ length: rng.pick([100_000, 300_000]) }, () => 0);
}
