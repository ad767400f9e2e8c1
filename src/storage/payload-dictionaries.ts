/**
 * A database's trained zstd dictionaries for its stored payloads (storage/payload-codec.ts), in
 * its `payload_dictionaries` table, and when the writer trains the next one. Generic over the
 * table of rows (`id`, `payload` columns): errors.db's `events` today; transactions.db's
 * `transactions` can use it as is (add the same table in its migrations), and logs.db's own
 * (storage/logs-dictionary.ts) could move onto it.
 *
 * - Due: the first time once MIN_ROWS_FOR_FIRST_DICTIONARY rows exist (retried hourly while none
 *   wins), then every RETRAIN_INTERVAL_MS.
 * - Sample: the newest TRAINING_SAMPLES + EVAL_SAMPLES rows, one indexed range read, never a
 *   scan; every fourth is held out for the evaluation.
 * - Promotion: the candidate must compress the held-out rows PROMOTION_MARGIN smaller than what is
 *   in use (as logs.db does).
 *
 * Measured on the bench corpus (18.7 KB of JSON per event, held-out 1,000): 4.90 KiB per event
 * without a dictionary, 2.60–2.81 KiB with one from 200–1,000 samples cut at 8–16 KB. Training
 * runs on the writer's thread, once a day at most (see MAX_TRAINING_SAMPLE_BYTES for its cost).
 *
 * A dictionary's id is the first 4 bytes of its SHA-256 (never 0), so it names the same bytes in
 * every file and after a restore: readers cache decompressors by id for the life of the thread.
 */
import { createHash } from 'node:crypto';
import { createPayloadCodec, type PayloadCodec, type PayloadDictionary } from './payload-codec.js';
import type { Db } from './sqlite.js';

export type TrainDictionary = (samples: readonly Uint8Array[], options: { dictBytes: number }) => Buffer;

/** zstd's default dictionary size; 64 KB stored within 1 % on the corpus (2.75 vs 2.76 KiB per event). */
export const DICTIONARY_BYTES = 112_640;
export const MIN_ROWS_FOR_FIRST_DICTIONARY = 1_000;
export const TRAINING_SAMPLES = 300;
export const EVAL_SAMPLES = 100;
/**
 * Bounds the trainer's input (it walks it ~5 times). Held-out corpus events, 8-KB cuts: 600
 * samples 2.76 KiB per event, trained in 2.0 s; 300: 2.81 KiB, 0.65 s; 200: 2.76 KiB, 0.49 s;
 * 300 cut at 4 KB: 3.74 KiB (loaded 2-core box). In a 20-s full-speed bench the first training
 * with 600 took 3.9 % of the errors thread's samples.
 */
const MAX_TRAINING_SAMPLE_BYTES = 8 * 1024;
export const RETRAIN_INTERVAL_MS = 24 * 3_600_000;
const RETRY_WITHOUT_DICTIONARY_MS = 3_600_000;
const CHECK_INTERVAL_MS = 60_000;
/** Until a first dictionary exists, rows take ~1.9× the bytes: look often on a new install. */
const FIRST_DICTIONARY_CHECK_INTERVAL_MS = 5_000;
export const PROMOTION_MARGIN = 0.05;

export interface DictionaryTrainingOutcome {
  promoted: boolean;
  dictId: number | null;
  samples: number;
  evalRawBytes: number;
  evalBeforeBytes: number;
  evalCandidateBytes: number;
  trainMs: number;
}

export function dictionaryIdOf(bytes: Uint8Array): number {
  return createHash('sha256').update(bytes).digest().readUInt32LE(0) || 1;
}

/** Read side: a codec that finds this database's dictionaries (any connection, any thread). */
export function createPayloadReader(db: Db): PayloadCodec {
  const byId = db.prepare('SELECT bytes FROM payload_dictionaries WHERE dict_id = ?').pluck();
  return createPayloadCodec((id) => (byId.get(id) as Buffer | undefined) ?? null);
}

/** Write side: the codec the writer encodes with, kept on the current dictionary, and its training. */
export function createPayloadDictionaries(db: Db, rowsTable: string) {
  const codec = createPayloadReader(db);
  const current = db.prepare(
    'SELECT dict_id AS id, bytes FROM payload_dictionaries ORDER BY id DESC LIMIT 1',
  );
  const lastTraining = db.prepare('SELECT max(created_at) FROM payload_dictionary_trainings').pluck();
  const insertTraining = db.prepare(
    `INSERT INTO payload_dictionary_trainings (created_at, promoted_dict_id, samples, eval_raw_bytes, eval_before_bytes,
       eval_after_bytes, train_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDictionary = db.prepare(
    'INSERT OR IGNORE INTO payload_dictionaries (dict_id, bytes, created_at) VALUES (?, ?, ?)',
  );
  const newestRows = db.prepare(`SELECT payload FROM ${rowsTable} ORDER BY id DESC LIMIT ?`).pluck();
  const maxRowId = db.prepare(`SELECT coalesce(max(id), 0) FROM ${rowsTable}`).pluck();
  let nextCheckAt = 0;

  function currentDictionary(): PayloadDictionary | null {
    return (current.get() as PayloadDictionary | undefined) ?? null;
  }
  codec.useDictionary(currentDictionary());

  function isDue(nowMs: number, inUse: PayloadDictionary | null): boolean {
    const last = (lastTraining.get() as number | null) ?? 0;
    if (inUse) return nowMs - last >= RETRAIN_INTERVAL_MS;
    return (
      nowMs - last >= RETRY_WITHOUT_DICTIONARY_MS &&
      (maxRowId.get() as number) >= MIN_ROWS_FOR_FIRST_DICTIONARY
    );
  }

  function compressedBytes(samples: readonly Buffer[], dictionary: PayloadDictionary | null): number {
    const trial = createPayloadCodec();
    trial.useDictionary(dictionary);
    let bytes = 0;
    for (const s of samples) bytes += trial.encode(s.toString('utf8')).payload.length;
    return bytes;
  }

  return {
    codec,

    /**
     * Trains and maybe promotes a dictionary when due (looked at most once a minute, every 5 s
     * before the first); the codec switches to a promoted one at once. Null when not due.
     */
    trainIfDue(
      nowMs: number,
      train: TrainDictionary,
      options: { force?: boolean } = {},
    ): DictionaryTrainingOutcome | null {
      if (!options.force && nowMs < nextCheckAt) return null;
      const before = currentDictionary();
      nextCheckAt = nowMs + (before ? CHECK_INTERVAL_MS : FIRST_DICTIONARY_CHECK_INTERVAL_MS);
      if (!options.force && !isDue(nowMs, before)) return null;

      const started = performance.now();
      const rows = newestRows.all(TRAINING_SAMPLES + EVAL_SAMPLES) as Buffer[];
      const every = Math.max(2, Math.round(rows.length / EVAL_SAMPLES));
      const held: Buffer[] = [];
      const training: Buffer[] = [];
      for (const [i, blob] of rows.entries()) {
        const json = codec.decompress(blob);
        if (i % every === every - 1) held.push(json);
        // Copied, so the rest of a long payload is not kept alive by its view (~18 KB an event).
        else
          training.push(
            json.length > MAX_TRAINING_SAMPLE_BYTES
              ? Buffer.from(json.subarray(0, MAX_TRAINING_SAMPLE_BYTES))
              : json,
          );
      }
      if (held.length === 0 || training.length === 0) return null;
      const bytes = train(training, { dictBytes: DICTIONARY_BYTES });
      const candidate = { id: dictionaryIdOf(bytes), bytes };
      const evalRawBytes = held.reduce((sum, s) => sum + s.length, 0);
      const evalBeforeBytes = compressedBytes(held, before);
      const evalCandidateBytes = compressedBytes(held, candidate);
      const trainMs = Math.round(performance.now() - started);
      const promoted =
        candidate.id !== before?.id && evalCandidateBytes <= evalBeforeBytes * (1 - PROMOTION_MARGIN);
      db.transaction(() => {
        if (promoted) insertDictionary.run(candidate.id, candidate.bytes, nowMs);
        insertTraining.run(
          nowMs,
          promoted ? candidate.id : null,
          rows.length,
          evalRawBytes,
          evalBeforeBytes,
          evalCandidateBytes,
          trainMs,
        );
      }).immediate();
      if (promoted) codec.useDictionary(currentDictionary());
      return {
        promoted,
        dictId: promoted ? candidate.id : (before?.id ?? null),
        samples: rows.length,
        evalRawBytes,
        evalBeforeBytes,
        evalCandidateBytes,
        trainMs,
      };
    },
  };
}

export type PayloadDictionaries = ReturnType<typeof createPayloadDictionaries>;
