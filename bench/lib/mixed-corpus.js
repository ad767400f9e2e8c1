/**
 * The mixed kind's three pools, built before any clock starts from the single kinds' generators:
 * error envelopes reaching for 5–50 KB (corpus.js), classic transaction envelopes with 10–100
 * spans (transactions.js; health checks keep their 4), and logs as two senders at once: OTLP/HTTP
 * protobuf bodies of 100–1,000 records (logs-corpus.js) and @sentry/node log envelopes of 100
 * (sentry-logs-corpus.js), SENTRY_LOG_SHARE of the records by the latter.
 */
import { buildCorpus, createEnvelopeSource, describeCorpus, MIXED_MAX_EVENT_BYTES } from './corpus.js';
import { buildLogCorpus, createLogSource, describeLogCorpus } from './logs-corpus.js';
import { verifyLogCorpus } from './logs-verify.js';
import {
  buildSentryLogCorpus,
  describeSentryLogCorpus,
  LOGS_PER_ENVELOPE,
  verifySentryLogCorpus,
} from './sentry-logs-corpus.js';
import {
  buildTransactionCorpus,
  createTransactionSource,
  describeTransactionCorpus,
} from './transactions.js';

export const MIXED_SPAN_RANGE = { min: 10, max: 100 };
/** log-records.js makes ~30 % of its records Sentry-flavoured; the mix sends them the same way. */
export const SENTRY_LOG_SHARE = 0.3;

export async function buildMixedCorpus({ pool, transactionPool, logPool, gzip }, repoRoot, note) {
  note(`[mixed] building ${pool} error envelopes (5–50 KB)…`);
  const errors = buildCorpus(pool, { maxEventBytes: MIXED_MAX_EVENT_BYTES });
  note(`[mixed] building ${transactionPool} transaction envelopes (10–100 spans)…`);
  const transactions = buildTransactionCorpus(transactionPool, 'transactions', gzip, MIXED_SPAN_RANGE);
  note(`[mixed] building ${logPool} OTLP bodies and ${logPool} Sentry log envelopes, checking them…`);
  const otlp = buildLogCorpus(logPool);
  const sentry = buildSentryLogCorpus(logPool);
  const sizes = await verifyLogCorpus(otlp, repoRoot);
  await verifySentryLogCorpus(sentry, repoRoot);
  const otlpFacts = { ...describeLogCorpus(otlp), ...sizes };
  // Requests per record share: a Sentry envelope is LOGS_PER_ENVELOPE records, an OTLP body the mean.
  const sentryRequestShare =
    SENTRY_LOG_SHARE /
    LOGS_PER_ENVELOPE /
    (SENTRY_LOG_SHARE / LOGS_PER_ENVELOPE + (1 - SENTRY_LOG_SHARE) / otlpFacts.recordsPerBodyMean);
  const recordsPerLogRequest =
    sentryRequestShare * LOGS_PER_ENVELOPE + (1 - sentryRequestShare) * otlpFacts.recordsPerBodyMean;
  return {
    errors,
    transactions,
    otlp,
    sentry,
    recordsPerLogRequest,
    facts: {
      errors: describeCorpus(errors),
      transactions: describeTransactionCorpus(transactions),
      otlp: otlpFacts,
      sentry: describeSentryLogCorpus(sentry),
      recordsPerLogRequest,
    },
  };
}

/**
 * One log sender for both formats: each request goes to whichever format is behind its share of
 * the records sent so far, so any prefix of the sends holds the mix. `records` counts what went out.
 */
function createMixedLogSource(corpus, publicKey) {
  const otlp = createLogSource(corpus.otlp, publicKey);
  let sentryIndex = 0;
  let sentryRecords = 0;
  const source = {
    records: 0,
    next() {
      const sentryBehind = sentryRecords < SENTRY_LOG_SHARE * source.records;
      const item = sentryBehind
        ? corpus.sentry.entries[sentryIndex++ % corpus.sentry.entries.length]
        : otlp.next();
      if (sentryBehind) sentryRecords += item.records;
      source.records += item.records;
      return item;
    },
  };
  return source;
}

export function createMixedSources(corpus, publicKey) {
  return {
    errors: createEnvelopeSource(corpus.errors, publicKey),
    transactions: createTransactionSource(corpus.transactions, publicKey),
    logs: createMixedLogSource(corpus, publicKey),
  };
}
