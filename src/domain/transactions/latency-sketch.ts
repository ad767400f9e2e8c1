/**
 * Latency percentiles from DDSketch (@datadog/sketches-js, 1 % relative accuracy): one sketch per
 * (project, endpoint, environment, release, bucket) rollup row, updated at ingest and merged at
 * query time. Every percentile Snag shows comes from here.
 *
 * The library's key mapping (value → bin and back) is used as is; the bins are kept here, in one
 * Float64Array per sketch, and the quantile is the library's rule (`getValueAtQuantile`: the lowest
 * bin whose running count exceeds q × (count − 1), zeros first). The library's DenseStore re-centres
 * its array (a copy) each time a merge reaches past its ends: on the 30-day overview that was
 * 60 % of the time, half of it garbage. test/unit/latency-sketch.test.ts checks every quantile
 * against a real DDSketch fed the same values.
 *
 * Stored form: our own varint encoding of the bins, not the library's `toProto`, which needs
 * protobufjs at run time and rebuilds a full sketch object per row. Merging a stored sketch into an
 * accumulator is a loop adding counts to bins (~200 bins for durations spanning 1 ms – 10 s).
 *
 * Layout (version 1): u8 version, varint zeroCount, zigzag varint first key, varint bin count,
 * then one varint count per key from the first key on (empty bins are one 0 byte). The first and
 * last bin always hold a count.
 */
import { DDSketch } from '@datadog/sketches-js';

export const SKETCH_RELATIVE_ACCURACY = 0.01;
const FORMAT_VERSION = 1;
const MAPPING = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY }).mapping;
/** Bins added beyond the needed range when an array grows, so merging neighbours rarely copies. */
const GROWTH_BINS = 32;

export class LatencySketch {
  /** Counts of keys offset … offset + bins.length − 1. */
  private bins = new Float64Array(0);
  private offset = 0;
  private minKey = Infinity;
  private maxKey = -Infinity;
  private zeroCount = 0;
  private total = 0;

  get count(): number {
    return this.total;
  }

  /** Durations are never negative; a negative clock difference (or no number) counts as 0 ms. */
  add(ms: number, weight = 1): void {
    if (!(weight > 0)) throw new Error('Weight must be a positive number');
    const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
    if (value > MAPPING.minPossible) {
      const key = MAPPING.key(value);
      this.reserve(key, key);
      this.bins[key - this.offset] = this.bins[key - this.offset]! + weight;
      this.note(key, key);
    } else {
      this.zeroCount += weight;
    }
    this.total += weight;
  }

  merge(other: LatencySketch): void {
    if (other.maxKey >= other.minKey) {
      this.reserve(other.minKey, other.maxKey);
      for (let key = other.minKey; key <= other.maxKey; key++) {
        const i = key - this.offset;
        this.bins[i] = this.bins[i]! + other.bins[key - other.offset]!;
      }
      this.note(other.minKey, other.maxKey);
    }
    this.zeroCount += other.zeroCount;
    this.total += other.total;
  }

  /** Adds a stored sketch's bins without building a sketch object for it. */
  mergeEncoded(buf: Uint8Array): void {
    const { zeros, first, bins, reader } = readHeader(buf);
    let total = zeros;
    if (bins > 0) {
      const last = first + bins - 1;
      this.reserve(first, last);
      const base = first - this.offset;
      for (let i = 0; i < bins; i++) {
        const n = readVarint(reader);
        this.bins[base + i] = this.bins[base + i]! + n;
        total += n;
      }
      this.note(first, last);
    }
    this.zeroCount += zeros;
    this.total += total;
  }

  /** The value at quantile q (0–1) in ms, or null for an empty sketch. */
  quantile(q: number): number | null {
    if (this.total === 0 || !(q >= 0 && q <= 1)) return null;
    const rank = q * (this.total - 1);
    if (rank < this.zeroCount) return 0;
    const target = rank - this.zeroCount;
    let running = 0;
    for (let key = this.minKey; key <= this.maxKey; key++) {
      running += this.bins[key - this.offset]!;
      if (running > target) return MAPPING.value(key);
    }
    return Number.isFinite(this.maxKey) ? MAPPING.value(this.maxKey) : null;
  }

  encode(): Buffer {
    const bytes: number[] = [FORMAT_VERSION];
    writeVarint(bytes, this.zeroCount);
    if (!(this.maxKey >= this.minKey)) {
      writeVarint(bytes, 0);
      writeVarint(bytes, 0);
      return Buffer.from(bytes);
    }
    writeVarint(bytes, zigzag(this.minKey));
    writeVarint(bytes, this.maxKey - this.minKey + 1);
    for (let key = this.minKey; key <= this.maxKey; key++) writeVarint(bytes, this.bins[key - this.offset]!);
    return Buffer.from(bytes);
  }

  static decode(buf: Uint8Array): LatencySketch {
    const s = new LatencySketch();
    s.mergeEncoded(buf);
    return s;
  }

  /** Makes room for keys lo … hi. */
  private reserve(lo: number, hi: number): void {
    const end = this.offset + this.bins.length;
    if (lo >= this.offset && hi < end && this.bins.length > 0) return;
    const from =
      this.bins.length === 0 ? lo : Math.min(lo, this.offset) - (lo < this.offset ? GROWTH_BINS : 0);
    const to = this.bins.length === 0 ? hi + 1 : Math.max(hi + 1, end) + (hi >= end ? GROWTH_BINS : 0);
    const bins = new Float64Array(to - from);
    if (this.bins.length > 0) bins.set(this.bins, this.offset - from);
    this.bins = bins;
    this.offset = from;
  }

  /** Keys lo and hi hold counts now: the bounds that encoding and quantiles walk. */
  private note(lo: number, hi: number): void {
    if (lo < this.minKey) this.minKey = lo;
    if (hi > this.maxKey) this.maxKey = hi;
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

/**
 * Two stored sketches → one stored sketch (the rollup upsert's `merge_sketch`), bin by bin on the
 * encoding: the same bytes as decoding both into a DDSketch and encoding the merge (the first and
 * last bin of an encoding always hold a count), without building one. The upsert runs it for every
 * rollup row a batch touches (four resolutions, per key and total), the rebuild after an upgrade
 * for every row it sums.
 */
export function mergeSketchBlobs(stored: Uint8Array, delta: Uint8Array): Buffer {
  const a = readHeader(stored);
  const b = readHeader(delta);
  const out = { buf: scratchOut(a.bins + b.bins), pos: 0 };
  out.buf[out.pos++] = FORMAT_VERSION;
  putVarint(out, a.zeros + b.zeros);
  if (a.bins === 0 && b.bins === 0) {
    putVarint(out, 0);
    putVarint(out, 0);
    return Buffer.from(out.buf.subarray(0, out.pos));
  }
  const first = b.bins === 0 ? a.first : a.bins === 0 ? b.first : Math.min(a.first, b.first);
  const last = Math.max(
    a.bins === 0 ? -Infinity : a.first + a.bins - 1,
    b.bins === 0 ? -Infinity : b.first + b.bins - 1,
  );
  const length = last - first + 1;
  if (counts.length < length) counts = new Float64Array(length * 2);
  counts.fill(0, 0, length);
  for (const side of [a, b]) {
    const offset = side.first - first;
    for (let i = 0; i < side.bins; i++) counts[offset + i] = counts[offset + i]! + readVarint(side.reader);
  }
  putVarint(out, zigzag(first));
  putVarint(out, length);
  for (let i = 0; i < length; i++) putVarint(out, counts[i]!);
  return Buffer.from(out.buf.subarray(0, out.pos));
}

/** Scratch space for merges: bins summed by key, and the encoding being written. */
let counts = new Float64Array(1024);
let outBytes = new Uint8Array(4096);
/** A varint of a count below 2^53 takes at most 8 bytes; the header 1 + 3 × 8. */
function scratchOut(bins: number): Uint8Array {
  const need = 32 + bins * 8;
  if (outBytes.length < need) outBytes = new Uint8Array(need * 2);
  return outBytes;
}

function readHeader(buf: Uint8Array) {
  const reader = { buf, pos: 0 };
  if (buf[reader.pos++] !== FORMAT_VERSION) throw new Error(`unknown sketch format ${buf[0]}`);
  const zeros = readVarint(reader);
  const first = unzigzag(readVarint(reader));
  const bins = readVarint(reader);
  return { zeros, first, bins, reader };
}

function putVarint(out: { buf: Uint8Array; pos: number }, n: number): void {
  while (n >= 0x80) {
    out.buf[out.pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out.buf[out.pos++] = n;
}
