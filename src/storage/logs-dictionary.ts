/**
 * When and how logs.db trains a new zstd dictionary, and whether it replaces the current one.
 *
 * - Due: the first time once MIN_RECORDS_FOR_FIRST_DICTIONARY records are stored (retried hourly
 *   while none wins), then every RETRAIN_INTERVAL_MS.
 * - Sample: bounded, never a scan: runs of SAMPLE_RUN_ROWS consecutive records starting at random
 *   ids of the newest two days, decompressed, until TRAINING_SAMPLES + EVAL_SAMPLES records
 *   or MAX_SAMPLED_BYTES. Every fifth is held out for the evaluation.
 * - Promotion: the candidate must compress the held-out records at least PROMOTION_MARGIN smaller
 *   than the dictionary in use (or than no dictionary, for the first one). Splat used 10 % and
 *   let the first dictionary win unconditionally.
 *
 * The trainer itself is domain logic (domain/logs/dictionary-trainer.ts), passed in.
 */
import { createLogCompressor, type LogDecompressors } from './logs-codec.js';
import { logsTable } from './logs-partitions.js';
import type { Db } from './sqlite.js';

export type TrainDictionary = (samples: readonly Uint8Array[], options: { dictBytes: number }) => Buffer;

/** zstd's default dictionary size, and Splat's. Measured: 64 KB compresses the bench corpus within 2 %. */
export const DICTIONARY_BYTES = 112_640;
export const MIN_RECORDS_FOR_FIRST_DICTIONARY = 2_000;
export const TRAINING_SAMPLES = 4_000;
export const EVAL_SAMPLES = 1_000;
/**
 * Bounds on what one training reads and holds, which bound its time on the writer's thread: the
 * trainer walks its input ~5 times (measured on a busy 2-core box: 0.5–0.9 s for 4,000 records,
 * 2.6 MB; 9 s for 16 MB). A sample is cut like zstd's trainer cuts it (at 128 KB), only shorter: dictionaries
 * are made of what records share, which sits in their first KBs.
 */
const MAX_SAMPLED_BYTES = 4 * 1024 * 1024;
const MAX_TRAINING_SAMPLE_BYTES = 8 * 1024;
const SAMPLE_RUN_ROWS = 8;
/** Samples come from the newest days that have records (today and yesterday, normally). */
const SAMPLED_DAYS = 2;
export const RETRAIN_INTERVAL_MS = 24 * 3_600_000;
const RETRY_WITHOUT_DICTIONARY_MS = 3_600_000;
/** How often "is training due" looks at the database when it was not. */
const CHECK_INTERVAL_MS = 60_000;
/**
 * Until a first dictionary exists, every record is stored at ~1.8× instead of ~5.6× (bench logs
 * stage): look every few seconds, so a new install trains as soon as it has enough records.
 */
const FIRST_DICTIONARY_CHECK_INTERVAL_MS = 5_000;
export const PROMOTION_MARGIN = 0.05;

export interface TrainingOutcome {
  promoted: boolean;
  dictId: number;
  samples: number;
  /** Held-out bytes: raw, compressed as before, compressed with the candidate. */
  evalRawBytes: number;
  evalBeforeBytes: number;
  evalCandidateBytes: number;
  trainMs: number;
}

export interface Dictionary {
  id: number;
  bytes: Buffer;
}

export function createDictionaryTraining(
  db: Db,
  deps: { train: TrainDictionary; decompressors: LogDecompressors; random?: () => number },
) {
  const random = deps.random ?? Math.random;
  const current = db.prepare('SELECT id, bytes FROM log_dictionaries ORDER BY id DESC LIMIT 1');
  const counter = db.prepare('SELECT value FROM counters WHERE name = ?').pluck();
  const setCounter = db.prepare(
    'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  );
  const bumpCounter = db.prepare('UPDATE counters SET value = value + 1 WHERE name = ?');
  const storedRows = db.prepare('SELECT coalesce(sum(rows), 0) FROM log_partitions').pluck();
  const recentPartitions = db.prepare(
    `SELECT day, min_id, max_id FROM log_partitions WHERE rows > 0 ORDER BY day DESC LIMIT ${SAMPLED_DAYS}`,
  );
  const insertDictionary = db.prepare(
    `INSERT INTO log_dictionaries (bytes, created_at, samples, sample_bytes, eval_raw_bytes, eval_before_bytes,
       eval_after_bytes, train_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  let nextCheckAt = 0;

  function currentDictionary(): Dictionary | null {
    return (current.get() as Dictionary | undefined) ?? null;
  }

  function isDue(nowMs: number, dictionary: Dictionary | null): boolean {
    const last = counter.get('last_dictionary_training') as number;
    if (dictionary) return nowMs - last >= RETRAIN_INTERVAL_MS;
    return (
      nowMs - last >= RETRY_WITHOUT_DICTIONARY_MS &&
      (storedRows.get() as number) >= MIN_RECORDS_FOR_FIRST_DICTIONARY
    );
  }

  /** Recent records' JSON, as compressed: runs of consecutive rows from random points of the newest days. */
  function sampleRecords(wanted: number): Buffer[] {
    const parts = recentPartitions.all() as { day: number; min_id: number; max_id: number }[];
    if (parts.length === 0) return [];
    const spans = parts.map((p) => ({ ...p, width: p.max_id - p.min_id + 1 }));
    const total = spans.reduce((sum, p) => sum + p.width, 0);
    const statements = new Map(
      spans.map((p) => [
        p.day,
        db.prepare(
          `SELECT id, dict_id, payload FROM ${logsTable(p.day)} WHERE id >= ? ORDER BY id LIMIT ${SAMPLE_RUN_ROWS}`,
        ),
      ]),
    );
    const seen = new Set<number>();
    const samples: Buffer[] = [];
    let bytes = 0;
    for (
      let attempt = 0;
      samples.length < wanted && bytes < MAX_SAMPLED_BYTES && attempt < (wanted / SAMPLE_RUN_ROWS) * 4;
      attempt++
    ) {
      let offset = Math.floor(random() * total);
      let part = spans[0]!;
      for (const p of spans) {
        part = p;
        if (offset < p.width) break;
        offset -= p.width;
      }
      const rows = statements.get(part.day)!.all(part.min_id + offset) as {
        id: number;
        dict_id: number;
        payload: Buffer;
      }[];
      for (const row of rows) {
        if (seen.has(row.id) || samples.length >= wanted) continue;
        seen.add(row.id);
        const sample = deps.decompressors.decompress(row.dict_id, row.payload);
        bytes += sample.length;
        samples.push(sample);
      }
    }
    return samples;
  }

  function compressedBytes(samples: readonly Buffer[], dictionary: Dictionary | null): number {
    const compressor = createLogCompressor(dictionary);
    let bytes = 0;
    for (const s of samples) bytes += compressor.compress(s).length;
    return bytes;
  }

  return {
    currentDictionary,

    /** Trains and maybe promotes a dictionary when due; returns what happened, or null when not due. */
    trainIfDue(
      nowMs: number,
      options: { force?: boolean } = {},
    ): (TrainingOutcome & { dictionary: Dictionary | null }) | null {
      if (!options.force && nowMs < nextCheckAt) return null;
      const before = currentDictionary();
      nextCheckAt = nowMs + (before ? CHECK_INTERVAL_MS : FIRST_DICTIONARY_CHECK_INTERVAL_MS);
      if (!options.force && !isDue(nowMs, before)) return null;

      const started = performance.now();
      setCounter.run('last_dictionary_training', nowMs);
      bumpCounter.run('dictionary_trainings');
      const samples = sampleRecords(TRAINING_SAMPLES + EVAL_SAMPLES);
      const training = samples
        .filter((_, i) => i % 5 !== 4)
        .map((s) => (s.length > MAX_TRAINING_SAMPLE_BYTES ? s.subarray(0, MAX_TRAINING_SAMPLE_BYTES) : s));
      const held = samples.filter((_, i) => i % 5 === 4);
      if (held.length === 0) return null;
      const candidate = deps.train(training, { dictBytes: DICTIONARY_BYTES });
      const evalRawBytes = held.reduce((sum, s) => sum + s.length, 0);
      const evalBeforeBytes = compressedBytes(held, before);
      const evalCandidateBytes = compressedBytes(held, { id: -1, bytes: candidate });
      const trainMs = Math.round(performance.now() - started);
      const outcome = { samples: samples.length, evalRawBytes, evalBeforeBytes, evalCandidateBytes, trainMs };
      if (evalCandidateBytes > evalBeforeBytes * (1 - PROMOTION_MARGIN)) {
        return { ...outcome, promoted: false, dictId: before?.id ?? 0, dictionary: null };
      }
      const id = insertDictionary.pluck().get(
        candidate,
        nowMs,
        training.length,
        training.reduce((sum, s) => sum + s.length, 0),
        evalRawBytes,
        evalBeforeBytes,
        evalCandidateBytes,
        trainMs,
      ) as number;
      bumpCounter.run('dictionary_promotions');
      return { ...outcome, promoted: true, dictId: id, dictionary: { id, bytes: candidate } };
    },
  };
}
