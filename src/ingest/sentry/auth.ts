/**
 * Where an ingest request's DSN public key comes from (Relay `extractors/request_meta.rs`).
 *
 * Relay answers 401 when more than one source is present; we follow Bugsink and take the first
 * source found, in this order: `?sentry_key=` (browser and Node SDKs), `X-Sentry-Auth` (Python,
 * Ruby), `Authorization` (Sentry, Bearer or Basic), then the envelope's `dsn` header (tunnels,
 * Ruby). Being lenient costs nothing here: the key is still checked against the project.
 */
import { AppError } from '../../errors.js';

/** DSNs are minted by the projects domain; re-exported for ingest-side callers and tests. */
export { formatDsn } from '../../domain/projects/dsn.js';

export interface SentryAuth {
  publicKey: string;
  source: 'query' | 'x-sentry-auth' | 'authorization' | 'bearer' | 'basic' | 'envelope-dsn';
  sentryVersion?: string;
  client?: string;
}

export interface AuthInput {
  query: Record<string, unknown>;
  /** As Node delivers them: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  envelopeDsn?: unknown;
}

/** Relay's `ProjectKey` is 32 hex characters, and that is what we mint (protocol §1.1). */
const PUBLIC_KEY = /^[0-9a-f]{32}$/i;
const SENTRY_PREFIX = /^sentry\s+/i;
const FIX_HINT = 'copy the DSN from Settings → Projects';

export function extractAuth(input: AuthInput): SentryAuth {
  const queryKey = readFirst(input.query.sentry_key);
  if (queryKey !== undefined) {
    return {
      publicKey: checkKey(queryKey, 'sentry_key'),
      source: 'query',
      ...pickMeta(readFirst(input.query.sentry_version), readFirst(input.query.sentry_client)),
    };
  }

  const sentryHeader = readFirst(input.headers['x-sentry-auth']);
  if (sentryHeader !== undefined) return readSentryHeader(sentryHeader, 'x-sentry-auth');

  const authorization = readFirst(input.headers.authorization)?.trim();
  if (authorization !== undefined) {
    const auth = readAuthorization(authorization);
    // Any other scheme belongs to someone else (a proxy's login, say): fall through to the dsn.
    if (auth !== undefined) return auth;
  }

  if (input.envelopeDsn !== undefined && input.envelopeDsn !== null) {
    const dsn = typeof input.envelopeDsn === 'string' ? parseDsn(input.envelopeDsn) : null;
    if (dsn === null) {
      throw unauthorized(`the envelope header "dsn" is not a valid DSN: ${FIX_HINT}`);
    }
    return { publicKey: checkKey(dsn.publicKey, 'the envelope dsn public key'), source: 'envelope-dsn' };
  }

  throw unauthorized(
    "missing authorization: send the DSN's public key as ?sentry_key=, an X-Sentry-Auth header or the envelope's dsn header",
  );
}

/** `{scheme}://{public_key}[:{secret}]@{host}[:{port}]{path}/{project_id}` (protocol §1.1). */
export function parseDsn(dsn: string): { publicKey: string; projectId: number; host: string } | null {
  let url: URL;
  try {
    url = new URL(dsn.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username === '' || url.host === '') {
    return null;
  }
  // Python's SDK does int(last path segment), so "…/3/" or "…/3abc" would not work there either.
  const lastSegment = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  if (!/^\d+$/.test(lastSegment)) return null;
  const projectId = Number(lastSegment);
  if (!Number.isSafeInteger(projectId) || projectId < 1) return null;
  let publicKey: string;
  try {
    publicKey = decodeURIComponent(url.username);
  } catch {
    return null;
  }
  return { publicKey, projectId, host: url.host };
}

function readSentryHeader(value: string, source: 'x-sentry-auth' | 'authorization'): SentryAuth {
  const fields = parseSentryFields(value.replace(SENTRY_PREFIX, ''));
  const name = source === 'x-sentry-auth' ? 'X-Sentry-Auth' : 'Authorization';
  if (fields.key === undefined) {
    throw unauthorized(`the ${name} header has no sentry_key: ${FIX_HINT} and configure the SDK with it`);
  }
  return {
    publicKey: checkKey(fields.key, `sentry_key in the ${name} header`),
    source,
    ...pickMeta(fields.version, fields.client),
  };
}

function readAuthorization(value: string): SentryAuth | undefined {
  if (SENTRY_PREFIX.test(value)) return readSentryHeader(value, 'authorization');
  const space = value.indexOf(' ');
  const scheme = (space === -1 ? value : value.slice(0, space)).toLowerCase();
  const credentials = space === -1 ? '' : value.slice(space + 1).trim();
  if (scheme === 'bearer') {
    return { publicKey: checkKey(credentials, 'the Bearer token'), source: 'bearer' };
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    return { publicKey: checkKey(user, 'the Basic auth user name'), source: 'basic' };
  }
  return undefined;
}

/** "sentry_key=…, sentry_version=7, sentry_client=…": keys with or without `sentry_`, unknown keys ignored. */
function parseSentryFields(value: string): { key?: string; version?: string; client?: string } {
  const fields: { key?: string; version?: string; client?: string } = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part
      .slice(0, eq)
      .trim()
      .toLowerCase()
      .replace(/^sentry_/, '');
    if (name !== 'key' && name !== 'version' && name !== 'client') continue;
    const raw = part.slice(eq + 1).trim();
    fields[name] = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  }
  return fields;
}

function checkKey(key: string, what: string): string {
  const trimmed = key.trim();
  if (!PUBLIC_KEY.test(trimmed)) {
    throw unauthorized(`${what} is not a 32-character hex key: ${FIX_HINT}`);
  }
  return trimmed.toLowerCase();
}

function pickMeta(
  sentryVersion: string | undefined,
  client: string | undefined,
): Pick<SentryAuth, 'sentryVersion' | 'client'> {
  return {
    ...(sentryVersion ? { sentryVersion } : {}),
    ...(client ? { client } : {}),
  };
}

function readFirst(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function unauthorized(message: string): AppError {
  return new AppError('unauthorized', 401, message);
}
