/**
 * One synthetic @sentry/node 11 `transaction` payload (`traceLifecycle: 'static'`), with the same
 * keys and shapes as test/fixtures/apm/node-static-transaction.bin: `contexts.trace` with the
 * OTel HTTP attributes, the SDK's runtime/app/os/device/culture contexts, `request`, `user`,
 * `transaction_info`, `sdk` with its integrations, `modules`, plus two tags. Ids that must be
 * fresh per request (trace id, root span id, event id) are written as markers the corpus
 * replaces on the clock; `event_id` and `contexts.trace` come first so a gzip body's first
 * occurrences sit at its start (patchable-body.js).
 */
import { createSpans } from './transaction-spans.js';
import {
  ENVIRONMENTS,
  logNormal,
  OUTCOMES,
  pickRoute,
  pickWeighted,
  RELEASES,
} from './transaction-routes.js';
import { MODULES } from './vocabulary.js';

export const SDK = { name: 'sentry.javascript.node', version: '11.12.0' };
/** Fixed-length markers, replaced by fresh ids per request. */
export const MARKERS = {
  traceId: '%trace-id%'.padEnd(32, '%'),
  spanId: '%span-id%'.padEnd(16, '%'),
  eventId: '%event-id%'.padEnd(32, '%'),
};
/** The integrations list @sentry/node 11.12.0 reports (the fixture's). */
export const SDK_INTEGRATIONS = [
  ...['EventFilters', 'FunctionToString', 'LinkedErrors', 'Dedupe', 'RequestData', 'NodeSystemError'],
  ...[
    'ConversationId',
    'Console',
    'Http',
    'NodeFetch',
    'ContextLines',
    'LocalVariablesAsync',
    'AwsLambdaWeb',
  ],
  ...['Context', 'ChildProcess', 'WorkerThreads', 'ProcessSession', 'Modules', 'Express', 'Fastify', 'Hapi'],
  ...['Hono', 'Koa', 'Nitro', 'Graphql', 'Mongo', 'Mongoose', 'Mysql', 'Mysql2', 'Redis', 'Postgres'],
  ...['Prisma', 'Tedious', 'Knex', 'GenericPool', 'Kafka', 'Amqplib', 'LruMemoizer', 'Dataloader', 'Aws'],
  ...['LangChain', 'LangGraph', 'Mastra', 'PiDurable', 'VercelAI', 'OpenAI', 'Anthropic_AI', 'Google_GenAI'],
  ...['Mistral', 'Groq', 'TogetherAI', 'TypeSafe', 'PostgresJs', 'Neon', 'Firebase', 'McpServer'],
];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];
const HOST = 'shop.example.com';
const SPAN_COUNT_MIN = 24;
const SPAN_COUNT_MAX = 36;
/** Request duration spread (natural-log sigma): p99 ≈ 4× the median. */
const DURATION_SIGMA = 0.6;
const USER_COUNT = 250_000;

function concreteUrlPath(route, random) {
  return route.route
    .replace(':id', String(random.int(1, 99_999)))
    .replace(':slug', `product-${random.int(1, 9999)}`)
    .replace(':sku', `SKU-${random.int(10_000, 99_999)}`)
    .replace(':code', `WINTER${random.int(10, 99)}`);
}

function createTraceData(random, route, urlPath, status, clientIp) {
  const query = route.method === 'GET' && random.chance(0.4) ? `?page=${random.int(1, 9)}&sort=popular` : '';
  const serverPort = 443;
  const clientPort = random.int(30_000, 60_000);
  return {
    url: `https://${HOST}${urlPath}${query}`,
    data: {
      'sentry.origin': 'auto.http.otel.http',
      'sentry.op': 'http.server',
      'sentry.segment.name.source': 'route',
      'sentry.sample_rate': 1,
      'sentry.kind': 'server',
      'url.full': `https://${HOST}${urlPath}${query}`,
      'url.path': urlPath,
      ...(query ? { 'url.query': query } : {}),
      'http.request.method': route.method,
      'url.scheme': 'https',
      'server.address': HOST,
      'network.protocol.name': 'http',
      'network.protocol.version': '1.1',
      'network.transport': 'tcp',
      'http.request.header.host': [HOST],
      'http.request.header.x_forwarded_for': [clientIp],
      'http.route': route.route,
      'http.response.status_code': status[0],
      'http.response.status_text': status[0] < 300 ? 'OK' : status[1].toUpperCase().replace(/_/g, ' '),
      'client.address': clientIp,
      'server.port': serverPort,
      'network.local.address': '10.0.1.17',
      'network.local.port': serverPort,
      'client.port': clientPort,
      'network.peer.address': '10.0.0.2',
      'network.peer.port': clientPort,
    },
  };
}

function createContexts(random, now) {
  return {
    runtime: { name: 'node', version: 'v20.20.2' },
    app: {
      app_start_time: new Date(now - random.int(600_000, 86_400_000)).toISOString(),
      app_memory: random.int(140, 420) * 1_048_576,
      free_memory: random.int(2000, 6000) * 1_048_576,
    },
    os: { kernel_version: '6.1.0-27-cloud-amd64', name: 'Debian', version: '12.8' },
    device: {
      boot_time: new Date(now - 5 * 86_400_000).toISOString(),
      arch: 'x64',
      memory_size: 8_324_128_768,
      free_memory: random.int(2000, 6000) * 1_048_576,
      processor_count: 2,
      cpu_description: 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz',
      processor_frequency: 2900,
    },
    culture: { locale: 'en-US', timezone: 'UTC' },
    cloud_resource: {},
  };
}

/**
 * Returns the payload object (with MARKERS in place of ids) and what the envelope header and the
 * report need. `now` is epoch ms; the transaction ends within the minute before it. `spanRange` sets
 * the span-count floor of non-health routes (the mixed kind's 10–100); N+1 loops add to it.
 */
export function createTransaction(random, now, spanRange = { min: SPAN_COUNT_MIN, max: SPAN_COUNT_MAX }) {
  const route = pickRoute(random);
  const nPlusOne = random.chance(route.nPlusOneShare);
  const durationMs = Math.max(0.5, logNormal(random, route.medianMs, DURATION_SIGMA));
  const endMs = now - random.int(0, 60_000);
  const startMs = endMs - durationMs;
  const status = pickWeighted(random, OUTCOMES);
  const environment = pickWeighted(random, ENVIRONMENTS)[0];
  const release = random.pick(RELEASES);
  const clientIp = `203.0.${random.int(0, 255)}.${random.int(1, 254)}`;
  const urlPath = concreteUrlPath(route, random);
  const trace = createTraceData(random, route, urlPath, status, clientIp);
  // A third of requests continue a trace started by the browser.
  const incoming = random.chance(0.33) ? { parent_span_id: random.hex(16) } : {};
  const spans = createSpans(random, {
    route,
    nPlusOne,
    startMs,
    endMs,
    rootSpanId: MARKERS.spanId,
    traceId: MARKERS.traceId,
    spanCount: random.int(spanRange.min, spanRange.max),
  });
  const userId = random.chance(0.45) ? String(random.int(1, USER_COUNT)) : undefined;
  const payload = {
    event_id: MARKERS.eventId,
    contexts: {
      trace: {
        span_id: MARKERS.spanId,
        trace_id: MARKERS.traceId,
        ...incoming,
        data: trace.data,
        op: 'http.server',
        status: status[1],
        origin: 'auto.http.otel.http',
      },
      response: { status_code: status[0] },
      ...createContexts(random, now),
    },
    spans,
    start_timestamp: startMs / 1000,
    timestamp: endMs / 1000,
    transaction: route.name,
    type: 'transaction',
    request: {
      headers: {
        host: HOST,
        'user-agent': random.pick([
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0',
          'okhttp/4.12.0',
        ]),
        accept: 'application/json',
        'accept-encoding': 'gzip, br',
        'x-forwarded-for': clientIp,
        'x-request-id': random.hex(32),
      },
      method: route.method,
      url: trace.url,
      cookies: {},
    },
    transaction_info: { source: 'route' },
    platform: 'node',
    server_name: `shop-api-${random.hex(5)}`,
    environment,
    release,
    sdk: {
      integrations: SDK_INTEGRATIONS,
      ...SDK,
      packages: [{ name: 'npm:@sentry/node', version: SDK.version }],
    },
    user: userId ? { id: userId, ip_address: clientIp } : { ip_address: clientIp },
    tags: { region: random.pick(REGIONS), 'feature.new_search': random.chance(0.5) ? 'on' : 'off' },
    modules: MODULES,
  };
  return { payload, route, environment, release, nPlusOne, spanCount: spans.length, userId, clientIp };
}
