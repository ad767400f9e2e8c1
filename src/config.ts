/**
 * The only reader of process.env. Every setting is an `SNAG_` variable with a default that works on
 * localhost; each entry says its unit and why the default is what it is. `loadConfig` validates the
 * lot at boot and refuses contradictions with a message that says how to fix them.
 */
import path from 'node:path';
import { Cron } from 'croner';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  publicUrl: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  defaultProjectName: string;
  limits: {
    maxEnvelopeBytes: number;
    maxDecompressedBytes: number;
    maxEventBytes: number;
  };
  queue: {
    maxDepth: number;
    warningDepth: number;
    criticalDepth: number;
    batchSize: number;
    /** An idle digest thread stops after this long (0: never) and starts again on demand. */
    restAfterIdleMs: number;
    /** Bytes of free disk under which ingest refuses new items (503), so digests can go on. */
    diskReserveBytes: number;
  };
  scrub: {
    enabled: boolean;
    ipAddresses: boolean;
    extraKeys: string[];
    safeKeys: string[];
  };
  apm: {
    nPlusOneThreshold: number;
    /** A RegExp source, or undefined for the built-in list of framework plumbing tables. */
    nPlusOneDenylist: string | undefined;
    spanOrphanTimeoutMs: number;
  };
  logs: {
    retentionMs: number;
  };
  // Operations (issue 8, H5): retention defaults, maintenance schedule, /metrics, self-monitoring.
  retention: RetentionDaysConfig;
  maintenance: { retentionSchedule: string };
  metrics: { token: string | undefined };
  selfMonitor: { dsn: string | undefined; tracesSampleRate: number };
  mcp: {
    /** Shared bearer secret for /mcp (besides minted tokens); undefined when unset. */
    token: string | undefined;
  };
  // Login (issue 7, H1): see AuthConfig below and docs/auth.md.
  auth: AuthConfig;
  // Alerts (issue 8, H3): SMTP, zero-configuration channels, timers.
  alerts: AlertsConfig;
  // Rate limits (issue 9, H6): items per minute per project and Sentry data category; 0 = off.
  rateLimits: { error: number; transaction: number; log_item: number };
}

type Env = Record<string, string | undefined>;

interface Setting<T> {
  env: string;
  default: string;
  /** What the value means and why the default is what it is (shown by `snag config`-style errors). */
  doc: string;
  parse: (raw: string, name: string) => T;
}

class ConfigError extends Error {}

const MiB = 1024 * 1024;
/** A shared secret an attacker could guess offline would open every tool: 32 chars of hex is 128 bits. */
const MIN_MCP_TOKEN_CHARS = 32;

function int(min: number, max: number) {
  return (raw: string, name: string): number => {
    const value = Number(raw.trim());
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(
        `${name}=${JSON.stringify(raw)} is not a whole number between ${min} and ${max}.`,
      );
    }
    return value;
  };
}

function regex(raw: string, name: string): string | undefined {
  if (raw.trim() === '') return undefined;
  try {
    new RegExp(raw, 'i');
  } catch (err) {
    throw new ConfigError(`${name} is not a valid regular expression: ${(err as Error).message}.`);
  }
  return raw;
}

// ---- Operations (issue 8, H5): parsers --------------------------------------------------------
function optionalInt(min: number, max: number) {
  const parse = int(min, max);
  return (raw: string, name: string): number | undefined =>
    raw.trim() === '' ? undefined : parse(raw, name);
}

function cron(raw: string, name: string): string {
  try {
    new Cron(raw.trim(), { paused: true, timezone: 'UTC' }).stop();
  } catch (err) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not a cron expression: ${(err as Error).message}.`,
    );
  }
  return raw.trim();
}

/** Days kept per data type (issue 8, H5); Settings → Storage can override each at run time. */
export interface RetentionDaysConfig {
  events: number;
  transactions: number;
  spans: number;
  logs: number;
  rollups: number;
}
// ---- end Operations parsers ----

function bool(raw: string, name: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a boolean: use true or false.`);
}

const str = (raw: string) => raw.trim();

function fraction(raw: string, name: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not a number between 0 and 1 (e.g. 0.1 for a tenth).`,
    );
  return value;
}
const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const SETTINGS = {
  host: {
    env: 'SNAG_HOST',
    default: '127.0.0.1',
    doc: 'Address to listen on. Loopback by default so a fresh install is not exposed; 0.0.0.0 for all.',
    parse: str,
  },
  port: { env: 'SNAG_PORT', default: '8000', doc: 'TCP port to listen on.', parse: int(0, 65535) },
  dataDir: {
    env: 'SNAG_DATA_DIR',
    default: './data',
    doc: 'Directory holding the SQLite files (app, errors, queue). Relative paths are from the working directory.',
    parse: str,
  },
  publicUrl: {
    env: 'SNAG_PUBLIC_URL',
    default: '',
    doc: 'Base URL that DSNs and links use, e.g. https://snag.example.com. Default: http://<host>:<port>.',
    parse: str,
  },
  logLevel: {
    env: 'SNAG_LOG_LEVEL',
    default: 'info',
    doc: 'debug, info, warn, error or silent.',
    parse: (raw: string, name: string) => {
      const v = raw.trim().toLowerCase();
      if (!['debug', 'info', 'warn', 'error', 'silent'].includes(v)) {
        throw new ConfigError(`${name}=${JSON.stringify(raw)}: use one of debug, info, warn, error, silent.`);
      }
      return v as Config['logLevel'];
    },
  },
  defaultProjectName: {
    env: 'SNAG_DEFAULT_PROJECT',
    default: 'default',
    doc: 'Name of the project created on first start, so a DSN is ready at once.',
    parse: str,
  },
  maxEnvelopeBytes: {
    env: 'SNAG_MAX_ENVELOPE_BYTES',
    default: String(20 * MiB),
    doc: 'Bytes: cap on a request body as sent (compressed). 20 MiB, as Sentry/Bugsink accept; over it → 413.',
    parse: int(1024, 1024 * MiB),
  },
  maxDecompressedBytes: {
    env: 'SNAG_MAX_DECOMPRESSED_BYTES',
    default: String(50 * MiB),
    doc: 'Bytes: cap on a body after decompression, enforced while inflating so a zip bomb never allocates past it.',
    parse: int(1024, 4096 * MiB),
  },
  maxEventBytes: {
    env: 'SNAG_MAX_EVENT_BYTES',
    default: String(1 * MiB),
    doc: 'Bytes: cap on one event item (Sentry: 1 MiB). Over it → 413.',
    parse: int(1024, 256 * MiB),
  },
  queueMaxDepth: {
    env: 'SNAG_QUEUE_MAX_DEPTH',
    default: '100000',
    doc: 'Jobs: over this many undigested items ingest answers 429 with Retry-After instead of growing the backlog.',
    parse: int(1, 100_000_000),
  },
  diskReserveMb: {
    env: 'SNAG_DISK_RESERVE_MB',
    default: '100',
    doc: 'MiB: when the data dir has less free space than this, ingest answers 503 with Retry-After, so the digest threads still have room to move the acknowledged backlog into the databases. 0 turns the check off (a full disk is then only noticed when a write fails).',
    parse: int(0, 1024 * 1024),
  },
  queueWarningDepth: {
    env: 'SNAG_QUEUE_WARNING_DEPTH',
    default: '1000',
    doc: 'Jobs: /_health reports queue_status "warning" from this depth.',
    parse: int(1, 100_000_000),
  },
  queueCriticalDepth: {
    env: 'SNAG_QUEUE_CRITICAL_DEPTH',
    default: '10000',
    doc: 'Jobs: /_health reports queue_status "critical" (HTTP 503) from this depth.',
    parse: int(1, 100_000_000),
  },
  workerBatchSize: {
    env: 'SNAG_WORKER_BATCH_SIZE',
    default: '500',
    doc: 'Jobs digested per transaction. Batching is what makes SQLite fast (50k rows/s at 1,000 rows a transaction).',
    parse: int(1, 10_000),
  },
  workerRestAfterIdleSeconds: {
    env: 'SNAG_WORKER_REST_AFTER_IDLE_SECONDS',
    default: '60',
    doc: 'Seconds: a digest thread idle this long is stopped, and started again by its next job or task; each is ~15–22 MiB of RSS. The errors thread, which checkpoints the queue, stops last. 0 keeps them all running.',
    parse: int(0, 86_400),
  },
  scrubPii: {
    env: 'SNAG_SCRUB_PII',
    default: 'true',
    doc: "Replace values under sensitive keys (Sentry's default list) and credit-card numbers with [Filtered].",
    parse: bool,
  },
  scrubIpAddresses: {
    env: 'SNAG_SCRUB_IP_ADDRESSES',
    default: 'false',
    doc: 'Also drop user and request IP addresses (Sentry leaves this off by default).',
    parse: bool,
  },
  scrubExtraKeys: {
    env: 'SNAG_SCRUB_EXTRA_KEYS',
    default: '',
    doc: 'Comma list of additional key names (case-insensitive) whose values are scrubbed.',
    parse: list,
  },
  scrubSafeKeys: {
    env: 'SNAG_SCRUB_SAFE_KEYS',
    default: '',
    doc: 'Comma list of key names never scrubbed, even if they match the default list.',
    parse: list,
  },
  nPlusOneThreshold: {
    env: 'SNAG_N_PLUS_ONE_THRESHOLD',
    default: '3',
    doc: 'A SQL pattern repeated more than this many times in one transaction is flagged as an N+1 (Splat and Sentry use 3 to 5).',
    parse: int(1, 1000),
  },
  nPlusOneDenylist: {
    env: 'SNAG_N_PLUS_ONE_DENYLIST',
    default: '',
    doc: 'Regular expression (case-insensitive) of SQL never flagged as N+1; empty uses the built-in list of framework plumbing (cache, job queue, migrations, catalog introspection).',
    parse: regex,
  },
  spanOrphanTimeoutSeconds: {
    env: 'SNAG_SPAN_ORPHAN_TIMEOUT_SECONDS',
    default: '300',
    doc: 'Seconds streamed spans wait for their segment root span before the segment is stored without it. SDKs flush span buffers every 5 s and at the end of a request, so only very long requests or lost roots wait this long.',
    parse: int(10, 86_400),
  },
  logRetentionDays: {
    env: 'SNAG_LOG_RETENTION_DAYS',
    default: '',
    doc: 'Older name of SNAG_RETENTION_LOGS_DAYS, still honoured; setting both to different values is refused.',
    parse: optionalInt(1, 3650),
  },
  // ---- Operations (issue 8, H5): retention, maintenance schedule, /metrics, self-monitoring ----
  retentionEventsDays: {
    env: 'SNAG_RETENTION_EVENTS_DAYS',
    default: '90',
    doc: 'Days error events are kept (by event time); an issue whose events are all gone is removed. Settings → Storage overrides it.',
    parse: int(1, 3650),
  },
  retentionTransactionsDays: {
    env: 'SNAG_RETENTION_TRANSACTIONS_DAYS',
    default: '90',
    doc: 'Days transactions (samples, search, the transaction page) are kept; charts and percentiles read rollups, kept longer. Settings → Storage overrides it.',
    parse: int(1, 3650),
  },
  retentionSpansDays: {
    env: 'SNAG_RETENTION_SPANS_DAYS',
    default: '30',
    doc: "Days a transaction keeps its span tree (the waterfall, most of its bytes); after that only its root span and summary stay. Capped at the transactions' retention.",
    parse: int(1, 3650),
  },
  retentionLogsDays: {
    env: 'SNAG_RETENTION_LOGS_DAYS',
    default: '14',
    doc: 'Days log records are kept (logs are the bulkiest data), dropped a whole UTC day at a time. Settings → Storage overrides it.',
    parse: int(1, 3650),
  },
  retentionRollupsDays: {
    env: 'SNAG_RETENTION_ROLLUPS_DAYS',
    default: '540',
    doc: 'Days hourly (and 6-hourly, daily) rollups are kept: endpoint charts and percentiles, issue and project sparklines. 5-minute rollups are kept 1/270 of it (2 days at the default). Settings → Storage overrides it.',
    parse: int(1, 3650),
  },
  retentionSchedule: {
    env: 'SNAG_RETENTION_SCHEDULE',
    default: '*/5 * * * *',
    doc: 'Cron expression (UTC; 5 fields, or 6 with seconds first) for retention runs. Each run deletes in small batches between digest batches until it is done.',
    parse: cron,
  },
  metricsToken: {
    env: 'SNAG_METRICS_TOKEN',
    default: '',
    doc: 'Bearer secret for GET /metrics. Required when login is on (at least 32 characters); without login and unset, /metrics is open like the rest of the UI.',
    parse: str,
  },
  sentryDsn: {
    env: 'SNAG_SENTRY_DSN',
    default: '',
    doc: "A Sentry DSN (this Snag's own, or any Sentry-compatible server) Snag reports its own errors to. Empty: off.",
    parse: str,
  },
  sentryTracesSampleRate: {
    env: 'SNAG_SENTRY_TRACES_SAMPLE_RATE',
    default: '0',
    doc: 'With SNAG_SENTRY_DSN: the share (0–1) of the requests Snag serves (UI, JSON API, MCP; never ingest) reported there as transactions, at most 120 a minute. 0: errors only.',
    parse: fraction,
  },
  mcpToken: {
    env: 'SNAG_MCP_TOKEN',
    default: '',
    doc: 'Bearer token MCP clients may send to /mcp, besides tokens minted with `snag token create`. At least 32 characters (e.g. `openssl rand -hex 32`). `snag mcp --url` sends it too. Empty: minted tokens only.',
    parse: str,
  },
  // ---- Login (issue 7, H1): OIDC / GitHub OAuth, allowlist, sessions. docs/auth.md -------------
  oidcIssuer: {
    env: 'SNAG_OIDC_ISSUER',
    default: '',
    doc: 'OpenID Connect issuer URL (e.g. https://accounts.google.com) or its full discovery URL (…/.well-known/openid-configuration). Setting it turns login on. http:// is accepted for loopback addresses only (local development).',
    parse: str,
  },
  oidcClientId: {
    env: 'SNAG_OIDC_CLIENT_ID',
    default: '',
    doc: 'Client ID of the Snag application registered at the OIDC provider.',
    parse: str,
  },
  oidcClientSecret: {
    env: 'SNAG_OIDC_CLIENT_SECRET',
    default: '',
    doc: 'Client secret of that application (confidential client; PKCE is used as well).',
    parse: str,
  },
  oidcProviderName: {
    env: 'SNAG_OIDC_PROVIDER_NAME',
    default: '',
    doc: 'Name shown on the sign-in button and in Settings, e.g. "Okta". Default: the issuer host.',
    parse: str,
  },
  oidcScopes: {
    env: 'SNAG_OIDC_SCOPES',
    default: 'openid email profile',
    doc: 'Space or comma separated scopes. `openid` and `email` are needed: Snag identifies people by verified email.',
    parse: (raw: string) => raw.split(/[\s,]+/).filter(Boolean),
  },
  oidcTokenAuthMethod: {
    env: 'SNAG_OIDC_TOKEN_AUTH_METHOD',
    default: 'client_secret_basic',
    doc: 'How Snag authenticates to the token endpoint: client_secret_basic (the OpenID Connect default) or client_secret_post (e.g. Auth0 applications set to "Post").',
    parse: (raw: string, name: string) => {
      const v = raw.trim();
      if (v !== 'client_secret_basic' && v !== 'client_secret_post') {
        throw new ConfigError(
          `${name}=${JSON.stringify(raw)}: use client_secret_basic or client_secret_post.`,
        );
      }
      return v;
    },
  },
  oidcAuthorizationUrl: {
    env: 'SNAG_OIDC_AUTHORIZATION_URL',
    default: '',
    doc: 'For providers without discovery: the authorization endpoint. With SNAG_OIDC_TOKEN_URL and SNAG_OIDC_JWKS_URL, discovery is skipped.',
    parse: str,
  },
  oidcTokenUrl: {
    env: 'SNAG_OIDC_TOKEN_URL',
    default: '',
    doc: 'For providers without discovery: the token endpoint.',
    parse: str,
  },
  oidcUserinfoUrl: {
    env: 'SNAG_OIDC_USERINFO_URL',
    default: '',
    doc: 'For providers without discovery (optional): the userinfo endpoint, read when the ID token carries no email.',
    parse: str,
  },
  oidcJwksUrl: {
    env: 'SNAG_OIDC_JWKS_URL',
    default: '',
    doc: 'For providers without discovery: the JWKS URL the ID token signature is checked against.',
    parse: str,
  },
  oidcEndSessionUrl: {
    env: 'SNAG_OIDC_END_SESSION_URL',
    default: '',
    doc: 'For providers without discovery (optional): the RP-initiated logout endpoint.',
    parse: str,
  },
  githubClientId: {
    env: 'SNAG_GITHUB_CLIENT_ID',
    default: '',
    doc: 'Client ID of a GitHub OAuth app (callback <SNAG_PUBLIC_URL>/auth/callback). Setting it turns GitHub login on.',
    parse: str,
  },
  githubClientSecret: {
    env: 'SNAG_GITHUB_CLIENT_SECRET',
    default: '',
    doc: 'Client secret of that GitHub OAuth app.',
    parse: str,
  },
  allowedGithubOrgs: {
    env: 'SNAG_ALLOWED_GITHUB_ORGS',
    default: '',
    doc: 'Comma list of GitHub organization logins; when set, a GitHub user must belong to one of them (and still pass the allowlist).',
    parse: list,
  },
  githubUrl: {
    env: 'SNAG_GITHUB_URL',
    default: 'https://github.com',
    doc: 'GitHub web URL, for GitHub Enterprise Server (https://ghe.example.com). The tests point it at a local stand-in of GitHub.',
    parse: str,
  },
  githubApiUrl: {
    env: 'SNAG_GITHUB_API_URL',
    default: 'https://api.github.com',
    doc: 'GitHub REST API URL, for GitHub Enterprise Server (https://ghe.example.com/api/v3).',
    parse: str,
  },
  allowedUsers: {
    env: 'SNAG_ALLOWED_USERS',
    default: '',
    doc: 'Comma list of emails (case-insensitive) allowed to sign in. With login on and both allowlists empty, nobody can sign in.',
    parse: (raw: string) => list(raw).map((e) => e.toLowerCase()),
  },
  allowedDomains: {
    env: 'SNAG_ALLOWED_DOMAINS',
    default: '',
    doc: 'Comma list of email domains allowed to sign in: `example.com` admits example.com and its subdomains, `*.example.com` only the subdomains.',
    parse: (raw: string) => list(raw).map((d) => d.toLowerCase()),
  },
  sessionIdleSeconds: {
    env: 'SNAG_SESSION_IDLE_TIMEOUT_SECONDS',
    default: String(7 * 86_400),
    doc: 'Seconds: a session unused this long ends (7 days: a weekly user stays signed in, an abandoned laptop does not).',
    parse: int(1, 365 * 86_400),
  },
  sessionMaxAgeSeconds: {
    env: 'SNAG_SESSION_MAX_AGE_SECONDS',
    default: String(30 * 86_400),
    doc: 'Seconds: a session ends this long after sign-in however active it is, so a removed user is re-checked against the provider and the allowlist at least monthly.',
    parse: int(1, 365 * 86_400),
  },
  loginRateLimitPerMinute: {
    env: 'SNAG_LOGIN_RATE_LIMIT_PER_MINUTE',
    default: '30',
    doc: 'Sign-in requests (login, callback, token endpoints) allowed per client address per minute, as a burst of the same size. A person needs 2 or 3; raise it when many people share one address.',
    parse: int(1, 1_000_000),
  },
  // ---- end Login settings ----
  // ---- Rate limits (issue 9, H6): per project, per minute; 0 = off ------------------------------
  rateLimitEventsPerMinute: {
    env: 'SNAG_RATE_LIMIT_EVENTS_PER_MINUTE',
    default: '0',
    doc: 'Error events a project may send per minute (also its burst), answered beyond with 429 + Retry-After + X-Sentry-Rate-Limits, which SDKs honour by pausing errors only. 0: no limit, the default, since one project at full speed is what the queue cap (SNAG_QUEUE_MAX_DEPTH) already protects against; set it when several projects share a Snag.',
    parse: int(0, 100_000_000),
  },
  rateLimitTransactionsPerMinute: {
    env: 'SNAG_RATE_LIMIT_TRANSACTIONS_PER_MINUTE',
    default: '0',
    doc: 'Transactions a project may send per minute (streamed span containers are not counted). 0: no limit.',
    parse: int(0, 100_000_000),
  },
  rateLimitLogsPerMinute: {
    env: 'SNAG_RATE_LIMIT_LOGS_PER_MINUTE',
    default: '0',
    doc: 'Log records (Sentry log items and OTLP) a project may send per minute; a batch larger than what is left is still taken once. 0: no limit.',
    parse: int(0, 100_000_000),
  },
  // ---- end Rate limits ----
  // ---- Alerts (issue 8, H3): SMTP, zero-configuration channels, defaults, timers -------------
  smtpHost: {
    env: 'SNAG_SMTP_HOST',
    default: '',
    doc: 'SMTP server for alert email (e.g. smtp.postmarkapp.com). Empty: no email. Needs SNAG_SMTP_FROM.',
    parse: str,
  },
  smtpPort: {
    env: 'SNAG_SMTP_PORT',
    default: '587',
    doc: 'SMTP port: 587 (submission, STARTTLS) by default; 465 for TLS from the first byte.',
    parse: int(1, 65535),
  },
  smtpUser: {
    env: 'SNAG_SMTP_USER',
    default: '',
    doc: 'SMTP user name; empty: no authentication.',
    parse: str,
  },
  smtpPassword: {
    env: 'SNAG_SMTP_PASSWORD',
    default: '',
    doc: 'SMTP password.',
    parse: (raw: string) => raw,
  },
  smtpFrom: {
    env: 'SNAG_SMTP_FROM',
    default: '',
    doc: 'Sender of alert email, e.g. "Snag <alerts@example.com>".',
    parse: str,
  },
  smtpSecure: {
    env: 'SNAG_SMTP_SECURE',
    default: '',
    doc: 'true: TLS from the first byte; false: plain, upgraded with STARTTLS when the server offers it. Default: true on port 465 only.',
    parse: (raw: string, name: string) => (raw.trim() === '' ? undefined : bool(raw, name)),
  },
  alertEmails: {
    env: 'SNAG_ALERT_EMAILS',
    default: '',
    doc: 'Comma list of addresses every project alerts (new issues, regressions, bursts) without any rule. Needs SNAG_SMTP_HOST.',
    parse: list,
  },
  ntfyUrl: {
    env: 'SNAG_NTFY_URL',
    default: '',
    doc: 'ntfy topic URL (e.g. https://ntfy.sh/my-team-alerts) every project alerts without any rule.',
    parse: str,
  },
  ntfyToken: {
    env: 'SNAG_NTFY_TOKEN',
    default: '',
    doc: 'ntfy access token for a protected topic (tk_…).',
    parse: str,
  },
  slackWebhookUrl: {
    env: 'SNAG_SLACK_WEBHOOK_URL',
    default: '',
    doc: 'Slack incoming-webhook URL every project alerts without any rule.',
    parse: str,
  },
  discordWebhookUrl: {
    env: 'SNAG_DISCORD_WEBHOOK_URL',
    default: '',
    doc: 'Discord webhook URL every project alerts without any rule.',
    parse: str,
  },
  webhookUrl: {
    env: 'SNAG_WEBHOOK_URL',
    default: '',
    doc: "URL receiving every project's alerts as signed JSON POSTs without any rule. Needs SNAG_WEBHOOK_SECRET.",
    parse: str,
  },
  webhookSecret: {
    env: 'SNAG_WEBHOOK_SECRET',
    default: '',
    doc: 'HMAC-SHA256 key for the X-Snag-Signature header of SNAG_WEBHOOK_URL requests; at least 16 characters (docs/api.md shows how to verify).',
    parse: str,
  },
  alertBurstPerHour: {
    env: 'SNAG_ALERT_BURST_PER_HOUR',
    default: '100',
    doc: 'Events per hour of one issue that make a burst alert on the zero-configuration channels.',
    parse: int(1, 1_000_000_000),
  },
  alertCooldownMinutes: {
    env: 'SNAG_ALERT_COOLDOWN_MINUTES',
    default: '60',
    doc: 'Minutes: the zero-configuration rules send one message per issue and trigger in this long; what they hold back follows as one digest.',
    parse: int(0, 10_080),
  },
  alertEvaluateSeconds: {
    env: 'SNAG_ALERT_EVALUATE_SECONDS',
    default: '60',
    doc: 'Seconds between evaluations of bursts, spikes and endpoint thresholds (new issues and regressions are read every second).',
    parse: int(1, 3600),
  },
  alertRetrySeconds: {
    env: 'SNAG_ALERT_RETRY_SECONDS',
    default: '30',
    doc: 'Seconds before the first retry of a failed alert delivery; each retry waits twice as long, at most an hour.',
    parse: int(1, 3600),
  },
  alertMaxAttempts: {
    env: 'SNAG_ALERT_MAX_ATTEMPTS',
    default: '8',
    doc: 'Attempts per alert delivery before it is given up (shown as failed, with its last error, in Settings → Alerts). 8 attempts at the defaults span about an hour.',
    parse: int(1, 100),
  },
  // ---- end Alerts settings ----
} satisfies Record<string, Setting<unknown>>;

type Parsed = { [K in keyof typeof SETTINGS]: ReturnType<(typeof SETTINGS)[K]['parse']> };

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const v = {} as Record<string, unknown>;
  for (const [key, setting] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const raw = env[setting.env];
    try {
      v[key] = setting.parse(raw === undefined || raw === '' ? setting.default : raw, setting.env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(`${err.message} (${setting.doc} Default: ${setting.default || 'derived'}.)`);
    }
  }
  const p = v as Parsed;

  if (problems.length === 0) {
    problems.push(...alertsConfigProblems(p)); // Alerts (issue 8, H3)
    // Operations (issue 8, H5)
    if (
      p.logRetentionDays !== undefined &&
      env['SNAG_RETENTION_LOGS_DAYS'] &&
      p.logRetentionDays !== p.retentionLogsDays
    ) {
      problems.push(
        `SNAG_LOG_RETENTION_DAYS (${p.logRetentionDays}) and SNAG_RETENTION_LOGS_DAYS (${p.retentionLogsDays}) disagree: keep only SNAG_RETENTION_LOGS_DAYS.`,
      );
    }
    if (p.metricsToken !== '' && (p.metricsToken.length < MIN_MCP_TOKEN_CHARS || /\s/.test(p.metricsToken))) {
      problems.push(
        `SNAG_METRICS_TOKEN must be at least ${MIN_MCP_TOKEN_CHARS} characters without spaces: generate one with \`openssl rand -hex 32\`.`,
      );
    }
    if (p.sentryTracesSampleRate > 0 && p.sentryDsn === '') {
      problems.push(
        'SNAG_SENTRY_TRACES_SAMPLE_RATE needs SNAG_SENTRY_DSN: set the DSN the traces go to, or unset the rate.',
      );
    }
    if (p.sentryDsn !== '') {
      try {
        const dsn = new URL(p.sentryDsn);
        if (!dsn.username || !/\/\d+$/.test(dsn.pathname)) throw new Error('shape');
      } catch {
        problems.push(
          `SNAG_SENTRY_DSN=${JSON.stringify(p.sentryDsn)} is not a DSN: copy one from Settings → Projects (https://<key>@<host>/<project id>).`,
        );
      }
    }
    if (p.queueWarningDepth > p.queueCriticalDepth) {
      problems.push(
        `SNAG_QUEUE_WARNING_DEPTH (${p.queueWarningDepth}) is above SNAG_QUEUE_CRITICAL_DEPTH (${p.queueCriticalDepth}): lower the first or raise the second.`,
      );
    }
    if (p.maxEventBytes > p.maxDecompressedBytes) {
      problems.push(
        `SNAG_MAX_EVENT_BYTES (${p.maxEventBytes}) is above SNAG_MAX_DECOMPRESSED_BYTES (${p.maxDecompressedBytes}): an event can never be larger than its envelope.`,
      );
    }
    if (p.mcpToken !== '' && (p.mcpToken.length < MIN_MCP_TOKEN_CHARS || /\s/.test(p.mcpToken))) {
      problems.push(
        `SNAG_MCP_TOKEN must be at least ${MIN_MCP_TOKEN_CHARS} characters without spaces (it guards every tool over your data): generate one with \`openssl rand -hex 32\`.`,
      );
    }
    if (p.publicUrl !== '') {
      try {
        const url = new URL(p.publicUrl);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
      } catch {
        problems.push(
          `SNAG_PUBLIC_URL=${JSON.stringify(p.publicUrl)} is not an http(s) URL: use the address users reach Snag at, e.g. https://snag.example.com.`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`Snag cannot start with this configuration:\n  - ${problems.join('\n  - ')}`);
  }

  return {
    host: p.host,
    port: p.port,
    dataDir: path.resolve(cwd, p.dataDir),
    publicUrl: (p.publicUrl || defaultPublicUrl(p.host, p.port)).replace(/\/+$/, ''),
    logLevel: p.logLevel,
    defaultProjectName: p.defaultProjectName,
    limits: {
      maxEnvelopeBytes: p.maxEnvelopeBytes,
      maxDecompressedBytes: p.maxDecompressedBytes,
      maxEventBytes: p.maxEventBytes,
    },
    queue: {
      maxDepth: p.queueMaxDepth,
      warningDepth: p.queueWarningDepth,
      criticalDepth: p.queueCriticalDepth,
      batchSize: p.workerBatchSize,
      restAfterIdleMs: p.workerRestAfterIdleSeconds * 1000,
      diskReserveBytes: p.diskReserveMb * MiB,
    },
    scrub: {
      enabled: p.scrubPii,
      ipAddresses: p.scrubIpAddresses,
      extraKeys: p.scrubExtraKeys,
      safeKeys: p.scrubSafeKeys,
    },
    apm: {
      nPlusOneThreshold: p.nPlusOneThreshold,
      nPlusOneDenylist: p.nPlusOneDenylist,
      spanOrphanTimeoutMs: p.spanOrphanTimeoutSeconds * 1000,
    },
    logs: { retentionMs: (p.logRetentionDays ?? p.retentionLogsDays) * 86_400_000 },
    // Operations (issue 8, H5)
    retention: {
      events: p.retentionEventsDays,
      transactions: p.retentionTransactionsDays,
      spans: p.retentionSpansDays,
      logs: p.logRetentionDays ?? p.retentionLogsDays,
      rollups: p.retentionRollupsDays,
    },
    maintenance: { retentionSchedule: p.retentionSchedule },
    metrics: { token: p.metricsToken || undefined },
    selfMonitor: { dsn: p.sentryDsn || undefined, tracesSampleRate: p.sentryTracesSampleRate },
    mcp: { token: p.mcpToken || undefined },
    auth: buildAuthConfig(p),
    alerts: buildAlertsConfig(p), // Alerts (issue 8, H3)
    // Rate limits (issue 9, H6)
    rateLimits: {
      error: p.rateLimitEventsPerMinute,
      transaction: p.rateLimitTransactionsPerMinute,
      log_item: p.rateLimitLogsPerMinute,
    },
  };
}

/** A wildcard bind address is not something a client can send to: advertise loopback instead. */
function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const bracketed = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}`;
}

// ---- Login (issue 7, H1) ---------------------------------------------------------------------

export type AuthMode = 'open' | 'oidc' | 'github' | 'misconfigured';

export interface OidcSettings {
  /** Issuer identifier, or the discovery document's URL when that is what was configured. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  providerName: string;
  scopes: string[];
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** Set when discovery is skipped (providers without it). */
  endpoints?: { authorization: string; token: string; jwks: string; userinfo?: string; endSession?: string };
}

export interface GithubSettings {
  clientId: string;
  clientSecret: string;
  /** Lower-cased org logins; empty: any org. */
  allowedOrgs: string[];
  webUrl: string;
  apiUrl: string;
}

export interface AuthConfig {
  mode: AuthMode;
  /** When misconfigured: what is missing or contradictory, one sentence each (the 503 names them). */
  problems: string[];
  oidc?: OidcSettings;
  github?: GithubSettings;
  allowedUsers: string[];
  allowedDomains: string[];
  sessionIdleMs: number;
  sessionMaxAgeMs: number;
  /** Sign-in requests per client address per minute (and burst). */
  loginRateLimitPerMinute: number;
  /** Whether Snag listens on a loopback address only (open mode is then fine). */
  loopbackBind: boolean;
}

const OIDC_ENDPOINT_VARS = [
  ['oidcAuthorizationUrl', 'SNAG_OIDC_AUTHORIZATION_URL'],
  ['oidcTokenUrl', 'SNAG_OIDC_TOKEN_URL'],
  ['oidcJwksUrl', 'SNAG_OIDC_JWKS_URL'],
  ['oidcUserinfoUrl', 'SNAG_OIDC_USERINFO_URL'],
  ['oidcEndSessionUrl', 'SNAG_OIDC_END_SESSION_URL'],
] as const;

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The login mode, decided once. Partial provider settings do not stop the process: ingest must keep
 * accepting events while someone fixes the login variables, so they give mode `misconfigured`
 * (UI and JSON API answer 503 naming what is missing). Malformed URLs are refused at boot.
 */
function buildAuthConfig(p: Parsed): AuthConfig {
  const invalid: string[] = [];
  const url = (value: string, name: string) => {
    if (value === '') return;
    try {
      const u = new URL(value);
      if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))) return;
      invalid.push(`${name}=${JSON.stringify(value)} must be https:// (http:// only on a loopback address).`);
    } catch {
      invalid.push(`${name}=${JSON.stringify(value)} is not a URL.`);
    }
  };
  url(p.oidcIssuer, 'SNAG_OIDC_ISSUER');
  for (const [key, name] of OIDC_ENDPOINT_VARS) url(p[key], name);
  url(p.githubUrl, 'SNAG_GITHUB_URL');
  url(p.githubApiUrl, 'SNAG_GITHUB_API_URL');
  if (invalid.length > 0) {
    throw new Error(`Snag cannot start with this configuration:\n  - ${invalid.join('\n  - ')}`);
  }

  const base = {
    allowedUsers: p.allowedUsers,
    allowedDomains: p.allowedDomains.map((d) => d.replace(/^@/, '')),
    sessionIdleMs: p.sessionIdleSeconds * 1000,
    sessionMaxAgeMs: p.sessionMaxAgeSeconds * 1000,
    loginRateLimitPerMinute: p.loginRateLimitPerMinute,
    loopbackBind: isLoopbackHost(p.host),
  };
  const missing = (pairs: [string, string][]) => pairs.filter(([v]) => v === '').map(([, n]) => n);
  const oidcSet = [p.oidcIssuer, p.oidcClientId, p.oidcClientSecret].some((v) => v !== '');
  const endpointsSet = OIDC_ENDPOINT_VARS.some(([key]) => p[key] !== '');
  const githubSet = p.githubClientId !== '' || p.githubClientSecret !== '';
  const problems: string[] = [];

  if (oidcSet && githubSet) {
    problems.push('Both SNAG_OIDC_* and SNAG_GITHUB_* are set: configure one login provider.');
  } else if (oidcSet || endpointsSet) {
    const absent = missing([
      [p.oidcIssuer, 'SNAG_OIDC_ISSUER'],
      [p.oidcClientId, 'SNAG_OIDC_CLIENT_ID'],
      [p.oidcClientSecret, 'SNAG_OIDC_CLIENT_SECRET'],
    ]);
    if (endpointsSet) {
      absent.push(
        ...missing([
          [p.oidcAuthorizationUrl, 'SNAG_OIDC_AUTHORIZATION_URL'],
          [p.oidcTokenUrl, 'SNAG_OIDC_TOKEN_URL'],
          [p.oidcJwksUrl, 'SNAG_OIDC_JWKS_URL'],
        ]),
      );
    }
    if (absent.length > 0) problems.push(`OIDC login is partly configured: set ${absent.join(', ')}.`);
  } else if (githubSet) {
    const absent = missing([
      [p.githubClientId, 'SNAG_GITHUB_CLIENT_ID'],
      [p.githubClientSecret, 'SNAG_GITHUB_CLIENT_SECRET'],
    ]);
    if (absent.length > 0) problems.push(`GitHub login is partly configured: set ${absent.join(', ')}.`);
  } else if (p.allowedUsers.length > 0 || p.allowedDomains.length > 0 || p.allowedGithubOrgs.length > 0) {
    problems.push(
      'An allowlist (SNAG_ALLOWED_USERS / SNAG_ALLOWED_DOMAINS / SNAG_ALLOWED_GITHUB_ORGS) is set but no login provider: set SNAG_OIDC_ISSUER, SNAG_OIDC_CLIENT_ID and SNAG_OIDC_CLIENT_SECRET, or SNAG_GITHUB_CLIENT_ID and SNAG_GITHUB_CLIENT_SECRET.',
    );
  } else {
    return { mode: 'open', problems, ...base };
  }
  if (p.allowedGithubOrgs.length > 0 && !githubSet) {
    problems.push(
      'SNAG_ALLOWED_GITHUB_ORGS only applies to GitHub login: set SNAG_GITHUB_CLIENT_ID and SNAG_GITHUB_CLIENT_SECRET, or unset it.',
    );
  }
  if (problems.length > 0) return { mode: 'misconfigured', problems, ...base };

  if (githubSet) {
    return {
      mode: 'github',
      problems,
      ...base,
      github: {
        clientId: p.githubClientId,
        clientSecret: p.githubClientSecret,
        allowedOrgs: p.allowedGithubOrgs.map((o) => o.toLowerCase()),
        webUrl: p.githubUrl.replace(/\/+$/, ''),
        apiUrl: p.githubApiUrl.replace(/\/+$/, ''),
      },
    };
  }
  return {
    mode: 'oidc',
    problems,
    ...base,
    oidc: {
      issuer: p.oidcIssuer,
      clientId: p.oidcClientId,
      clientSecret: p.oidcClientSecret,
      providerName: p.oidcProviderName || new URL(p.oidcIssuer).host,
      scopes: p.oidcScopes.includes('openid') ? p.oidcScopes : ['openid', ...p.oidcScopes],
      tokenAuthMethod: p.oidcTokenAuthMethod,
      endpoints: endpointsSet
        ? {
            authorization: p.oidcAuthorizationUrl,
            token: p.oidcTokenUrl,
            jwks: p.oidcJwksUrl,
            userinfo: p.oidcUserinfoUrl || undefined,
            endSession: p.oidcEndSessionUrl || undefined,
          }
        : undefined,
    },
  };
}

// ---- Alerts (issue 8, H3) --------------------------------------------------------------------

export interface AlertsConfig {
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    user: string | undefined;
    password: string | undefined;
    from: string;
  } | null;
  /** Zero-configuration channels (domain/alerts/env-channels.ts). */
  channels: {
    emails: string[];
    ntfy: { url: string; token: string | undefined } | null;
    slackWebhookUrl: string | undefined;
    discordWebhookUrl: string | undefined;
    webhook: { url: string; secret: string } | null;
  };
  burstPerHour: number;
  cooldownMinutes: number;
  evaluateIntervalMs: number;
  retryBaseMs: number;
  maxAttempts: number;
}

/** A webhook secret shorter than this could be guessed offline from one signed request. */
const MIN_WEBHOOK_SECRET_CHARS = 16;

function alertsConfigProblems(p: Parsed): string[] {
  const problems: string[] = [];
  const httpUrl = (name: string, value: string, example: string) => {
    if (value === '') return;
    try {
      const u = new URL(value);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      problems.push(`${name}=${JSON.stringify(value)} is not an http(s) URL, e.g. ${example}.`);
    }
  };
  if (p.smtpHost !== '' && p.smtpFrom === '') {
    problems.push(
      'SNAG_SMTP_HOST is set but SNAG_SMTP_FROM is not: set the sender, e.g. "Snag <alerts@example.com>".',
    );
  }
  if (p.alertEmails.length > 0 && p.smtpHost === '') {
    problems.push(
      'SNAG_ALERT_EMAILS is set but SNAG_SMTP_HOST is not: alert email needs an SMTP server (SNAG_SMTP_*).',
    );
  }
  const badEmail = p.alertEmails.find((e) => !/^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/.test(e));
  if (badEmail !== undefined)
    problems.push(`SNAG_ALERT_EMAILS: ${JSON.stringify(badEmail)} is not an email address.`);
  httpUrl('SNAG_NTFY_URL', p.ntfyUrl, 'https://ntfy.sh/my-team-alerts');
  if (p.ntfyUrl !== '' && /^https?:\/\/[^/]+\/?$/.test(p.ntfyUrl)) {
    problems.push(`SNAG_NTFY_URL=${JSON.stringify(p.ntfyUrl)} names no topic: use https://ntfy.sh/<topic>.`);
  }
  httpUrl('SNAG_SLACK_WEBHOOK_URL', p.slackWebhookUrl, 'https://hooks.slack.com/services/…');
  httpUrl('SNAG_DISCORD_WEBHOOK_URL', p.discordWebhookUrl, 'https://discord.com/api/webhooks/…');
  httpUrl('SNAG_WEBHOOK_URL', p.webhookUrl, 'https://example.com/snag-alerts');
  if (p.webhookUrl !== '' && p.webhookSecret.length < MIN_WEBHOOK_SECRET_CHARS) {
    problems.push(
      `SNAG_WEBHOOK_URL needs SNAG_WEBHOOK_SECRET of at least ${MIN_WEBHOOK_SECRET_CHARS} characters to sign its requests: generate one with \`openssl rand -hex 32\`.`,
    );
  }
  return problems;
}

function buildAlertsConfig(p: Parsed): AlertsConfig {
  return {
    smtp:
      p.smtpHost === ''
        ? null
        : {
            host: p.smtpHost,
            port: p.smtpPort,
            secure: p.smtpSecure ?? p.smtpPort === 465,
            user: p.smtpUser || undefined,
            password: p.smtpPassword || undefined,
            from: p.smtpFrom,
          },
    channels: {
      emails: p.alertEmails,
      ntfy: p.ntfyUrl === '' ? null : { url: p.ntfyUrl, token: p.ntfyToken || undefined },
      slackWebhookUrl: p.slackWebhookUrl || undefined,
      discordWebhookUrl: p.discordWebhookUrl || undefined,
      webhook: p.webhookUrl === '' ? null : { url: p.webhookUrl, secret: p.webhookSecret },
    },
    burstPerHour: p.alertBurstPerHour,
    cooldownMinutes: p.alertCooldownMinutes,
    evaluateIntervalMs: p.alertEvaluateSeconds * 1000,
    retryBaseMs: p.alertRetrySeconds * 1000,
    maxAttempts: p.alertMaxAttempts,
  };
}
// ---- end Alerts ----
