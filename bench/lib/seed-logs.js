/**
 * Seeds a data dir with `rows` log records spread over the last SEED_DAYS days through Snag's own
 * compiled storage code (dist/, after `npm run build`), so the search API can be timed on a logs.db
 * of that size (`--kind logs --log-rows N`): `openLogsWorkerStorage(…).logs.writeBatch`, the digest
 * thread's writer, 1,000 records a transaction, with a dictionary trained after the first
 * TRAIN_AFTER_ROWS records (the trained one compresses the rest, as on a server that has run a
 * while), then past days' indexes merged as the digest thread's upkeep does. Records come from
 * log-records.js, as in bench/logs-storage.js's `scale` stage; sending them over HTTP would take
 * 10 million records / 20,000 a second ≈ 8 minutes of a real server's full CPU.
 *
 * Returns what the timing needs: the project, search terms with hits in the seeded records (from a
 * sample spread over the whole range), and the seeding's own cost.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createLogRecords } from './log-records.js';
import { pickSearchTerms } from './logs-search.js';

export const SEED_DAYS = 7;
const DAY_MS = 86_400_000;
const ROWS_PER_BATCH = 1000;
const TRAIN_AFTER_ROWS = 20_000;
const SAMPLE_RECORDS = 100_000;
const SEED = 20261126;
const SEED_CONSUMER = 'bench-seed';
const PROGRESS_EVERY_MS = 15_000;

async function loadDist(repoRoot) {
  const load = (file) => import(pathToFileURL(path.join(repoRoot, 'dist', file)).href);
  return {
    ...(await load('storage/index.js')),
    ...(await load('domain/projects/service.js')),
    ...(await load('domain/logs/fts-text.js')),
    ...(await load('domain/logs/dictionary-trainer.js')),
  };
}

const cpuMsNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

export async function seedLogs(repoRoot, dataDir, rows, note) {
  const snag = await loadDist(repoRoot);
  snag.migrateAll(dataDir);
  const app = snag.openStorage(dataDir);
  const project = snag.createProjectService(app.app, 'http://127.0.0.1').ensureDefaultProject('default');
  app.close();
  const now = Date.now();
  const next = createLogRecords(SEED, {
    startMs: now - SEED_DAYS * DAY_MS,
    ratePerSec: rows / (SEED_DAYS * 86_400),
  });
  const writer = snag.openLogsWorkerStorage(dataDir, {
    searchDocument: snag.buildSearchDocument,
    trainDictionary: snag.trainDictionary,
  });
  const sampleEvery = Math.max(1, Math.floor(rows / SAMPLE_RECORDS));
  const sample = [];
  const startedAt = performance.now();
  let writeCpuMs = 0;
  let trained = null;
  let lastNote = startedAt;
  try {
    for (let done = 0, job = 1; done < rows; done += ROWS_PER_BATCH, job++) {
      const logs = [];
      for (let i = 0; i < Math.min(ROWS_PER_BATCH, rows - done); i++) {
        const record = next();
        if ((done + i) % sampleEvery === 0) sample.push(record);
        logs.push({ projectId: project.id, receivedAt: Math.floor(record.observedUs / 1000), record });
      }
      const cpuAt = cpuMsNow();
      writer.logs.writeBatch(SEED_CONSUMER, job, { logs, invalid: 0, rejected: 0, parked: [] });
      writeCpuMs += cpuMsNow() - cpuAt;
      if (!trained && done + ROWS_PER_BATCH >= TRAIN_AFTER_ROWS)
        trained = writer.logs.trainDictionaryIfDue(Date.now());
      if (performance.now() - lastNote > PROGRESS_EVERY_MS) {
        lastNote = performance.now();
        note(
          `[logs seed] ${(done + ROWS_PER_BATCH).toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} records`,
        );
      }
    }
    const writeSeconds = (performance.now() - startedAt) / 1000;
    // writeBatch alone: generating the records costs about as much again and is not Snag's.
    note('[logs seed] merging past days’ indexes into one segment each…');
    const mergeStartedAt = performance.now();
    while (writer.logs.pruneOlderThan(0, 0, Date.now()).mergesPending > 0);
    return {
      project,
      terms: pickSearchTerms(sample),
      rows,
      days: SEED_DAYS,
      writeSeconds,
      writeCpuSeconds: writeCpuMs / 1000,
      mergeSeconds: (performance.now() - mergeStartedAt) / 1000,
      dictionary: trained && { promoted: trained.promoted, trainMs: trained.trainMs },
    };
  } finally {
    writer.close();
  }
}
