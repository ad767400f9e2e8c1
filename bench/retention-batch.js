// Cost of one retention delete batch in errors.db (domain/maintenance/thread-tasks.ts
// RETENTION_ROWS_PER_BATCH): 40,000 expired events of 5 KB random payload over 200 issues, deleted
// with the store the errors thread uses, N rows per transaction. Needs `npm run build`.
//
//   N=200 node bench/retention-batch.js
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateAll } from '../dist/storage/index.js';
import { createErrorsRetentionStore } from '../dist/storage/retention-store.js';
import { openSqlite } from '../dist/storage/sqlite.js';

const rows = Number(process.env.N ?? '200');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'snag-retention-bench-'));
migrateAll(dir);
const db = openSqlite(path.join(dir, 'errors.db'), { synchronous: 'NORMAL', cacheKiB: 32 * 1024 });
const now = Date.now();
const old = now - 100 * 86_400_000;
db.transaction(() => {
  const issue = db.prepare(
    `INSERT INTO issues (project_id, hash, title, culprit, type, value, level, platform, first_seen, last_seen)
     VALUES (1, ?, 't', 'c', 'E', 'v', 'error', 'node', ?, ?)`,
  );
  const event = db.prepare(
    `INSERT INTO events (project_id, event_id, issue_id, timestamp, received_at, level, environment, platform, title, payload, payload_bytes)
     VALUES (1, ?, ?, ?, ?, 'error', 'production', 'node', 't', randomblob(5000), 18000)`,
  );
  for (let i = 1; i <= 200; i++) issue.run(`h${i}`, old, i % 2 ? old + 1 : now);
  for (let j = 0; j < 40_000; j++) event.run(`e${j}`, 1 + (j % 200), old + j, old + j);
})();
db.pragma('wal_checkpoint(TRUNCATE)');
const store = createErrorsRetentionStore(db);
const times = [];
for (let after = 0; ;) {
  const t = performance.now();
  const step = store.pruneEvents(now - 90 * 86_400_000, after, rows);
  times.push(performance.now() - t);
  if (step.done) break;
  after = step.nextIssueId;
}
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(times.length * q))].toFixed(1);
console.log(
  JSON.stringify({
    rows_per_batch: rows,
    batches: times.length,
    median_ms: at(0.5),
    p95_ms: at(0.95),
    max_ms: at(1),
  }),
);
db.close();
fs.rmSync(dir, { recursive: true });
