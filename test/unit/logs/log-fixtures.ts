/**
 * The log request bodies captured from real senders in test/fixtures/logs/ (see NOTES.md there),
 * with the ids and times the senders reported, and the log lines they all send
 * (test/helpers/log-lines.js, restated here as the test's expectations).
 */
import { readFileSync } from 'node:fs';
import { parseEnvelope } from '../../../src/ingest/sentry/envelope.js';

const FIXTURES = new URL('../../fixtures/logs/', import.meta.url);

export interface LogFixtureMeta {
  headers: Record<string, string>;
  trace_id: string;
  span_id: string;
  /** OTLP runs only: the start time they were given, ms. */
  time_ms?: number;
  sent: number;
}

export function readLogFixture(name: string): { body: Buffer; meta: LogFixtureMeta } {
  return {
    body: readFileSync(new URL(`${name}.bin`, FIXTURES)),
    meta: JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as LogFixtureMeta,
  };
}

/** The payload of the one `log` item of a captured envelope, split by the real envelope parser. */
export function readSentryLogPayload(name: string): Buffer {
  const item = parseEnvelope(readLogFixture(name).body).items.find((i) => i.type === 'log');
  if (!item) throw new Error(`${name} has no log item`);
  return item.payload;
}

export const BODY_UUID = 'c0ffee00-1234-4abc-8def-0123456789ab';
export const ATTRIBUTE_UUID = '3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c';
export const ATTRIBUTE_HEX_ID = '5f2c9a1e7b3d4c6a8e0f1a2b3c4d5e6f';

/** log-lines.js in the order senders emit it (OTLP: as listed; @sentry/node: in-span lines last). */
export const LOG_LINES = [
  {
    level: 'trace',
    body: 'Cache lookup for user:42',
    attributes: { 'cache.key': 'user:42', 'cache.hit': false },
  },
  {
    level: 'debug',
    body: 'Loaded 3 feature flags',
    attributes: { 'flags.count': 3, 'flags.names': ['checkout-v2', 'dark-mode', 'beta'] },
  },
  { level: 'info', body: 'User jane logged in from 10.0.0.7', attributes: { 'user.plan': 'pro' } },
  {
    level: 'info',
    inSpan: true,
    body: 'Order o-9 created',
    attributes: { 'order.id': 'o-9', 'order.total': 129.99, 'order.items': 3, 'order.gift': true },
  },
  {
    level: 'warn',
    inSpan: true,
    body: 'Payment retry 2 of 3',
    attributes: { status: 422, method: 'POST', 'payment.attempt': 2 },
  },
  {
    level: 'error',
    inSpan: true,
    body: `Charge failed for request ${BODY_UUID}: card declined`,
    attributes: {
      'request.id': ATTRIBUTE_UUID,
      'checkout.session': ATTRIBUTE_HEX_ID,
      'error.type': 'CardDeclined',
    },
  },
  {
    level: 'info',
    body: 'Job 9d8c7b6a5f4e3d2c finished in 1.25 s',
    attributes: { 'job.duration_ms': 1250.5 },
  },
  { level: 'fatal', body: 'Out of memory in worker 3', attributes: { 'worker.id': 3, 'memory.ratio': 0.97 } },
] as const;
