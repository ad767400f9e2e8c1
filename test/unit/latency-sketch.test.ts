import { describe, expect, it } from 'vitest';
import { LatencySketch, mergeEncodedSketches } from '../../src/domain/transactions/latency-sketch.js';

/** A deterministic PRNG so a failure reproduces. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same rank rule DDSketch uses: the value at rank floor-ish q × (n − 1) of the sorted values. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

const QUANTILES = [0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

describe('latency sketches', () => {
  // 100,000 durations from a realistic bimodal shape: fast cache hits and a slow long tail.
  const random = mulberry32(42);
  const durations = Array.from({ length: 100_000 }, () =>
    random() < 0.7 ? 2 + random() * 20 : Math.exp(3 + random() * 6) * (1 + random()),
  );
  const sorted = [...durations].sort((a, b) => a - b);

  it('stays within 1 % of the exact percentiles of 100,000 durations', () => {
    const sketch = new LatencySketch();
    for (const d of durations) sketch.add(d);
    for (const q of QUANTILES) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(sketch.quantile(q)! - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('gives the same answer after encoding, splitting into hourly sketches and merging', () => {
    // 24 "hours" encoded separately, as the rollup stores them, then merged at query time.
    const hours = Array.from({ length: 24 }, () => new LatencySketch());
    durations.forEach((d, i) => hours[i % 24]!.add(d));
    const merged = mergeEncodedSketches(hours.map((h) => h.encode()));
    expect(merged.count).toBe(durations.length);
    for (const q of QUANTILES) {
      const exact = exactQuantile(sorted, q);
      expect(Math.abs(merged.quantile(q)! - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('keeps zero durations and sub-millisecond ones', () => {
    const s = new LatencySketch();
    for (let i = 0; i < 50; i++) s.add(0);
    for (let i = 0; i < 50; i++) s.add(0.25);
    const back = LatencySketch.decode(s.encode());
    expect(back.count).toBe(100);
    expect(back.quantile(0.25)).toBe(0);
    expect(Math.abs(back.quantile(0.9)! - 0.25) / 0.25).toBeLessThanOrEqual(0.01);
  });

  it('answers null when empty and refuses an unknown format', () => {
    expect(new LatencySketch().quantile(0.5)).toBeNull();
    expect(LatencySketch.decode(new LatencySketch().encode()).count).toBe(0);
    expect(() => LatencySketch.decode(Buffer.from([9, 0, 0, 0]))).toThrow(/format/);
  });

  it('merges 3,000 stored hourly sketches without losing a count', () => {
    const blobs = Array.from({ length: 3000 }, (_, h) => {
      const s = new LatencySketch();
      for (let i = 0; i < 200; i++) s.add(durations[(h * 200 + i) % durations.length]!);
      return s.encode();
    });
    const merged = mergeEncodedSketches(blobs);
    expect(merged.count).toBe(600_000);
  });
});
