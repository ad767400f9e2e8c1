/**
 * A small seeded PRNG (mulberry32: 32-bit state, passes SmallCrush, a few ns a call) so a fuzz run
 * is a pure function of its seed: the seed printed with a failure replays the same requests.
 */
export interface Rng {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
  /** A child generator: a surface's own stream, unaffected by how much another surface drew. */
  fork(label: string): Rng;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => {
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
    fork: (label) => createRng((seed ^ hashLabel(label)) >>> 0),
  };
}

function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `npm test` runs a fixed seed, so CI is deterministic; SNAG_FUZZ_SEED picks another (or `random`),
 * and SNAG_FUZZ_ITERATIONS scales every surface's run from its small default.
 */
export const DEFAULT_FUZZ_SEED = 20261122;

export function fuzzSettings(defaultIterations: number): { iterations: number; seed: number } {
  const iterations = Number(process.env['SNAG_FUZZ_ITERATIONS'] ?? defaultIterations);
  const rawSeed = process.env['SNAG_FUZZ_SEED'] ?? String(DEFAULT_FUZZ_SEED);
  const seed = rawSeed === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(rawSeed);
  if (!Number.isSafeInteger(iterations) || iterations < 1)
    throw new Error('SNAG_FUZZ_ITERATIONS must be ≥ 1');
  if (!Number.isSafeInteger(seed)) throw new Error('SNAG_FUZZ_SEED must be an integer');
  return { iterations, seed };
}
