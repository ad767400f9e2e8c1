/**
 * `node bench/digest-stages.js` (after `npm run build`): what one event costs the digest worker,
 * stage by stage, on the same corpus as bench/errors.js and Snag's own compiled code, in one
 * thread with no HTTP and no database. The worker must stay under 500 µs per event for 2,000
 * events/s on one core; this says which stage to cut.
 */
import { performance } from 'node:perf_hooks';
import { normalizeEvent } from '../dist/domain/events/normalize.js';
import { scrubEvent } from '../dist/domain/events/scrub.js';
import { groupEvent } from '../dist/domain/issues/grouping.js';
import { encodePayload } from '../dist/storage/payload-codec.js';
import { digestEventJob } from '../dist/workers/jobs/digest-event.js';
import { buildCorpus } from './lib/corpus.js';

const POOL_SIZE = 1000;
const ROUNDS = 3;
/** Snag's default scrubbing (SNAG_SCRUB_PII=true, IP addresses kept). */
const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const EVENT_ID = 'a'.repeat(32);

/** Runs the stages digestEventJob runs, timing each; returns µs per event per stage. */
function timeStages(payloads) {
  const total = { parse: 0, normalize: 0, scrub: 0, group: 0, stringify: 0, compress: 0 };
  const mark = (stage, since) => {
    const now = performance.now();
    total[stage] += now - since;
    return now;
  };
  for (const payload of payloads) {
    let t = performance.now();
    const raw = JSON.parse(payload.toString('utf8'));
    t = mark('parse', t);
    const event = normalizeEvent(raw, { eventId: EVENT_ID, receivedAt: Date.now(), clientIp: '127.0.0.1' });
    t = mark('normalize', t);
    scrubEvent(event, SCRUB);
    t = mark('scrub', t);
    groupEvent(event);
    t = mark('group', t);
    const json = JSON.stringify(event);
    t = mark('stringify', t);
    encodePayload(json);
    mark('compress', t);
  }
  return Object.fromEntries(
    Object.entries(total).map(([stage, ms]) => [stage, (ms * 1000) / payloads.length]),
  );
}

/** The real job function end to end, as the worker calls it. */
function timeDigestEventJob(payloads) {
  const jobs = payloads.map((payload, id) => ({
    id,
    kind: 'event',
    projectId: 1,
    receivedAt: Date.now(),
    meta: JSON.stringify({ event_id: id.toString(16).padStart(32, '0'), client_ip: '127.0.0.1' }),
    payload,
  }));
  const startedAt = performance.now();
  for (const job of jobs) digestEventJob(job, SCRUB);
  return ((performance.now() - startedAt) * 1000) / jobs.length;
}

function main() {
  const payloads = buildCorpus(POOL_SIZE).entries.map((entry) => entry.payload);
  timeStages(payloads); // warm-up: let V8 optimise before the clock counts
  const rounds = Array.from({ length: ROUNDS }, () => timeStages(payloads));
  const digest = Array.from({ length: ROUNDS }, () => timeDigestEventJob(payloads)).sort((a, b) => a - b);
  console.log('| stage | µs per event (median of rounds) |\n|---|---|');
  for (const stage of Object.keys(rounds[0])) {
    const values = rounds.map((r) => r[stage]).sort((a, b) => a - b);
    console.log(`| ${stage} | ${values[Math.floor(ROUNDS / 2)].toFixed(0)} |`);
  }
  console.log(`| digestEventJob, end to end | ${digest[Math.floor(ROUNDS / 2)].toFixed(0)} |`);
}

main();
