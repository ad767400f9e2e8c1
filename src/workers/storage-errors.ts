import type { Job, JobToPark } from '../storage/index.js';

/**
 * SQLite result codes about the database, not the rows: a batch that fails with one of these is
 * retried whole, later (busy, full disk, I/O). Any other failure of a batch write (a value SQLite
 * cannot bind, a constraint) is in some row, and retrying the batch whole would fail forever: the
 * consumers then write it job by job and park what fails alone (docs/reliability.md).
 */
const TRANSIENT_SQLITE_CODE = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|NOMEM|CANTOPEN|READONLY|PROTOCOL|INTERRUPT)/;

export function isTransientStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_SQLITE_CODE.test(code);
}

/** A job set aside with what went wrong (stack when there is one), for Settings and get_status. */
export function jobToPark(job: Job, err: unknown): JobToPark {
  return { ...job, jobId: job.id, error: errorText(err) };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
