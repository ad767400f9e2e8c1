// Runs the real @sentry/node through a sequence of steps, to watch it honour rate limits:
//
//   SNAG_DSN=… node test/helpers/rate-limit-sender.js errors:15 transaction wait:5500 errors:1
//
// `errors:N` captures N exceptions, flushing after each (so each is its own request unless the SDK
// holds it back); `transaction` ends one root span (a `span` item from @sentry/node 11); `wait:MS` sleeps. Prints one JSON line:
// {"ids": [...event ids the SDK returned], "flushed": true}. The SDK drops what a rate limit
// covers without sending it; the test counts what reaches the server.
import * as Sentry from '@sentry/node';

const steps = process.argv.slice(2);
Sentry.init({
  dsn: process.env.SNAG_DSN,
  tracesSampleRate: 1,
  sendDefaultPii: false,
  integrations: (defaults) =>
    defaults.filter((i) => !['OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
});

function failPayment(n) {
  throw new Error(`payment ${n} failed`);
}

const ids = [];
let n = 0;
for (const step of steps) {
  const [name, arg] = step.split(':');
  if (name === 'errors') {
    for (let i = 0; i < Number(arg); i++) {
      try {
        failPayment(n++);
      } catch (err) {
        ids.push(Sentry.captureException(err));
      }
      await Sentry.flush(2000);
    }
  } else if (name === 'transaction') {
    Sentry.startSpan({ name: 'GET /rate-limited', op: 'http.server' }, () => {});
    await Sentry.flush(2000);
  } else if (name === 'wait') {
    await new Promise((r) => setTimeout(r, Number(arg)));
  } else {
    console.error(`unknown step ${step}`);
    process.exit(2);
  }
}
const flushed = await Sentry.flush(5000);
console.log(JSON.stringify({ ids, flushed }));
await Sentry.close(2000);
