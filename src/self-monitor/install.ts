/**
 * Turns self-monitoring on for this process's main thread (reporter.ts): error-level log entries
 * with an `err`, and unhandled rejections. Node ends the process on an unhandled rejection; with
 * a listener it would not, so after reporting (up to FLUSH_BEFORE_EXIT_MS) the process still exits
 * with code 1, as it would have. Digest threads log to their own logger instances and are not
 * hooked: a failing batch is retried and logged there, and parked jobs show in Settings → Storage.
 */
import crypto from 'node:crypto';
import { onLoggedError, type Logger } from '../log.js';
import { createSelfReporter, type SelfReporter, type ServedRequest } from './reporter.js';

const FLUSH_BEFORE_EXIT_MS = 2000;

export interface SelfMonitor {
  reporter: SelfReporter;
  /** Called for every served request; sends a sampled few as transactions. */
  traceRequest(request: ServedRequest): void;
  /** Logs a test error through the hooked logger, so it takes the path a real error takes. */
  sendTestError(): string;
  stop(): void;
}

export function installSelfMonitor(options: {
  dsn: string;
  release: string;
  log: Logger;
  /** 0–1: the share of served requests reported as transactions (SNAG_SENTRY_TRACES_SAMPLE_RATE). */
  tracesSampleRate: number;
}): SelfMonitor {
  const reporter = createSelfReporter({ dsn: options.dsn, release: options.release });
  onLoggedError((err, fields, message) =>
    reporter.captureError(err, {
      url: typeof fields['url'] === 'string' ? fields['url'] : undefined,
      message,
    }),
  );
  const onRejection = (reason: unknown) => {
    const err = reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`);
    reporter.captureError(err, { origin: 'unhandledRejection' });
    options.log.fatal({ reason: String(reason) }, 'unhandled promise rejection; exiting');
    const timer = setTimeout(() => process.exit(1), FLUSH_BEFORE_EXIT_MS);
    void reporter.flush().then(() => process.exit(1));
    timer.unref();
  };
  process.on('unhandledRejection', onRejection);
  return {
    reporter,
    traceRequest(request) {
      if (options.tracesSampleRate > 0 && Math.random() < options.tracesSampleRate)
        reporter.captureRequest(request);
    },
    sendTestError() {
      const id = crypto.randomBytes(6).toString('hex');
      options.log.error({ err: new Error(`Snag self-monitoring test ${id}`) }, 'self-monitoring test error');
      return id;
    },
    stop() {
      onLoggedError(undefined);
      process.off('unhandledRejection', onRejection);
    },
  };
}
