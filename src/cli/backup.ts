/**
 * `snag backup <dir>`: a consistent online copy of every database, taken while Snag runs (SQLite's
 * backup API on a pinned snapshot per file, storage/backup-files.ts), with a progress bar on
 * stderr when it is a terminal and a line per file otherwise. queue.db is copied first: see
 * docs/architecture.md ("Backup and restore") for why that order makes the set safe to restore.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { backupDatabase } from '../storage/backup-files.js';
import { DATA_FILES } from '../storage/index.js';
import { VERSION } from '../version.js';

/** queue first, then the files its jobs become (a job is either still queued or already stored). */
export const BACKUP_ORDER = ['queue', 'app', 'errors', 'transactions', 'logs'] as const;
const BAR_WIDTH = 30;

export async function runBackupCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  if (positionals.length !== 1) {
    console.error('usage: snag backup <dir>   (an empty or new directory)');
    return 2;
  }
  const config = loadConfig();
  const target = path.resolve(positionals[0]!);
  fs.mkdirSync(target, { recursive: true });
  if (fs.readdirSync(target).length > 0) {
    console.error(`snag backup: ${target} is not empty: back up into a new directory.`);
    return 1;
  }
  const files = BACKUP_ORDER.map((name) => ({
    name,
    file: DATA_FILES[name],
    source: path.join(config.dataDir, DATA_FILES[name]),
  })).filter((f) => fs.existsSync(f.source));
  if (files.length === 0) {
    console.error(`snag backup: no Snag databases in ${config.dataDir} (SNAG_DATA_DIR).`);
    return 1;
  }
  const progress = createProgress(process.stderr);
  const manifest: Record<string, unknown>[] = [];
  for (const [i, f] of files.entries()) {
    const started = Date.now();
    const { pages, userVersion } = await backupDatabase(f.source, path.join(target, f.file), (done, total) =>
      progress.update(f.file, i, files.length, done, total),
    );
    const bytes = fs.statSync(path.join(target, f.file)).size;
    progress.done(f.file, bytes, Date.now() - started);
    manifest.push({
      name: f.name,
      file: f.file,
      pages,
      bytes,
      schema_version: userVersion,
      taken_at: new Date(started).toISOString(),
    });
  }
  fs.writeFileSync(
    path.join(target, 'manifest.json'),
    JSON.stringify({ snag_version: VERSION, source: config.dataDir, files: manifest }, null, 2) + '\n',
  );
  console.log(`Backed up ${files.length} databases to ${target}. Restore with: snag restore ${target}`);
  return 0;
}

function createProgress(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return {
    update(file: string, index: number, count: number, done: number, total: number) {
      if (!tty) return;
      const share = total === 0 ? 1 : done / total;
      const filled = Math.round(share * BAR_WIDTH);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ` +
          `${file} (${index + 1}/${count}) ${done}/${total} pages`,
      );
    },
    done(file: string, bytes: number, ms: number) {
      if (tty) stream.write('\r\x1b[2K');
      stream.write(`${file}: ${mb(bytes)} in ${(ms / 1000).toFixed(1)} s\n`);
    },
  };
}
