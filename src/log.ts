/**
 * One structured logger (pino, which Fastify already uses) for the process and its worker threads.
 * Bugs are logged with context as `{ err, ...ids }`; secrets never go into log fields.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name?: string): Logger {
  return pino({ level, ...(name ? { name } : {}), base: { pid: process.pid } });
}
