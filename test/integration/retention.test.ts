/**
 * Retention end to end: a real Snag receives backdated errors and transactions from @sentry/node
 * and backdated logs from the OpenTelemetry logs SDK, retention is lowered in Settings (PUT
 * /api/v1/settings/retention), and while live events keep arriving the scheduler's retention runs
 * delete what expired, on the threads that own the files. Checked in the SQLite files themselves.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, REPO_ROOT, startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';
import type { AuditEntryView, RetentionSettings, StorageSettings } from '../../src/api/types.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;
const SENDER = path.join(REPO_ROOT, 'test/integration/retention-sender.js');
const OTEL_SENDER = path.join(REPO_ROOT, 'test/helpers/otel-logs-sender.js');

let snag: RunningSnag;

async function send(kind: 'errors' | 'transactions', label: string, ageDays: number, count: number) {
  const { stdout } = await run(process.execPath, [SENDER, kind], {
    cwd: REPO_ROOT,
    timeout: 60_000,
    env: {
      PATH: process.env['PATH'] ?? '',
      SNAG_DSN: snag.dsn,
      SNAG_AGE_DAYS: String(ageDays),
      SNAG_LABEL: label,
      SNAG_COUNT: String(count),
    },
  });
  const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { event_ids: string[]; flushed: boolean };
  expect(out.flushed).toBe(true);
  return out.event_ids;
}

async function sendLogs(timeMs: number, count: number) {
  await run(
    process.execPath,
    [
      OTEL_SENDER,
      '--url',
      snag.url,
      '--encoding',
      'json',
      '--header',
      `Authorization: Bearer ${snag.publicKey}`,
      '--count',
      String(count),
      '--time',
      String(timeMs),
    ],
    { cwd: REPO_ROOT, timeout: 60_000, env: { PATH: process.env['PATH'] ?? '' } },
  );
}

/** Runs `fn` on a fresh read-only connection to one of Snag's files (WAL: never blocks the server). */
function query<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(snag.dataDir, file), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
const scalar = (file: string, sql: string, ...params: unknown[]) =>
  query(
    file,
    (db) =>
      db
        .prepare(sql)
        .pluck()
        .get(...params) as number,
  );

async function drained() {
  await waitFor(
    async () => (await getJson<{ queue_depth: number }>(`${snag.url}/_health`)).queue_depth === 0,
    30_000,
    'queue drained',
  );
}

beforeAll(async () => {
  // Retention every 2 s instead of every 5 minutes, so the test sees several runs.
  snag = await startSnag({ env: { SNAG_RETENTION_SCHEDULE: '*/2 * * * * *' } });
}, 30_000);

afterAll(async () => {
  await snag?.stop();
});

describe('retention across every data type, while ingest continues', () => {
  it('deletes expired data in batches, keeps the rest and every live event', async () => {
    const now = Date.now();
    // Under 30 days: older event times are replaced by the receive time (Relay's clock-skew rule).
    const oldIds = await send('errors', 'RetentionOld', 25, 3);
    const mixedOldIds = await send('errors', 'RetentionMixed', 25, 2);
    const mixedNewIds = await send('errors', 'RetentionMixed', 0, 1);
    await send('transactions', 'RetentionOld', 25, 2);
    await send('transactions', 'RetentionMid', 12, 2);
    await sendLogs(now - 10 * DAY_MS, 20);
    await sendLogs(now, 5);
    await drained();
    // Under the defaults (90 / 90 / 30 / 14 / 540 days) all of it is kept.
    await waitFor(() => scalar('errors.db', 'SELECT count(*) FROM events') === 6, 10_000, 'events stored');
    expect(scalar('errors.db', 'SELECT count(*) FROM events WHERE timestamp < ?', now - 20 * DAY_MS)).toBe(5);
    expect(scalar('transactions.db', 'SELECT count(*) FROM transactions')).toBe(4);
    const oldLogDays = scalar(
      'logs.db',
      'SELECT count(*) FROM log_partitions WHERE day < ?',
      Math.floor((now - 7 * DAY_MS) / DAY_MS),
    );
    expect(oldLogDays).toBe(1);

    const res = await fetch(`${snag.url}/api/v1/settings/retention`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: 20, transactions: 20, spans: 10, logs: 7, rollups: 22 }),
    });
    expect(res.status).toBe(200);
    const saved = (await res.json()) as RetentionSettings;
    expect(saved.days).toEqual({ events: 20, transactions: 20, spans: 10, logs: 7, rollups: 22 });
    expect(saved.overridden.sort()).toEqual(['events', 'logs', 'rollups', 'spans', 'transactions']);

    // Live traffic while the retention runs delete.
    const live = Promise.all([
      send('errors', 'RetentionLive', 0, 25),
      send('transactions', 'RetentionLive', 0, 5),
    ]);
    await waitFor(
      () =>
        scalar('errors.db', 'SELECT count(*) FROM events WHERE timestamp < ?', now - 20 * DAY_MS) === 0 &&
        scalar(
          'transactions.db',
          'SELECT count(*) FROM transactions WHERE timestamp < ?',
          now - 20 * DAY_MS,
        ) === 0 &&
        scalar(
          'logs.db',
          'SELECT count(*) FROM log_partitions WHERE day < ?',
          Math.floor((now - 7 * DAY_MS) / DAY_MS),
        ) === 0,
      30_000,
      'expired data deleted',
    );
    const [liveIds] = await live;
    await drained();
    await waitFor(
      () => scalar('errors.db', 'SELECT count(*) FROM events') >= 26,
      10_000,
      'live events stored',
    );

    // Errors: the issue whose events all expired is gone, with its aggregates; the mixed one stays
    // with its lifetime count; every live event is stored.
    const stored = new Set(
      query('errors.db', (db) => db.prepare('SELECT event_id FROM events').pluck().all() as string[]),
    );
    for (const id of [...liveIds, ...mixedNewIds]) expect(stored.has(id)).toBe(true);
    for (const id of [...oldIds, ...mixedOldIds]) expect(stored.has(id)).toBe(false);
    expect(scalar('errors.db', "SELECT count(*) FROM issues WHERE title LIKE '%RetentionOld%'")).toBe(0);
    const mixed = query('errors.db', (db) =>
      db
        .prepare("SELECT id, event_count AS eventCount FROM issues WHERE title LIKE '%RetentionMixed%'")
        .get(),
    ) as { id: number; eventCount: number };
    expect(mixed.eventCount).toBe(3);
    expect(scalar('errors.db', 'SELECT count(*) FROM events WHERE issue_id = ?', mixed.id)).toBe(1);
    expect(
      scalar(
        'errors.db',
        'SELECT count(*) FROM issue_hourly WHERE hour < ?',
        Math.floor((now - 22 * DAY_MS) / 3_600_000),
      ),
    ).toBe(0);
    expect(scalar('errors.db', "SELECT value FROM counters WHERE name = 'pruned_events'")).toBe(5);
    expect(scalar('errors.db', "SELECT value FROM counters WHERE name = 'pruned_issues'")).toBe(1);

    // Transactions: 25-day-old ones deleted, 12-day-old ones kept without their span tree, live ones whole.
    expect(
      scalar(
        'transactions.db',
        "SELECT count(*) FROM transactions WHERE name = 'GET /retentionmid' AND spans_pruned = 1",
      ),
    ).toBe(2);
    expect(
      scalar(
        'transactions.db',
        "SELECT count(*) FROM transactions WHERE name = 'GET /retentionlive' AND spans_pruned = 0",
      ),
    ).toBe(5);
    // Hourly (and coarser) rollups past 22 days are gone; the 12-day-old endpoint's remain.
    const hourCutoff = Math.floor((now - 22 * DAY_MS) / 3_600_000);
    expect(
      scalar(
        'transactions.db',
        'SELECT count(*) FROM endpoint_rollups WHERE minutes = 60 AND bucket < ?',
        hourCutoff,
      ),
    ).toBe(0);
    expect(
      scalar(
        'transactions.db',
        "SELECT count(*) FROM endpoint_rollups WHERE minutes = 60 AND name = 'GET /retentionmid'",
      ),
    ).toBeGreaterThan(0);

    // Logs: the 10-day-old day is dropped, today's records stay.
    expect(scalar('logs.db', 'SELECT coalesce(sum(rows), 0) FROM log_partitions')).toBeGreaterThan(0);

    // The change is in the audit trail, and Settings → Storage reports the scheduler's runs.
    const audit = await getJson<{ entries: AuditEntryView[] }>(`${snag.url}/api/v1/settings/audit`);
    expect(audit.entries[0]).toMatchObject({
      actor: 'anonymous',
      action: 'retention.update',
      target: 'settings/retention',
    });
    expect(audit.entries[0]!.before).toMatchObject({
      events: 90,
      transactions: 90,
      spans: 30,
      logs: 14,
      rollups: 540,
    });
    const storage = await getJson<StorageSettings>(`${snag.url}/api/v1/settings/storage`);
    const retention = storage.scheduler.tasks.find((t) => t.name === 'retention')!;
    expect(storage.scheduler.this_process_runs_it).toBe(true);
    expect(retention.last_ok).toBe(true);
  }, 120_000);

  it('refuses retention values out of range, naming the field', async () => {
    const res = await fetch(`${snag.url}/api/v1/settings/retention`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: 0, bogus: 3 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toContain('events must be a whole number of days');
    expect(body.detail).toContain('unknown kind "bogus"');
  });
});
