// Sends backdated data with the real @sentry/node, for the retention tests: the SDK builds every
// payload and the before-send hooks only move its times back by SNAG_AGE_DAYS, as a clock-skewed
// or replaying client would.
//
//   SNAG_DSN=… SNAG_AGE_DAYS=40 SNAG_LABEL=RetentionOld SNAG_COUNT=3 node retention-sender.js errors|transactions
//
// (Logs are backdated with test/helpers/otel-logs-sender.js --time: the Sentry SDK stamps a log
// after its before-send hook, OpenTelemetry lets the emitter set the time.)
// Prints one JSON line: {"event_ids": […], "trace_ids": […]}.
import * as Sentry from '@sentry/node';

const kind = process.argv[2];
const dsn = process.env.SNAG_DSN;
const ageS = Number(process.env.SNAG_AGE_DAYS ?? '0') * 86_400;
const label = process.env.SNAG_LABEL ?? 'Retention';
const count = Number(process.env.SNAG_COUNT ?? '1');

const shiftSpan = (s) => {
  s.start_timestamp -= ageS;
  if (typeof s.timestamp === 'number') s.timestamp -= ageS;
};

Sentry.init({
  dsn,
  tracesSampleRate: kind === 'transactions' ? 1 : 0,
  traceLifecycle: 'static',
  sendDefaultPii: false,
  integrations: (defaults) =>
    defaults.filter((i) => !['OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
  beforeSend(event) {
    event.timestamp -= ageS;
    return event;
  },
  beforeSendTransaction(event) {
    event.timestamp -= ageS;
    event.start_timestamp -= ageS;
    for (const span of event.spans ?? []) shiftSpan(span);
    return event;
  },
});

const eventIds = [];
const traceIds = [];
for (let i = 0; i < count; i++) {
  if (kind === 'errors') {
    const err = new Error(`${label} number ${i}`);
    eventIds.push(Sentry.captureException(err, { fingerprint: [label] }));
  } else if (kind === 'transactions') {
    await Sentry.startSpan({ name: `GET /${label.toLowerCase()}`, op: 'http.server' }, async (root) => {
      traceIds.push(root.spanContext().traceId);
      await Sentry.startSpan({ name: 'SELECT * FROM retention', op: 'db.query' }, async () => {
        await new Promise((r) => setTimeout(r, 2));
      });
    });
  }
  await Sentry.flush(5000);
}
const flushed = await Sentry.flush(5000);
console.log(JSON.stringify({ event_ids: eventIds, trace_ids: traceIds, flushed }));
