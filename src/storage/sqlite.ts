/**
 * Opening SQLite files: WAL, pragmas, versioned migrations. One file per concern (app, errors,
 * queue); each has one hot-path writer (see docs/architecture.md), other connections only read or
 * make rare administrative writes that wait on `busy_timeout`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * FULL fsyncs the WAL on every commit: the queue needs it so an acknowledged event survives a
   * power cut, not just a process crash. NORMAL is enough for derived data (it can be rebuilt
   * from the queue) and is what the landscape measurements used.
   */
  synchronous: 'FULL' | 'NORMAL';
  readonly?: boolean;
  /** Page cache in KiB. Peak RSS is mostly these caches (docs/benchmarks.md): size each for its job. */
  cacheKiB?: number;
  /**
   * false: this connection never checkpoints the WAL on commit. The HTTP thread's queue connection
   * uses it so a checkpoint never runs inside a request; the worker checkpoints instead.
   */
  autoCheckpoint?: boolean;
}

/** Milliseconds a connection waits for another writer (CLI, API action) before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export function openSqlite(file: string, options: OpenOptions): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma(`cache_size = -${options.cacheKiB ?? 4 * 1024}`);
  if (options.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}

/** A migration is the SQL that moves a file from version `index` to `index + 1`. */
export type Migration = string;

/**
 * Applies the migrations the file has not seen yet, each in its own transaction, tracking the
 * version in `PRAGMA user_version` (no bookkeeping table needed). Returns the new version.
 */
export function migrate(db: Db, name: string, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `${name}.db is at schema version ${current} but this Snag only knows ${migrations.length}: it was written by a newer Snag. Upgrade Snag or restore a backup.`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return migrations.length;
}

/** Runs `fn` in a write transaction taken up front (BEGIN IMMEDIATE), so it never deadlocks on upgrade. */
export function inWriteTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
