/**
 * Words the synthetic events are built from. They imitate what @sentry/node 11 sends from a
 * typical Express/Postgres service (shape checked against an event captured from the real SDK:
 * frames carry filename/module/function/lineno/colno/in_app and 5 lines of pre/post context), so
 * payloads compress and parse like real ones instead of like repeated filler.
 */

export const APP_ROOT = '/srv/app/dist';

export const APP_FILES = [
  'routes/orders.js',
  'routes/users.js',
  'routes/billing.js',
  'routes/search.js',
  'routes/webhooks.js',
  'services/order-service.js',
  'services/payment-service.js',
  'services/inventory.js',
  'services/notifications.js',
  'services/pricing.js',
  'repositories/order-repository.js',
  'repositories/user-repository.js',
  'lib/http-client.js',
  'lib/cache.js',
  'lib/validate.js',
  'jobs/sync-catalog.js',
  'jobs/send-digest.js',
  'middleware/auth.js',
  'middleware/rate-limit.js',
  'server.js',
];

export const APP_VERBS = ['load', 'create', 'update', 'sync', 'resolve', 'apply', 'fetch', 'render', 'check'];
export const APP_NOUNS = [
  'Order',
  'User',
  'Invoice',
  'Cart',
  'Price',
  'Stock',
  'Session',
  'Webhook',
  'Digest',
];

/** Library frames as Node prints them: [path under node_modules, function]. */
export const LIBRARY_FRAMES = [
  ['express/lib/router/layer.js', 'Layer.handle [as handle_request]'],
  ['express/lib/router/index.js', 'next'],
  ['express/lib/router/route.js', 'Route.dispatch'],
  ['express/lib/router/index.js', 'Function.process_params'],
  ['body-parser/lib/types/json.js', 'jsonParser'],
  ['pg/lib/client.js', 'Client._handleErrorMessage'],
  ['pg/lib/connection.js', 'Connection.parseMessage'],
  ['pg-pool/index.js', 'BoundPool.connect'],
  ['knex/lib/execution/runner.js', 'Runner.query'],
  ['knex/lib/execution/transaction.js', 'Transaction.query'],
  ['axios/lib/core/settle.js', 'settle'],
  ['axios/lib/adapters/http.js', 'IncomingMessage.handleStreamEnd'],
  ['ioredis/built/Redis.js', 'Redis.sendCommand'],
  ['zod/lib/types.js', 'ZodObject.parse'],
  ['jsonwebtoken/verify.js', 'Object.module.exports [as verify]'],
  ['bullmq/dist/cjs/classes/worker.js', 'Worker.processJob'],
  ['@opentelemetry/context-async-hooks/build/src/AbstractAsyncHooksContextManager.js', 'with'],
  ['@sentry/core/build/cjs/tracing/trace.js', 'startSpan'],
];

/** Frames the SDK sends without context (it skips node: files). */
export const NODE_INTERNAL_FRAMES = [
  ['node:internal/process/task_queues', 'process.processTicksAndRejections'],
  ['node:events', 'EventEmitter.emit'],
  ['node:internal/streams/readable', 'endReadableNT'],
  ['node:net', 'TCP.onStreamRead'],
];

/** One JS source line per entry; $a/$b are identifiers, $n a number, $s a string, $f a function. */
export const CODE_LINES = [
  'const $a = await this.$b.findOne({ where: { id: $a.id } });',
  'if (!$a) throw new NotFoundError(`$s ${id} not found`);',
  'return $b.map(($a) => ({ ...$a, total: $a.price * $a.quantity }));',
  "logger.info({ $a: $a.id, took: Date.now() - started }, '$s');",
  'const { data } = await http.get(`/v1/$s/${$a.id}`, { timeout: $n });',
  '  $a.status = $b.status ?? "pending";',
  '}',
  '',
  '  }',
  'for (const $a of $b) {',
  'await $f($a, { retry: $n, signal: controller.signal });',
  "const $a = req.headers['x-$s-id'];",
  'if ($a.length > $n) return res.status(413).json({ error: "$s too large" });',
  'const $a = new Map($b.map((row) => [row.id, row]));',
  'return res.json({ $a, next: cursor ?? null });',
  'try {',
  '} catch (err) {',
  '  span.setAttribute("$s.count", $b.length);',
  'const $a = schema.parse(req.body);',
  'await cache.set(`$s:${$a}`, JSON.stringify($b), { ttl: $n });',
  '  throw err;',
  'const $a = await db.transaction(async (trx) => {',
  'export async function $f($a, $b) {',
  "  if ($a === undefined) throw new TypeError('$s is required');",
  'const $a = Math.round(($b.amount * rate) / $n);',
  'module.exports = { $f };',
  "'use strict';",
  '// $s is retried by the queue; keep this idempotent',
  'const $a = require("./$s");',
  '  return this.$b.emit("$s", $a);',
];

export const STRINGS = [
  'order',
  'user',
  'invoice',
  'cart',
  'price',
  'sync',
  'webhook',
  'tenant',
  'payload',
  'digest',
];

export const EXCEPTION_KINDS = [
  ['TypeError', "Cannot read properties of undefined (reading '$prop')"],
  ['TypeError', '$noun.$prop is not a function'],
  ['Error', 'connect ECONNREFUSED 10.0.$n.$n:5432'],
  ['Error', 'Request failed with status code $status'],
  ['NotFoundError', '$noun $id not found'],
  ['ValidationError', 'Invalid input: expected number at items[$n].quantity, got string'],
  [
    'DatabaseError',
    'duplicate key value violates unique constraint "$table_pkey": Key (id)=($id) already exists.',
  ],
  ['TimeoutError', 'Timeout of $msms exceeded calling $svc'],
  ['RangeError', 'Invalid time value for $noun $id'],
  ['UnauthorizedError', 'jwt expired at 2026-11-$n T$n:$n:00Z for user $id'],
  ['SyntaxError', 'Unexpected token < in JSON at position $n'],
  ['AbortError', 'The operation was aborted after $msms'],
];

export const PROPS = ['id', 'email', 'items', 'total', 'currency', 'tenantId', 'lines', 'address'];
export const TABLES = ['orders', 'users', 'invoices', 'carts', 'payments', 'webhooks'];
export const SERVICES = ['pricing-api', 'inventory-api', 'stripe', 'mailer', 'search-api'];
export const HTTP_STATUSES = [400, 401, 403, 404, 409, 422, 500, 502, 503, 504];

export const ROUTES = [
  ['GET', '/api/orders/:id'],
  ['POST', '/api/orders'],
  ['PUT', '/api/orders/:id/items'],
  ['GET', '/api/users/:id'],
  ['POST', '/api/billing/charge'],
  ['GET', '/api/search'],
  ['POST', '/api/webhooks/stripe'],
  ['DELETE', '/api/carts/:id'],
];

export const CONSOLE_MESSAGES = [
  'cache miss for $s:$id',
  'retrying $svc request (attempt $n)',
  'loaded $n $s rows in $n ms',
  'user $id switched tenant',
  'slow query on $table took $n ms',
  'feature flag new-checkout=$bool for user $id',
];

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'okhttp/4.12.0',
];

export const SDK_INTEGRATIONS = [
  'EventFilters',
  'FunctionToString',
  'LinkedErrors',
  'Dedupe',
  'RequestData',
  'NodeSystemError',
  'Console',
  'Http',
  'NodeFetch',
  'OnUncaughtException',
  'OnUnhandledRejection',
  'ContextLines',
  'LocalVariablesAsync',
  'Context',
  'ChildProcess',
  'ProcessSession',
  'Modules',
  'Express',
  'Postgres',
  'Redis',
];

export const MODULES = {
  express: '4.21.2',
  'body-parser': '1.20.3',
  pg: '8.13.1',
  'pg-pool': '3.7.0',
  knex: '3.1.0',
  axios: '1.7.9',
  ioredis: '5.4.2',
  zod: '3.24.1',
  jsonwebtoken: '9.0.2',
  bullmq: '5.34.0',
  pino: '9.5.0',
  dotenv: '16.4.7',
  '@sentry/node': '11.12.0',
  '@opentelemetry/api': '1.9.0',
  uuid: '11.0.3',
  dayjs: '1.11.13',
  lodash: '4.17.21',
  'cookie-parser': '1.4.7',
  helmet: '8.0.0',
  cors: '2.8.5',
};
