/**
 * `node bench/digest-stages.js` (after `npm run build`): what one event costs the digest worker,
 * stage by stage, on the same corpus as bench/errors.js and Snag's own compiled code, in one
 * thread with no HTTP and no database. The worker must stay under 500 µs per event for 2,000
 * events/s on one core; this says which stage to cut.
 *
 * Two figures per stage: the median of the rounds' means, and "fastest", the mean over events of
 * each event's fastest round, which leaves out much of what other processes on a shared box add.
 *
 * `--dist DIR` (repeatable) times other builds of src/ instead of ./dist; build one inside the repo
 * so its imports find node_modules, e.g. the last commit's:
 *
 *   mkdir -p .bench/digest-before
 *   git archive HEAD src tsconfig.json tsconfig.build.json | tar -x -C .bench/digest-before
 *   npx tsc -p .bench/digest-before/tsconfig.build.json
 *   node bench/digest-stages.js --dist .bench/digest-before/dist --dist dist
 *
 * With several, each event runs through every build back to back, in turn, so load on the box
 * hits them alike: on the shared 2-vCPU box of docs/benchmarks.md, at load averages of 4–8,
 * eleven such runs put the end-to-end ratio between two builds at 0.67–0.70 while the "fastest"
 * figures themselves moved by up to 65 % from run to run and the medians by 2.5×.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { buildCorpus, createEnvelopeSource } from './lib/corpus.js';

const POOL_SIZE = 1000;
const ROUNDS = 5;
/** Snag's default scrubbing (SNAG_SCRUB_PII=true, IP addresses kept). */
const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const EVENT_ID = 'a'.repeat(32);
/** Snag's default SNAG_MAX_DECOMPRESSED_BYTES. */
const MAX_DECOMPRESSED_BYTES = 50 * 1024 * 1024;
/**
 * The last is not a stage but the job function as the worker calls it, end to end. The first is
 * what a job queued as sent (the whole gzip envelope, see src/ingest/sentry/accept.ts) costs before
 * `digestEventJob` sees its item; a job queued decompressed skips it.
 */
const STAGES = [
  'unpack (gzip envelope queued as sent)',
  'parse',
  'normalize',
  'scrub',
  'group',
  'stringify',
  'compress',
  'digestEventJob, end to end',
];

async function loadBuild(dist, trainingJobs) {
  const load = async (file) => import(pathToFileURL(path.resolve(dist, file)).href);
  const build = {
    name: dist,
    normalizeEvent: (await load('domain/events/normalize.js')).normalizeEvent,
    scrubEvent: (await load('domain/events/scrub.js')).scrubEvent,
    groupEvent: (await load('domain/issues/grouping.js')).groupEvent,
    encodePayload: (await load('storage/payload-codec.js')).encodePayload,
    digestEventJob: (await load('workers/jobs/digest-event.js')).digestEventJob,
    unpackJob: (await load('workers/unpack-job.js')).unpackJob,
  };
  const codec = await trainCodec(build, load, trainingJobs);
  if (!codec) return build;
  const digest = build.digestEventJob;
  return {
    ...build,
    name: `${dist} (dictionary)`,
    encodePayload: (json) => codec.encode(json),
    digestEventJob: (job, scrub) => digest(job, scrub, codec),
  };
}

/**
 * A build with payload dictionaries (src/storage/payload-dictionaries.ts) compresses with one, as
 * the errors thread does once a database has one: trained as the worker trains it (its sample
 * count and cut) on events outside the timed pool, so the timed events were never seen.
 */
async function trainCodec(build, load, trainingJobs) {
  const codecModule = await load('storage/payload-codec.js');
  if (!codecModule.createPayloadCodec) return null;
  const dictionaries = await load('storage/payload-dictionaries.js');
  const { trainDictionary } = await load('domain/logs/dictionary-trainer.js');
  const samples = trainingJobs.slice(0, dictionaries.TRAINING_SAMPLES).map((job) => {
    const event = build.normalizeEvent(JSON.parse(job.payload.toString('utf8')), {
      eventId: EVENT_ID,
      receivedAt: job.receivedAt,
      clientIp: '127.0.0.1',
    });
    const json = Buffer.from(JSON.stringify(build.scrubEvent(event, SCRUB)));
    return json.subarray(0, 8 * 1024);
  });
  const bytes = trainDictionary(samples, { dictBytes: dictionaries.DICTIONARY_BYTES });
  const codec = codecModule.createPayloadCodec();
  codec.useDictionary({ id: dictionaries.dictionaryIdOf(bytes), bytes });
  return codec;
}

/**
 * Runs the stages digestEventJob runs, timing each, then the real job function end to end as the
 * worker calls it; adds each stage's milliseconds to `sums` and lowers `fastest[stage][index]`.
 */
function timeEvent(build, { job, asSent }, index, sums, fastest) {
  const times = [performance.now()];
  build.unpackJob(asSent, MAX_DECOMPRESSED_BYTES);
  times.push(performance.now());
  const raw = JSON.parse(job.payload.toString('utf8'));
  times.push(performance.now());
  const event = build.normalizeEvent(raw, {
    eventId: EVENT_ID,
    receivedAt: job.receivedAt,
    clientIp: '127.0.0.1',
  });
  times.push(performance.now());
  build.scrubEvent(event, SCRUB);
  times.push(performance.now());
  build.groupEvent(event);
  times.push(performance.now());
  const json = JSON.stringify(event);
  times.push(performance.now());
  const stored = build.encodePayload(json).payload.length;
  times.push(performance.now());
  build.digestEventJob(job, SCRUB);
  times.push(performance.now());
  for (let stage = 0; stage < STAGES.length; stage++) {
    const ms = times[stage + 1] - times[stage];
    sums[stage] += ms;
    fastest[stage][index] = Math.min(fastest[stage][index], ms);
  }
  return stored;
}

async function main() {
  const { values } = parseArgs({ options: { dist: { type: 'string', multiple: true } } });
  const dists = values.dist ?? [path.join(import.meta.dirname, '../dist')];
  const corpus = buildCorpus(POOL_SIZE);
  const trainingJobs = buildCorpus(POOL_SIZE * 2)
    .entries.slice(POOL_SIZE)
    .map((entry) => ({ receivedAt: Date.now(), payload: entry.payload }));
  const builds = [];
  for (const dist of dists) builds.push(await loadBuild(dist, trainingJobs));
  // The pool in order: the i-th body is the i-th entry's envelope as bench/errors.js sends it.
  const envelopes = createEnvelopeSource(corpus, 'a'.repeat(32));
  const jobs = corpus.entries.map((entry, id) => {
    const job = {
      id,
      kind: 'event',
      projectId: 1,
      receivedAt: Date.now(),
      meta: JSON.stringify({ event_id: id.toString(16).padStart(32, '0'), client_ip: '127.0.0.1' }),
      payload: entry.payload,
    };
    const meta = { ...JSON.parse(job.meta), encoding: 'gzip', item: 0 };
    return { job, asSent: { ...job, meta: JSON.stringify(meta), payload: envelopes.next().body } };
  });
  const results = builds.map(() => ({
    storedBytes: 0,
    rounds: [],
    fastest: STAGES.map(() => jobs.map(() => Infinity)),
  }));
  // Round 0 is a warm-up (V8 optimises before the clock counts) and is thrown away.
  for (let round = 0; round <= ROUNDS; round++) {
    const sums = builds.map(() => STAGES.map(() => 0));
    if (round === 1) for (const result of results) for (const list of result.fastest) list.fill(Infinity);
    for (const [index, pair] of jobs.entries()) {
      for (let turn = 0; turn < builds.length; turn++) {
        const which = (turn + index + round) % builds.length;
        const stored = timeEvent(builds[which], pair, index, sums[which], results[which].fastest);
        if (round === 0) results[which].storedBytes += stored;
      }
    }
    if (round > 0) sums.forEach((sum, which) => results[which].rounds.push(sum));
  }
  const micros = (ms) => ((ms * 1000) / jobs.length).toFixed(0);
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const header = builds.map((build) => `${build.name}: median of rounds | fastest`).join(' | ');
  console.log(`| µs per event | ${header} |\n|---|${builds.map(() => '---|---|').join('')}`);
  for (const [stage, name] of STAGES.entries()) {
    const cells = results.map(({ rounds, fastest }) => {
      const fastestSum = fastest[stage].reduce((sum, ms) => sum + ms, 0);
      return `${micros(median(rounds.map((sums) => sums[stage])))} | ${micros(fastestSum)}`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
  const kib = results.map((r) => `${(r.storedBytes / jobs.length / 1024).toFixed(2)} KiB |`);
  console.log(`| stored payload per event | ${kib.join(' | ')} |`);
}

await main();
