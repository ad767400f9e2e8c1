/**
 * Latency percentiles from DDSketch (@datadog/sketches-js, 1 % relative accuracy): one sketch per
 * (project, endpoint, environment, release, hour), updated at ingest and merged at query time.
 * Every percentile Snag shows comes from here.
 *
 * Stored form: our own varint encoding of the sketch's bins, not the library's `toProto`, which
 * needs protobufjs at run time and rebuilds a full sketch object per row. Merging a stored sketch
 * into an accumulator is then a loop adding counts to bins (~200 bins for durations spanning
 * 1 ms – 10 s), so a 30-day read merges thousands of rows in milliseconds.
 *
 * Layout (version 1): u8 version, varint zeroCount, zigzag varint first key, varint bin count,
 * then one varint count per key from the first key on (empty bins are one 0 byte).
 */
import { DDSketch } from '@datadog/sketches-js';

export const SKETCH_RELATIVE_ACCURACY = 0.01;
const FORMAT_VERSION = 1;

export class LatencySketch {
  private readonly sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });

  get count(): number {
    return this.sketch.count;
  }

  /** Durations are never negative; a negative clock difference counts as 0 ms. */
  add(ms: number, weight = 1): void {
    this.sketch.accept(ms > 0 ? ms : 0, weight);
  }

  merge(other: LatencySketch): void {
    this.sketch.merge(other.sketch);
  }

  /** Adds a stored sketch's bins without building a sketch object for it. */
  mergeEncoded(buf: Uint8Array): void {
    const reader = { buf, pos: 0 };
    if (buf[reader.pos++] !== FORMAT_VERSION) throw new Error(`unknown sketch format ${buf[0]}`);
    const zeros = readVarint(reader);
    const firstKey = unzigzag(readVarint(reader));
    const bins = readVarint(reader);
    const store = this.sketch.store;
    let total = zeros;
    for (let i = 0; i < bins; i++) {
      const n = readVarint(reader);
      if (n === 0) continue;
      store.add(firstKey + i, n);
      total += n;
    }
    this.sketch.zeroCount += zeros;
    this.sketch.count += total;
  }

  /** The value at quantile q (0–1) in ms, or null for an empty sketch. */
  quantile(q: number): number | null {
    if (this.sketch.count === 0) return null;
    const v = this.sketch.getValueAtQuantile(q);
    return Number.isFinite(v) ? v : null;
  }

  encode(): Buffer {
    const store = this.sketch.store;
    const bytes: number[] = [FORMAT_VERSION];
    writeVarint(bytes, this.sketch.zeroCount);
    if (store.count === 0) {
      writeVarint(bytes, 0);
      writeVarint(bytes, 0);
      return Buffer.from(bytes);
    }
    const first = store.minKey;
    const last = store.maxKey;
    writeVarint(bytes, zigzag(first));
    writeVarint(bytes, last - first + 1);
    for (let key = first; key <= last; key++) writeVarint(bytes, store.bins[key - store.offset] ?? 0);
    return Buffer.from(bytes);
  }

  static decode(buf: Uint8Array): LatencySketch {
    const s = new LatencySketch();
    s.mergeEncoded(buf);
    return s;
  }
}

/** Percentiles of many stored sketches (rows of a rollup), merged. */
export function mergeEncodedSketches(blobs: Iterable<Uint8Array>): LatencySketch {
  const acc = new LatencySketch();
  for (const b of blobs) acc.mergeEncoded(b);
  return acc;
}

function writeVarint(out: number[], n: number): void {
  // Counts stay far below 2^53; plain arithmetic instead of bit ops keeps values above 2^31 exact.
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function readVarint(r: { buf: Uint8Array; pos: number }): number {
  let n = 0;
  let scale = 1;
  for (;;) {
    const b = r.buf[r.pos++];
    if (b === undefined) throw new Error('truncated sketch');
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
    scale *= 0x80;
  }
}

const zigzag = (n: number) => (n < 0 ? -2 * n - 1 : 2 * n);
const unzigzag = (n: number) => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);

/** Two stored sketches → one stored sketch (the rollup upsert's `merge_sketch`). */
export function mergeSketchBlobs(stored: Uint8Array, delta: Uint8Array): Buffer {
  const s = LatencySketch.decode(stored);
  s.mergeEncoded(delta);
  return s.encode();
}
