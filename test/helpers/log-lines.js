// The logical set of log lines both log senders emit (node-logs-sender.js through @sentry/node,
// otel-logs-sender.js through the OpenTelemetry exporters), so fixtures from either carry the same
// bodies, levels and attributes and tests can expect the same records from both.
//
// The ids are fixed so a test can paste them into a search: a UUID and a hex id in a body, and
// another of each in an attribute.

export const BODY_UUID = 'c0ffee00-1234-4abc-8def-0123456789ab';
export const ATTRIBUTE_UUID = '3f2a9c1e-7b4d-4e8a-9c6f-1d2e3f4a5b6c';
export const BODY_HEX_ID = '9d8c7b6a5f4e3d2c';
export const ATTRIBUTE_HEX_ID = '5f2c9a1e7b3d4c6a8e0f1a2b3c4d5e6f';

/**
 * `message(fmt)` builds the body with a tagged-template formatter: `Sentry.logger.fmt` (which also
 * sends the template and its parameters) or a plain one. `inSpan` lines are logged while a span is
 * active, so they carry its trace and span ids.
 */
export const LOG_LINES = [
  {
    level: 'trace',
    message: () => 'Cache lookup for user:42',
    attributes: { 'cache.key': 'user:42', 'cache.hit': false },
  },
  {
    level: 'debug',
    message: () => 'Loaded 3 feature flags',
    attributes: { 'flags.count': 3, 'flags.names': ['checkout-v2', 'dark-mode', 'beta'] },
  },
  {
    level: 'info',
    message: (fmt) => fmt`User ${'jane'} logged in from ${'10.0.0.7'}`,
    attributes: { 'user.plan': 'pro' },
  },
  {
    level: 'info',
    inSpan: true,
    message: () => 'Order o-9 created',
    attributes: { 'order.id': 'o-9', 'order.total': 129.99, 'order.items': 3, 'order.gift': true },
  },
  {
    level: 'warn',
    inSpan: true,
    message: () => 'Payment retry 2 of 3',
    attributes: { status: 422, method: 'POST', 'payment.attempt': 2 },
  },
  {
    level: 'error',
    inSpan: true,
    message: () => `Charge failed for request ${BODY_UUID}: card declined`,
    attributes: {
      'request.id': ATTRIBUTE_UUID,
      'checkout.session': ATTRIBUTE_HEX_ID,
      'error.type': 'CardDeclined',
    },
  },
  {
    level: 'info',
    message: () => `Job ${BODY_HEX_ID} finished in 1.25 s`,
    attributes: { 'job.duration_ms': 1250.5 },
  },
  {
    level: 'fatal',
    message: () => 'Out of memory in worker 3',
    attributes: { 'worker.id': 3, 'memory.ratio': 0.97 },
  },
];

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const ROUTES = ['/orders', '/users/:id', '/checkout', '/inventory'];

/** `count` more lines after the set, like a busy web app's: every level, every third in a span. */
export function buildBulkLines(count) {
  return Array.from({ length: count }, (_, i) => ({
    level: LEVELS[i % LEVELS.length],
    inSpan: i % 3 === 0,
    message: () =>
      `GET ${ROUTES[i % ROUTES.length]} answered ${i % 7 === 0 ? 500 : 200} in ${(i % 97) + 3} ms`,
    attributes: {
      'http.route': ROUTES[i % ROUTES.length],
      'http.response.status_code': i % 7 === 0 ? 500 : 200,
      duration_ms: ((i % 97) + 3) * 1.5,
      'request.id': `req-${i}`,
      cached: i % 2 === 0,
    },
  }));
}

/** The formatter for senders without templates: the same text `Sentry.logger.fmt` renders. */
export function formatPlain(strings, ...values) {
  return String.raw({ raw: strings }, ...values);
}
