/**
 * What both OTLP decoders share: resource attributes read once per resource into the promoted
 * fields, and one decoded log record turned into a LogRecord. Semantic conventions followed:
 * service.name / service.version (resource), deployment.environment.name (semconv ≥ 1.27) and the
 * older deployment.environment, host.name, log.logger / code.namespace for loggers that name
 * themselves in attributes rather than in the instrumentation scope.
 */
import { bodyText, readText, setAttribute } from './attributes.js';
import { resolveLevel } from './levels.js';
import type { Attributes, AttributeValue, LogRecord } from './types.js';

export interface ResourceFields {
  resource: Attributes;
  service: string | null;
  release: string | null;
  environment: string | null;
  host: string | null;
}

/** One log record as decoded from either encoding, before the mapping. */
export interface OtlpRecordParts {
  timeUs: number | null;
  observedUs: number | null;
  severityNumber: number;
  severityText: string | null;
  body: AttributeValue | undefined;
  attributes: Attributes;
  traceId: string | null;
  spanId: string | null;
  eventName: string | null;
}

export type Scope = LogRecord['scope'];

// sqlcommenter (google.github.io/sqlcommenter/spec) appends the W3C traceparent to each statement,
// so database logs (Postgres `log_statement`, slow query logs) carry the trace of the request that
// ran the query without any trace context of their own.
const SQLCOMMENTER_TRACEPARENT = /traceparent='00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}'/;
const ZERO_TRACE_ID = '0'.repeat(32);

export function readResourceFields(resource: Attributes): ResourceFields {
  return {
    resource,
    service: readText(resource, 'service.name'),
    release: readText(resource, 'service.version'),
    environment:
      readText(resource, 'deployment.environment.name') ?? readText(resource, 'deployment.environment'),
    // server.address only from the resource: on a record it names the peer the app talked to.
    host: readText(resource, 'host.name') ?? readText(resource, 'server.address'),
  };
}

export function readScope(name: string, version: string): Scope {
  return name === '' && version === '' ? null : { name, version: version === '' ? null : version };
}

export function buildOtlpRecord(
  parts: OtlpRecordParts,
  fields: ResourceFields,
  scope: Scope,
  receivedUs: number,
): LogRecord {
  const { attributes } = parts;
  const body = bodyText(parts.body);
  let traceId = parts.traceId;
  let spanId = parts.spanId;
  if (traceId === null && body.includes('traceparent=')) {
    const found = SQLCOMMENTER_TRACEPARENT.exec(body);
    if (found && found[1] !== ZERO_TRACE_ID) {
      traceId = found[1] as string;
      spanId ??= found[2] as string;
    }
  }
  // The event name has no LogRecord field; kept as the attribute older semconv used for it.
  if (parts.eventName !== null && attributes['event.name'] === undefined) {
    setAttribute(attributes, 'event.name', parts.eventName);
  }
  const observedUs = parts.observedUs ?? receivedUs;
  return {
    timeUs: parts.timeUs ?? parts.observedUs ?? receivedUs,
    observedUs,
    level: resolveLevel(parts.severityNumber, parts.severityText),
    severityNumber: parts.severityNumber >= 1 && parts.severityNumber <= 24 ? parts.severityNumber : null,
    severityText: parts.severityText,
    body,
    logger:
      readText(attributes, 'log.logger') ??
      readText(attributes, 'logger.name') ??
      readText(attributes, 'code.namespace') ??
      (scope?.name || null),
    service: fields.service ?? readText(attributes, 'service.name'),
    host: fields.host ?? readText(attributes, 'host.name'),
    environment:
      fields.environment ??
      readText(attributes, 'deployment.environment.name') ??
      readText(attributes, 'deployment.environment'),
    release: fields.release ?? readText(attributes, 'service.version'),
    traceId,
    spanId,
    attributes,
    resource: fields.resource,
    scope,
    source: 'otlp',
  };
}
