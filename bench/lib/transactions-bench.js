/**
 * `--kind transactions` and `--kind spans`: the transaction corpus against a real server, full
 * speed and/or fixed rate (load.js), each on a fresh data dir, after the in-process floor
 * (transaction-baseline.js). Stored counts come from /_health `transaction_count`; what /_health
 * does not say (duplicates, rollup rows, payload sizes) is read from transactions.db once the
 * queue is drained, through a read-only connection.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { formatProfileSummaries, perItemOf, summarizeCpuProfiles } from './cpu-profile.js';
import { createProfileDir, note, REPO_ROOT, withServer } from './harness.js';
import { runFixedRate, runFullSpeed } from './load.js';
import { measureDigestFloor } from './transaction-baseline.js';
import {
  buildTransactionCorpus,
  createTransactionSource,
  describeTransactionCorpus,
} from './transactions.js';
import { renderTransactionsTable, renderTransactionsTargets } from './transactions-report.js';

const TITLES = {
  transactions: 'Transactions (classic `transaction` envelopes, @sentry/node static lifecycle)',
  spans: 'Transactions as streamed spans (span v2 envelopes, @sentry/node stream lifecycle)',
};

/** Counters and sizes from transactions.db, read while the server still runs (WAL readers never block it). */
function inspectTransactionsDb(server) {
  const db = new Database(path.join(server.dataDir, 'transactions.db'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const counters = Object.fromEntries(
      db
        .prepare('SELECT name, value FROM counters')
        .all()
        .map((r) => [r.name, r.value]),
    );
    const rows = db.prepare('SELECT count(*) AS n, avg(length(payload)) AS payload FROM transactions').get();
    return {
      db: {
        rows: rows.n,
        payloadBytesMean: rows.payload ?? NaN,
        duplicates: counters.duplicate_transactions ?? 0,
        lateSpans: counters.late_spans ?? 0,
        orphans: counters.orphan_segments ?? 0,
        rollupRows: db.prepare('SELECT count(*) AS n FROM endpoint_rollups').get().n,
        pendingSpans: db.prepare('SELECT count(*) AS n FROM pending_spans').get().n,
      },
    };
  } finally {
    db.close();
  }
}

export async function runTransactionsKind(flags, kind) {
  note(`[${kind}] building ${flags.transactionPool} envelopes…`);
  const corpus = buildTransactionCorpus(flags.transactionPool, kind, flags.gzip);
  const corpusFacts = describeTransactionCorpus(corpus);
  const modes = flags.mode === 'both' ? ['full', 'rate'] : [flags.mode];
  const runs = [];
  const profiles = [];
  for (let i = 0; i < flags.repeat; i++) {
    const tag = flags.repeat > 1 ? ` ${i + 1}/${flags.repeat}` : '';
    note(`[${kind}${tag}] in-process floor: parse, digest, encode, rollups on the same payloads…`);
    const run = { corpus: corpusFacts, baseline: await measureDigestFloor(corpus, REPO_ROOT) };
    for (const mode of modes) {
      // Profiling slows the server a little, so only the first run of a --cpu-prof invocation is profiled.
      const profileDir = flags.cpuProf && i === 0 ? createProfileDir(`${kind}-${mode}`) : undefined;
      const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
      run[mode] = await withServer({ nodeArgs, probe: flags.probe }, (server) => {
        const options = {
          server,
          source: createTransactionSource(corpus, server.publicKey),
          seconds: flags.seconds,
          concurrency: flags.concurrency,
          label: `${kind} ${mode}${tag}`,
          storedCount: (health) => health.transaction_count,
          inspect: inspectTransactionsDb,
        };
        return mode === 'full' ? runFullSpeed(options) : runFixedRate({ ...options, rate: flags.rate });
      });
      if (profileDir) {
        const summaries = summarizeCpuProfiles(profileDir);
        const perItem = perItemOf(run[mode], 'transaction');
        profiles.push(
          `#### ${mode === 'full' ? 'Full speed' : 'Fixed rate'} (${path.relative(REPO_ROOT, profileDir)})\n\n${formatProfileSummaries(summaries, perItem)}`,
        );
      }
    }
    runs.push(run);
  }
  return {
    title: TITLES[kind],
    table: renderTransactionsTable(runs, flags.repeat),
    targets: renderTransactionsTargets(runs),
    profile: profiles.length > 0 ? profiles.join('\n') : undefined,
    runs,
  };
}
