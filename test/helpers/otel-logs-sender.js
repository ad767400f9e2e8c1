// Sends logs to `<url>/v1/logs` with the real OpenTelemetry JS logs SDK and its OTLP/HTTP
// exporters: the lines of log-lines.js (three with a trace context), then the shapes only OTLP
// has, then `--count` more lines.
//
//   node test/helpers/otel-logs-sender.js --url http://127.0.0.1:<port> --encoding json|protobuf
//     [--gzip] [--header 'Authorization: Bearer <public key>']… [--count N]
//     [--time <epoch ms>] [--trace-id <32 hex>] [--span-id <16 hex>]
//
// json uses @opentelemetry/exporter-logs-otlp-http, protobuf @opentelemetry/exporter-logs-otlp-proto
// (the OTLP default); --gzip sets the exporter's `compression: 'gzip'`. Resource: service.name
// `checkout`, service.version `fixture@1.0.0`, deployment.environment.name `fixture`, host.name
// `fixture-host`. Record i is timestamped `--time` + i ms + 456,789 ns (sub-microsecond digits on
// purpose) and observed 250 µs later, so two runs with the same --time, --trace-id and --span-id
// send the same records: that is how the JSON and protobuf fixtures are made equivalent.
// All records go in one request (one batch up to 10,000). Prints one JSON line on stdout:
// {"trace_id", "span_id", "time_ms", "sent"}.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtobufExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { ATTRIBUTE_UUID, buildBulkLines, formatPlain, LOG_LINES } from './log-lines.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    encoding: { type: 'string', default: 'protobuf' },
    gzip: { type: 'boolean', default: false },
    header: { type: 'string', multiple: true, default: [] },
    count: { type: 'string', default: '0' },
    time: { type: 'string' },
    'trace-id': { type: 'string' },
    'span-id': { type: 'string' },
  },
});
const count = Number(args.count);
if (!args.url || !['json', 'protobuf'].includes(args.encoding) || !Number.isInteger(count) || count < 0) {
  console.error(
    'usage: node test/helpers/otel-logs-sender.js --url <base> --encoding json|protobuf [--gzip] …',
  );
  process.exit(2);
}
const headers = Object.fromEntries(
  args.header.map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]),
);
const timeMs = args.time === undefined ? Date.now() : Number(args.time);
const traceId = args['trace-id'] ?? randomBytes(16).toString('hex');
const spanId = args['span-id'] ?? randomBytes(8).toString('hex');

const Exporter = args.encoding === 'json' ? JsonExporter : ProtobufExporter;
const exporter = new Exporter({
  url: `${args.url.replace(/\/$/, '')}/v1/logs`,
  headers,
  ...(args.gzip ? { compression: 'gzip' } : {}),
});
const provider = new LoggerProvider({
  resource: resourceFromAttributes({
    'service.name': 'checkout',
    'service.version': 'fixture@1.0.0',
    'deployment.environment.name': 'fixture',
    'host.name': 'fixture-host',
  }),
  processors: [
    new BatchLogRecordProcessor({
      exporter,
      maxExportBatchSize: 10_000,
      maxQueueSize: 10_000,
      scheduledDelayMillis: 60_000,
    }),
  ],
});
const logger = provider.getLogger('checkout-service', '1.2.3');
const sqlLogger = provider.getLogger('postgres');
const inSpan = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });

const SEVERITY = {
  trace: SeverityNumber.TRACE,
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};

let index = 0;
/** Timestamps as [seconds, nanoseconds], the SDK's own HrTime: Date inputs would lose the ns. */
function timesOf(i) {
  const ms = timeMs + i;
  const nanos = (ms % 1000) * 1_000_000 + 456_789;
  return {
    timestamp: [Math.floor(ms / 1000), nanos],
    observedTimestamp: [Math.floor(ms / 1000), nanos + 250_000],
  };
}
function emit(target, record) {
  target.emit({ ...timesOf(index++), ...record });
}

const lines = [...LOG_LINES, ...buildBulkLines(count)];
for (const line of lines.slice(0, LOG_LINES.length)) {
  emit(logger, {
    severityNumber: SEVERITY[line.level],
    severityText: line.level.toUpperCase(),
    body: line.message(formatPlain),
    attributes: line.attributes,
    ...(line.inSpan ? { context: inSpan } : {}),
  });
}

// Shapes only OTLP has: severity given by text alone, by a sub-level number, or not at all; a
// structured body; bytes, map and array attribute values; an event name; loggers named by
// attribute; a sqlcommenter traceparent that is the record's only trace context.
emit(logger, { severityText: 'Warning', body: 'Disk usage at 91%', attributes: { 'disk.mount': '/var' } });
emit(logger, {
  severityNumber: SeverityNumber.WARN2,
  severityText: 'WARNING',
  body: 'Slow response',
  context: inSpan,
});
emit(logger, { body: 'No severity given', attributes: { 'log.logger': 'app.audit' } });
emit(logger, {
  severityNumber: SeverityNumber.INFO,
  eventName: 'cart.updated',
  body: { action: 'add', items: [{ sku: 'A1', qty: 2 }], total: 12.5, gift: false },
  attributes: {
    'code.namespace': 'shop.cart',
    'payload.digest': new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
    'http.request.header': { 'content-type': 'application/json', 'x-request-id': ATTRIBUTE_UUID },
    'retry.delays_ms': [100, 250.5, 1000],
    'big.count': 9_007_199_254_740_991,
    'negative.offset': -42,
  },
  context: inSpan,
});
emit(sqlLogger, {
  severityNumber: SeverityNumber.INFO,
  severityText: 'LOG',
  body:
    'duration: 12.345 ms  statement: SELECT * FROM orders WHERE id = $1 ' +
    `/*controller='orders',traceparent='00-${traceId}-${spanId}-01'*/`,
});

for (const line of lines.slice(LOG_LINES.length)) {
  emit(logger, {
    severityNumber: SEVERITY[line.level],
    severityText: line.level.toUpperCase(),
    body: line.message(formatPlain),
    attributes: line.attributes,
    ...(line.inSpan ? { context: inSpan } : {}),
  });
}

await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ trace_id: traceId, span_id: spanId, time_ms: timeMs, sent: index }));
