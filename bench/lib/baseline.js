/**
 * The ceilings Snag is compared against, measured in this process on the same payloads:
 * - bare better-sqlite3 inserts (zstd level 3 per payload, 500-row transactions, WAL,
 *   synchronous=NORMAL) into an events table shaped and indexed like Snag's, on the same disk;
 * - V8 JSON.parse throughput over the payloads (Snag parses each event once in the worker).
 * Run while no server is up, so neither competes with the other for the two cores.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Compressor } from 'zstd-napi';

const BATCH_ROWS = 500;
/** Stop at whichever comes first: enough rows for a stable rate, or enough seconds. */
const MAX_ROWS = 60_000;
const MAX_SECONDS = 8;
const ZSTD_LEVEL = 3;
/** The digest worker's page cache (src/storage/index.ts), so the baseline gets the same memory. */
const CACHE_KIB = 64 * 1024;
const JSON_PARSE_MIN_SECONDS = 2;
const BYTES_PER_MB = 1e6;

// Same columns, UNIQUE and indexes as Snag's events table (src/storage/migrations/errors.ts).
const SCHEMA = `
  CREATE TABLE events (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, event_id TEXT NOT NULL, issue_id INTEGER NOT NULL,
    timestamp INTEGER NOT NULL, received_at INTEGER NOT NULL, level TEXT NOT NULL, environment TEXT NOT NULL,
    release TEXT, platform TEXT NOT NULL, transaction_name TEXT, trace_id TEXT, server_name TEXT,
    user_id TEXT, user_email TEXT, user_ip TEXT, sdk TEXT, title TEXT NOT NULL,
    payload BLOB NOT NULL, payload_bytes INTEGER NOT NULL,
    UNIQUE (project_id, event_id)
  );
  CREATE INDEX events_by_issue ON events (issue_id, timestamp DESC, id DESC);
  CREATE INDEX events_by_trace ON events (trace_id) WHERE trace_id IS NOT NULL;
`;

function openBaselineDb(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.exec(SCHEMA);
  return db;
}

/** The baseline's temp dir while it exists, so an interrupted run can still delete it. */
let liveTempDir;

/** For a process 'exit' handler: synchronous, and a no-op when no baseline is running. */
export function removeBaselineFilesNow() {
  if (liveTempDir) fs.rmSync(liveTempDir, { recursive: true, force: true });
}

/** Rows/s of compress + insert, and how much of that time zstd took. */
export async function measureBareInserts(corpus) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-bench-baseline-'));
  liveTempDir = dir;
  try {
    const db = openBaselineDb(path.join(dir, 'baseline.db'));
    const insert = db.prepare(
      `INSERT INTO events (project_id, event_id, issue_id, timestamp, received_at, level, environment, release, platform,
         transaction_name, trace_id, server_name, user_id, user_email, user_ip, sdk, title, payload, payload_bytes)
       VALUES (1, ?, ?, ?, ?, 'error', ?, ?, 'node', ?, ?, ?, ?, ?, ?, 'sentry.javascript.node/11.12.0', ?, ?, ?)`,
    );
    const insertBatch = db.transaction((rows) => {
      for (const r of rows) insert.run(...r);
    });
    const compressor = new Compressor();
    compressor.setParameters({ compressionLevel: ZSTD_LEVEL });
    const prefix = randomBytes(8).toString('hex');
    const { entries } = corpus;
    let rows = 0;
    let compressMs = 0;
    let storedBytes = 0;
    const startedAt = performance.now();
    while (rows < MAX_ROWS && performance.now() - startedAt < MAX_SECONDS * 1000) {
      const batch = [];
      for (let i = 0; i < BATCH_ROWS; i++, rows++) {
        const entry = entries[rows % entries.length];
        const t = performance.now();
        const blob = compressor.compress(entry.payload);
        compressMs += performance.now() - t;
        storedBytes += blob.length;
        const r = entry.row;
        const now = Date.now();
        batch.push([
          prefix + rows.toString(16).padStart(16, '0'),
          entry.signatureIndex + 1,
          now,
          now,
          r.environment,
          r.release,
          r.transaction,
          r.traceId,
          r.serverName,
          r.userId,
          r.userEmail,
          r.userIp,
          r.title,
          blob,
          entry.payload.length,
        ]);
      }
      insertBatch(batch);
      // A turn of the event loop per batch (~0.1 ms against ~80 ms of work) so Ctrl-C is handled.
      await yieldToEventLoop();
    }
    const seconds = (performance.now() - startedAt) / 1000;
    db.close();
    return {
      rows,
      seconds,
      rowsPerSecond: rows / seconds,
      compressShare: compressMs / 1000 / seconds,
      compressedBytesMean: storedBytes / rows,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    liveTempDir = undefined;
  }
}

/** MB/s and events/s of Buffer → string → JSON.parse, after one warm-up pass. */
export async function measureJsonParse(corpus) {
  const parseAll = () => {
    let bytes = 0;
    for (const { payload } of corpus.entries) {
      JSON.parse(payload.toString('utf8'));
      bytes += payload.length;
    }
    return bytes;
  };
  parseAll();
  let bytes = 0;
  let events = 0;
  const startedAt = performance.now();
  while (performance.now() - startedAt < JSON_PARSE_MIN_SECONDS * 1000) {
    bytes += parseAll();
    await yieldToEventLoop();
    events += corpus.entries.length;
  }
  const seconds = (performance.now() - startedAt) / 1000;
  return { megabytesPerSecond: bytes / BYTES_PER_MB / seconds, eventsPerSecond: events / seconds };
}
