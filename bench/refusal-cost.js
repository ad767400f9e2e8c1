#!/usr/bin/env node
/**
 * What a refused ingest request costs the HTTP thread (issue 9: at the queue's cap the overloaded
 * box answers most requests 429, and the main thread's CPU is what the UI waits for). A server per
 * build, every enqueue refused (SNAG_DISK_RESERVE_MB above any disk: the same refusal path as the
 * cap's 429, deterministic), loaded with the mixed bench's error and transaction envelopes; the
 * figure is the main thread's CPU (/proc/<pid>/task/<pid>/schedstat, CPU time, so a busy box
 * changes it little) per request. Builds alternate, `--rounds` times.
 *
 *   node bench/refusal-cost.js --dist /tmp/snag-base-s6 --dist . [--requests 4000] [--rounds 3]
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { buildCorpus, createEnvelopeSource, MIXED_MAX_EVENT_BYTES } from './lib/corpus.js';
import { postEnvelope } from './lib/load.js';
import { startServer } from './lib/server.js';
import { buildTransactionCorpus, createTransactionSource } from './lib/transactions.js';

const CONCURRENCY = 16;
const POOL = 400;
const RESERVE_ABOVE_ANY_DISK_MB = String(1024 * 1024);

function readFlags(argv) {
  const flags = { roots: [], requests: 4000, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dist') flags.roots.push(path.resolve(argv[++i]));
    else if (argv[i] === '--requests') flags.requests = Number(argv[++i]);
    else if (argv[i] === '--rounds') flags.rounds = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (flags.roots.length === 0)
    throw new Error('usage: node bench/refusal-cost.js --dist <root> [--dist <root>…]');
  return flags;
}

/** [CPU ms, run-queue wait ms] of the server's main thread so far. */
const mainThreadTimes = (pid) =>
  fs
    .readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')
    .split(' ')
    .slice(0, 2)
    .map((ns) => Number(ns) / 1e6);

async function sendAll(server, source, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses = {};
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const answer = await postEnvelope(agent, server, source.next(), 0);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}

async function measure(root, corpora, requests) {
  const server = await startServer({
    repoRoot: root,
    env: { SNAG_DISK_RESERVE_MB: RESERVE_ABOVE_ANY_DISK_MB },
  });
  try {
    const figures = {};
    for (const [kind, makeSource] of Object.entries(corpora)) {
      const source = makeSource(server.publicKey);
      await sendAll(server, source, CONCURRENCY * 4); // warm-up: JIT, sockets
      const [cpuBefore] = mainThreadTimes(server.pid);
      const statuses = await sendAll(server, source, requests);
      const [cpuAfter] = mainThreadTimes(server.pid);
      figures[kind] = { cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1000) / requests, statuses };
    }
    return figures;
  } finally {
    await server.stop();
  }
}

async function main() {
  const flags = readFlags(process.argv.slice(2));
  const errors = buildCorpus(POOL, { maxEventBytes: MIXED_MAX_EVENT_BYTES });
  const transactions = buildTransactionCorpus(POOL, 'transactions', 'sdk', { min: 10, max: 100 });
  const corpora = {
    errors: (key) => createEnvelopeSource(errors, key),
    transactions: (key) => createTransactionSource(transactions, key),
  };
  for (let round = 1; round <= flags.rounds; round++) {
    for (const root of flags.roots) {
      const figures = await measure(root, corpora, flags.requests);
      const line = Object.entries(figures)
        .map(
          ([kind, f]) => `${kind} ${f.cpuUsPerRequest.toFixed(1)} µs/request ${JSON.stringify(f.statuses)}`,
        )
        .join('; ');
      process.stdout.write(`round ${round} ${root}: main thread CPU per refused request: ${line}\n`);
    }
  }
}

await main();
