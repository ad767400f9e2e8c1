import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import {
  LatencySketch,
  mergeEncodedSketches,
  mergeSketchBlobs,
  SKETCH_RELATIVE_ACCURACY,
} from '../../src/domain/transactions/latency-sketch.js';

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

describe('latency sketches against the library', () => {
  const random = mulberry32(7);
  const sample = (n: number) =>
    Array.from({ length: n }, () => {
      const r = random();
      // Zeros, sub-millisecond values, a body of 1–100 ms and a long tail to a minute.
      return r < 0.05 ? 0 : r < 0.1 ? random() * 0.5 : r < 0.8 ? 1 + random() * 99 : Math.exp(random() * 11);
    });
  const FINE_QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

  it('answers every quantile exactly as a DDSketch fed the same values', () => {
    for (const n of [1, 2, 7, 100, 5_000]) {
      const values = sample(n);
      const ours = new LatencySketch();
      const theirs = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
      for (const v of values) {
        ours.add(v);
        theirs.accept(v);
      }
      expect(ours.count).toBe(theirs.count);
      for (const q of FINE_QUANTILES)
        expect(ours.quantile(q), `n=${n} q=${q}`).toBe(theirs.getValueAtQuantile(q));
    }
  });

  it('merges (live, encoded, and encoded pairs) to the same quantiles as one DDSketch of everything', () => {
    const parts = Array.from({ length: 40 }, (_, i) => sample(i % 3 === 0 ? 0 : 1 + ((i * 37) % 300)));
    const theirs = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    const sketches = parts.map((values) => {
      const s = new LatencySketch();
      for (const v of values) {
        s.add(v);
        theirs.accept(v);
      }
      return s;
    });
    const live = new LatencySketch();
    for (const s of sketches) live.merge(s);
    const encoded = mergeEncodedSketches(sketches.map((s) => s.encode()));
    const pairwise = LatencySketch.decode(
      sketches.map((s) => s.encode()).reduce((a, b) => mergeSketchBlobs(a, b)),
    );
    for (const merged of [live, encoded, pairwise]) {
      expect(merged.count).toBe(theirs.count);
      for (const q of FINE_QUANTILES) expect(merged.quantile(q)).toBe(theirs.getValueAtQuantile(q));
    }
  });

  it('encodes the bytes the DDSketch-backed version stored, so rows written before read the same', () => {
    // The encoder of the first version, over the library's DenseStore.
    const encodeV1 = (sketch: DDSketch) => {
      const bytes: number[] = [1];
      const varint = (n: number) => {
        while (n >= 0x80) {
          bytes.push((n % 0x80) | 0x80);
          n = Math.floor(n / 0x80);
        }
        bytes.push(n);
      };
      const store = sketch.store as unknown as {
        count: number;
        minKey: number;
        maxKey: number;
        offset: number;
        bins: number[];
      };
      varint(sketch.zeroCount);
      if (store.count === 0) {
        varint(0);
        varint(0);
        return Buffer.from(bytes);
      }
      varint(store.minKey < 0 ? -2 * store.minKey - 1 : 2 * store.minKey);
      varint(store.maxKey - store.minKey + 1);
      for (let key = store.minKey; key <= store.maxKey; key++) varint(store.bins[key - store.offset] ?? 0);
      return Buffer.from(bytes);
    };
    for (const n of [0, 1, 50, 3_000]) {
      const values = sample(n);
      const ours = new LatencySketch();
      const theirs = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
      for (const v of values) {
        ours.add(v);
        theirs.accept(v);
      }
      expect(ours.encode()).toEqual(encodeV1(theirs));
    }
  });

  it('merges two encodings into the bytes of the merged sketch, empty and zero-only ones included', () => {
    const build = (values: number[]) => {
      const s = new LatencySketch();
      for (const v of values) s.add(v);
      return s;
    };
    const cases: number[][] = [[], [0, 0], [0.25], [5, 6, 7], [5000, 9000], sample(300), sample(3)];
    for (const x of cases) {
      for (const y of cases) {
        const both = build([...x, ...y]);
        expect(mergeSketchBlobs(build(x).encode(), build(y).encode())).toEqual(both.encode());
      }
    }
  });
});
