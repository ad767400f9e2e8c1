/**
 * The transaction page lists the other segments of its trace (transactions-store.ts `ofTrace`).
 * With an index on trace_id alone, SQLite picked the project's duration index and sorted every
 * transaction of the project, seconds on the HTTP thread once a project holds a few hundred
 * thousand (docs/benchmarks.md, session 6). The plan must be a range of the trace's own index,
 * already in `start` order.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRANSACTIONS_MIGRATIONS } from '../../../src/storage/migrations/transactions.js';
import { migrate, openSqlite } from '../../../src/storage/sqlite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-trace-index-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('transactions of one trace', () => {
  it('are read through (project_id, trace_id, start), without sorting the project', () => {
    const db = openSqlite(path.join(dir, 'transactions.db'), { synchronous: 'NORMAL' });
    migrate(db, 'transactions.db', TRANSACTIONS_MIGRATIONS);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id, span_id, start FROM transactions
         WHERE trace_id = ? AND project_id = ? ORDER BY start LIMIT 100`,
      )
      .all('4bf92f3577b34da6a3ce929d0e0e4736', 1) as { detail: string }[];
    const details = plan.map((row) => row.detail);
    expect(details.join('\n')).toContain('USING INDEX transactions_by_trace (project_id=? AND trace_id=?)');
    expect(details.join('\n')).not.toContain('TEMP B-TREE');
    db.close();
  });
});
