import { describe, expect, it } from 'vitest';
import {
  createIdAllocator,
  firstIdOfMs,
  ID_SLOTS_PER_MS,
  msOfId,
} from '../../../src/storage/logs-partitions.js';

describe('log id allocation', () => {
  const T = 1_795_000_000_000;

  it('gives a millisecond 64 ids, then spills into the next ones, unique and increasing', () => {
    const allocate = createIdAllocator(0, () => null);
    const ids = Array.from({ length: ID_SLOTS_PER_MS * 3 }, () => allocate(T));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(firstIdOfMs(T));
    expect(msOfId(ids.at(-1)!)).toBe(T + 2);
  });

  it('sends a flood of one old timestamp to the newest millisecond instead of walking full ones', () => {
    const allocate = createIdAllocator(0, () => null);
    // 100,000 records stamped with one millisecond: ~1,563 ms of ids, each found in a step or two.
    let last = 0;
    for (let i = 0; i < 100_000; i++) {
      const id = allocate(T);
      expect(id).toBeGreaterThan(last);
      last = id;
    }
    expect(msOfId(last)).toBe(T + Math.ceil(100_000 / ID_SLOTS_PER_MS) - 1);
    // A record of a later, empty millisecond still gets its own time.
    expect(msOfId(allocate(T + 10_000))).toBe(T + 10_000);
  });

  it('continues after the ids already stored in a millisecond', () => {
    const stored = firstIdOfMs(T) + 9;
    const allocate = createIdAllocator(stored, (first) => (first === firstIdOfMs(T) ? stored : null));
    expect(allocate(T)).toBe(stored + 1);
  });
});
