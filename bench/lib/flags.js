/** Command-line flags of bench/errors.js, with their defaults and bounds. */
import { DEFAULT_POOL_SIZE } from './corpus.js';
import { DEFAULT_CONCURRENCY, DEFAULT_RATE_PER_SECOND } from './load.js';
import { DEFAULT_LOG_POOL_SIZE, QUICK_LOG_POOL_SIZE } from './logs-corpus.js';
import { DEFAULT_MIX_RATES, DEFAULT_MIXED_SECONDS, QUICK_MIXED_SECONDS } from './mixed-bench.js';
import { TARGET_RECORDS_PER_SECOND } from './logs-report.js';
import { DEFAULT_TRANSACTION_POOL_SIZE, GZIP_MODES } from './transactions.js';

const DEFAULT_SECONDS = 20;
const QUICK_SECONDS = 5;
/** A smoke run needs variety, not the full pool (which takes ~3 s to build). */
const QUICK_POOL_SIZE = 500;
const QUICK_TRANSACTION_POOL_SIZE = 300;
const MODES = ['full', 'rate', 'both'];
export const KINDS = ['errors', 'transactions', 'spans', 'stats', 'logs', 'mixed'];
/**
 * What `npm run bench` runs with no --kind: ~8 minutes on the 2-vCPU box of docs/benchmarks.md,
 * logs ~5 of them while its full-speed backlog takes ~2 minutes to drain. `stats` takes ~2 more
 * while the 30-day overview takes seconds a call; `spans` ~1 more.
 */
export const DEFAULT_KINDS = ['errors', 'transactions', 'logs'];

export const USAGE = `usage: node bench/errors.js [options]   (or: npm run bench -- [options])
  --kind K[,K…]|all       what to measure, in this order (default ${DEFAULT_KINDS.join(',')}):
                            errors        error events (gzip envelopes, @sentry/node)
                            transactions  classic transaction envelopes (@sentry/node static lifecycle)
                            spans         span v2 envelopes (@sentry/node stream lifecycle, its default)
                            stats         endpoint stats API over 30 days of seeded rollups
                            logs          OTLP/HTTP protobuf log requests of 100–1,000 records
                            mixed         errors, transactions and logs (OTLP + Sentry) at once on one
                                          server, with queryable probes and UI/MCP reads (issue 9)
                          all = ${KINDS.join(',')}
  --mode full|rate|both   which load shapes to run (default both)
  --seconds N             seconds of sending per mode (default ${DEFAULT_SECONDS})
  --concurrency N         requests in flight / sockets (default ${DEFAULT_CONCURRENCY})
  --rate N                envelopes/s for the fixed-rate mode (default ${DEFAULT_RATE_PER_SECOND})
  --repeat N              run everything N times and report medians (default 1)
  --pool N                distinct pre-built envelopes (default ${DEFAULT_POOL_SIZE} errors, ${DEFAULT_TRANSACTION_POOL_SIZE} transactions,
                          ${DEFAULT_LOG_POOL_SIZE} log requests)
  --gzip sdk|always       transaction bodies: gzip over 32 KiB as @sentry/node does (default), or all
  --log-rate N            records/s for the logs fixed-rate mode, sent as whole requests (default ${TARGET_RECORDS_PER_SECOND})
  --log-rows N            logs: instead of load, seed N records (10000000 for the target) and time search
  --duration N            mixed: seconds of sending per mode (default ${DEFAULT_MIXED_SECONDS}, the issue's 10 minutes; --quick ${QUICK_MIXED_SECONDS})
  --mix-rates E,T,L       mixed: errors/s, transactions/s, log records/s of the fixed-rate mode
                          (default ${DEFAULT_MIX_RATES.errors},${DEFAULT_MIX_RATES.transactions},${DEFAULT_MIX_RATES.logs}: half of each single-kind target)
  --cpu-prof              profile the server (node --cpu-prof into .bench/) and summarise it
  --probe                 time the HTTP thread's queue commits, job deletes and event-loop delay
                          (mixed: a timeline in .bench/stall-trace-*/, read by bench/stall-report.js)
  --quick                 ${QUICK_SECONDS} s per mode (mixed ${QUICK_MIXED_SECONDS} s), smaller pools and stats seed: a smoke run`;

const NUMERIC = {
  '--seconds': ['seconds', 1, 3600],
  '--concurrency': ['concurrency', 1, 1024],
  '--rate': ['rate', 1, 100_000],
  '--repeat': ['repeat', 1, 10],
  '--pool': ['pool', 10, 100_000],
  '--log-rate': ['logRate', 1, 1_000_000],
  '--log-rows': ['logRows', 1_000, 1_000_000_000],
  '--duration': ['mixedSeconds', 1, 86_400],
};
const MAX_MIX_RATE = 1_000_000;

function readInteger(flag, raw, [, min, max]) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}\n${USAGE}`,
    );
  }
  return value;
}

export function parseFlags(argv) {
  const flags = {
    mode: 'both',
    seconds: DEFAULT_SECONDS,
    concurrency: DEFAULT_CONCURRENCY,
    rate: DEFAULT_RATE_PER_SECOND,
    repeat: 1,
    pool: DEFAULT_POOL_SIZE,
    transactionPool: DEFAULT_TRANSACTION_POOL_SIZE,
    logPool: DEFAULT_LOG_POOL_SIZE,
    logRate: TARGET_RECORDS_PER_SECOND,
    logRows: 0,
    mixedSeconds: DEFAULT_MIXED_SECONDS,
    mixRates: DEFAULT_MIX_RATES,
    kinds: DEFAULT_KINDS,
    gzip: 'sdk',
    cpuProf: false,
    probe: false,
    quick: false,
    help: false,
  };
  const explicit = new Set();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag in NUMERIC) {
      flags[NUMERIC[flag][0]] = readInteger(flag, value(), NUMERIC[flag]);
      explicit.add(flag);
    } else if (flag === '--mode') {
      flags.mode = value();
      if (!MODES.includes(flags.mode)) throw new Error(`--mode must be one of ${MODES.join(', ')}\n${USAGE}`);
    } else if (flag === '--mix-rates') {
      flags.mixRates = readMixRates(value());
    } else if (flag === '--kind') {
      flags.kinds = readKinds(value());
    } else if (flag === '--gzip') {
      flags.gzip = value();
      if (!GZIP_MODES.includes(flags.gzip))
        throw new Error(`--gzip must be one of ${GZIP_MODES.join(', ')}\n${USAGE}`);
    } else if (flag === '--quick') flags.quick = true;
    else if (flag === '--cpu-prof') flags.cpuProf = true;
    else if (flag === '--probe') flags.probe = true;
    else if (flag === '--help' || flag === '-h') flags.help = true;
    else throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
  }
  if (explicit.has('--pool')) flags.transactionPool = flags.logPool = flags.pool;
  if (flags.quick) {
    if (!explicit.has('--seconds')) flags.seconds = QUICK_SECONDS;
    if (!explicit.has('--duration')) flags.mixedSeconds = QUICK_MIXED_SECONDS;
    if (!explicit.has('--pool')) {
      flags.pool = QUICK_POOL_SIZE;
      flags.transactionPool = QUICK_TRANSACTION_POOL_SIZE;
      flags.logPool = QUICK_LOG_POOL_SIZE;
    }
  }
  return flags;
}

function readKinds(raw) {
  if (raw === 'all') return KINDS;
  const kinds = String(raw ?? '').split(',');
  const unknown = kinds.filter((k) => !KINDS.includes(k));
  if (unknown.length > 0 || kinds.length === 0)
    throw new Error(
      `--kind takes ${KINDS.join(', ')} (comma-separated) or all, got ${JSON.stringify(raw)}\n${USAGE}`,
    );
  // In the canonical order, each once.
  return KINDS.filter((k) => kinds.includes(k));
}

/** "errors,transactions,logs" per second, e.g. 1000,500,10000. */
function readMixRates(raw) {
  const parts = String(raw ?? '').split(',');
  const values = parts.map(Number);
  if (values.length !== 3 || !values.every((v) => Number.isInteger(v) && v >= 1 && v <= MAX_MIX_RATE))
    throw new Error(
      `--mix-rates takes three whole numbers from 1 to ${MAX_MIX_RATE}: errors/s,transactions/s,log records/s; got ${JSON.stringify(raw)}\n${USAGE}`,
    );
  const [errors, transactions, logs] = values;
  return { errors, transactions, logs };
}
