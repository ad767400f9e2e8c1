/**
 * A zstd raw-content dictionary trainer, so dictionaries can be trained on a machine that has only
 * npm packages (zstd-napi loads dictionaries but cannot train one, and there is no zstd CLI).
 *
 * The algorithm is COVER (Liao, Petri, Moffat, Wirth, "Effective Construction of Relative
 * Lempel-Ziv Dictionaries", WWW 2016), as zstd's `ZDICT_trainFromBuffer_fastCover` implements it:
 * every d-byte substring ("d-mer") is hashed and scored by how many samples contain it; the
 * samples are cut into epochs, and from each epoch the k-byte segment whose distinct d-mers score
 * highest is taken, after which those d-mers score zero so later segments bring new content. The
 * dictionary is the segments concatenated with the best last: zstd reaches recent bytes with the
 * cheapest offsets, and a raw-content dictionary is read as if it preceded the data.
 *
 * What zstd adds and this does not: entropy tables (a dictionary header) and the parameter search
 * of `ZDICT_optimizeTrainFromBuffer_cover`. The caller compares candidates by compressing held-out
 * samples, which is the measure that matters (see storage/logs-dictionary.ts).
 */

export interface TrainOptions {
  /** Dictionary size in bytes (zstd's default and Splat's is 112,640). */
  dictBytes: number;
  /** Segment length: zstd searches 50–2,000; short records want short segments. */
  segmentBytes?: number;
  /** d-mer length, 6 or 8 in zstd. */
  dmerBytes?: 6 | 8;
}

/** Hash table of d-mer scores: 2^20 entries as fastCover's default f=20 (4 MB of counts). */
const HASH_BITS = 20;
const HASH_SIZE = 1 << HASH_BITS;
const DEFAULT_SEGMENT_BYTES = 256;
const DEFAULT_DMER_BYTES = 8;
/** Segments per epoch pass, as zstd's COVER_computeEpochs: each epoch yields ~1/4 of a pass's share. */
const PASSES = 4;
/** Marks positions whose d-mer would cross into the next sample. */
const NO_DMER = 0xffffffff;

export function trainDictionary(samples: readonly Uint8Array[], options: TrainOptions): Buffer {
  const k = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  const d = options.dmerBytes ?? DEFAULT_DMER_BYTES;
  const data = Buffer.concat(samples);
  if (data.length <= options.dictBytes) return Buffer.from(data);

  const hashes = hashDmers(data, samples, d);
  const freqs = countSampleFrequencies(hashes, samples);

  const wanted = Math.ceil(options.dictBytes / k);
  const epochs = Math.max(
    1,
    Math.min(Math.floor(wanted / PASSES) || 1, Math.floor(hashes.length / (10 * k)) || 1),
  );
  const epochSize = Math.floor(hashes.length / epochs);
  const picked: { start: number; end: number; score: number }[] = [];
  const inSegment = new Uint16Array(HASH_SIZE);
  let filled = 0;
  for (let pass = 0; filled < options.dictBytes && pass < wanted; pass++) {
    let progress = false;
    for (let e = 0; e < epochs && filled < options.dictBytes; e++) {
      const segment = bestSegment(hashes, freqs, inSegment, e * epochSize, (e + 1) * epochSize, k, d);
      if (segment.score === 0) continue;
      progress = true;
      picked.push(segment);
      filled += segment.end - segment.start;
      for (let i = segment.start; i + d <= segment.end; i++) if (hashes[i] !== NO_DMER) freqs[hashes[i]!] = 0;
    }
    if (!progress) break;
  }

  // Lowest score first, so the most valuable segment sits at the end, nearest the data.
  picked.sort((a, b) => a.score - b.score);
  const parts = picked.map((s) => data.subarray(s.start, s.end));
  const dict = Buffer.concat(parts);
  return dict.length > options.dictBytes ? dict.subarray(dict.length - options.dictBytes) : dict;
}

function hashDmers(data: Uint8Array, samples: readonly Uint8Array[], d: number): Uint32Array {
  const hashes = new Uint32Array(data.length).fill(NO_DMER);
  const shift = 32 - HASH_BITS;
  let offset = 0;
  for (const sample of samples) {
    const last = offset + sample.length - d;
    for (let i = offset; i <= last; i++) {
      const lo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
      const hi =
        d === 8
          ? data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)
          : data[i + 4]! | (data[i + 5]! << 8);
      hashes[i] = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ (lo >>> 15), 0x85ebca77)) >>> shift;
    }
    offset += sample.length;
  }
  return hashes;
}

/** How many samples contain each d-mer (counted once per sample, as COVER scores). */
function countSampleFrequencies(hashes: Uint32Array, samples: readonly Uint8Array[]): Uint32Array {
  const freqs = new Uint32Array(HASH_SIZE);
  const lastSample = new Uint32Array(HASH_SIZE);
  let offset = 0;
  for (let s = 0; s < samples.length; s++) {
    const end = offset + samples[s]!.length;
    for (let i = offset; i < end; i++) {
      const h = hashes[i]!;
      if (h === NO_DMER || lastSample[h] === s + 1) continue;
      lastSample[h] = s + 1;
      freqs[h]!++;
    }
    offset = end;
  }
  return freqs;
}

/**
 * The k-byte window of [begin, end) whose distinct d-mers score highest: a sliding window that
 * counts each d-mer once (`inSegment`), then trimmed of zero-score d-mers at both ends.
 */
function bestSegment(
  hashes: Uint32Array,
  freqs: Uint32Array,
  inSegment: Uint16Array,
  begin: number,
  end: number,
  k: number,
  d: number,
): { start: number; end: number; score: number } {
  const dmersPerSegment = k - d + 1;
  let best = { start: begin, end: begin, score: 0 };
  let score = 0;
  let windowStart = begin;
  for (let i = begin; i < end; i++) {
    const h = hashes[i]!;
    if (h !== NO_DMER && inSegment[h]!++ === 0) score += freqs[h]!;
    if (i - windowStart + 1 > dmersPerSegment) {
      const out = hashes[windowStart++]!;
      if (out !== NO_DMER && --inSegment[out]! === 0) score -= freqs[out]!;
    }
    if (score > best.score) best = { start: windowStart, end: i + d, score };
  }
  for (let i = windowStart; i < end; i++) {
    const h = hashes[i]!;
    if (h !== NO_DMER) inSegment[h] = 0;
  }
  let { start, end: stop } = best;
  while (start < stop - d && (hashes[start] === NO_DMER || freqs[hashes[start]!] === 0)) start++;
  while (stop - d > start && (hashes[stop - d] === NO_DMER || freqs[hashes[stop - d]!] === 0)) stop--;
  return { start, end: Math.min(stop, hashes.length), score: best.score };
}
