/**
 * One level out of the many ways senders spell severity. OTLP severity numbers come in buckets of
 * four (logs data model, "Field: SeverityNumber": 1–4 TRACE … 21–24 FATAL); Sentry sends level
 * names (`warn`, never `warning`, per its logs protocol, though other Sentry payloads say
 * `warning`), and loggers bridged into either send whatever their framework calls its levels.
 */
import { LOG_LEVELS, type LogLevel } from './types.js';

/** What a record says when it says nothing: the OTLP data model's "unspecified" reads as info. */
export const DEFAULT_LEVEL: LogLevel = 'info';

const BASE_SEVERITY: Record<LogLevel, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

// Names seen from Sentry SDKs, OTLP short names, syslog (RFC 5424) and Python/Java/Go loggers.
const LEVEL_NAMES = new Map<string, LogLevel>([
  ['trace', 'trace'],
  ['finest', 'trace'],
  ['debug', 'debug'],
  ['dbg', 'debug'],
  ['fine', 'debug'],
  ['finer', 'debug'],
  ['verbose', 'debug'],
  ['info', 'info'],
  ['information', 'info'],
  ['informational', 'info'],
  ['notice', 'info'],
  ['log', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['err', 'error'],
  ['severe', 'error'],
  ['fatal', 'fatal'],
  ['critical', 'fatal'],
  ['crit', 'fatal'],
  ['panic', 'fatal'],
  ['alert', 'fatal'],
  ['emerg', 'fatal'],
  ['emergency', 'fatal'],
]);
// The OTLP short names of the finer steps: TRACE2 … FATAL4.
const NUMBERED_SHORT_NAME = /^(trace|debug|info|warn|error|fatal)[234]$/;

/** The bucket of an OTLP severity number; null for 0 (unspecified) and anything outside 1–24. */
export function levelFromSeverityNumber(severityNumber: number | null | undefined): LogLevel | null {
  if (typeof severityNumber !== 'number' || !Number.isInteger(severityNumber)) return null;
  if (severityNumber < 1 || severityNumber > 24) return null;
  return LOG_LEVELS[(severityNumber - 1) >> 2] ?? null;
}

/** A level name in any case (`WARNING`, `Err`, `INFO2`); null when it names no level. */
export function levelFromText(text: string | null | undefined): LogLevel | null {
  if (typeof text !== 'string' || text === '') return null;
  const name = text.trim().toLowerCase();
  const known = LEVEL_NAMES.get(name);
  if (known) return known;
  const numbered = NUMBERED_SHORT_NAME.exec(name);
  return numbered ? (numbered[1] as LogLevel) : null;
}

/** OTLP's order: the number when it is valid, else the text, else the default. */
export function resolveLevel(
  severityNumber: number | null | undefined,
  severityText: string | null | undefined,
): LogLevel {
  return levelFromSeverityNumber(severityNumber) ?? levelFromText(severityText) ?? DEFAULT_LEVEL;
}

/** The lowest severity number of a level's bucket, for records that name a level but no number. */
export function baseSeverityNumber(level: LogLevel): number {
  return BASE_SEVERITY[level];
}
