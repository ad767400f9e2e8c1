/**
 * The child spans of one synthetic transaction, shaped like what @sentry/node 11 sends for an
 * Express app on PostgreSQL and Redis (test/fixtures/apm/NOTES.md §3): Express middleware and the
 * request handler, `db` spans whose SQL carries literals (a hand-instrumented or older-SDK app,
 * as in the fixtures), N+1 loops on list pages, `cache.get` / `db` redis calls, `http.client` calls
 * to other services, `template.render` and `queue.publish`. ~24–36 spans before N+1 loops.
 */
import { logNormal } from './transaction-routes.js';

const MIDDLEWARE = [
  'query',
  'expressInit',
  'helmetMiddleware',
  'corsMiddleware',
  'jsonParser',
  'cookieParser',
];
const SERVICES = [
  ['pricing-api.internal', '/v1/prices'],
  ['inventory-api.internal', '/v2/stock'],
  ['search-api.internal', '/search'],
  ['api.stripe.com', '/v1/payment_intents'],
  ['recommender.internal', '/v1/recommend'],
  ['shipping-api.internal', '/rates'],
];
const TEMPLATES = [
  'layouts/main.hbs',
  'partials/header.hbs',
  'partials/product-card.hbs',
  'partials/footer.hbs',
];
const QUEUES = ['emails', 'order-events', 'search-index', 'webhooks-out'];
const TABLE_COLUMNS = {
  products: ['id', 'slug', 'title', 'price_cents', 'currency', 'category_id', 'stock', 'updated_at'],
  users: ['id', 'email', 'name', 'tenant_id', 'locale', 'created_at'],
  orders: ['id', 'user_id', 'status', 'total_cents', 'currency', 'placed_at', 'shipping_address_id'],
  order_items: ['id', 'order_id', 'product_id', 'quantity', 'unit_price_cents'],
  carts: ['id', 'user_id', 'session_id', 'updated_at'],
  reviews: ['id', 'product_id', 'user_id', 'rating', 'body', 'created_at'],
  categories: ['id', 'parent_id', 'slug', 'title', 'position'],
};
const TABLES = Object.keys(TABLE_COLUMNS);

/** Durations of one span of each kind, ms (log-normal median, sigma). */
const SPAN_MS = {
  middleware: [0.15, 0.6],
  db: [1.2, 0.8],
  loop: [0.6, 0.4],
  redis: [0.3, 0.5],
  http: [22, 0.7],
  template: [3, 0.6],
  queue: [1.5, 0.5],
};

const columns = (table) => TABLE_COLUMNS[table].map((c) => `"${table}"."${c}"`).join(', ');

function selectById(random, table) {
  return `SELECT ${columns(table)} FROM "${table}" WHERE "${table}"."id" = ${random.int(1, 250_000)} LIMIT 1`;
}

function selectList(random, table) {
  const tenant = random.int(1, 400);
  return `SELECT ${columns(table)} FROM "${table}" WHERE "${table}"."tenant_id" = ${tenant} AND "${table}"."deleted_at" IS NULL ORDER BY "${table}"."id" DESC LIMIT ${random.pick([20, 25, 50])} OFFSET ${random.pick([0, 0, 0, 20, 40])}`;
}

function selectIn(random, table) {
  const ids = Array.from({ length: random.int(5, 25) }, () => random.int(1, 250_000)).join(', ');
  return `SELECT ${columns(table)} FROM "${table}" WHERE "${table}"."id" IN (${ids})`;
}

function countRows(random, table) {
  return `SELECT COUNT(*) AS "count" FROM "${table}" WHERE "${table}"."tenant_id" = ${random.int(1, 400)} AND "${table}"."deleted_at" IS NULL`;
}

function writeStatements(random) {
  const id = random.int(1, 250_000);
  return [
    'BEGIN',
    `SELECT ${columns('carts')} FROM "carts" WHERE "carts"."id" = ${id} FOR UPDATE`,
    `INSERT INTO "order_items" ("order_id", "product_id", "quantity", "unit_price_cents") VALUES (${id}, ${random.int(1, 9999)}, ${random.int(1, 4)}, ${random.int(100, 99_999)}) RETURNING "id"`,
    `UPDATE "carts" SET "updated_at" = '2026-11-22T07:${random.int(10, 59)}:${random.int(10, 59)}.000Z' WHERE "carts"."id" = ${id}`,
    'COMMIT',
  ];
}

function reportQuery(random) {
  return `SELECT date_trunc('day', "orders"."placed_at") AS "day", "products"."category_id", SUM("order_items"."quantity" * "order_items"."unit_price_cents") AS "revenue", COUNT(DISTINCT "orders"."user_id") AS "buyers" FROM "orders" JOIN "order_items" ON "order_items"."order_id" = "orders"."id" JOIN "products" ON "products"."id" = "order_items"."product_id" WHERE "orders"."placed_at" >= '2026-10-${random.int(10, 28)}' AND "orders"."status" IN ('paid', 'shipped') GROUP BY 1, 2 ORDER BY 1 DESC`;
}

/** Steps of a handler by route shape, before filler queries bring the span count to its target. */
function planSteps(random, route, nPlusOne) {
  const table = random.pick(TABLES);
  const steps = [];
  const db = (sql) => steps.push({ kind: 'db', sql });
  switch (route.shape) {
    case 'health':
      db('SELECT 1');
      return steps;
    case 'read':
      db(selectById(random, table));
      db(selectIn(random, random.pick(TABLES)));
      if (random.chance(0.3)) steps.push({ kind: 'http', service: random.pick(SERVICES) });
      break;
    case 'list':
    case 'page':
      db(countRows(random, table));
      db(selectList(random, table));
      if (!nPlusOne) db(selectIn(random, 'users'));
      if (route.shape === 'page') for (const t of TEMPLATES) steps.push({ kind: 'template', name: t });
      break;
    case 'search':
      steps.push({ kind: 'http', service: SERVICES[2] });
      if (random.chance(0.5)) steps.push({ kind: 'http', service: SERVICES[4] });
      db(selectIn(random, 'products'));
      break;
    case 'write':
      for (const sql of writeStatements(random)) db(sql);
      steps.push({ kind: 'cache', op: 'cache.put' });
      if (random.chance(0.5)) steps.push({ kind: 'queue', name: random.pick(QUEUES) });
      break;
    case 'checkout':
      steps.push({ kind: 'http', service: SERVICES[0] });
      steps.push({ kind: 'http', service: SERVICES[1] });
      for (const sql of writeStatements(random)) db(sql);
      steps.push({ kind: 'http', service: SERVICES[3] });
      steps.push({ kind: 'queue', name: 'order-events' });
      steps.push({ kind: 'queue', name: 'emails' });
      break;
    case 'webhook':
      db(selectById(random, 'orders'));
      for (const sql of writeStatements(random)) db(sql);
      steps.push({ kind: 'queue', name: 'webhooks-out' });
      break;
    case 'report':
      db(reportQuery(random));
      db(reportQuery(random));
      steps.push({ kind: 'template', name: 'reports/sales.hbs' });
      break;
  }
  if (nPlusOne) {
    // The classic N+1: one query per row of the list, same statement, different literal.
    const loopTable = random.pick(['users', 'products', 'categories']);
    const n = random.int(10, 40);
    for (let i = 0; i < n; i++) steps.push({ kind: 'loop', sql: selectById(random, loopTable) });
  }
  return steps;
}

/** Per-request plumbing every handler of a real app does: tenant, session, flags, permissions… */
const PLUMBING_QUERIES = [
  (r) =>
    `SELECT "tenants"."id", "tenants"."plan", "tenants"."region" FROM "tenants" WHERE "tenants"."host" = 'shop-${r.int(1, 400)}.example.com' LIMIT 1`,
  (r) =>
    `SELECT "sessions"."user_id", "sessions"."expires_at" FROM "sessions" WHERE "sessions"."token" = '${r.hex(40)}' LIMIT 1`,
  (r) =>
    `SELECT "feature_flags"."key", "feature_flags"."enabled", "feature_flags"."rollout" FROM "feature_flags" WHERE "feature_flags"."tenant_id" = ${r.int(1, 400)}`,
  (r) =>
    `SELECT "permissions"."action", "permissions"."resource" FROM "permissions" INNER JOIN "roles" ON "roles"."id" = "permissions"."role_id" WHERE "roles"."user_id" = ${r.int(1, 250_000)}`,
  () =>
    `SELECT "currencies"."code", "currencies"."rate" FROM "currencies" WHERE "currencies"."code" IN ('EUR', 'USD', 'GBP')`,
  (r) =>
    `INSERT INTO "audit_log" ("tenant_id", "user_id", "action", "created_at") VALUES (${r.int(1, 400)}, ${r.int(1, 250_000)}, 'view', now())`,
  (r) =>
    `SELECT "carts"."id", "carts"."updated_at" FROM "carts" WHERE "carts"."session_id" = '${r.hex(32)}' LIMIT 1`,
  (r) => selectById(r, 'users'),
  (r) =>
    `SELECT "settings"."value" FROM "settings" WHERE "settings"."tenant_id" = ${r.int(1, 400)} AND "settings"."key" = 'checkout.flow'`,
  (r) => `UPDATE "sessions" SET "last_seen_at" = now() WHERE "sessions"."token" = '${r.hex(40)}'`,
  (r) =>
    `SELECT "translations"."key", "translations"."value" FROM "translations" WHERE "translations"."locale" = '${r.pick(['en-GB', 'de-DE', 'fr-FR'])}' AND "translations"."namespace" = 'catalog'`,
  (r) =>
    `SELECT ${columns('categories')} FROM "categories" WHERE "categories"."tenant_id" = ${r.int(1, 400)} ORDER BY "categories"."position"`,
  (r) =>
    `SELECT "addresses"."id", "addresses"."country", "addresses"."postcode" FROM "addresses" WHERE "addresses"."user_id" = ${r.int(1, 250_000)}`,
  (r) => selectIn(r, 'products'),
];

/** Plumbing steps in a random order, each query at most once, so only real loops look like N+1. */
function createPlumbing(random) {
  const queries = [...PLUMBING_QUERIES];
  for (let i = queries.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [queries[i], queries[j]] = [queries[j], queries[i]];
  }
  let next = 0;
  return () => {
    const roll = random.next();
    if (roll < 0.25 || next >= queries.length)
      return { kind: 'redis', command: random.pick(['get', 'get', 'hget', 'ttl']) };
    if (roll < 0.35) return { kind: 'cache', op: 'cache.get' };
    return { kind: 'db', sql: queries[next++](random) };
  };
}

/**
 * The spans of one transaction laid out in [startMs, endMs]; returns static-format spans with
 * `parent_span_id` set to `rootSpanId` (the marker the corpus replaces per request).
 */
export function createSpans(random, { route, nPlusOne, startMs, endMs, rootSpanId, traceId, spanCount }) {
  const middlewareCount = route.shape === 'health' ? 2 : random.int(4, MIDDLEWARE.length);
  const steps = planSteps(random, route, nPlusOne);
  if (route.shape !== 'health') {
    steps.unshift({ kind: 'cache', op: 'cache.get', session: true });
    const fillerStep = createPlumbing(random);
    while (steps.length + middlewareCount + 1 < spanCount) {
      steps.splice(random.int(1, steps.length), 0, fillerStep());
    }
  }
  const spans = [];
  const newSpan = (op, description, origin, data, start, end, status = 'ok') => {
    const span = {
      data: { 'sentry.origin': origin, 'sentry.op': op, ...data },
      description,
      op,
      parent_span_id: rootSpanId,
      span_id: random.hex(16),
      start_timestamp: start / 1000,
      status,
      timestamp: end / 1000,
      trace_id: traceId,
      origin,
    };
    spans.push(span);
    return span;
  };
  // Middleware runs first, one after another, then the handler holds the rest of the request.
  let at = startMs + random.next() * 0.3;
  for (const name of MIDDLEWARE.slice(0, middlewareCount)) {
    const ms = logNormal(random, ...SPAN_MS.middleware);
    newSpan(
      'middleware.express',
      name,
      'auto.http.otel.express',
      {
        'express.name': name,
        'express.type': 'middleware',
        'http.route': '/',
      },
      at,
      at + ms,
    );
    at += ms + 0.02;
  }
  const handlerStart = at;
  const handler = newSpan(
    'request_handler.express',
    route.route,
    'auto.http.otel.express',
    {
      'express.name': route.route,
      'express.type': 'request_handler',
      'http.route': route.route,
    },
    handlerStart,
    handlerStart + 0.05,
  );
  // Step durations, scaled down if they would not fit in 90 % of what is left of the request.
  const raw = steps.map((s) => logNormal(random, ...SPAN_MS[s.kind === 'cache' ? 'redis' : s.kind]));
  const budget = Math.max(0.1, (endMs - handlerStart) * 0.9);
  const total = raw.reduce((a, b) => a + b, 0);
  const scale = total > budget ? budget / total : 1;
  const gap = ((endMs - handlerStart) * 0.95 - total * scale) / (steps.length + 1);
  at = handlerStart + Math.max(gap, 0.01);
  steps.forEach((step, i) => {
    const ms = raw[i] * scale;
    addStep(newSpan, random, step, at, at + ms);
    at += ms + Math.max(gap, 0.01);
  });
  handler.timestamp = handler.start_timestamp + 0.00005;
  return spans;
}

function addStep(newSpan, random, step, start, end) {
  switch (step.kind) {
    case 'db':
    case 'loop':
      return newSpan(
        'db',
        step.sql,
        'auto.db.otel.postgres',
        {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.query.text': step.sql,
          'server.address': 'db-primary.internal',
          'server.port': 5432,
        },
        start,
        end,
      );
    case 'redis': {
      const key = `${random.pick(['flags', 'tenant', 'ratelimit', 'user'])}:${random.int(1, 99_999)}`;
      return newSpan(
        'db',
        `${step.command} ${key}`,
        'auto.db.otel.redis',
        {
          'db.system': 'redis',
          'db.statement': `${step.command} ${key}`,
          'net.peer.name': 'redis.internal',
          'net.peer.port': 6379,
        },
        start,
        end,
      );
    }
    case 'cache': {
      const key = step.session ? `sess:${random.hex(24)}` : `product:${random.int(1, 99_999)}:v3`;
      return newSpan(
        step.op,
        key,
        'manual',
        {
          'cache.key': [key],
          'cache.hit': step.op === 'cache.get' ? random.chance(0.85) : undefined,
          'cache.item_size': random.int(120, 4096),
          'network.peer.address': 'redis.internal',
          'network.peer.port': 6379,
        },
        start,
        end,
      );
    }
    case 'http': {
      const [host, path] = step.service;
      const url = `https://${host}${path}?id=${random.int(1, 99_999)}&locale=en-GB`;
      const status = random.chance(0.98) ? 200 : 503;
      return newSpan(
        'http.client',
        `GET ${url}`,
        'auto.http.otel.node_fetch',
        {
          'http.request.method': 'GET',
          'url.full': url,
          'url.path': path,
          'url.query': `?id=${random.int(1, 99_999)}&locale=en-GB`,
          'url.scheme': 'https',
          'server.address': host,
          'server.port': 443,
          'user_agent.original': 'node',
          'http.response.status_code': status,
          'network.peer.address': `10.0.${random.int(0, 255)}.${random.int(1, 254)}`,
          'network.peer.port': 443,
        },
        start,
        end,
        status === 200 ? 'ok' : 'unavailable',
      );
    }
    case 'template':
      return newSpan('template.render', step.name, 'manual', { 'template.engine': 'handlebars' }, start, end);
    case 'queue':
      return newSpan(
        'queue.publish',
        step.name,
        'auto.queue.bullmq',
        {
          'messaging.system': 'bullmq',
          'messaging.destination.name': step.name,
          'messaging.message.id': String(random.int(1, 9_999_999)),
        },
        start,
        end,
      );
    default:
      throw new Error(`unknown step ${step.kind}`);
  }
}
