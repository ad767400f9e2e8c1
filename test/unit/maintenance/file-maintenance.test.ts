/** Free pages go back to the file system on files created with auto_vacuum=INCREMENTAL (migrateAll). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateAll } from '../../../src/storage/index.js';
import { createFileMaintenance } from '../../../src/storage/retention-store.js';
import { openSqlite } from '../../../src/storage/sqlite.js';

describe('file maintenance', () => {
  it('creates new files incremental (queue.db excepted) and returns excess free pages', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-vacuum-'));
    migrateAll(dir);
    for (const f of ['app.db', 'errors.db', 'transactions.db', 'logs.db']) {
      const db = openSqlite(path.join(dir, f), { synchronous: 'NORMAL' });
      expect(db.pragma('auto_vacuum', { simple: true }), f).toBe(2);
      db.close();
    }
    const queue = openSqlite(path.join(dir, 'queue.db'), { synchronous: 'FULL' });
    expect(queue.pragma('auto_vacuum', { simple: true })).toBe(0);
    queue.close();

    const db = openSqlite(path.join(dir, 'errors.db'), { synchronous: 'NORMAL' });
    db.exec('CREATE TABLE filler (b BLOB)');
    const insert = db.prepare('INSERT INTO filler VALUES (randomblob(3000))');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run();
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const full = fs.statSync(path.join(dir, 'errors.db')).size;
    db.exec('DELETE FROM filler');
    const maintenance = createFileMaintenance(db);
    let freed = 0;
    for (let n = maintenance.vacuumStep().freedPages; n > 0; n = maintenance.vacuumStep().freedPages)
      freed += n;
    expect(freed).toBeGreaterThan(1000);
    expect(maintenance.checkpoint().truncated).toBe(true);
    expect(fs.statSync(path.join(dir, 'errors.db')).size).toBeLessThan(full / 2);
    db.close();
  });
});
