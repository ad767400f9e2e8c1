/**
 * A log record on disk: the promoted columns of its day table (time, level, trace and span ids)
 * plus everything else as JSON compressed with zstd level 3 and the dictionary in use, whose id the
 * row keeps (zstd frames of raw-content dictionaries carry no dictionary id).
 *
 * Measured per record on the bench corpus (docs/benchmarks.md, "Logs storage design"): with our
 * dictionary, level 3 stores 128 B where level 1 stores 142 B, for no more CPU (with a dictionary
 * most of the work is matching against it); level 5 stores 107 B but cost 3–4× the CPU. The 4-byte
 * zstd magic number is the same in every frame and is not stored. The observed time is kept as its
 * distance from the record's time: a few digits instead of a 16-digit number new in every record.
 */
import { Compressor, Decompressor } from 'zstd-napi';
import type { LogLevel, LogRecord } from '../domain/logs/types.js';

export const LOG_ZSTD_LEVEL = 3;
/** Level codes stored in `level` (and used by log_counts): trace = 1 … fatal = 6. */
export const LEVEL_NAMES: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
export const levelCode = (level: LogLevel) => LEVEL_NAMES.indexOf(level) + 1;
export const levelName = (code: number): LogLevel => LEVEL_NAMES[code - 1] ?? 'info';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const SCRATCH_BYTES = 256 * 1024;
const MAX_UTF8_BYTES_PER_CHAR = 3;

/**
 * The JSON part of a stored record: every LogRecord field the columns do not hold. `shared` (one
 * per batch) keeps the JSON of resource and scope objects, which an OTLP parse shares between all
 * records of a body: written once per body, 2.85 → 2.25 µs per OTLP record on the bench corpus
 * (resource and scope are 268 of its 706 characters). The text is the same as
 * `JSON.stringify` of the whole object, key order included (test/unit/logs/payload-json.test.ts).
 */
export function payloadJson(r: LogRecord, shared?: Map<object, string>): string {
  const head = JSON.stringify({
    observedDeltaUs: r.observedUs - r.timeUs,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body,
    logger: r.logger,
    service: r.service,
    host: r.host,
    environment: r.environment,
    release: r.release,
    attributes: r.attributes,
  });
  const resource = sharedJson(r.resource, shared);
  const scope = r.scope === null ? 'null' : sharedJson(r.scope, shared);
  return `${head.slice(0, -1)},"resource":${resource},"scope":${scope},"source":${JSON.stringify(r.source)}}`;
}

/** Valid while the objects are not changed: a batch's records are scrubbed before they are stored. */
function sharedJson(value: object, shared: Map<object, string> | undefined): string {
  if (!shared) return JSON.stringify(value);
  let json = shared.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    shared.set(value, json);
  }
  return json;
}

export interface StoredColumns {
  timeUs: number;
  level: number;
  traceId: Buffer | null;
  spanId: Buffer | null;
}

export function recordFromPayload(json: string, columns: StoredColumns): LogRecord {
  const p = JSON.parse(json) as Omit<LogRecord, 'timeUs' | 'observedUs' | 'level' | 'traceId' | 'spanId'> & {
    observedDeltaUs: number;
  };
  return {
    timeUs: columns.timeUs,
    observedUs: columns.timeUs + p.observedDeltaUs,
    level: levelName(columns.level),
    severityNumber: p.severityNumber,
    severityText: p.severityText,
    body: p.body,
    logger: p.logger,
    service: p.service,
    host: p.host,
    environment: p.environment,
    release: p.release,
    traceId: columns.traceId ? columns.traceId.toString('hex') : null,
    spanId: columns.spanId ? columns.spanId.toString('hex') : null,
    attributes: p.attributes,
    resource: p.resource,
    scope: p.scope,
    source: p.source,
  };
}

/** Compresses with one dictionary (or none, id 0); swapped for a new one when a better one is trained. */
export function createLogCompressor(dictionary: { id: number; bytes: Buffer } | null) {
  const compressor = new Compressor();
  compressor.setParameters({ compressionLevel: LOG_ZSTD_LEVEL });
  if (dictionary) compressor.loadDictionary(dictionary.bytes);
  let scratch: Buffer | undefined;
  return {
    dictId: dictionary?.id ?? 0,
    compressText(text: string): Buffer {
      let bytes: Buffer;
      if (text.length * MAX_UTF8_BYTES_PER_CHAR <= SCRATCH_BYTES) {
        scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
        bytes = scratch.subarray(0, scratch.write(text, 'utf8'));
      } else {
        bytes = Buffer.from(text, 'utf8');
      }
      return this.compress(bytes);
    },
    compress(bytes: Uint8Array): Buffer {
      return compressor.compress(bytes).subarray(ZSTD_MAGIC.length);
    },
  };
}

export type LogCompressor = ReturnType<typeof createLogCompressor>;

/**
 * One decompressor per dictionary id; dictionaries are never deleted. `loadDictionary` runs on a
 * miss; a reader that decompresses while iterating a statement (better-sqlite3 allows no other
 * query then) adds new dictionaries beforehand with `add`.
 */
export function createLogDecompressors(loadDictionary: (id: number) => Buffer | undefined) {
  const byId = new Map<number, Decompressor>();
  const add = (id: number, bytes: Buffer | null) => {
    const d = new Decompressor();
    if (bytes) d.loadDictionary(bytes);
    byId.set(id, d);
    return d;
  };
  return {
    has: (id: number) => byId.has(id),
    add,
    decompress(dictId: number, stored: Buffer): Buffer {
      let d = byId.get(dictId);
      if (!d) {
        const bytes = dictId === 0 ? null : loadDictionary(dictId);
        if (bytes === undefined)
          throw new Error(`logs.db: dictionary ${dictId} is missing, so its rows cannot be read`);
        d = add(dictId, bytes);
      }
      return d.decompress(Buffer.concat([ZSTD_MAGIC, stored]));
    },
  };
}

export type LogDecompressors = ReturnType<typeof createLogDecompressors>;
