/** One early full GC per thread (src/first-full-gc.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { scheduleFirstFullGc } from '../../src/first-full-gc.js';

describe('scheduleFirstFullGc', () => {
  it('runs gc once, when the heap in use first reaches the threshold, and never again', async () => {
    let heap = 10;
    let runs = 0;
    const scheduled = scheduleFirstFullGc({
      gc: () => runs++,
      heapUsed: () => heap,
      thresholdBytes: 40,
      checkEveryMs: 2,
    });
    expect(scheduled).toBe(true);
    await sleep(30);
    expect(runs).toBe(0);
    heap = 41;
    await sleep(30);
    expect(runs).toBe(1);
    heap = 100;
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('does nothing where V8 does not expose gc', () => {
    expect(scheduleFirstFullGc({ gc: null, heapUsed: () => Infinity })).toBe(false);
  });
});
