// Sends logs to a DSN with the real @sentry/node (`enableLogs: true`): the lines of log-lines.js
// (every level, strings / numbers / booleans / arrays, a `Sentry.logger.fmt` template, three lines
// inside an active span, UUIDs and hex ids in bodies and attributes), then `--count` more.
//
//   SNAG_DSN=http://<key>@127.0.0.1:<port>/<id> node test/helpers/node-logs-sender.js [--count N]
//
// `--dsn` may replace SNAG_DSN. Optional: SNAG_RELEASE, SNAG_ENVIRONMENT. The SDK sends at most 100
// logs per envelope, so a count above ~90 means several requests. Prints one JSON line on stdout:
// {"trace_id", "span_id" (of the span the inSpan lines ran in), "sent", "flushed"}.
import { parseArgs } from 'node:util';
import * as Sentry from '@sentry/node';
import { buildBulkLines, LOG_LINES } from './log-lines.js';

const { values: args } = parseArgs({
  options: { dsn: { type: 'string' }, count: { type: 'string', default: '0' } },
});
const dsn = args.dsn ?? process.env.SNAG_DSN;
const count = Number(args.count);
if (!dsn || !Number.isInteger(count) || count < 0) {
  console.error('usage: SNAG_DSN=… node test/helpers/node-logs-sender.js [--count N]');
  process.exit(2);
}

Sentry.init({
  dsn,
  enableLogs: true,
  // The span must be recorded for its id to reach the logs logged inside it.
  tracesSampleRate: 1,
  release: process.env.SNAG_RELEASE || undefined,
  environment: process.env.SNAG_ENVIRONMENT || undefined,
  // Sent as `server.address`; fixed so fixtures do not carry the capturing machine's name.
  serverName: 'fixture-host',
  sendDefaultPii: false,
  integrations: (defaults) =>
    defaults.filter((i) => !['OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
});

function emit(line) {
  Sentry.logger[line.level](line.message(Sentry.logger.fmt), line.attributes);
}

const lines = [...LOG_LINES, ...buildBulkLines(count)];
const ids = {};
for (const line of lines.filter((l) => !l.inSpan)) emit(line);
Sentry.startSpan({ name: 'checkout', op: 'function' }, (span) => {
  const context = span.spanContext();
  ids.trace_id = context.traceId;
  ids.span_id = context.spanId;
  for (const line of lines.filter((l) => l.inSpan)) emit(line);
});

const flushed = await Sentry.flush(5000);
console.log(JSON.stringify({ ...ids, sent: lines.length, flushed }));
await Sentry.close(2000);
