/**
 * Seeds a data dir with a large project straight through SQLite (the digest would take minutes
 * for a million events): ISSUES issues, EVENTS events spread over them with a long-tail
 * distribution, hourly buckets, environment/release tags and real zstd payloads. Used by
 * bench/ui-list.js to check the issues list stays fast at scale.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { Compressor } from 'zstd-napi';
import { migrateAll } from '../dist/storage/index.js';

const HOUR_MS = 3_600_000;
const ENVIRONMENTS = ['production', 'staging', 'development'];
const TYPES = ['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError', 'ValidationError', 'TimeoutError'];

/** Deterministic pseudo-random numbers so every run seeds the same data. */
function makeRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function samplePayload(i) {
  return JSON.stringify({
    event_id: i.toString(16).padStart(32, '0'),
    level: 'error',
    platform: 'node',
    exception: {
      values: [
        {
          type: 'TypeError',
          value: `Cannot read properties of undefined (reading 'id') for order ${i}`,
          stacktrace: {
            frames: Array.from({ length: 20 }, (_, f) => ({
              filename: `src/module-${f}.js`,
              function: `handler${f}`,
              lineno: 10 + f,
              colno: 5,
              in_app: f > 10,
              context_line: `  const value = input.items[${f}].id;`,
              pre_context: ['  // load', '  const input = await load();'],
              post_context: ['  return value;', '}'],
            })),
          },
        },
      ],
    },
    breadcrumbs: {
      values: Array.from({ length: 20 }, (_, b) => ({
        category: 'http',
        message: `GET /api/items/${b}`,
        timestamp: 1,
      })),
    },
  });
}

export function seedIssues(dataDir, { projectId, issues, events, now = Date.now() }) {
  migrateAll(dataDir);
  const db = new Database(path.join(dataDir, 'errors.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const random = makeRandom(42);
  const compressor = new Compressor();
  compressor.setParameters({ compressionLevel: 3 });
  const payloads = Array.from({ length: 64 }, (_, i) => compressor.compress(Buffer.from(samplePayload(i))));

  const insertIssue =
    db.prepare(`INSERT INTO issues (id, project_id, hash, title, culprit, type, value, level, platform, status,
      event_count, user_count, first_seen, last_seen, first_release, last_release, last_event_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'error', 'node', ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEvent =
    db.prepare(`INSERT INTO events (project_id, event_id, issue_id, timestamp, received_at, level, environment,
      release, platform, title, payload, payload_bytes) VALUES (?, ?, ?, ?, ?, 'error', ?, ?, 'node', ?, ?, ?)`);
  const insertHour = db.prepare(`INSERT INTO issue_hourly (issue_id, hour, count) VALUES (?, ?, ?)
      ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + excluded.count`);
  const insertProjectHour = db.prepare(`INSERT INTO project_hourly (project_id, hour, count) VALUES (?, ?, ?)
      ON CONFLICT (project_id, hour) DO UPDATE SET count = count + excluded.count`);
  const insertTag =
    db.prepare(`INSERT INTO issue_tags (issue_id, key, value, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (issue_id, key, value) DO UPDATE SET count = count + excluded.count`);

  // Long tail: a few issues get most events (Zipf-like weights).
  const weights = Array.from({ length: issues }, (_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(1, Math.round((w / total) * events)));
  const windowMs = 14 * 24 * HOUR_MS;
  let eventSeq = 0;

  db.transaction(() => {
    for (let i = 0; i < issues; i++) {
      const id = i + 1;
      const n = counts[i];
      const first = now - Math.floor(random() * windowMs);
      const last = first + Math.floor(random() * (now - first));
      const status = random() < 0.7 ? 'open' : random() < 0.7 ? 'resolved' : 'ignored';
      const type = TYPES[i % TYPES.length];
      const env = ENVIRONMENTS[i % ENVIRONMENTS.length];
      const release = `web@1.${i % 40}`;
      insertIssue.run(
        id,
        projectId,
        `seed-${id}`,
        `${type}: failure number ${id} in checkout flow`,
        `src/checkout/step-${i % 50}.js in handle`,
        type,
        `failure number ${id}`,
        status,
        n,
        Math.ceil(n / 3),
        first,
        last,
        release,
        release,
        null,
      );
      insertTag.run(id, 'environment', env, n, first, last);
      insertTag.run(id, 'release', release, n, first, last);
      insertTag.run(id, 'level', 'error', n, first, last);
      for (let e = 0; e < n; e++) {
        const ts = first + Math.floor(((last - first) * e) / Math.max(1, n - 1));
        eventSeq++;
        const payload = payloads[eventSeq % payloads.length];
        insertEvent.run(
          projectId,
          eventSeq.toString(16).padStart(32, '0'),
          id,
          ts,
          ts,
          env,
          release,
          `${type}: failure number ${id}`,
          payload,
          payload.length * 8,
        );
        const hour = Math.floor(ts / HOUR_MS);
        insertHour.run(id, hour, 1);
        insertProjectHour.run(projectId, hour, 1);
      }
    }
    db.prepare("UPDATE counters SET value = ? WHERE name = 'events'").run(eventSeq);
    db.prepare("UPDATE counters SET value = ? WHERE name = 'issues'").run(issues);
  })();
  db.close();
  return { issues, events: eventSeq };
}
