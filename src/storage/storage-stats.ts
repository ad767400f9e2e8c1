/**
 * What each database holds, per table and index: rows, bytes and, where the raw size is recorded
 * (events and transactions keep `payload_bytes`), the compression ratio. Read from SQLite's dbstat
 * virtual table (better-sqlite3 builds with SQLITE_ENABLE_DBSTAT_VTAB), which walks every page of
 * the file: about a second per GB, so it runs on the scheduler's timetable (hourly), on a
 * read-only connection of its own, never per request. Snapshots are kept in app.db `settings`.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Db } from './sqlite.js';

export interface TableStats {
  name: string;
  kind: 'table' | 'index';
  /** Rows of a table (cells on leaf pages); entries of an index or a WITHOUT ROWID table. */
  rows: number;
  /** Bytes of every page the b-tree owns (leaf, interior and overflow pages). */
  bytes: number;
  /** Bytes of content the pages hold, the rest being page headers and free space. */
  payloadBytes: number;
}

export interface CompressionStats {
  table: string;
  /** JSON bytes before zstd. */
  rawBytes: number;
  storedBytes: number;
}

export interface FileStats {
  file: string;
  measuredAt: number;
  pageSize: number;
  pageCount: number;
  freePages: number;
  /** 0 none, 1 full, 2 incremental (free pages can be returned by the vacuum task). */
  autoVacuum: number;
  tables: TableStats[];
  compression: CompressionStats[];
}

/** Tables whose rows record the uncompressed size next to the zstd payload. */
const COMPRESSED_TABLES = ['events', 'transactions'] as const;

export function measureFile(path: string, file: string, nowMs = Date.now()): FileStats | null {
  if (!fs.existsSync(path)) return null;
  const db = new Database(path, { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    return measureDb(db, file, nowMs);
  } finally {
    db.close();
  }
}

function measureDb(db: Db, file: string, nowMs: number): FileStats {
  const kinds = new Map(
    (
      db.prepare("SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'index')").all() as {
        name: string;
        type: 'table' | 'index';
      }[]
    ).map((r) => [r.name, r.type]),
  );
  const rows = db
    .prepare(
      `SELECT name, sum(CASE WHEN pagetype = 'leaf' THEN ncell ELSE 0 END) AS leafCells,
              sum(CASE WHEN pagetype = 'internal' THEN ncell ELSE 0 END) AS internalCells,
              sum(pgsize) AS bytes, sum(payload) AS payloadBytes
       FROM dbstat GROUP BY name`,
    )
    .all() as {
    name: string;
    leafCells: number;
    internalCells: number;
    bytes: number;
    payloadBytes: number;
  }[];
  const withoutRowid = new Set(
    db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'")
      .pluck()
      .all() as string[],
  );
  const tables: TableStats[] = rows
    .filter((r) => kinds.has(r.name) || r.name.startsWith('sqlite_autoindex'))
    .map((r) => {
      const kind: TableStats['kind'] = kinds.get(r.name) === 'table' ? 'table' : 'index';
      // Index b-trees (and WITHOUT ROWID tables) keep entries in interior cells too.
      const keyTree = kind === 'index' || withoutRowid.has(r.name);
      return {
        name: r.name,
        kind,
        rows: r.leafCells + (keyTree ? r.internalCells : 0),
        bytes: r.bytes,
        payloadBytes: r.payloadBytes,
      };
    })
    .sort((a, b) => b.bytes - a.bytes);
  const compression: CompressionStats[] = [];
  for (const table of COMPRESSED_TABLES) {
    if (kinds.get(table) !== 'table') continue;
    // length() of a BLOB reads its size from the record header, not its overflow pages.
    const r = db
      .prepare(
        `SELECT coalesce(sum(payload_bytes), 0) AS rawBytes, coalesce(sum(length(payload)), 0) AS storedBytes FROM ${table}`,
      )
      .get() as { rawBytes: number; storedBytes: number };
    compression.push({ table, ...r });
  }
  return {
    file,
    measuredAt: nowMs,
    pageSize: db.pragma('page_size', { simple: true }) as number,
    pageCount: db.pragma('page_count', { simple: true }) as number,
    freePages: db.pragma('freelist_count', { simple: true }) as number,
    autoVacuum: db.pragma('auto_vacuum', { simple: true }) as number,
    tables,
    compression,
  };
}

/** The latest snapshot per file, kept in app.db `settings` under `storage_stats:<file>`. */
export function createStorageStatsStore(db: Db) {
  const PREFIX = 'storage_stats:';
  const write = db.prepare(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
  const readAll = db
    .prepare("SELECT value FROM settings WHERE key LIKE 'storage\\_stats:%' ESCAPE '\\'")
    .pluck();
  return {
    save(stats: FileStats): void {
      write.run(PREFIX + stats.file, JSON.stringify(stats), stats.measuredAt);
    },
    readAll(): FileStats[] {
      return (readAll.all() as string[]).map((v) => JSON.parse(v) as FileStats);
    },
  };
}

export type StorageStatsStore = ReturnType<typeof createStorageStatsStore>;

export interface ParkedJobRow {
  file: string;
  jobId: number;
  kind: string;
  projectId: number;
  error: string;
  parkedAt: number;
}

/** Read side for Settings → Storage: parked jobs of every digest file, and SQLite's version. */
export function createOperationsReader(files: { file: string; db: Db }[]) {
  const statements = files.map(({ file, db }) => ({
    file,
    list: db.prepare(
      `SELECT job_id AS jobId, kind, project_id AS projectId, error, parked_at AS parkedAt
       FROM parked_jobs ORDER BY parked_at DESC LIMIT ?`,
    ),
    count: db.prepare('SELECT count(*) FROM parked_jobs').pluck(),
  }));
  const version = files[0]?.db.prepare('SELECT sqlite_version()').pluck();
  return {
    /** The newest `limit` parked jobs of each file, newest first, and how many each file holds. */
    listParked(limit: number): { jobs: ParkedJobRow[]; counts: Record<string, number> } {
      const jobs = statements
        .flatMap((s) =>
          (s.list.all(limit) as Omit<ParkedJobRow, 'file'>[]).map((r) => ({ file: s.file, ...r })),
        )
        .sort((a, b) => b.parkedAt - a.parkedAt)
        .slice(0, limit);
      return { jobs, counts: Object.fromEntries(statements.map((s) => [s.file, s.count.get() as number])) };
    },
    sqliteVersion: (): string => (version?.get() as string | undefined) ?? 'unknown',
  };
}
