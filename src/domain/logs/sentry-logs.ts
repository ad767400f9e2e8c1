/**
 * Sentry `log` envelope items (sentry-protocol.md §3.1): a container `{version?, items: [...]}`
 * of logs with typed attributes. JS and Python put the same facts in different places, so each
 * field is read from where either sends it:
 *
 * | field           | @sentry/node (JS)                          | sentry-python                     |
 * | span id         | attribute `sentry.trace.parent_span_id`    | item `span_id`                    |
 * | severity number | item `severity_number`                     | attribute `sentry.severity_number`|
 * | severity text   | item `level`                               | attribute `sentry.severity_text`  |
 *
 * A `sentry.*` attribute promoted to a field is dropped from `attributes` when it says exactly
 * what the field says (nothing is lost); the rest is kept: `sentry.message.template` and its
 * `sentry.message.parameter.*` (what a message looks like before formatting, for grouping lines),
 * `sentry.origin`, `sentry.timestamp.sequence` (the SDK's order within one timestamp), user.*.
 */
import { isObject, readText, readTypedAttributes } from './attributes.js';
import { baseSeverityNumber, DEFAULT_LEVEL, levelFromSeverityNumber, levelFromText } from './levels.js';
import { idFromSentry, SPAN_ID_BYTES, TRACE_ID_BYTES } from './ids.js';
import { InvalidLogPayloadError, RejectedRecordError, Rejections } from './payload-errors.js';
import { microsFromSentryTimestamp } from './time.js';
import type { Attributes, AttributeValue, LogRecord, ParsedLogs } from './types.js';

// SDK bookkeeping with no meaning for the reader of a log (JS: `replay_is_buffering`).
const INTERNAL_PREFIX = 'sentry._internal.';

/** Throws InvalidLogPayloadError when the payload is not a log container at all. */
export function parseSentryLogItem(payload: Buffer, ctx: { receivedUs: number }): ParsedLogs {
  let container: unknown;
  try {
    container = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new InvalidLogPayloadError(`log item is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(container) || !Array.isArray(container.items)) {
    throw new InvalidLogPayloadError('log item must be {"items": [...]}');
  }
  const records: LogRecord[] = [];
  const rejections = new Rejections();
  container.items.forEach((item: unknown, i) => {
    try {
      records.push(readLog(item, ctx.receivedUs));
    } catch (err) {
      rejections.add(`items[${i}]`, err);
    }
  });
  return { records, rejected: rejections.count, rejectReason: rejections.reason };
}

function readLog(item: unknown, receivedUs: number): LogRecord {
  if (!isObject(item)) throw new RejectedRecordError('a log must be an object');
  const timeUs = microsFromSentryTimestamp(item.timestamp);
  if (timeUs === null) throw new RejectedRecordError('timestamp must be float seconds or an RFC 3339 string');
  if (typeof item.body !== 'string') throw new RejectedRecordError('body must be a string');
  const attributes = readTypedAttributes(item.attributes);
  const promoted: [string, AttributeValue][] = [];
  const take = (key: string): string | null => {
    const value = readText(attributes, key);
    if (value !== null) promoted.push([key, value]);
    return value;
  };

  const levelText = typeof item.level === 'string' && item.level !== '' ? item.level : null;
  const severityText = take('sentry.severity_text') ?? levelText;
  const itemNumber = readSeverityNumber(item.severity_number);
  const severityNumber = itemNumber ?? readSeverityNumber(attributes['sentry.severity_number']);
  if (itemNumber === null && severityNumber !== null)
    promoted.push(['sentry.severity_number', severityNumber]);
  const level =
    levelFromText(levelText) ??
    levelFromText(severityText) ??
    levelFromSeverityNumber(severityNumber) ??
    DEFAULT_LEVEL;

  const traceId = idFromSentry(item.trace_id ?? take('sentry.trace.trace_id'), TRACE_ID_BYTES, 'trace_id');
  const spanId = idFromSentry(item.span_id ?? take('sentry.trace.parent_span_id'), SPAN_ID_BYTES, 'span_id');
  const sdkName = take('sentry.sdk.name');
  const sdkVersion = sdkName === null ? null : take('sentry.sdk.version');
  const record: LogRecord = {
    timeUs,
    observedUs: receivedUs,
    level,
    severityNumber: severityNumber ?? baseSeverityNumber(level),
    severityText,
    body: item.body,
    logger: readText(attributes, 'logger.name') ?? take('sentry.logger.name'),
    service: readText(attributes, 'service.name'),
    host: readText(attributes, 'server.address') ?? take('sentry.server_name'),
    // As for the same SDK's events and transactions (Relay's default): one environment filter
    // then covers all three.
    environment: take('sentry.environment') ?? 'production',
    release: take('sentry.release'),
    traceId,
    spanId,
    attributes: dropPromoted(attributes, promoted),
    resource: {},
    scope: sdkName === null ? null : { name: sdkName, version: sdkVersion },
    source: 'sentry',
  };
  return record;
}

function readSeverityNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 24 ? value : null;
}

function dropPromoted(attributes: Attributes, promoted: [string, AttributeValue][]): Attributes {
  for (const [key, value] of promoted) if (attributes[key] === value) delete attributes[key];
  for (const key in attributes) if (key.startsWith(INTERNAL_PREFIX)) delete attributes[key];
  return attributes;
}
