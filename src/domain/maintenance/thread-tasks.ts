/**
 * Maintenance work as the digest threads run it. The scheduler (scheduler/) decides when; the
 * thread that owns a file does the writing (one writer per SQLite file). Each task is a generator
 * that yields between bounded batches (RETENTION_ROWS_PER_BATCH rows, one short transaction each),
 * so the thread goes back to digesting between two batches and ingest never waits behind a delete.
 */
import path from 'node:path';
import { DATA_FILES } from '../../storage/index.js';
import { decodePayload, encodePayload } from '../../storage/payload-codec.js';
import type { PruneStep } from '../../storage/retention-store.js';
import { measureFile, type FileStats } from '../../storage/storage-stats.js';
import type { TransactionRecord } from '../transactions/types.js';
import type { RetentionCutoffs } from './retention-policy.js';

/**
 * Rows per delete transaction. Measured on the shared 2-vCPU box (40,000 events of 5 KB random
 * payload, 200 issues; bench/retention-batch.js, 2026-11-22): 45–55 µs per deleted event, so a 200-row batch
 * is ~10–27 ms (median) and the digest thread is back to its queue after it; the tail (120–350 ms)
 * is SQLite's autocheckpoint at 1,000 WAL pages, which a digest batch pays the same way.
 */
export const RETENTION_ROWS_PER_BATCH = 200;
/** Log days are dropped whole (DROP TABLE is cheap): at most this many records a run. */
const LOG_PRUNE_ROWS_PER_RUN = 200_000;

export type DataFileName = keyof typeof DATA_FILES;

export type ThreadTask =
  | { kind: 'retention'; cutoffs: RetentionCutoffs }
  | { kind: 'fine-rollups'; cutoffMs: number }
  | { kind: 'logs-maintenance' }
  | { kind: 'train-dictionary' }
  | { kind: 'checkpoint' }
  | { kind: 'vacuum' }
  | { kind: 'storage-stats'; files: DataFileName[] };

/** A running task: `next()` does one bounded step; its return value is the task's result. */
export type TaskRun = Generator<void, unknown>;

interface FileMaintenance {
  checkpoint(): unknown;
  vacuumStep(): { freedPages: number };
}

/** Repeats `step` (one transaction each) until it reports done, yielding in between; returns the rows. */
function* untilDone(step: () => PruneStep): Generator<void, number> {
  let rows = 0;
  for (;;) {
    const s = step();
    rows += s.rows;
    if (s.done) return rows;
    yield;
  }
}

function* vacuum(files: FileMaintenance[]): TaskRun {
  let freedPages = 0;
  for (const f of files) {
    for (;;) {
      const { freedPages: n } = f.vacuumStep();
      freedPages += n;
      if (n === 0) break;
      yield;
    }
  }
  return { freedPages };
}

function statsOf(dataDir: string, files: DataFileName[]): FileStats[] {
  return files.flatMap((f) => measureFile(path.join(dataDir, DATA_FILES[f]), f) ?? []);
}

export function errorsThreadTasks(
  s: {
    retention: {
      pruneEvents(
        cutoffMs: number,
        afterIssueId: number,
        maxRows: number,
      ): { rows: number; issuesRemoved: number; nextIssueId: number; done: boolean };
      pruneHourly(cutoffMs: number, maxRows: number): PruneStep;
    };
    errorsFile: FileMaintenance;
  },
  dataDir: string,
) {
  function* retention(c: RetentionCutoffs): TaskRun {
    let events = 0;
    let issues = 0;
    let after = 0;
    for (;;) {
      const step = s.retention.pruneEvents(c.events, after, RETENTION_ROWS_PER_BATCH);
      events += step.rows;
      issues += step.issuesRemoved;
      if (step.done) break;
      after = step.nextIssueId;
      yield;
    }
    const hourly = yield* untilDone(() => s.retention.pruneHourly(c.rollups, RETENTION_ROWS_PER_BATCH));
    return { events, issues, hourly };
  }
  return (task: ThreadTask): TaskRun | null => {
    switch (task.kind) {
      case 'retention':
        return retention(task.cutoffs);
      case 'checkpoint':
        return once(() => s.errorsFile.checkpoint());
      case 'vacuum':
        return vacuum([s.errorsFile]);
      case 'storage-stats':
        return once(() => statsOf(dataDir, task.files));
      default:
        return null;
    }
  };
}

export function transactionsThreadTasks(
  s: {
    retention: {
      pruneTransactions(cutoffMs: number, maxRows: number): PruneStep;
      pruneSpans(
        cutoffMs: number,
        maxRows: number,
        strip: (payload: Buffer) => { payload: Buffer; payloadBytes: number },
      ): PruneStep;
      pruneRollups(minutes: number, cutoffMs: number, maxRows: number): PruneStep;
    };
    transactionsFile: FileMaintenance;
  },
  dataDir: string,
) {
  const n = RETENTION_ROWS_PER_BATCH;
  function* retention(c: RetentionCutoffs): TaskRun {
    const transactions = yield* untilDone(() => s.retention.pruneTransactions(c.transactions, n));
    // Stripping decodes and re-encodes each payload: a quarter of the delete batch.
    const spans = yield* untilDone(() => s.retention.pruneSpans(c.spans, n / 4, stripSpanTree));
    let rollups = 0;
    for (const minutes of [1440, 360, 60]) {
      rollups += yield* untilDone(() => s.retention.pruneRollups(minutes, c.rollups, n));
    }
    rollups += yield* untilDone(() => s.retention.pruneRollups(5, c.fineRollups, n));
    return { transactions, spans, rollups };
  }
  return (task: ThreadTask): TaskRun | null => {
    switch (task.kind) {
      case 'retention':
        return retention(task.cutoffs);
      case 'fine-rollups':
        return (function* () {
          return { rollups: yield* untilDone(() => s.retention.pruneRollups(5, task.cutoffMs, n)) };
        })();
      case 'checkpoint':
        return once(() => s.transactionsFile.checkpoint());
      case 'vacuum':
        return vacuum([s.transactionsFile]);
      case 'storage-stats':
        return once(() => statsOf(dataDir, task.files));
      default:
        return null;
    }
  };
}

/**
 * logs.db's maintenance is one bounded call (logs-digest-store.ts `pruneOlderThan`): drop expired
 * days, merge past days' FTS indexes within a time budget, return excess free pages, truncate the
 * WAL. Retention runs pass the cutoff; the thread keeps the latest so FTS merge runs use it too.
 */
export function logsThreadTasks(
  s: {
    logs: {
      pruneOlderThan(cutoffMs: number, maxRows: number, nowMs?: number): unknown;
      trainDictionaryIfDue(nowMs: number): unknown;
    };
  },
  dataDir: string,
  initialRetentionMs: number,
) {
  let retentionMs = initialRetentionMs;
  return (task: ThreadTask): TaskRun | null => {
    switch (task.kind) {
      case 'retention':
        retentionMs = Date.now() - task.cutoffs.logs;
        return once(() => s.logs.pruneOlderThan(task.cutoffs.logs, LOG_PRUNE_ROWS_PER_RUN));
      case 'logs-maintenance':
        return once(() => s.logs.pruneOlderThan(Date.now() - retentionMs, LOG_PRUNE_ROWS_PER_RUN));
      case 'train-dictionary':
        return once(() => s.logs.trainDictionaryIfDue(Date.now()) ?? null);
      case 'storage-stats':
        return once(() => statsOf(dataDir, task.files));
      default:
        return null;
    }
  };
}

// eslint-disable-next-line require-yield -- a one-step task: the generator form is what threads run
function* once(fn: () => unknown): TaskRun {
  return fn();
}

/**
 * Past the span retention a transaction keeps its summary, breakdown, query patterns and root
 * span; the tree below the root (most of the payload) goes.
 */
export function stripSpanTree(payload: Buffer): { payload: Buffer; payloadBytes: number } {
  const record = decodePayload(payload) as TransactionRecord;
  record.spans = (record.spans ?? []).filter((span) => span.depth === 0);
  return encodePayload(JSON.stringify(record));
}
