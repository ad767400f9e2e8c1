// Sends error events with the real @sentry/node for the alert tests, in its own process (as
// node-sdk-sender.js does), grouped by fingerprint so each label is one issue, optionally
// backdated so an issue can have a history of previous days (spike baselines).
//
//   SNAG_DSN=… node test/helpers/alerts-sdk-sender.js <label>:<count>[@<hours ago>]…
//
// Optional: SNAG_ENVIRONMENT, SNAG_RELEASE, SNAG_LEVEL (error by default). Prints one JSON line:
// {"ids": {"<label>": "<last event id>"}, "sent": <n>, "flushed": true|false}.
import * as Sentry from '@sentry/node';

const HOUR_MS = 3_600_000;
/** The SDK's transport buffers 64 envelopes; flushing every 30 keeps well below it. */
const FLUSH_EVERY = 30;

const specs = process.argv.slice(2).map((arg) => {
  const m = /^([\w-]+):(\d+)(?:@(\d+(?:\.\d+)?))?$/.exec(arg);
  if (!m) {
    console.error(`bad spec ${arg}: use <label>:<count>[@<hours ago>]`);
    process.exit(2);
  }
  return { label: m[1], count: Number(m[2]), hoursAgo: Number(m[3] ?? 0) };
});
if (!process.env.SNAG_DSN || specs.length === 0) {
  console.error('usage: SNAG_DSN=… node test/helpers/alerts-sdk-sender.js <label>:<count>[@<hours ago>]…');
  process.exit(2);
}

let backdateMs = 0;
Sentry.init({
  dsn: process.env.SNAG_DSN,
  tracesSampleRate: 0,
  release: process.env.SNAG_RELEASE || undefined,
  environment: process.env.SNAG_ENVIRONMENT || undefined,
  sendDefaultPii: false,
  // Dedupe would drop repeats of one error; the exit handlers would change how this process exits.
  integrations: (defaults) =>
    defaults.filter((i) => !['Dedupe', 'OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
  beforeSend(event) {
    if (backdateMs > 0) event.timestamp = (Date.now() - backdateMs) / 1000;
    return event;
  },
});

function failCheckout(label, n) {
  throw new Error(`Checkout failed for ${label} (attempt ${n})`);
}

const ids = {};
let sent = 0;
let flushed = true;
for (const { label, count, hoursAgo } of specs) {
  backdateMs = hoursAgo * HOUR_MS;
  for (let i = 0; i < count; i++) {
    try {
      failCheckout(label, i);
    } catch (err) {
      ids[label] = Sentry.withScope((scope) => {
        scope.setFingerprint(['alerts-test', label]);
        if (process.env.SNAG_LEVEL) scope.setLevel(process.env.SNAG_LEVEL);
        return Sentry.captureException(err);
      });
    }
    sent++;
    if (sent % FLUSH_EVERY === 0) flushed = (await Sentry.flush(5000)) && flushed;
  }
  // Each spec's events are sent before the next spec changes the backdating.
  flushed = (await Sentry.flush(5000)) && flushed;
}
console.log(JSON.stringify({ ids, sent, flushed }));
await Sentry.close(2000);
