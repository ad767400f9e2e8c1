// Sends events to a DSN with the real @sentry/node, one scenario per run, in its own process so the
// SDK's global state (hubs, OpenTelemetry hooks, exit handlers) never touches the test runner.
//
//   SNAG_DSN=http://<key>@127.0.0.1:<port>/<id> node test/helpers/node-sdk-sender.js <scenario>…
//
// Optional: SNAG_RELEASE, SNAG_ENVIRONMENT, SNAG_USER_IDS (for user-not-found). Prints one JSON
// line on stdout: {"ids": {"<label>": "<event id>", …}}, the ids the SDK returned, so a test can
// find each event. Every capture is flushed before the next one, so events arrive in order.
import * as Sentry from '@sentry/node';

const names = process.argv.slice(2);
const dsn = process.env.SNAG_DSN;
if (!dsn || names.length === 0) {
  console.error('usage: SNAG_DSN=… node test/helpers/node-sdk-sender.js <scenario>…');
  process.exit(2);
}

Sentry.init({
  dsn,
  tracesSampleRate: 0,
  release: process.env.SNAG_RELEASE || undefined,
  environment: process.env.SNAG_ENVIRONMENT || undefined,
  // The tests compare user ids: keep the SDK from adding the host's IP address on its own.
  sendDefaultPii: false,
  // Unhandled-rejection and uncaught-exception handlers would change how this process exits.
  integrations: (defaults) =>
    defaults.filter((i) => !['OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
});

const ids = {};

// --- code paths that throw; their names and lines are what grouping and culprits are made of ---

function findUser(id) {
  throw new Error(`User ${id} not found`);
}

function loadProfile(id) {
  findUser(id);
}

function handleRequest(id) {
  loadProfile(id);
}

function importUsers(id) {
  // A different caller of the same function: a different stack, so a different issue.
  findUser(id);
}

function parseConfig(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error('Config could not be loaded', { cause: err });
  }
}

function chargeCard() {
  throw new TypeError('card declined');
}

function shipOrder() {
  throw new RangeError('no courier available');
}

async function capture(label, fn, scopeSetup) {
  try {
    fn();
  } catch (err) {
    ids[label] = Sentry.withScope((scope) => {
      scopeSetup?.(scope);
      return Sentry.captureException(err);
    });
  }
  await Sentry.flush(5000);
}

const scenarios = {
  /** The same path twice, messages differing only by a number → one issue. */
  'user-not-found': async () => {
    const users = (process.env.SNAG_USER_IDS || '123,456').split(',');
    for (const [i, user] of users.entries()) {
      await capture(
        `user-${i}`,
        () => handleRequest(user),
        (scope) => scope.setUser({ id: `u-${user}` }),
      );
    }
  },
  'other-path': () => capture('other', () => importUsers(789)),
  chained: () => capture('chained', () => parseConfig('{not json')),
  message: async () => {
    ids.message = Sentry.captureMessage('Disk space low on /var', 'warning');
    await Sentry.flush(5000);
  },
  fingerprint: async () => {
    await capture('card', chargeCard, (scope) => scope.setFingerprint(['my-group']));
    await capture('ship', shipOrder, (scope) => scope.setFingerprint(['my-group']));
  },
  'default-fingerprint': async () => {
    await capture('plain', chargeCard);
    // Interleaved: the SDK's Dedupe integration drops an event identical to the one just before it.
    const steps = [
      ['card-x-1', chargeCard],
      ['ship-x', shipOrder],
      ['card-x-2', chargeCard],
    ];
    for (const [label, fn] of steps) {
      await capture(label, fn, (scope) => scope.setFingerprint(['{{ default }}', 'x']));
    }
  },
  context: async () => {
    Sentry.addBreadcrumb({
      category: 'auth',
      message: 'User logged in',
      level: 'info',
      data: { method: 'password' },
    });
    Sentry.addBreadcrumb({ category: 'cart', message: 'Added 3 items', level: 'debug' });
    Sentry.setUser({ id: 'user-42', email: 'jane@example.com' });
    Sentry.setTag('feature', 'checkout');
    Sentry.setContext('order', { id: 'o-9', items: 3 });
    await capture('context', shipOrder);
  },
};

const unknown = names.filter((name) => !Object.hasOwn(scenarios, name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; use ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
for (const name of names) await scenarios[name]();
const flushed = await Sentry.flush(5000);
console.log(JSON.stringify({ ids, flushed }));
await Sentry.close(2000);
