/**
 * What a span op means for the breakdown, and what of a span may be stored.
 *
 * Categories answer "where did the time go": waiting on the database, rendering, calling another
 * service, the cache, a broker. Ops follow Sentry's span-operation conventions
 * (develop-docs/sdk/telemetry/traces/span-operations.mdx) and what sentry-rails, sentry-python and
 * @sentry/node really send (sentry-protocol.md §6.1):
 * - `db.redis` and `db` spans of redis / memcached / valkey are `cache`: apps use them as cache and
 *   session stores, Sentry's caches module and Relay's description scrubbing treat them like
 *   `cache.*`, and counting `GET` as a query would flag every session lookup as N+1.
 * - `view.process_action.action_controller` wraps the whole Rails action, queries and rendering
 *   included; as `view` it would swallow the breakdown, so it is `other`.
 * - `queue.process` / `queue.task.*` is a job running its own code (Sidekiq inline, Celery eager):
 *   that is application time, `other`. Publishing, receiving or waiting on a broker is `queue`.
 * - `http.client`, the older `http.request` and bare `http` (sentry-python 1.x's stdlib integration)
 *   are outbound calls; `http.server` is the transaction itself, so it is `other`.
 */
import { scrubString } from '../events/scrub.js';
import { normalizeSql, type NormalizeSqlOptions, type SqlNormalizer } from './sql-normalize.js';
import type { SpanCategory } from './types.js';

type Data = Record<string, unknown> | undefined;

// Document stores: their descriptions are JSON commands, not SQL, and are not counted as queries.
const DOCUMENT_SYSTEMS = new Set([
  'mongodb',
  'elasticsearch',
  'opensearch',
  'dynamodb',
  'couchdb',
  'firestore',
]);
const CACHE_SYSTEMS = new Set(['redis', 'memcached', 'valkey']);
const MYSQL_SYSTEMS = new Set(['mysql', 'mariadb']);
const STANDARD_SQL_SYSTEMS = new Set(['postgresql', 'postgres', 'sqlite', 'mssql', 'oracle', 'cockroachdb']);

// Kept for the hover card. `cache.key` is not: keys embed user ids and emails (`user:42:session`).
const KEPT_DATA_KEYS = new Set([
  ...['db.system', 'db.system.name', 'db.name', 'db.namespace', 'db.operation', 'db.operation.name'],
  ...['db.collection.name', 'server.address', 'server.port', 'http.request.method'],
  ...['http.response.status_code', 'url.full', 'cache.hit', 'thread.name', 'sentry.origin'],
  ...['code.filepath', 'code.function', 'code.lineno', 'code.file.path', 'code.function.name'],
  'code.line.number',
]);
const MAX_DATA_VALUE_CHARS = 200;
const HTTP_METHOD = /^([A-Z]{3,7}) (\S.*)$/s;
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

export function categorizeSpan(op: string, data?: Data): SpanCategory {
  const name = op.toLowerCase();
  if (name === 'db' || name.startsWith('db.')) return isCacheStore(name, data) ? 'cache' : 'db';
  if (name.startsWith('cache.')) return 'cache';
  if (
    name === 'http.client' ||
    name.startsWith('http.client.') ||
    name === 'http.request' ||
    name === 'http'
  ) {
    return 'http';
  }
  if (name.startsWith('queue.')) {
    return name === 'queue.process' || name.startsWith('queue.task') ? 'other' : 'queue';
  }
  if (name.startsWith('view.process_action')) return 'other';
  if (name.startsWith('template.') || /(?:^|[._])render/.test(name)) return 'view';
  return 'other';
}

/** A db span whose description is SQL: counted as a query and analysed for N+1. */
export function isQuerySpan(op: string, data?: Data): boolean {
  return categorizeSpan(op, data) === 'db' && !DOCUMENT_SYSTEMS.has(dbSystem(data));
}

export interface SpanDescription {
  description: string;
  callSite?: string;
}

/** The description as stored: SQL without literals, URLs without query values or userinfo. */
export function describeSpan(
  op: string,
  description: string,
  data?: Data,
  normalize: SqlNormalizer = normalizeSql,
  category: SpanCategory = categorizeSpan(op, data),
): SpanDescription {
  if (category === 'db') {
    const system = dbSystem(data);
    if (DOCUMENT_SYSTEMS.has(system)) return { description: redactDocument(description) };
    const { sql, callSite } = normalize(queryText(data) || description, { dialect: sqlDialectOf(data) });
    return callSite === undefined ? { description: sql } : { description: sql, callSite };
  }
  if (category === 'http') {
    const match = HTTP_METHOD.exec(description);
    const url = match ? (match[2] ?? '') : description;
    return { description: match ? `${match[1]} ${scrubUrl(url)}` : scrubUrl(url) };
  }
  if (category === 'cache') return { description: describeCacheCall(op, description) };
  return { description: scrubString(description) };
}

/**
 * The statement a db span ran, from the OTel attributes: in stream mode the official integrations
 * name db spans by a summary (`SELECT users`) and carry the statement only there (NOTES.md §4), so
 * the attribute wins over the description in both lifecycles and they agree.
 */
export function queryText(data: Data): string {
  const text = data?.['db.query.text'] ?? data?.['db.statement'];
  return typeof text === 'string' ? text : '';
}

/** Allowlisted data as strings; everything else an SDK attached is dropped. */
export function pickSpanData(data: Data): Record<string, string> | undefined {
  if (!data) return undefined;
  let kept: Record<string, string> | undefined;
  // for…in over parsed JSON (own keys only, in Object.entries' order) without the pairs array.
  for (const key in data) {
    if (!KEPT_DATA_KEYS.has(key) && !key.startsWith('messaging.')) continue;
    const text = stringify(data[key]);
    if (text === undefined) continue;
    kept ??= {};
    kept[key] = key === 'url.full' ? scrubUrl(text) : scrubString(text).slice(0, MAX_DATA_VALUE_CHARS);
  }
  return kept;
}

/** Query values become `?`, userinfo and fragment go; the path stays (it names the endpoint). */
export function scrubUrl(url: string): string {
  const withoutUser = url.replace(URL_USERINFO, '$1');
  const hash = withoutUser.indexOf('#');
  const withoutFragment = hash < 0 ? withoutUser : withoutUser.slice(0, hash);
  const question = withoutFragment.indexOf('?');
  if (question < 0) return scrubString(withoutFragment);
  const query = withoutFragment
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals < 0 ? '?' : `${pair.slice(0, equals)}=?`;
    })
    .join('&');
  return `${scrubString(withoutFragment.slice(0, question))}?${query}`;
}

function isCacheStore(op: string, data: Data): boolean {
  return op === 'db.redis' || op === 'db.memcached' || CACHE_SYSTEMS.has(dbSystem(data));
}

function dbSystem(data: Data): string {
  const system = data?.['db.system'] ?? data?.['db.system.name'];
  return typeof system === 'string' ? system.toLowerCase() : '';
}

/** How to read quotes in this span's SQL (see NormalizeSqlOptions). */
export function sqlDialectOf(data: Data): NormalizeSqlOptions['dialect'] {
  const system = dbSystem(data);
  if (MYSQL_SYSTEMS.has(system)) return 'mysql';
  return STANDARD_SQL_SYSTEMS.has(system) ? 'standard' : undefined;
}

/**
 * Redis commands and cache calls carry keys, which carry ids: Relay stores `GET *` (§7.3). A
 * Rails cache span's description is the store's class name, which is code and is kept.
 */
function describeCacheCall(op: string, description: string): string {
  const text = description.trim();
  if (/^[A-Z]\w*(?:::[A-Z]\w*)+$/.test(text)) return text;
  const command = /^([A-Za-z]+)(?:\s|$)/.exec(text)?.[1];
  if (command && (op.toLowerCase() === 'db.redis' || op.toLowerCase() === 'db')) {
    return text.length > command.length ? `${command.toUpperCase()} *` : command.toUpperCase();
  }
  return text === '' ? '' : '*';
}

/** `{"find": "users", "filter": {"email": "…"}}` → every value but the command's target is `?`. */
function redactDocument(description: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(description);
  } catch {
    return description === '' ? '' : '?';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return '?';
  const entries = Object.entries(parsed).map(([key, value], index) => [
    key,
    index === 0 && typeof value === 'string' ? value : redactValues(value),
  ]);
  return JSON.stringify(Object.fromEntries(entries));
}

function redactValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [redactValues(value[0])] : [];
  if (typeof value !== 'object' || value === null) return '?';
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redactValues(child)]));
}

function stringify(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => stringify(item) ?? '').join(', ');
  return undefined;
}
