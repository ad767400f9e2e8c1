/**
 * Synthetic @sentry/node error events. Each event belongs to one of a fixed set of "signatures"
 * (exception type + in-app frames with their context lines, which is what Snag groups on), and is
 * grown to a target size by adding library frames, breadcrumbs and library context, within the
 * SDK's usual ranges.
 */
import {
  APP_NOUNS,
  APP_ROOT,
  APP_FILES,
  APP_VERBS,
  CONSOLE_MESSAGES,
  EXCEPTION_KINDS,
} from './vocabulary.js';
import { HTTP_STATUSES, LIBRARY_FRAMES, MODULES, NODE_INTERNAL_FRAMES, PROPS, ROUTES } from './vocabulary.js';
import { SDK_INTEGRATIONS, SERVICES, TABLES, USER_AGENTS } from './vocabulary.js';
import { fillTemplate, pickLineNumber, readContext } from './source-text.js';

export const SDK = { name: 'sentry.javascript.node', version: '11.12.0' };
export const MIN_FRAMES = 15;
export const MAX_FRAMES = 40;
export const MIN_BREADCRUMBS = 20;
export const MAX_BREADCRUMBS = 60;
const LIBRARY_ROOT = '/srv/app/node_modules';
const INTERNAL_FRAME_COUNT = 2;
const USER_COUNT = 5000;
const RELEASES = ['shop-api@2026.11.14', 'shop-api@2026.11.18', 'shop-api@2026.11.20', 'shop-api@2026.11.21'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1'];
/** Steps that grow an event toward its target size, tried in a random order per event. */
const GROW_STEPS = ['frame', 'breadcrumb', 'context'];

/** A fixed grouping signature: same type, same in-app frames, same route. */
export function createSignature(random) {
  const [type, valueTemplate] = random.pick(EXCEPTION_KINDS);
  const appFrameCount = random.int(2, 9);
  const appFrames = Array.from({ length: appFrameCount }, () => {
    const file = random.pick(APP_FILES);
    const fn = `${random.pick(APP_VERBS)}${random.pick(APP_NOUNS)}`;
    return { path: `${APP_ROOT}/${file}`, fn, lineno: pickLineNumber(random), colno: random.int(5, 60) };
  });
  // About a third of bugs surface inside a library (a pg or axios error thrown under app code).
  const tail = random.chance(0.35) ? [createLibraryFrame(random)] : [];
  return { type, valueTemplate, appFrames, tail, route: random.pick(ROUTES), handled: random.chance(0.6) };
}

function createLibraryFrame(random) {
  const [file, fn] = random.pick(LIBRARY_FRAMES);
  return { path: `${LIBRARY_ROOT}/${file}`, fn, lineno: pickLineNumber(random), colno: random.int(5, 60) };
}

/** Module name as @sentry/node derives it: directories joined by ".", then ":" and the basename. */
function moduleOf(path) {
  const relative = path.includes('/node_modules/')
    ? path.split('/node_modules/')[1]
    : path.slice(APP_ROOT.length + 1);
  const parts = relative.replace(/\.js$/, '').split('/');
  const base = parts.pop();
  return parts.length > 0 ? `${parts.join('.')}:${base}` : base;
}

function toFrame(spec, inApp, withContext) {
  const frame = {
    filename: spec.path,
    abs_path: spec.path,
    module: moduleOf(spec.path),
    function: spec.fn,
    lineno: spec.lineno,
    colno: spec.colno,
    in_app: inApp,
  };
  return withContext ? { ...frame, ...readContext(spec.path, spec.lineno) } : frame;
}

function toInternalFrame([path, fn], random) {
  return {
    filename: path,
    module: path.replace(/^node:/, ''),
    function: fn,
    lineno: random.int(50, 600),
    colno: random.int(5, 40),
    in_app: false,
  };
}

function fillValue(template, random) {
  return fillTemplate(template, random, {
    prop: () => random.pick(PROPS),
    noun: () => random.pick(APP_NOUNS),
    id: () => random.int(1000, 999_999),
    status: () => random.pick(HTTP_STATUSES),
    table: () => random.pick(TABLES),
    ms: () => random.int(1, 30) * 1000,
    svc: () => random.pick(SERVICES),
    bool: () => random.chance(0.5),
  });
}

function createBreadcrumb(random, timestamp) {
  if (random.chance(0.4)) {
    const method = random.pick(['GET', 'POST', 'PUT']);
    const service = random.pick(SERVICES);
    return {
      timestamp,
      type: 'http',
      category: 'http',
      data: {
        url: `http://${service}.internal:8080/v1/${random.pick(TABLES)}/${random.int(1, 99_999)}`,
        method,
        status_code: random.chance(0.85) ? 200 : random.pick(HTTP_STATUSES),
      },
    };
  }
  return {
    timestamp,
    category: 'console',
    level: random.chance(0.8) ? 'log' : 'warning',
    message: fillValue(random.pick(CONSOLE_MESSAGES), random),
  };
}

function createRequest(random, [method, route]) {
  const path = route.replace(':id', String(random.int(1, 999_999)));
  const query = random.chance(0.5) ? `expand=items&page=${random.int(1, 20)}` : '';
  return {
    method,
    url: `https://shop.example.com${path}${query ? `?${query}` : ''}`,
    query_string: query,
    headers: {
      host: 'shop.example.com',
      'user-agent': random.pick(USER_AGENTS),
      accept: 'application/json',
      'accept-language': 'en-US,en;q=0.9',
      'x-request-id': random.hex(32),
      'content-type': 'application/json',
    },
  };
}

function createContexts(random, traceId, now) {
  return {
    trace: { trace_id: traceId, span_id: random.hex(16) },
    runtime: { name: 'node', version: 'v20.20.2' },
    app: {
      app_start_time: new Date(now - random.int(60, 86_400) * 1000).toISOString(),
      app_memory: random.int(80, 400) * 1_048_576,
    },
    os: { kernel_version: '6.8.0-49-generic', name: 'Debian', version: '12.11' },
    device: {
      boot_time: new Date(now - 9 * 86_400_000).toISOString(),
      arch: 'x64',
      memory_size: 8_589_934_592,
      free_memory: random.int(1_000, 6_000) * 1_048_576,
      processor_count: 2,
      cpu_description: 'Intel(R) Xeon(R) Processor',
      processor_frequency: 2400,
    },
    culture: { locale: 'en-US', timezone: 'UTC' },
    cloud_resource: {},
  };
}

/** JSON bytes an item adds to an array (the item plus its comma). */
const sizeOf = (value) => JSON.stringify(value).length + 1;

/**
 * Chooses how many library frames, breadcrumbs and library-context windows the event carries so
 * its JSON lands near `targetBytes`, within the SDK's frame and breadcrumb ranges.
 */
function chooseExtent(random, { baseBytes, fixedFrameCount, libraryFrames, breadcrumbs, targetBytes }) {
  const minLibrary = Math.max(0, MIN_FRAMES - fixedFrameCount);
  const maxLibrary = Math.min(libraryFrames.length, MAX_FRAMES - fixedFrameCount);
  const extent = { library: minLibrary, withContext: 0, breadcrumbs: MIN_BREADCRUMBS };
  let bytes = baseBytes;
  for (let i = 0; i < extent.library; i++) bytes += libraryFrames[i].bare;
  for (let i = 0; i < extent.breadcrumbs; i++) bytes += breadcrumbs[i];
  const grow = {
    frame: () => extent.library < maxLibrary && (bytes += libraryFrames[extent.library++].bare),
    breadcrumb: () => extent.breadcrumbs < MAX_BREADCRUMBS && (bytes += breadcrumbs[extent.breadcrumbs++]),
    context: () => {
      if (extent.withContext >= extent.library) return false;
      const frame = libraryFrames[extent.withContext++];
      bytes += frame.full - frame.bare;
      return true;
    },
  };
  const order = [...GROW_STEPS].sort(() => random.next() - 0.5);
  for (let progressed = true; bytes < targetBytes && progressed;) {
    progressed = false;
    for (const step of order) if (bytes < targetBytes && grow[step]()) progressed = true;
  }
  return { ...extent, bytes };
}

/** One event of `signature`, about `targetBytes` of JSON. Returns the payload and what a row needs. */
export function createEvent(random, signature, targetBytes, now) {
  const traceId = random.hex(32);
  const userId = random.int(1, USER_COUNT);
  const value = fillValue(signature.valueTemplate, random);
  const release = random.pick(RELEASES);
  const environment = random.chance(0.85) ? 'production' : 'staging';
  const transaction = `${signature.route[0]} ${signature.route[1]}`;
  const serverName = `shop-api-${random.hex(5)}`;
  const internal = Array.from({ length: INTERNAL_FRAME_COUNT }, () =>
    toInternalFrame(random.pick(NODE_INTERNAL_FRAMES), random),
  );
  const appFrames = signature.appFrames.map((spec) => toFrame(spec, true, true));
  const tailFrames = signature.tail.map((spec) => toFrame(spec, false, true));
  const library = Array.from({ length: MAX_FRAMES }, () => {
    const spec = createLibraryFrame(random);
    return { spec, bare: sizeOf(toFrame(spec, false, false)), full: sizeOf(toFrame(spec, false, true)) };
  });
  // Oldest first, a few seconds apart, ending just before the error.
  let crumbTime = now - MAX_BREADCRUMBS * 4000;
  const crumbs = Array.from({ length: MAX_BREADCRUMBS }, () =>
    createBreadcrumb(random, (crumbTime += random.int(50, 4000)) / 1000),
  );

  const event = {
    exception: {
      values: [
        {
          type: signature.type,
          value,
          stacktrace: { frames: [] },
          mechanism: {
            type: signature.handled ? 'generic' : 'auto.middleware.express',
            handled: signature.handled,
          },
        },
      ],
    },
    level: 'error',
    platform: 'node',
    contexts: createContexts(random, traceId, now),
    server_name: serverName,
    timestamp: now / 1000,
    environment,
    release,
    sdk: {
      integrations: SDK_INTEGRATIONS,
      ...SDK,
      packages: [{ name: 'npm:@sentry/node', version: SDK.version }],
    },
    transaction,
    tags: { region: random.pick(REGIONS), 'checkout.flow': random.chance(0.5) ? 'new' : 'legacy' },
    user: {
      id: String(userId),
      email: `user${userId}@example.com`,
      ip_address: `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    },
    request: createRequest(random, signature.route),
    breadcrumbs: [],
    ...(random.chance(0.5) ? { modules: MODULES } : {}),
  };
  const fixedFrames = [...internal, ...appFrames, ...tailFrames];
  const extent = chooseExtent(random, {
    baseBytes: JSON.stringify(event).length + fixedFrames.reduce((sum, f) => sum + sizeOf(f), 0),
    fixedFrameCount: fixedFrames.length,
    libraryFrames: library,
    breadcrumbs: crumbs.map(sizeOf),
    targetBytes,
  });
  const libraryFrames = library
    .slice(0, extent.library)
    .map((f, i) => toFrame(f.spec, false, i < extent.withContext));
  // Oldest frame first, as Sentry sends them: runtime, framework, app code, then the throw site.
  event.exception.values[0].stacktrace.frames = [...internal, ...libraryFrames, ...appFrames, ...tailFrames];
  event.breadcrumbs = crumbs.slice(0, extent.breadcrumbs);

  const row = {
    title: `${signature.type}: ${value}`,
    traceId,
    release,
    environment,
    transaction,
    serverName,
  };
  return {
    json: JSON.stringify(event),
    row: { ...row, userId: String(userId), userEmail: event.user.email, userIp: event.user.ip_address },
    frameCount: event.exception.values[0].stacktrace.frames.length,
    breadcrumbCount: event.breadcrumbs.length,
  };
}
