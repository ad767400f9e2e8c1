// A small real HTTP application instrumented by the real @sentry/node, sending APM traffic (and
// one error) to a DSN. It runs in its own process so the SDK's global state never touches the test
// runner, serves on 127.0.0.1:0 and calls itself with a real HTTP client, so every transaction is
// made by the SDK's own http.server / http.client instrumentation.
//
//   SNAG_DSN=http://<key>@127.0.0.1:<port>/<id> SNAG_TRACE_LIFECYCLE=static|stream \
//     [SNAG_RELEASE=…] [SNAG_ENVIRONMENT=…] node test/helpers/node-apm-app.js <scenario>…
//
// Scenarios: `requests` hits each route once, in order; `load:<n>` sends n requests cycling over
// the routes, LOAD_CONCURRENCY at a time. Prints one JSON line on stdout when everything is
// flushed: {"lifecycle", "trace_ids": {"<route>": "<trace id>"}, "segment_ids": {"<route>":
// "<span id of the http.server span>"}, "event_ids": {"checkout": "<error event id>"}, "requests",
// "flushed"}; for `load`, the ids are those of the last request of each route.
//
// Routes (what each exists to show is in test/fixtures/apm/NOTES.md):
//   GET /users/:id  transaction named by route, user on the scope, an IN-list query with literals
//   GET /orders     N+1: one SELECT of orders, then one SELECT of users per order, plus the same
//                   settings SELECT 5×, and a query carrying a Rails query-log tag comment
//   GET /checkout   cache.get span, http.client call to GET /inventory (a second transaction in
//                   the same trace), template.render span, then captureException and a 500
//   GET /slow       ~300 ms, and a child span that ends 1 s after the response (after its segment)
import * as Sentry from '@sentry/node';
import Database from 'better-sqlite3';
import { Buffer } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';

const LOAD_CONCURRENCY = 8;
// Longer than the 500 ms the SDK waits after a segment ends before it flushes the segment's trace
// (spanStreamingIntegration), so in stream mode this span reaches the server in a later envelope.
const LATE_SPAN_MS = 1000;

const dsn = process.env.SNAG_DSN;
const lifecycle = process.env.SNAG_TRACE_LIFECYCLE || 'stream';
const scenarios = process.argv.slice(2);
const valid = (name) => name === 'requests' || /^load:\d+$/.test(name);
if (!dsn || !['static', 'stream'].includes(lifecycle) || scenarios.length === 0 || !scenarios.every(valid)) {
  console.error(
    'usage: SNAG_DSN=… SNAG_TRACE_LIFECYCLE=static|stream node test/helpers/node-apm-app.js requests|load:<n>…',
  );
  process.exit(2);
}

Sentry.init({
  dsn,
  tracesSampleRate: 1,
  traceLifecycle: lifecycle,
  release: process.env.SNAG_RELEASE || undefined,
  environment: process.env.SNAG_ENVIRONMENT || undefined,
  sendDefaultPii: false,
  // Unhandled-rejection and uncaught-exception handlers would change how this process exits.
  integrations: (defaults) =>
    defaults.filter((i) => !['OnUncaughtException', 'OnUnhandledRejection'].includes(i.name)),
});

// Imported after init, as an instrumented app would (the SDK hooks http through diagnostics
// channels, but an app cannot know that).
const { default: http } = await import('node:http');

const db = new Database(':memory:');
db.exec(`
  CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total_cents INTEGER, status TEXT);
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
  CREATE TABLE inventory (sku TEXT PRIMARY KEY, stock INTEGER);
  INSERT INTO settings VALUES ('theme', 'dark');
  INSERT INTO inventory VALUES ('SKU-1', 12);
`);
for (let id = 1; id <= 8; id++) {
  db.prepare('INSERT INTO users VALUES (?, ?, ?)').run(id, `User ${id}`, `user${id}@example.com`);
  db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)').run(id, id, id * 1250, 'paid');
}

/** Runs literal SQL (as an ORM without bound parameters would) inside a db span. */
function query(sql) {
  return Sentry.startSpan(
    { name: sql, op: 'db', attributes: { 'db.system.name': 'sqlite', 'db.query.text': sql } },
    () => db.prepare(sql).all(),
  );
}

const ids = { trace_ids: {}, segment_ids: {}, event_ids: {} };
const lateSpans = [];

/** Names the http.server span after its route, as the SDK's framework integrations do. */
function nameTransaction(route) {
  const active = Sentry.getActiveSpan();
  if (!active) throw new Error(`no active span in the handler for ${route}: is tracing on?`);
  const segment = Sentry.getRootSpan(active);
  segment.updateName(`GET ${route}`);
  segment.setAttribute('http.route', route);
  segment.setAttribute('sentry.segment.name.source', 'route');
  // Error events read their `transaction` from the isolation scope.
  Sentry.getIsolationScope().setTransactionName(`GET ${route}`);
  ids.trace_ids[route] = segment.spanContext().traceId;
  ids.segment_ids[route] = segment.spanContext().spanId;
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const routes = [
  {
    route: '/users/:id',
    pattern: /^\/users\/(\d+)$/,
    handle: (res, [id]) => {
      Sentry.setUser({ id: `user-${id}` });
      const [user] = query(`SELECT * FROM users WHERE id = ${id}`);
      const related = query(
        "SELECT id, name FROM users WHERE id IN (1, 2, 3) OR email = 'jane.doe@example.com'",
      );
      send(res, 200, { user, related: related.length });
    },
  },
  {
    route: '/orders',
    pattern: /^\/orders$/,
    handle: (res) => {
      const [{ total }] = query(
        'SELECT COUNT(*) AS total FROM orders /*application:Shop,controller:orders,action:index*/',
      );
      const orders = query('SELECT * FROM orders');
      for (const order of orders) {
        order.user = query(`SELECT * FROM users WHERE id = ${order.user_id}`)[0];
      }
      for (let i = 0; i < 5; i++) query("SELECT * FROM settings WHERE key = 'theme'");
      send(res, 200, { total, orders: orders.length });
    },
  },
  {
    route: '/inventory',
    pattern: /^\/inventory$/,
    handle: (res) => {
      const [item] = query("SELECT sku, stock FROM inventory WHERE sku = 'SKU-1'");
      send(res, 200, item);
    },
  },
  {
    route: '/checkout',
    pattern: /^\/checkout$/,
    handle: async (res, _params, port) => {
      const cart = Sentry.startSpan(
        { name: 'cart:42', op: 'cache.get', attributes: { 'cache.key': ['cart:42'], 'cache.hit': false } },
        () => null,
      );
      const inventory = await get(port, '/inventory');
      const html = Sentry.startSpan({ name: 'checkout/summary.html', op: 'template.render' }, () =>
        `<p>${cart ?? 'empty cart'}: ${inventory.body}</p>`.repeat(50),
      );
      const err = new Error('Payment provider declined the charge');
      ids.event_ids.checkout = Sentry.captureException(err);
      send(res, 500, { error: err.message, rendered: html.length });
    },
  },
  {
    route: '/slow',
    pattern: /^\/slow$/,
    handle: async (res) => {
      await Sentry.startSpan({ name: 'compute recommendations', op: 'function' }, () => sleep(150));
      query('SELECT * FROM orders');
      await sleep(150);
      const late = Sentry.startInactiveSpan({ name: 'send analytics', op: 'queue.publish' });
      lateSpans.push(sleep(LATE_SPAN_MS).then(() => late.end()));
      send(res, 200, { ok: true });
    },
  },
];

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  for (const { route, pattern, handle } of routes) {
    const match = pattern.exec(path);
    if (!match || req.method !== 'GET') continue;
    nameTransaction(route);
    Promise.resolve(handle(res, match.slice(1), server.address().port)).catch((err) => {
      Sentry.captureException(err);
      send(res, 500, { error: String(err) });
    });
    return;
  }
  send(res, 404, { error: `no route for ${req.method} ${path}` });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();

// /inventory is reached through /checkout's http.client call.
const PATHS = ['/users/7', '/orders', '/checkout', '/slow'];
let requests = 0;

async function request(path) {
  // The driver stands for an uninstrumented caller (curl, a load balancer): no span of its own and
  // no trace headers, so each request starts its own trace on the server side.
  const { status } = await Sentry.suppressTracing(() => get(port, path));
  requests++;
  if (status !== 200 && path !== '/checkout') throw new Error(`GET ${path} answered ${status}`);
}

for (const scenario of scenarios) {
  if (scenario === 'requests') {
    for (const path of PATHS) await request(path);
  } else {
    const n = Number(scenario.slice('load:'.length));
    let next = 0;
    const worker = async () => {
      while (next < n) await request(PATHS[next++ % PATHS.length]);
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, n) }, worker));
  }
}

await Promise.all(lateSpans);
const flushed = await Sentry.flush(10000);
server.closeAllConnections();
server.close();
db.close();
console.log(JSON.stringify({ lifecycle, ...ids, requests, flushed }));
await Sentry.close(2000);
