/**
 * The only reader of process.env. Every setting is an `SNAG_` variable with a default that works on
 * localhost; each entry says its unit and why the default is what it is. `loadConfig` validates the
 * lot at boot and refuses contradictions with a message that says how to fix them.
 */
import path from 'node:path';

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
  mcp: {
    /** Shared bearer secret for /mcp (besides minted tokens); undefined when unset. */
    token: string | undefined;
  };
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

function bool(raw: string, name: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a boolean: use true or false.`);
}

const str = (raw: string) => raw.trim();
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
    default: '14',
    doc: 'Days log records are kept, separately from errors and transactions (logs are the bulkiest data); older ones are deleted every minute.',
    parse: int(1, 3650),
  },
  mcpToken: {
    env: 'SNAG_MCP_TOKEN',
    default: '',
    doc: 'Bearer token MCP clients may send to /mcp, besides tokens minted with `snag token create`. At least 32 characters (e.g. `openssl rand -hex 32`). `snag mcp --url` sends it too. Empty: minted tokens only.',
    parse: str,
  },
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
    logs: { retentionMs: p.logRetentionDays * 86_400_000 },
    mcp: { token: p.mcpToken || undefined },
  };
}

/** A wildcard bind address is not something a client can send to: advertise loopback instead. */
function defaultPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const bracketed = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}`;
}
