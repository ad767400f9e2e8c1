/** Command-line flags of bench/errors.js, with their defaults and bounds. */
import { DEFAULT_POOL_SIZE } from './corpus.js';
import { DEFAULT_CONCURRENCY, DEFAULT_RATE_PER_SECOND } from './load.js';

const DEFAULT_SECONDS = 20;
const QUICK_SECONDS = 5;
/** A smoke run needs variety, not the full pool (which takes ~3 s to build). */
const QUICK_POOL_SIZE = 500;
const MODES = ['full', 'rate', 'both'];

export const USAGE = `usage: node bench/errors.js [options]   (or: npm run bench -- [options])
  --mode full|rate|both   which load shapes to run (default both)
  --seconds N             seconds of sending per mode (default ${DEFAULT_SECONDS})
  --concurrency N         requests in flight / sockets (default ${DEFAULT_CONCURRENCY})
  --rate N                events/s for the fixed-rate mode (default ${DEFAULT_RATE_PER_SECOND})
  --repeat N              run everything N times and report medians (default 1)
  --pool N                distinct pre-built envelopes (default ${DEFAULT_POOL_SIZE})
  --cpu-prof              profile the server (node --cpu-prof into .bench/) and summarise it
  --probe                 time the HTTP thread's queue commits, job deletes and event-loop delay
  --quick                 ${QUICK_SECONDS} s per mode, smaller pool: a smoke run`;

const NUMERIC = {
  '--seconds': ['seconds', 1, 3600],
  '--concurrency': ['concurrency', 1, 1024],
  '--rate': ['rate', 1, 100_000],
  '--repeat': ['repeat', 1, 10],
  '--pool': ['pool', 10, 100_000],
};

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
    } else if (flag === '--quick') flags.quick = true;
    else if (flag === '--cpu-prof') flags.cpuProf = true;
    else if (flag === '--probe') flags.probe = true;
    else if (flag === '--help' || flag === '-h') flags.help = true;
    else throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
  }
  if (flags.quick) {
    if (!explicit.has('--seconds')) flags.seconds = QUICK_SECONDS;
    if (!explicit.has('--pool')) flags.pool = QUICK_POOL_SIZE;
  }
  return flags;
}
