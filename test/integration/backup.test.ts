/**
 * `snag backup` under write load and `snag restore`: a real Snag receives @sentry/node errors and
 * transactions while the backup runs; the copy passes PRAGMA integrity_check, restore refuses the
 * live server's data dir, and a Snag started on the restored dir reads every issue, event and
 * transaction back, digests what was still queued, and accepts new events.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { snagApi } from '../helpers/snag-api.js';
import { REPO_ROOT, startSnag, tempDataDir, waitFor, type RunningSnag } from '../helpers/snag.js';

const run = promisify(execFile);
const SNAG = path.join(REPO_ROOT, 'bin/snag.js');
const SENDER = path.join(REPO_ROOT, 'test/integration/retention-sender.js');
const FILES = ['app.db', 'errors.db', 'transactions.db', 'logs.db', 'queue.db'];

const running: RunningSnag[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

function send(dsn: string, kind: 'errors' | 'transactions', label: string, count: number) {
  return run(process.execPath, [SENDER, kind], {
    cwd: REPO_ROOT,
    timeout: 120_000,
    env: {
      PATH: process.env['PATH'] ?? '',
      SNAG_DSN: dsn,
      SNAG_AGE_DAYS: '0',
      SNAG_LABEL: label,
      SNAG_COUNT: String(count),
    },
  }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1)!) as { event_ids: string[] });
}

/** Runs the snag CLI; resolves with its exit code and output (a failure exit is not an exception). */
async function snagCli(args: string[], dataDir: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [SNAG, ...args], {
      cwd: REPO_ROOT,
      timeout: 120_000,
      env: { PATH: process.env['PATH'] ?? '', SNAG_DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('backup and restore', () => {
  it('takes a consistent backup under write load and restores it into a working Snag', async () => {
    const source = await startSnag();
    running.push(source);
    const backupDir = path.join(tempDataDir('snag-backup'), 'copy');

    // SDK traffic that keeps going until the backup is done, so the copy is taken under writes.
    let backupDone = false;
    const keepSending = async (kind: 'errors' | 'transactions') => {
      const ids: string[] = [];
      while (!backupDone) ids.push(...(await send(source.dsn, kind, 'BackupLoad', 20)).event_ids);
      return ids;
    };
    const load = Promise.all([keepSending('errors'), keepSending('transactions')]);
    await waitFor(async () => (await snagApi(source).health()).event_count >= 10, 20_000, 'load started');
    const before = (await snagApi(source).health()).event_count;
    const backup = await snagCli(['backup', backupDir], source.dataDir);
    backupDone = true;
    // Digesting went on beside the backup (it holds a read snapshot, never a writer's lock). Waited
    // for rather than read once: a small backup can finish between two of the SDK's batches of 20.
    await waitFor(
      async () => (await snagApi(source).health()).event_count > before,
      20_000,
      'events digested beside the backup',
    );
    const [sentIds] = await load;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toMatch(/errors\.db: [\d.]+ MB in [\d.]+ s/);
    const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8')) as {
      files: { file: string }[];
    };
    expect(manifest.files.map((f) => f.file)).toEqual([
      'queue.db',
      'app.db',
      'errors.db',
      'transactions.db',
      'logs.db',
    ]);

    // Each file is a whole database.
    for (const file of FILES) {
      const db = new Database(path.join(backupDir, file), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true }), file).toBe('ok');
      db.close();
    }

    // Restore refuses the live server's dir (its scheduler lease is live), even with --force.
    const refused = await snagCli(['restore', backupDir, '--force'], source.dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a Snag is running on');

    const targetDir = tempDataDir('snag-restored');
    const restored = await snagCli(['restore', backupDir], targetDir);
    expect(restored.code, restored.stderr).toBe(0);
    const again = await snagCli(['restore', backupDir], targetDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');

    // The restored Snag digests what was still queued and reads everything back.
    const copy = await startSnag({ dataDir: targetDir });
    running.push(copy);
    const api = snagApi(copy);
    await waitFor(async () => (await api.health()).queue_depth === 0, 20_000, 'restored queue drained');
    const sent = new Set(sentIds);
    const issues = await api.listIssues();
    let events = 0;
    for (const issue of issues.issues) {
      const detail = await api.getIssue(issue.id);
      expect(detail.id).toBe(issue.id);
      for (let cursor: string | null = ''; cursor !== null;) {
        const page = await api.listIssueEvents(issue.id, { limit: '100', ...(cursor ? { cursor } : {}) });
        for (const e of page.events) {
          expect(sent.has(e.event_id)).toBe(true);
          const full = await api.getEvent(e.event_id);
          expect(full.event_id).toBe(e.event_id);
          events++;
        }
        cursor = page.next_cursor;
      }
    }
    expect(events).toBeGreaterThan(0);
    expect(events).toBe((await api.health()).event_count);
    const transactions = await api.searchTransactions({ limit: '100' });
    expect(transactions.transactions.length).toBeGreaterThan(0);
    for (const t of transactions.transactions) expect((await api.getTransaction(t.id)).id).toBe(t.id);

    // New events after the restore get queue ids above every restored cursor: none is skipped.
    const after = await send(copy.dsn, 'errors', 'AfterRestore', 3);
    for (const id of after.event_ids)
      await waitFor(() => api.findEvent(id), 15_000, `event ${id} after restore`);

    await copy.stop();
    for (const file of FILES) {
      const db = new Database(path.join(targetDir, file), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true }), file).toBe('ok');
      db.close();
    }
  }, 180_000);

  // `snag backup` opens queue.db from another process while the server commits to it. When the
  // server had dropped its own locks on queue.db-shm (an fs.openSync/closeSync of the file), the
  // backup's connection took the WAL index for unused and truncated it: the server died of SIGBUS
  // within 1–4 backups of this loop (docs/architecture.md, "No file descriptor of our own").
  it('keeps serving through back-to-back backups of a data dir under ingest', async () => {
    const source = await startSnag();
    running.push(source);
    const store = `${source.url}/api/${source.projectId}/store/?sentry_key=${source.publicKey}`;
    let accepted = 0;
    let backingUp = true;
    const sender = async () => {
      while (backingUp && source.proc.exitCode === null && source.proc.signalCode === null) {
        const body = JSON.stringify({ message: `backup loop ${accepted}`, extra: { pad: 'x'.repeat(8000) } });
        const res = await fetch(store, { method: 'POST', body }).catch(() => undefined);
        if (res?.ok) accepted++;
      }
    };
    const senders = Promise.all([sender(), sender(), sender(), sender()]);
    for (let i = 0; i < 10; i++) {
      const backup = await snagCli(
        ['backup', path.join(tempDataDir('snag-backup-loop'), 'copy')],
        source.dataDir,
      );
      expect(backup.code, backup.stderr).toBe(0);
    }
    backingUp = false;
    await senders;
    expect(source.proc.exitCode).toBeNull();
    expect(source.proc.signalCode).toBeNull();
    expect(accepted).toBeGreaterThan(100);
    await waitFor(
      async () => (await snagApi(source).health()).event_count === accepted,
      20_000,
      'all stored',
    );
  }, 120_000);
});
