/**
 * Synthetic but structured log records (the LogRecord shape of src/domain/logs/types.ts), for the
 * logs storage benchmark and its design measurements. Real SDK payloads are captured elsewhere
 * (test/fixtures/logs/); these exist to be many, seeded and repeatable.
 *
 * Shape of the corpus, chosen to look like a small team's backend logs: 8 services on 12 hosts,
 * 2 environments, 3 releases per service, ~20 message templates with numbers, ids, durations and
 * paths, 8–15 attributes per record, a trace id on ~85 % of records (5–20 records per trace), a
 * level mix of ~70 % info, 15 % debug, 9 % warn, 5 % error, 1 % fatal. Words come from a
 * vocabulary with a Zipf-like tail, so searches can pick common and rare terms. Mean JSON size is
 * ~600 bytes (a LogRecord carries more than the wire JSON: observed time, severity text, scope).
 */
import { createRandom } from './random.js';

const SERVICES = [
  'checkout-api',
  'orders-worker',
  'auth-service',
  'search-api',
  'billing',
  'gateway',
  'mailer',
  'inventory',
];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging'];
const ROUTES = [
  '/api/orders/:id',
  '/api/cart',
  '/api/users/:id/profile',
  '/api/search',
  '/api/checkout',
  '/health',
  '/api/invoices/:id',
  '/api/login',
];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'];
const TABLES = ['orders', 'users', 'carts', 'invoices', 'sessions', 'products', 'payments'];
const LOGGERS = [
  'app.http',
  'app.db',
  'app.jobs',
  'app.auth',
  'app.cache',
  'kafka.consumer',
  'app.billing',
  'app.search',
];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const ERRORS = [
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'deadlock detected',
  'unique constraint violated',
  'card declined',
  'rate limited',
];
/** A Zipf-like tail of words: index i is drawn with weight 1/(i+1). */
const TAIL = Array.from({ length: 4000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}rd`);

const LEVELS = [
  ['info', 0.7, 9],
  ['debug', 0.15, 5],
  ['warn', 0.09, 13],
  ['error', 0.05, 17],
  ['fatal', 0.01, 21],
];

function uuid(r) {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/** ~20 templates: each returns the body and the attributes that go with it. */
const TEMPLATES = [
  (r, c) => [
    `${c.method} ${c.path} completed in ${c.ms}ms status=${c.status}`,
    { 'http.method': c.method, 'http.route': c.route, 'http.status_code': c.status, duration_ms: c.ms },
  ],
  (r, c) => [
    `${c.method} ${c.path} -> ${c.status} (${c.ms} ms)`,
    { 'http.method': c.method, 'http.route': c.route, 'http.status_code': c.status },
  ],
  (r, c) => [
    `SELECT * FROM ${c.table} WHERE id = $1 took ${c.ms}ms`,
    { 'db.system': 'postgresql', 'db.operation': 'SELECT', 'db.sql.table': c.table, duration_ms: c.ms },
  ],
  (r, c) => [
    `slow query on ${c.table}: ${c.ms}ms (threshold 200ms)`,
    { 'db.system': 'postgresql', 'db.sql.table': c.table, slow: true },
  ],
  (r, c) => [
    `user ${c.userId} logged in from ${c.ip}`,
    { 'user.id': c.userId, 'client.address': c.ip, 'auth.method': r.pick(['password', 'oauth', 'sso']) },
  ],
  (r, c) => [
    `login failed for user ${c.userId}: invalid password`,
    { 'user.id': c.userId, 'client.address': c.ip, reason: 'invalid_password' },
  ],
  (r, c) => [
    `order ${c.orderId} created for customer ${c.userId} total ${c.amount} EUR`,
    { 'order.id': c.orderId, 'customer.id': c.userId, amount: c.amount, currency: 'EUR' },
  ],
  (r, c) => [
    `payment ${c.requestId} for order ${c.orderId} failed: ${c.error}`,
    { 'order.id': c.orderId, 'payment.provider': 'stripe', 'error.type': c.error },
  ],
  (r, c) => [
    `job ${c.job} finished in ${c.ms}ms, processed ${c.count} items`,
    { 'job.name': c.job, 'job.id': c.requestId, items: c.count },
  ],
  (r, c) => [
    `job ${c.job} retry ${r.int(1, 5)} after ${c.error}`,
    { 'job.name': c.job, 'job.id': c.requestId, 'error.type': c.error },
  ],
  (r, c) => [
    `cache miss for key ${c.table}:${c.orderId}`,
    { 'cache.key': `${c.table}:${c.orderId}`, 'cache.hit': false },
  ],
  (r) => [
    `cache hit ratio ${r.int(60, 99)}% over last ${r.int(1, 10)} minutes`,
    { 'cache.backend': 'redis' },
  ],
  (r, c) => [
    `request ${c.requestId} timed out after ${c.ms}ms calling ${r.pick(SERVICES)}`,
    { 'peer.service': r.pick(SERVICES), timeout_ms: c.ms, 'request.id': c.requestId },
  ],
  (r, c) => [
    `consumed ${c.count} messages from topic ${c.table}-events partition ${r.int(0, 11)}`,
    { 'messaging.system': 'kafka', 'messaging.destination': `${c.table}-events`, batch: c.count },
  ],
  (r, c) => [
    `email sent to ${c.userId}@example.com template=${r.pick(['welcome', 'receipt', 'reset'])}`,
    { 'email.template': r.pick(['welcome', 'receipt', 'reset']), 'user.id': c.userId },
  ],
  (r, c) => [
    `Unhandled error in ${c.path}: ${c.error} (request ${c.requestId})`,
    { 'error.type': c.error, 'http.route': c.route, 'request.id': c.requestId },
  ],
  (r, c) => [
    `feature flag ${r.pick(['new-checkout', 'dark-mode', 'beta-search'])} evaluated to ${r.chance(0.5)} for ${c.userId}`,
    { 'flag.key': 'new-checkout', 'user.id': c.userId },
  ],
  (r, c) => [
    `rate limit exceeded for ${c.ip} on ${c.route}`,
    { 'client.address': c.ip, 'http.route': c.route, limit: 100 },
  ],
  (r, c) => [
    `inventory for sku ${c.orderId % 10000} below threshold: ${r.int(0, 9)} left`,
    { 'sku.id': `${c.orderId % 10000}`, warehouse: r.pick(REGIONS) },
  ],
  (r, c) => [
    `${c.word} ${c.word2} while processing ${c.table} batch ${c.count}`,
    { 'batch.size': c.count, 'db.sql.table': c.table },
  ],
];

export function createLogRecords(seed = 42, options = {}) {
  const r = createRandom(seed);
  const startUs = (options.startMs ?? Date.now() - 3_600_000) * 1000;
  const ratePerSec = options.ratePerSec ?? 2000;
  const tailWeights = TAIL.map((_, i) => 1 / (i + 1));
  const tailTotal = tailWeights.reduce((a, b) => a + b, 0);
  const tailWord = () => {
    let x = r.next() * tailTotal;
    for (let i = 0; i < TAIL.length; i++) {
      x -= tailWeights[i];
      if (x <= 0) return TAIL[i];
    }
    return TAIL[TAIL.length - 1];
  };
  let n = 0;
  let trace = null;
  let traceLeft = 0;

  return function next() {
    const timeUs = startUs + Math.floor((n++ * 1_000_000) / ratePerSec) + r.int(0, 999);
    const serviceIndex = r.int(0, SERVICES.length - 1);
    const service = SERVICES[serviceIndex];
    if (traceLeft-- <= 0) {
      trace = r.chance(0.85) ? r.hex(32) : null;
      traceLeft = r.int(4, 19);
    }
    const pick = r.next();
    let acc = 0;
    let level = LEVELS[0];
    for (const l of LEVELS) {
      acc += l[1];
      if (pick <= acc) {
        level = l;
        break;
      }
    }
    const route = r.pick(ROUTES);
    const c = {
      method: r.pick(METHODS),
      route,
      path: route.replace(':id', String(r.int(1, 99999))),
      status: r.pick([200, 200, 200, 200, 201, 204, 301, 400, 401, 404, 422, 500, 503]),
      ms: r.chance(0.5) ? r.int(1, 3000) : Math.round(r.next() * 300000) / 100,
      table: r.pick(TABLES),
      userId: `u_${r.int(1, 50000)}`,
      ip: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
      orderId: r.int(100000, 999999),
      amount: (r.int(100, 99999) / 100).toFixed(2),
      requestId: uuid(r),
      error: r.pick(ERRORS),
      job: r.pick(['sync-inventory', 'send-receipts', 'reindex', 'charge-subscriptions']),
      count: r.int(1, 5000),
      word: tailWord(),
      word2: tailWord(),
    };
    const [body, own] = r.pick(TEMPLATES)(r, c);
    const attributes = {
      ...own,
      'code.function': `${r.pick(['handle', 'process', 'run', 'fetch'])}${r.pick(['Order', 'User', 'Cart', 'Job'])}`,
      'thread.id': r.int(1, 64),
      region: REGIONS[serviceIndex % REGIONS.length],
      tag: tailWord(),
    };
    if (r.chance(0.3)) attributes['tenant.id'] = `t-${r.int(1, 300)}`;
    if (r.chance(0.2)) attributes['request.id'] ??= uuid(r);
    if (r.chance(0.1)) attributes['retry'] = r.int(0, 3);
    const host = `${service}-${r.int(1, 3)}`;
    const version = `1.${r.int(10, 12)}.${r.int(0, 3)}`;
    const environment = r.pick(ENVIRONMENTS);
    const otlp = r.chance(0.7);
    // As the parsers normalize: OTLP's release is service.version, Sentry's sentry.release.
    const release = otlp ? version : `${service}@${version}`;
    if (!otlp) {
      // What a Sentry SDK puts on every log item (reference/sentry-protocol.md).
      attributes['sentry.environment'] = environment;
      attributes['sentry.release'] = release;
      attributes['sentry.sdk.name'] = 'sentry.javascript.node';
      attributes['sentry.sdk.version'] = '11.12.0';
      attributes['server.address'] = host;
    }
    return {
      timeUs,
      observedUs: timeUs + r.int(100, 5000),
      level: level[0],
      severityNumber: level[2],
      severityText: otlp ? level[0].toUpperCase() : level[0],
      body,
      logger: r.pick(LOGGERS),
      service,
      host,
      environment,
      release,
      traceId: trace,
      spanId: trace ? r.hex(16) : null,
      attributes,
      resource: otlp
        ? {
            'service.name': service,
            'service.version': version,
            'deployment.environment.name': environment,
            'telemetry.sdk.language': 'nodejs',
          }
        : {},
      scope: otlp
        ? { name: r.pick(LOGGERS), version: null }
        : { name: 'sentry.javascript.node', version: '11.12.0' },
      source: otlp ? 'otlp' : 'sentry',
    };
  };
}

/** Words and terms the search benchmark looks for, with their rough share of records. */
export const SEARCH_TERMS = {
  common: 'completed', // ~5 %
  commonWords: ['failed', 'order'],
  rare: TAIL[3900], // a Zipf tail word: ~0.001 %
  attribute: 'http.status_code:503',
  phrase: '"slow query on"',
  prefix: 'time*',
};
