/**
 * One structured logger (pino, which Fastify already uses) for the process and its worker threads.
 * Bugs are logged with context as `{ err, ...ids }`; secrets never go into log fields.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

// Self-monitoring (issue 8, H5): error-level entries carrying an `err` are handed to this listener
// (self-monitor/install.ts), per thread; loggers made before it is set get it too.
type ErrorListener = (err: Error, fields: Record<string, unknown>, message: string | undefined) => void;
let errorListener: ErrorListener | undefined;
/** pino's number for `error`; `fatal` is 60. */
const PINO_ERROR_LEVEL = 50;

export function onLoggedError(listener: ErrorListener | undefined): void {
  errorListener = listener;
}

export function createLogger(level: string, name?: string): Logger {
  return pino({
    level,
    ...(name ? { name } : {}),
    base: { pid: process.pid },
    hooks: {
      logMethod(args, method, methodLevel) {
        if (errorListener && methodLevel >= PINO_ERROR_LEVEL) notifyError(args[0], args[1]);
        return method.apply(this, args);
      },
    },
  });
}

function notifyError(fields: unknown, message: unknown): void {
  if (typeof fields !== 'object' || fields === null) return;
  const err = (fields as { err?: unknown }).err;
  if (!(err instanceof Error)) return;
  try {
    errorListener?.(
      err,
      fields as Record<string, unknown>,
      typeof message === 'string' ? message : undefined,
    );
  } catch {
    // Reporting must never break logging.
  }
}
