/**
 * `snag restore <dir> [--force]`: puts a `snag backup` into the data dir (SNAG_DATA_DIR).
 *
 * Refuses while a Snag runs on the data dir, detected through the scheduler lease in its app.db:
 * every running Snag takes or retries that lease every 10 s and a holder renews it, so an
 * unexpired lease means a live process, unless its holder is a process of this host that is gone
 * (a crash elsewhere expires within 30 s). Refuses a data
 * dir that holds databases unless --force. Every file is checked (PRAGMA integrity_check) before
 * anything is replaced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { isHolderDeadOnThisHost, SCHEDULER_LEASE } from '../scheduler/scheduler.js';
import {
  checkIntegrity,
  clearLeases,
  raiseQueueSequence,
  readLiveLease,
  readMaxCursor,
} from '../storage/backup-files.js';
import { DATA_FILES, migrateAll } from '../storage/index.js';

const SQLITE_SIDE_FILES = ['', '-wal', '-shm'];

export function runRestoreCommand(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    console.error('usage: snag restore <backup dir> [--force]');
    return 2;
  }
  const config = loadConfig();
  const source = path.resolve(positionals[0]!);
  const target = config.dataDir;
  const files = Object.values(DATA_FILES).filter((f) => fs.existsSync(path.join(source, f)));
  if (!files.includes(DATA_FILES.app)) {
    console.error(`snag restore: ${source} holds no app.db: give the directory \`snag backup\` wrote.`);
    return 1;
  }

  const live = readLiveLease(path.join(target, DATA_FILES.app), SCHEDULER_LEASE);
  if (live && !isHolderDeadOnThisHost(live.holder)) {
    console.error(
      `snag restore: a Snag is running on ${target} (it holds the scheduler lease until ${new Date(live.expiresAt).toISOString()}, ${live.holder}): stop it, then restore.`,
    );
    return 1;
  }
  const present = Object.values(DATA_FILES).filter((f) => fs.existsSync(path.join(target, f)));
  if (present.length > 0 && !values.force) {
    console.error(
      `snag restore: ${target} already holds ${present.join(', ')}: restore into an empty SNAG_DATA_DIR, or pass --force to replace them.`,
    );
    return 1;
  }

  for (const f of files) {
    const result = checkIntegrity(path.join(source, f));
    if (result !== 'ok') {
      console.error(`snag restore: ${f} in the backup is damaged (${result}); nothing was changed.`);
      return 1;
    }
  }

  fs.mkdirSync(target, { recursive: true });
  for (const f of Object.values(DATA_FILES)) {
    for (const side of SQLITE_SIDE_FILES) fs.rmSync(path.join(target, f + side), { force: true });
  }
  for (const f of files) {
    // Copy then rename, so an interrupted restore never leaves a half-written database in place.
    const tmp = path.join(target, `${f}.restoring`);
    fs.copyFileSync(path.join(source, f), tmp);
    fs.renameSync(tmp, path.join(target, f));
  }
  clearLeases(path.join(target, DATA_FILES.app));
  // Creates any file the backup lacked and applies migrations newer than the backup.
  migrateAll(target);
  const digestFiles = [DATA_FILES.errors, DATA_FILES.transactions, DATA_FILES.logs].map((f) =>
    path.join(target, f),
  );
  raiseQueueSequence(path.join(target, DATA_FILES.queue), readMaxCursor(digestFiles));
  console.log(`Restored ${files.join(', ')} into ${target}. Start Snag with: snag serve`);
  return 0;
}
