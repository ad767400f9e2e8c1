/**
 * The stored JSON of a record is the same text whether the batch shares its resource and scope
 * JSON between records (logs-digest-store.ts) or not, and the same as JSON.stringify of the whole
 * payload object, which is what rows written before the sharing hold: readers parse both alike.
 */
import { expect, it } from 'vitest';
import { parseOtlpLogs } from '../../../src/domain/logs/otlp.js';
import { parseSentryLogItem } from '../../../src/domain/logs/sentry-logs.js';
import type { LogRecord } from '../../../src/domain/logs/types.js';
import { payloadJson } from '../../../src/storage/logs-codec.js';
import { readLogFixture, readSentryLogPayload } from './log-fixtures.js';

const RECEIVED_US = Date.UTC(2026, 10, 22) * 1000;

/** The payload as one object, in the order the store has always written it. */
function wholeObjectJson(r: LogRecord): string {
  return JSON.stringify({
    observedDeltaUs: r.observedUs - r.timeUs,
    severityNumber: r.severityNumber,
    severityText: r.severityText,
    body: r.body,
    logger: r.logger,
    service: r.service,
    host: r.host,
    environment: r.environment,
    release: r.release,
    attributes: r.attributes,
    resource: r.resource,
    scope: r.scope,
    source: r.source,
  });
}

const records = [
  ...parseOtlpLogs(readLogFixture('otlp-protobuf').body, 'protobuf', { receivedUs: RECEIVED_US }).records,
  ...parseOtlpLogs(readLogFixture('otlp-json').body, 'json', { receivedUs: RECEIVED_US }).records,
  ...parseSentryLogItem(readSentryLogPayload('node-sdk-logs'), { receivedUs: RECEIVED_US }).records,
];

it('writes the same text with and without shared resource and scope JSON', () => {
  expect(records.length).toBeGreaterThan(20);
  const shared = new Map<object, string>();
  for (const r of records) {
    const expected = wholeObjectJson(r);
    expect(payloadJson(r, shared)).toBe(expected);
    expect(payloadJson(r)).toBe(expected);
  }
  const otlp = records.filter((r) => r.source === 'otlp');
  // One OTLP body: its records share one resource object, serialized once.
  expect(new Set(otlp.map((r) => r.resource)).size).toBeLessThan(otlp.length);
  expect(shared.size).toBeLessThan(records.length);
});

it('writes a record without a scope as scope null', () => {
  const r = { ...records[0]!, scope: null };
  expect(payloadJson(r, new Map())).toBe(wholeObjectJson(r));
  expect(JSON.parse(payloadJson(r, new Map())).scope).toBeNull();
});
