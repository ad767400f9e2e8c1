/**
 * The logs consumer: reads `log` (Sentry containers) and `otlp_log` (OTLP request bodies) jobs
 * after its cursor, parses them into LogRecords, scrubs them, and stores the batch with the new
 * cursor in one logs.db transaction (the guarantee of src/queue/queue.ts, as for errors).
 *
 * A job holds up to a thousand records, so a batch is cut by records, not jobs: one transaction of
 * a few thousand rows is where SQLite inserts are fastest (landscape §4), and a bigger one would
 * hold the write lock, and the thread, for longer than a wake-up is worth.
 */
import { scrubRecord, type ScrubOptions } from '../domain/events/scrub.js';
import { parseOtlpLogs } from '../domain/logs/otlp.js';
import { InvalidLogPayloadError } from '../domain/logs/payload-errors.js';
import { parseSentryLogItem } from '../domain/logs/sentry-logs.js';
import type { LogRecord, ParsedLogs } from '../domain/logs/types.js';
import { decodeBufferSync } from '../ingest/decode-body.js';
import { JOB_KINDS, type OtlpLogJobMeta } from '../queue/jobs.js';
import type { Job, JobToPark, LogsBatch, LogsWorkerStorage } from '../storage/index.js';
import type { ConsumerLogger } from './errors-consumer.js';
import { GROUP_KINDS } from './messages.js';
import { jobsAfter, refOf, rereadJob, type JobRef } from './queue-reads.js';
import { isTransientStorageError, jobToPark } from './storage-errors.js';
import { InvalidPayloadError, unpackJob } from './unpack-job.js';

export const LOGS_CONSUMER = 'logs';
export const LOGS_JOB_KINDS = GROUP_KINDS.logs;

/**
 * Records per logs.db transaction at most (a job is never split: one job may exceed it alone).
 * Counted on parsed records: a byte estimate (150 B a record) cut the mixed load's batches at
 * 2,500–3,600 records and batches of Sentry containers at 1,200. Bigger batches commit less often
 * (10,000 would save ~1.5 µs per record on SQLite alone), but a batch's parsed records outlive a
 * few scavenges and fill the old generation: at 5,000 the logs thread's heap reached 68 MiB under a
 * mixed backlog, at 2,000 51 MiB (−33 MiB peak RSS) for 1–2 % more CPU per record and 22,200
 * instead of 22,632 records/s alone (docs/benchmarks.md, session 7).
 */
export const MAX_RECORDS_PER_BATCH = 2000;
/**
 * Queue rows read per query while filling a batch (an OTLP body holds up to thousands of records):
 * reading `batchSize` bodies up front read ~50 times more than a batch uses, again for every batch
 * (248 ms of CPU and +170 MiB RSS per read in the bench).
 */
const JOBS_PER_READ = 4;

export interface LogsConsumerOptions {
  /** Jobs read from the queue per batch. */
  batchSize: number;
  maxDecompressedBytes: number;
  scrub: ScrubOptions;
  log: ConsumerLogger;
}

export interface LogsDrainResult {
  jobs: number;
  lastJobId: number;
  stored: number;
  rejected: number;
  invalid: number;
  parked: number;
}

export function drainLogsOnce(
  storage: LogsWorkerStorage,
  options: LogsConsumerOptions,
): LogsDrainResult | null {
  const cursor = storage.logs.readCursor(LOGS_CONSUMER);
  const logs: { projectId: number; receivedAt: number; record: LogRecord }[] = [];
  /** The job each entry of `logs` came from, for writing job by job when a batch fails on a row. */
  const jobIdOf: number[] = [];
  /** The batch's jobs without their payloads (queue-reads.ts), for writing job by job. */
  const jobs: JobRef[] = [];
  const parked: JobToPark[] = [];
  let invalid = 0;
  let rejected = 0;
  let lastJobId = cursor;
  for (const job of jobsAfter(storage.queue, LOGS_JOB_KINDS, cursor, options.batchSize, JOBS_PER_READ)) {
    jobs.push(refOf(job));
    lastJobId = job.id;
    let parsed: ParsedLogs;
    try {
      parsed = parseLogJob(job, options.maxDecompressedBytes);
    } catch (err) {
      if (err instanceof InvalidPayloadError) {
        invalid++;
        continue;
      }
      options.log.error({ err, jobId: job.id, projectId: job.projectId }, 'log digest failed; job parked');
      parked.push(jobToPark(job, err));
      continue;
    }
    rejected += parsed.rejected;
    const scrubbed = new WeakSet<object>();
    for (const record of parsed.records) {
      logs.push({
        projectId: job.projectId,
        receivedAt: job.receivedAt,
        record: scrubLog(record, options.scrub, scrubbed),
      });
      jobIdOf.push(job.id);
    }
    if (logs.length >= MAX_RECORDS_PER_BATCH) break;
  }
  if (jobs.length === 0) return null;

  const batch = { logs, invalid, rejected, parked };
  try {
    const { stored } = storage.logs.writeBatch(LOGS_CONSUMER, lastJobId, batch);
    return { jobs: jobs.length, lastJobId, stored, rejected, invalid, parked: parked.length };
  } catch (err) {
    if (isTransientStorageError(err)) throw err;
    const isolated = writeJobByJob(storage, cursor, lastJobId, batch, jobIdOf, jobs, options.log, err);
    return {
      jobs: jobs.length,
      lastJobId,
      stored: isolated.stored,
      rejected,
      invalid,
      parked: parked.length + isolated.parked,
    };
  }
}

/**
 * A batch whose write failed on some row (see storage-errors.ts): what the parse stage counted
 * and parked first, with the cursor where it was; then each job's records in a transaction of
 * their own with the cursor at that job, parking a job whose records fail alone; then the cursor
 * past the whole batch. A crash half-way resumes after the last job written.
 */
function writeJobByJob(
  storage: LogsWorkerStorage,
  cursor: number,
  lastJobId: number,
  batch: LogsBatch,
  jobIdOf: number[],
  jobs: JobRef[],
  log: ConsumerLogger,
  batchError: unknown,
): { stored: number; parked: number } {
  log.error(
    { err: batchError, records: batch.logs.length },
    'log batch write failed on a row; writing it job by job',
  );
  const write = (upTo: number, part: Partial<LogsBatch>) =>
    storage.logs.writeBatch(LOGS_CONSUMER, upTo, { logs: [], invalid: 0, rejected: 0, parked: [], ...part });
  write(cursor, { invalid: batch.invalid, rejected: batch.rejected, parked: batch.parked });
  let stored = 0;
  let parked = 0;
  for (const job of jobs) {
    const records = batch.logs.filter((_, i) => jobIdOf[i] === job.id);
    if (records.length === 0) continue;
    try {
      stored += write(job.id, { logs: records }).stored;
    } catch (err) {
      if (isTransientStorageError(err)) throw err;
      log.error(
        { err, jobId: job.id, projectId: job.projectId },
        'log records could not be stored; job parked',
      );
      write(job.id, { parked: [jobToPark(rereadJob(storage.queue, LOGS_JOB_KINDS, job.id), err)] });
      parked++;
    }
  }
  write(lastJobId, {});
  return { stored, parked };
}

/** Unparseable bytes are bad input (InvalidPayloadError): counted and dropped, not parked. */
function parseLogJob(job: Job, maxDecompressedBytes: number): ParsedLogs {
  const receivedUs = job.receivedAt * 1000;
  if (job.kind === JOB_KINDS.otlpLog) {
    const meta = JSON.parse(job.meta) as OtlpLogJobMeta;
    const body = meta.encoding
      ? decodeBufferSync(job.payload, meta.encoding, maxDecompressedBytes)
      : job.payload;
    return asInvalidPayload(() => parseOtlpLogs(body, meta.format, { receivedUs }));
  }
  const item = unpackJob(job, maxDecompressedBytes);
  return asInvalidPayload(() => parseSentryLogItem(item.payload, { receivedUs }));
}

function asInvalidPayload(parse: () => ParsedLogs): ParsedLogs {
  try {
    return parse();
  } catch (err) {
    if (err instanceof InvalidLogPayloadError) throw new InvalidPayloadError(err.message);
    throw err;
  }
}

/**
 * Literal secrets stay off disk (architecture invariant 7): sensitive attribute keys are filtered
 * and the body loses card numbers, bearer tokens, URL passwords and keys.
 */
function scrubLog(record: LogRecord, options: ScrubOptions, scrubbed: WeakSet<object>): LogRecord {
  if (!options.enabled) return record;
  scrubRecord(record.attributes, options);
  // The records of one OTLP resource share its attributes object: scrub it once.
  if (!scrubbed.has(record.resource)) {
    scrubRecord(record.resource, options);
    scrubbed.add(record.resource);
  }
  record.body = scrubRecord({ body: record.body }, options).body;
  return record;
}
