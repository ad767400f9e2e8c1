/**
 * Real logs.db files in temp dirs, opened the way the server opens them (migrateAll, the logs
 * thread's writer with the domain's index logic, the main thread's reader).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainDictionary } from '../../../src/domain/logs/dictionary-trainer.js';
import { buildSearchDocument } from '../../../src/domain/logs/fts-text.js';
import { parseSearchQuery } from '../../../src/domain/logs/search-query.js';
import type { LogRecord } from '../../../src/domain/logs/types.js';
import {
  migrateAll,
  openLogsWorkerStorage,
  openStorage,
  type LogFilter,
} from '../../../src/storage/index.js';

export const NOW = Date.parse('2026-11-20T12:00:00Z');
export const LOGS_CONSUMER = 'logs';

export function logRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  const timeUs = (overrides.timeUs ?? NOW * 1000) as number;
  return {
    timeUs,
    observedUs: timeUs + 1500,
    level: 'info',
    severityNumber: 9,
    severityText: 'INFO',
    body: 'request handled',
    logger: 'app.http',
    service: 'checkout',
    host: 'web-1',
    environment: 'production',
    release: '1.4.2',
    traceId: null,
    spanId: null,
    attributes: {},
    resource: {},
    scope: null,
    source: 'otlp',
    ...overrides,
  };
}

export function openLogsFixture(label = 'snag-logs') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  migrateAll(dir);
  const worker = openLogsWorkerStorage(dir, { searchDocument: buildSearchDocument, trainDictionary });
  const reader = openStorage(dir);
  let jobId = 0;
  return {
    dir,
    writer: worker.logs,
    reader: reader.logs,
    /** Writes records as one batch from project 1 (or `projectId`), received at NOW unless given. */
    write(records: LogRecord[], options: { projectId?: number; receivedAt?: number } = {}) {
      jobId = Math.max(jobId, worker.logs.readCursor(LOGS_CONSUMER)) + 1;
      return worker.logs.writeBatch(LOGS_CONSUMER, jobId, {
        logs: records.map((record) => ({
          projectId: options.projectId ?? 1,
          receivedAt: options.receivedAt ?? NOW,
          record,
        })),
        invalid: 0,
        rejected: 0,
        parked: [],
      });
    },
    get lastJobId() {
      return jobId;
    },
    /** Bodies of the newest matches for a typed query. */
    bodies(query: string, filter: Partial<LogFilter> = {}, limit = 100): string[] {
      return reader.logs
        .search({ projectId: 1, query: parseSearchQuery(query), ...filter }, { limit })
        .logs.map((l) => l.record.body);
    },
    close() {
      worker.close();
      reader.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LogsFixture = ReturnType<typeof openLogsFixture>;
