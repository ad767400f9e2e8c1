/**
 * Online backup and restore of the data dir's SQLite files (cli/backup.ts, cli/restore.ts).
 *
 * A backup uses SQLite's backup API (better-sqlite3 `db.backup`) from a connection that holds a
 * read transaction for the whole copy: the API then copies that one snapshot, step by step, while
 * the server keeps writing through its own connections (WAL readers do not block writers, and
 * writers never restart a backup pinned to a snapshot). Each file is consistent at its own moment;
 * why the set is safe to restore is explained in docs/architecture.md ("Backup and restore").
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';

/** Pages per backup step (4 KiB pages: 4 MiB), so the progress bar moves and memory stays flat. */
const PAGES_PER_STEP = 1024;

export async function backupDatabase(
  source: string,
  dest: string,
  onProgress: (donePages: number, totalPages: number) => void,
): Promise<{ pages: number; userVersion: number }> {
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
    // The read transaction starts with the first read; from here the snapshot is fixed.
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const result = await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress(totalPages - remainingPages, totalPages);
        return PAGES_PER_STEP;
      },
    });
    db.exec('COMMIT');
    onProgress(result.totalPages, result.totalPages);
    return { pages: result.totalPages, userVersion };
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of one file: 'ok' or the first problems SQLite reports. */
export function checkIntegrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check(10)', { simple: false }) as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** The scheduler lease in a data dir's app.db; a live one means a Snag is running on that dir. */
export function readLiveLease(appDbFile: string, name: string, nowMs = Date.now()) {
  if (!fs.existsSync(appDbFile)) return undefined;
  const db = new Database(appDbFile, { readonly: true, fileMustExist: true });
  try {
    const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'leases'").get();
    if (!hasTable) return undefined;
    const row = db.prepare('SELECT holder, expires_at AS expiresAt FROM leases WHERE name = ?').get(name) as
      { holder: string; expiresAt: number } | undefined;
    return row && row.expiresAt > nowMs ? row : undefined;
  } finally {
    db.close();
  }
}

/**
 * After a restore: forget the lease the backup copied from the live server (its holder is not
 * running here), so the restored Snag's scheduler starts at once.
 */
export function clearLeases(appDbFile: string): void {
  const db = new Database(appDbFile, { fileMustExist: true });
  try {
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'leases'").get())
      db.exec('DELETE FROM leases');
  } finally {
    db.close();
  }
}

/** The highest job id any consumer recorded as digested, across the digest files given. */
export function readMaxCursor(files: string[]): number {
  let max = 0;
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const v = db.prepare('SELECT max(last_job_id) FROM consumer_cursors').pluck().get() as number | null;
      max = Math.max(max, v ?? 0);
    } finally {
      db.close();
    }
  }
  return max;
}

/**
 * Queue ids must never be reused (consumers skip ids at or below their cursor). The restored
 * queue.db may be older than a digest file's cursor, so its AUTOINCREMENT counter is raised to it.
 */
export function raiseQueueSequence(queueDbFile: string, atLeast: number): void {
  const db = new Database(queueDbFile, { fileMustExist: true });
  try {
    db.transaction(() => {
      const changed = db
        .prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'jobs'")
        .run(atLeast).changes;
      if (changed === 0)
        db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('jobs', ?)").run(atLeast);
    })();
  } finally {
    db.close();
  }
}
