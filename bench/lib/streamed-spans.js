/**
 * The same request as a `traceLifecycle: 'stream'` envelope (@sentry/node 11's default): one
 * `span` item holding the v2 container `{"version":2,"items":[…]}`, children in the order they
 * ended and the segment span last, every span carrying the segment's common attributes
 * (test/fixtures/apm/NOTES.md §4 and node-stream-spans-2.bin).
 */
import { SDK, SDK_INTEGRATIONS } from './transaction-events.js';

/** `{"value": v, "type": t}` as serializeAttributes (@sentry/core attributes.js) writes it. */
function typed(value) {
  if (Array.isArray(value)) return { value, type: 'array' };
  if (typeof value === 'boolean') return { value, type: 'boolean' };
  if (typeof value === 'number') return { value, type: Number.isInteger(value) ? 'integer' : 'double' };
  return { value: String(value), type: 'string' };
}

function typedAll(record) {
  const out = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = typed(value);
  return out;
}

/** v2 status is ok/error; the Sentry status name goes to `sentry.status.message`. */
const statusOf = (status) => (status === 'ok' ? { status: 'ok' } : { status: 'error', message: status });

/**
 * `payload` is a transaction from transaction-events.js (markers in place of ids). Returns the
 * container's JSON text and its span count.
 */
export function toSpanContainer(payload) {
  const trace = payload.contexts.trace;
  const common = {
    'sentry.trace_lifecycle': 'stream',
    'sentry.segment.name': payload.transaction,
    'sentry.segment.id': trace.span_id,
    'sentry.sdk.name': SDK.name,
    'sentry.sdk.version': SDK.version,
    'sentry.release': payload.release,
    'sentry.environment': payload.environment,
    ...(payload.user.id ? { 'user.id': payload.user.id } : {}),
  };
  const children = [...payload.spans]
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((span) => {
      const { status, message } = statusOf(span.status);
      // Stream mode names an outbound call by method and host only (NOTES.md §4).
      const name = span.op === 'http.client' ? `GET ${span.data['server.address']}` : span.description;
      return {
        name,
        span_id: span.span_id,
        trace_id: span.trace_id,
        parent_span_id: span.parent_span_id,
        start_timestamp: span.start_timestamp,
        end_timestamp: span.timestamp,
        is_segment: false,
        status,
        attributes: typedAll({
          ...span.data,
          ...(message ? { 'sentry.status.message': message } : {}),
          ...common,
          'sentry.is_localhost': false,
        }),
      };
    });
  const { status, message } = statusOf(trace.status);
  const { runtime, app, device, culture } = payload.contexts;
  const segment = {
    name: payload.transaction,
    span_id: trace.span_id,
    trace_id: trace.trace_id,
    ...(trace.parent_span_id ? { parent_span_id: trace.parent_span_id } : {}),
    start_timestamp: payload.start_timestamp,
    end_timestamp: payload.timestamp,
    is_segment: true,
    status,
    attributes: typedAll({
      ...trace.data,
      ...(message ? { 'sentry.status.message': message } : {}),
      ...common,
      'sentry.sdk.integrations': [...SDK_INTEGRATIONS, 'SpanStreaming'],
      'user.ip_address': payload.user.ip_address,
      'process.runtime.engine.name': 'v8',
      'process.runtime.engine.version': '11.3.244.8-node.38',
      'process.runtime.version': runtime.version,
      'app.start_time': app.app_start_time,
      'device.archs': [device.arch],
      'device.boot_time': device.boot_time,
      'device.memory_size': device.memory_size,
      'device.processor_count': device.processor_count,
      'device.cpu_description': device.cpu_description,
      'device.processor_frequency': device.processor_frequency,
      'culture.locale': culture.locale,
      'culture.timezone': culture.timezone,
      'app.memory': app.app_memory,
      'app.free_memory': app.free_memory,
      'device.free_memory': device.free_memory,
      'sentry.is_localhost': false,
    }),
  };
  return { json: JSON.stringify({ version: 2, items: [...children, segment] }), count: children.length + 1 };
}
