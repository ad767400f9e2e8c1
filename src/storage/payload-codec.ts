/**
 * How a stored payload (an event's, a transaction's) is kept on disk: JSON compressed with zstd at
 * level 1, with the database's trained dictionary once it has one (storage/payload-dictionaries.ts).
 *
 * Two shapes of blob, told apart by their first four bytes:
 * - a plain zstd frame (rows stored before any dictionary, and every row of a database without one);
 * - a zstd skippable frame holding the dictionary's id, then the frame compressed with it. zstd
 *   frames made with a raw-content dictionary (ours: domain/logs/dictionary-trainer.ts) record no
 *   dictionary id, so the blob carries it; a skippable frame (RFC 8878 §3.1.2) keeps the blob a
 *   valid zstd stream that `zstd -d -D <dictionary>` decodes. 12 bytes a row.
 *
 * A dictionary's id is derived from its bytes (storage/payload-dictionaries.ts), so an id means the
 * same dictionary in every database and after a restore: the decompressors cached by id below
 * never need invalidating.
 *
 * Level 1 rather than 3, measured on the worker's input (normalized, scrubbed JSON; per-event
 * minimum of 25 interleaved runs, 2026-11-22, the 2-vCPU box of docs/benchmarks.md):
 *
 * | input (JSON bytes)                           | level 1      | level 2      | level 3      |
 * | -------------------------------------------- | ------------ | ------------ | ------------ |
 * | bench corpus, 1,000 events (18.7 KB mean)    | 56 µs, 3.74× | 59 µs, 3.75× | 69 µs, 3.89× |
 * | test/fixtures/node-sdk-envelope.bin (5.1 KB) | 21 µs, 2.27× | 23 µs, 2.29× | 28 µs, 2.31× |
 *
 * With a dictionary trained on 1,000 corpus events (held-out 1,000, interleaved, fastest of 6):
 * none 4.90 KiB 60 µs; level 1 2.60–2.77 KiB 56–58 µs; level 2 2.83 KiB 65 µs; level 3 2.41 KiB
 * 75 µs. Decompression 23–25 µs in every case. Level 1 stays.
 */
import { Compressor, Decompressor } from 'zstd-napi';

const ZSTD_LEVEL = 1;
/**
 * The JSON's UTF-8 bytes are written into one reused buffer: `Buffer.from(json)` measured and
 * allocated ~18 KB per event (6–9 µs), writing costs 1–2 µs. Larger payloads take the allocation.
 */
const SCRATCH_BYTES = 256 * 1024;
/** UTF-8's worst case per UTF-16 code unit, so `length * 3` bytes always hold the string. */
const MAX_UTF8_BYTES_PER_CHAR = 3;
/** First of zstd's 16 skippable-frame magic numbers (0x184D2A50–0x184D2A5F), little-endian. */
const SKIPPABLE_MAGIC = 0x184d2a50;
const DICTIONARY_HEADER_BYTES = 12;

export interface EncodedPayload {
  payload: Buffer;
  /** The JSON's length in UTF-8 bytes, before compression. */
  payloadBytes: number;
}

export interface PayloadDictionary {
  id: number;
  bytes: Buffer;
}

/** Finds a dictionary's bytes by id in the database the blobs come from; null when it has none. */
export type FindDictionary = (id: number) => Buffer | null;

export interface PayloadCodec {
  encode(json: string): EncodedPayload;
  decode(blob: Buffer): unknown;
  decompress(blob: Buffer): Buffer;
  /** What `encode` compresses with from now on (null: no dictionary). */
  useDictionary(dictionary: PayloadDictionary | null): void;
  dictionaryId(): number | null;
  /** The dictionary `encode` uses, so another thread's codec can encode alike (workers/errors-pipeline.ts). */
  currentDictionary(): PayloadDictionary | null;
}

export class UnknownDictionaryError extends Error {}

let scratch: Buffer | undefined;
let plainDecompressor: Decompressor | undefined;
/** Per thread, by id; ids are content-derived, so shared by every database's codec. */
const decompressors = new Map<number, Decompressor>();

export function createPayloadCodec(findDictionary: FindDictionary = () => null): PayloadCodec {
  let compressor: Compressor | undefined;
  let dictionary: PayloadDictionary | null = null;

  function decompressorFor(id: number): Decompressor {
    let d = decompressors.get(id);
    if (d) return d;
    const bytes = dictionary?.id === id ? dictionary.bytes : findDictionary(id);
    if (!bytes)
      throw new UnknownDictionaryError(`payload compressed with dictionary ${id}, which is not stored`);
    d = new Decompressor();
    d.loadDictionary(bytes);
    decompressors.set(id, d);
    return d;
  }

  function decompress(blob: Buffer): Buffer {
    if (blob.length >= DICTIONARY_HEADER_BYTES && blob.readUInt32LE(0) === SKIPPABLE_MAGIC) {
      const id = blob.readUInt32LE(8);
      return decompressorFor(id).decompress(blob.subarray(DICTIONARY_HEADER_BYTES));
    }
    plainDecompressor ??= new Decompressor();
    return plainDecompressor.decompress(blob);
  }

  return {
    encode(json) {
      if (!compressor) {
        compressor = new Compressor();
        compressor.setParameters({ compressionLevel: ZSTD_LEVEL });
        if (dictionary) compressor.loadDictionary(dictionary.bytes);
      }
      const bytes = utf8Bytes(json);
      // compress() returns a new Buffer, never a view of its input, so the scratch is free again.
      const compressed = compressor.compress(bytes);
      if (!dictionary) return { payload: compressed, payloadBytes: bytes.length };
      const payload = Buffer.allocUnsafe(DICTIONARY_HEADER_BYTES + compressed.length);
      payload.writeUInt32LE(SKIPPABLE_MAGIC, 0);
      payload.writeUInt32LE(4, 4);
      payload.writeUInt32LE(dictionary.id, 8);
      compressed.copy(payload, DICTIONARY_HEADER_BYTES);
      return { payload, payloadBytes: bytes.length };
    },
    decode(blob) {
      return JSON.parse(decompress(blob).toString('utf8'));
    },
    decompress,
    useDictionary(next) {
      if ((next?.id ?? null) === (dictionary?.id ?? null)) return;
      dictionary = next;
      // Parameters cannot change while a dictionary is loaded: a fresh compressor is simplest.
      compressor = undefined;
    },
    dictionaryId: () => dictionary?.id ?? null,
    currentDictionary: () => dictionary,
  };
}

function utf8Bytes(json: string): Buffer {
  if (json.length * MAX_UTF8_BYTES_PER_CHAR > SCRATCH_BYTES) return Buffer.from(json, 'utf8');
  scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
  return scratch.subarray(0, scratch.write(json, 'utf8'));
}

/** Without a database's dictionaries: what callers that have no codec of their own use. */
const plainCodec = createPayloadCodec();

export function encodePayload(json: string): EncodedPayload {
  return plainCodec.encode(json);
}

/**
 * Decodes a plain blob, or one whose dictionary this thread has already loaded; a blob with any
 * other dictionary throws UnknownDictionaryError: read it through its database's codec.
 */
export function decodePayload(blob: Buffer): unknown {
  return plainCodec.decode(blob);
}
