/**
 * errors.db's trained payload dictionary on real SQLite files: rows stored before it stay readable,
 * rows after it are smaller and decode to the same JSON, through the read side's own connection
 * and from a backup of the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trainDictionary } from '../../src/domain/logs/dictionary-trainer.js';
import { mergeSketchBlobs } from '../../src/domain/transactions/latency-sketch.js';
import { backupDatabase } from '../../src/storage/backup-files.js';
import {
  DATA_FILES,
  migrateAll,
  openStorage,
  openWorkerStorage,
  type Storage,
  type WorkerStorage,
} from '../../src/storage/index.js';
import { createPayloadCodec, UnknownDictionaryError } from '../../src/storage/payload-codec.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import {
  createPayloadReader,
  MIN_ROWS_FOR_FIRST_DICTIONARY,
} from '../../src/storage/payload-dictionaries.js';
import { drainErrorsOnce } from '../../src/workers/errors-consumer.js';
import { digestEventJob } from '../../src/workers/jobs/digest-event.js';
import { tempDataDir } from '../helpers/snag.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const silent = { error: () => {} };
/** zstd's first skippable-frame magic, little-endian: what a dictionary-compressed payload starts with. */
const SKIPPABLE = Buffer.from([0x50, 0x2a, 0x4d, 0x18]);
// The bench's corpus (bench/lib/events.js: @sentry/node-shaped events, 120 signatures, 5–30 KB):
// a dictionary needs many varied events, which no single captured fixture gives. Plain JS, untyped.
const CORPUS_MODULE: string = '../../bench/lib/corpus.js';
const { buildCorpus } = (await import(CORPUS_MODULE)) as {
  buildCorpus: (size: number) => { entries: { payload: Buffer }[] };
};
const corpus = buildCorpus(MIN_ROWS_FOR_FIRST_DICTIONARY + 200);

let dir: string;
let main: Storage;
let worker: WorkerStorage;
let projectId: number;

beforeEach(() => {
  dir = tempDataDir('dictionary');
  migrateAll(dir);
  main = openStorage(dir);
  worker = openWorkerStorage(dir, { mergeSketch: mergeSketchBlobs });
  projectId = main.app.insertProject({
    slug: 'p',
    name: 'P',
    public_key: 'a'.repeat(32),
    platform: null,
    created_at: Date.now(),
  }).id;
});

afterEach(() => {
  main.close();
  worker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const eventId = (i: number) => (i + 1).toString(16).padStart(32, '0');
const job = (i: number) => ({
  kind: 'event',
  projectId,
  receivedAt: Date.now(),
  meta: JSON.stringify({ event_id: eventId(i) }),
  payload: corpus.entries[i]!.payload,
});

function store(from: number, to: number): void {
  for (let i = from; i < to; i += 500) {
    main.queue.insertJobs(Array.from({ length: Math.min(500, to - i) }, (_, k) => job(i + k)));
  }
  while (
    drainErrorsOnce(worker, { batchSize: 500, scrub: SCRUB, maxDecompressedBytes: 1 << 26, log: silent })
  );
}

const storedPayload = (i: number) => main.issues.getEvent(projectId, eventId(i))!.payload;

describe('payload dictionary (errors.db)', () => {
  it('trains once enough events are stored; new rows are smaller, old and new rows read back the same', () => {
    const before = MIN_ROWS_FOR_FIRST_DICTIONARY;
    store(0, before);
    expect(worker.digest.payloadCodec.dictionaryId()).toBeNull();
    expect(storedPayload(0).subarray(0, 4).equals(SKIPPABLE)).toBe(false);

    const outcome = worker.digest.trainDictionaryIfDue(Date.now(), trainDictionary, { force: true })!;
    expect(outcome.promoted).toBe(true);
    // Measured on this corpus: ~0.55 of the plain size; the margin to promote is 0.95.
    expect(outcome.evalCandidateBytes / outcome.evalBeforeBytes).toBeLessThan(0.7);
    expect(worker.digest.payloadCodec.dictionaryId()).toBe(outcome.dictId);

    store(before, corpus.entries.length);
    const newer = storedPayload(before);
    expect(newer.subarray(0, 4).equals(SKIPPABLE)).toBe(true);
    expect(newer.readUInt32LE(8)).toBe(outcome.dictId);

    // The same event compressed without the dictionary: the stored JSON is identical, only smaller.
    const sameJob = { ...job(before), id: 0 };
    const plain = digestEventJob(sameJob, SCRUB);
    const viaDictionary = digestEventJob(sameJob, SCRUB, worker.digest.payloadCodec);
    expect(viaDictionary.payload.length).toBeLessThan(plain.payload.length * 0.8);
    const plainJson = createPayloadCodec().decode(plain.payload) as Record<string, unknown>;
    expect(main.issues.decodePayload(viaDictionary.payload)).toEqual(plainJson);

    // The read side (its own connection, as the API and MCP use it) decodes both shapes.
    const oldEvent = main.issues.decodePayload(storedPayload(0)) as { event_id: string };
    const newEvent = main.issues.decodePayload(newer) as Record<string, unknown>;
    expect(oldEvent.event_id).toBe(eventId(0));
    expect(newEvent['event_id']).toBe(eventId(before));
    expect(newEvent['exception']).toEqual(plainJson['exception']);
  });

  it('is found from a backup of errors.db, and a codec without the dictionary refuses the row', async () => {
    store(0, MIN_ROWS_FOR_FIRST_DICTIONARY);
    const { dictId } = worker.digest.trainDictionaryIfDue(Date.now(), trainDictionary, { force: true })!;
    store(MIN_ROWS_FOR_FIRST_DICTIONARY, MIN_ROWS_FOR_FIRST_DICTIONARY + 10);
    const blob = storedPayload(MIN_ROWS_FOR_FIRST_DICTIONARY);

    // Payload decompressors are cached per thread by dictionary id; this id was never cached under
    // another's bytes, so a codec that cannot find it must refuse, not guess.
    const otherId = (dictId! + 1) >>> 0 || 1;
    const forged = Buffer.from(blob);
    forged.writeUInt32LE(otherId, 8);
    expect(() => createPayloadCodec().decode(forged)).toThrow(UnknownDictionaryError);

    const copy = path.join(tempDataDir('dictionary-backup'), DATA_FILES.errors);
    await backupDatabase(path.join(dir, DATA_FILES.errors), copy, () => {});
    const restored = openSqlite(copy, { synchronous: 'NORMAL' });
    try {
      const decoded = createPayloadReader(restored).decode(blob) as { event_id: string };
      expect(decoded.event_id).toBe(eventId(MIN_ROWS_FOR_FIRST_DICTIONARY));
      expect(restored.prepare('SELECT count(*) FROM payload_dictionaries').pluck().get()).toBe(1);
    } finally {
      restored.close();
      fs.rmSync(path.dirname(copy), { recursive: true, force: true });
    }
  });

  it('is not trained before enough events are stored', () => {
    store(0, 10);
    expect(worker.digest.trainDictionaryIfDue(Date.now(), trainDictionary)).toBeNull();
    expect(worker.digest.payloadCodec.dictionaryId()).toBeNull();
  });
});
