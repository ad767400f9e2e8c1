/**
 * Self-monitoring: with SNAG_SENTRY_DSN set, Snag reports its own errors (error-level log entries
 * carrying an `err`, and unhandled rejections) as Sentry events to that DSN, which may be this
 * Snag itself, and, with SNAG_SENTRY_TRACES_SAMPLE_RATE, a sample of the requests it serves as
 * transactions (UI, JSON API, MCP; never ingest). A small envelope sender instead of @sentry/node: one fetch per event, no
 * OpenTelemetry hooks in the process, nothing to keep in step with an SDK's major versions.
 *
 * No feedback loops:
 * - the sender never logs at error level (its own failures are counted, not reported);
 * - an error logged while handling a request to the DSN's own ingest path is not reported (if
 *   ingesting self-reports fails, reporting it would fail the same way, forever);
 * - the same error (type, message, top frame) is sent once per DEDUPE_WINDOW_MS, and at most
 *   MAX_EVENTS_PER_MINUTE events leave per minute whatever they are.
 */
import crypto from 'node:crypto';
import os from 'node:os';

const MAX_EVENTS_PER_MINUTE = 10;
/** Sampled requests sent per minute at most, whatever the sample rate says. */
const MAX_TRANSACTIONS_PER_MINUTE = 120;
/**
 * Routes never traced: ingest (Sentry envelope/store, OTLP) is where a self-report would itself
 * arrive, and is also the hot path; health and metrics are polled by machines. The rest (UI, JSON
 * API, MCP, auth) is what an operator wants timed.
 */
const UNTRACED_ROUTE = /^(\/api\/:projectId\/|\/v1\/logs|\/_health|\/metrics)/;
const DEDUPE_WINDOW_MS = 10 * 60_000;
const SEND_TIMEOUT_MS = 5000;
/** V8 stack lines: "    at fn (file:line:col)" or "    at file:line:col". */
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

export interface Dsn {
  envelopeUrl: string;
  publicKey: string;
  projectId: string;
  /** Ingest paths of this DSN's project: errors while serving them are never reported. */
  ingestPathPrefix: string;
  raw: string;
}

export function parseDsn(raw: string): Dsn {
  const url = new URL(raw);
  const projectId = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
  const prefix = url.pathname.slice(0, url.pathname.lastIndexOf('/'));
  return {
    envelopeUrl: `${url.protocol}//${url.host}${prefix}/api/${projectId}/envelope/`,
    publicKey: decodeURIComponent(url.username),
    projectId,
    ingestPathPrefix: `${prefix}/api/${projectId}/`,
    raw,
  };
}

/** One request Snag served, for SNAG_SENTRY_TRACES_SAMPLE_RATE. */
export interface ServedRequest {
  method: string;
  /** The route's pattern (`/api/v1/issues/:id`): the transaction name, so it groups. */
  route: string;
  url: string;
  status: number;
  startMs: number;
  durationMs: number;
}

export interface SelfReporter {
  /** Reports `err` unless deduped, rate limited or from the self-report ingest path. */
  captureError(err: Error, context?: { url?: string; message?: string; origin?: string }): boolean;
  /** Reports a served request as a transaction unless rate limited or an ingest route. */
  captureRequest(request: ServedRequest): boolean;
  stats(): { sent: number; failed: number; suppressed: number };
  /** Waits for reports in flight (shutdown, tests). */
  flush(): Promise<void>;
}

export function createSelfReporter(options: {
  dsn: string;
  release: string;
  environment?: string;
  fetch?: typeof fetch;
  now?: () => number;
}): SelfReporter {
  const dsn = parseDsn(options.dsn);
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const recent = new Map<string, number>();
  let windowStart = 0;
  let inWindow = 0;
  const counts = { sent: 0, failed: 0, suppressed: 0 };
  const inFlight = new Set<Promise<void>>();
  let txWindowStart = 0;
  let txInWindow = 0;

  function track(p: Promise<boolean>): void {
    const done = p.then(
      (ok) => void (ok ? counts.sent++ : counts.failed++),
      () => void counts.failed++,
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  }

  function allowed(fingerprint: string): boolean {
    const t = now();
    for (const [key, at] of recent) if (t - at > DEDUPE_WINDOW_MS) recent.delete(key);
    if (recent.has(fingerprint)) return false;
    if (t - windowStart > 60_000) {
      windowStart = t;
      inWindow = 0;
    }
    if (inWindow >= MAX_EVENTS_PER_MINUTE) return false;
    inWindow++;
    recent.set(fingerprint, t);
    return true;
  }

  return {
    captureError(err, context = {}) {
      if (context.url !== undefined && context.url.startsWith(dsn.ingestPathPrefix)) {
        counts.suppressed++;
        return false;
      }
      const frames = parseFrames(err.stack);
      const top = frames.at(-1);
      const fingerprint = `${err.name}\u0000${err.message}\u0000${top?.filename ?? ''}:${top?.lineno ?? ''}`;
      if (!allowed(fingerprint)) {
        counts.suppressed++;
        return false;
      }
      track(send(doFetch, dsn, 'event', buildEvent(err, frames, context, options)));
      return true;
    },
    captureRequest(request) {
      if (UNTRACED_ROUTE.test(request.route)) return false;
      const t = now();
      if (t - txWindowStart > 60_000) {
        txWindowStart = t;
        txInWindow = 0;
      }
      if (txInWindow >= MAX_TRANSACTIONS_PER_MINUTE) {
        counts.suppressed++;
        return false;
      }
      txInWindow++;
      track(send(doFetch, dsn, 'transaction', buildTransaction(request, options)));
      return true;
    },
    stats: () => ({ ...counts }),
    flush: async () => {
      await Promise.all([...inFlight]);
    },
  };
}

interface Frame {
  function: string;
  filename: string;
  lineno: number;
  colno: number;
  in_app: boolean;
}

/** Oldest call first, as Sentry's stacktrace interface expects. */
function parseFrames(stack: string | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const filename = m[2]!;
    frames.push({
      function: m[1] ?? '<anonymous>',
      filename,
      lineno: Number(m[3]),
      colno: Number(m[4]),
      in_app: !filename.includes('node_modules') && !filename.startsWith('node:'),
    });
  }
  return frames.reverse();
}

function buildEvent(
  err: Error,
  frames: Frame[],
  context: { url?: string; message?: string; origin?: string },
  options: { release: string; environment?: string },
) {
  return {
    event_id: crypto.randomUUID().replace(/-/g, ''),
    timestamp: Date.now() / 1000,
    platform: 'node',
    level: 'error',
    logger: 'snag',
    server_name: os.hostname(),
    release: options.release,
    environment: options.environment ?? 'production',
    message: context.message,
    exception: { values: [{ type: err.name, value: err.message, stacktrace: { frames } }] },
    tags: { snag_self_report: 'true', ...(context.origin ? { origin: context.origin } : {}) },
    extra: context.url ? { url: context.url } : undefined,
    sdk: { name: 'snag.self-monitor', version: options.release },
  };
}

/** HTTP status → Sentry span status (the subset an HTTP server produces). */
function spanStatus(code: number): string {
  if (code < 400) return 'ok';
  const known: Record<number, string> = {
    400: 'invalid_argument',
    401: 'unauthenticated',
    403: 'permission_denied',
    404: 'not_found',
    409: 'already_exists',
    429: 'resource_exhausted',
    501: 'unimplemented',
    503: 'unavailable',
    504: 'deadline_exceeded',
  };
  return known[code] ?? (code < 500 ? 'invalid_argument' : 'internal_error');
}

function buildTransaction(r: ServedRequest, options: { release: string; environment?: string }) {
  const start = r.startMs / 1000;
  const name = `${r.method} ${r.route}`;
  return {
    type: 'transaction',
    event_id: crypto.randomUUID().replace(/-/g, ''),
    transaction: name,
    transaction_info: { source: 'route' },
    start_timestamp: start,
    timestamp: start + r.durationMs / 1000,
    platform: 'node',
    server_name: os.hostname(),
    release: options.release,
    environment: options.environment ?? 'production',
    contexts: {
      trace: {
        trace_id: crypto.randomBytes(16).toString('hex'),
        span_id: crypto.randomBytes(8).toString('hex'),
        op: 'http.server',
        status: spanStatus(r.status),
        data: { 'http.request.method': r.method, 'http.response.status_code': r.status },
      },
      response: { status_code: r.status },
    },
    request: { method: r.method, url: r.url.split('?')[0] },
    spans: [],
    tags: { snag_self_report: 'true' },
    sdk: { name: 'snag.self-monitor', version: options.release },
  };
}

async function send(
  doFetch: typeof fetch,
  dsn: Dsn,
  type: 'event' | 'transaction',
  event: { event_id: string },
): Promise<boolean> {
  const payload = JSON.stringify(event);
  const body = [
    JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString(), dsn: dsn.raw }),
    JSON.stringify({ type, length: Buffer.byteLength(payload) }),
    payload,
  ].join('\n');
  const res = await doFetch(dsn.envelopeUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-sentry-envelope',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${dsn.publicKey}, sentry_client=snag.self-monitor`,
    },
    body,
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  return res.ok;
}
