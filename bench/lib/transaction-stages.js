/**
 * `node bench/transactions-digest.js --stages`: what one transaction costs the digest worker stage
 * by stage, in this process, on the corpus's payloads and each build's own compiled code: JSON.parse
 * of the item, the domain (`transactionFromEvent`, or `parseSpanContainer` + `transactionFromSegment`),
 * the stored record (`JSON.stringify`, then zstd through `encodePayload`), and, apart, `normalizeSql`
 * per db statement as the domain calls it. CPU from `process.cpuUsage()` (µs resolution; the process
 * is this one thread and V8's GC helpers), builds in turn per payload so the box's load hits them
 * alike; each stage's figure is its median over rounds.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './stats.js';
import { MARKERS } from './transaction-events.js';

export const STAGES = ['parse', 'domain', 'stringify', 'zstd'];
const RECEIVED_AT = Date.now();

async function loadStages(dist) {
  const load = (file) => import(pathToFileURL(path.resolve(dist, file)).href);
  return {
    name: dist,
    ...(await load('domain/transactions/from-event.js')),
    ...(await load('domain/transactions/from-spans.js')),
    ...(await load('domain/transactions/sql-normalize.js')),
    ...(await load('storage/payload-codec.js')),
  };
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** The statements the domain normalizes, with the dialect it passes (span-ops.ts sqlDialectOf). */
function statementsOf(payloads, kind) {
  const out = [];
  for (const raw of payloads.map((p) => JSON.parse(p))) {
    const spans = kind === 'spans' ? raw.items : raw.spans;
    for (const span of spans ?? []) {
      const data = kind === 'spans' ? span.attributes : span.data;
      const text = data?.['db.query.text']?.value ?? data?.['db.query.text'];
      const system = data?.['db.system.name']?.value ?? data?.['db.system.name'];
      if (typeof text === 'string' && system === 'postgresql') out.push({ text, dialect: 'standard' });
    }
  }
  return out;
}

export async function measureStages(dists, corpus, rounds) {
  const builds = [];
  for (const dist of dists) builds.push(await loadStages(dist));
  const payloads = corpus.entries.map((e, i) =>
    e.payloadText
      .replaceAll(MARKERS.traceId, i.toString(16).padStart(32, 'a'))
      .replaceAll(MARKERS.spanId, i.toString(16).padStart(16, 'b'))
      .replaceAll(MARKERS.eventId, i.toString(16).padStart(32, 'c')),
  );
  const statements = statementsOf(payloads, corpus.kind);
  const toRecord = (b, raw, i) => {
    const options = b.DEFAULT_TRANSACTION_OPTIONS;
    if (corpus.kind !== 'spans') {
      const eventId = `${i}`.padStart(32, '0');
      return b.transactionFromEvent(raw, { projectId: 1, eventId, receivedAt: RECEIVED_AT, options });
    }
    const spans = b.parseSpanContainer(raw);
    const root = spans.find((s) => s.is_segment);
    const children = spans.filter((s) => s !== root);
    return b.transactionFromSegment(root, children, { projectId: 1, receivedAt: RECEIVED_AT, options });
  };
  const perRound = builds.map(() => ({ ...Object.fromEntries(STAGES.map((s) => [s, []])), sql: [] }));
  for (let round = 0; round <= rounds; round++) {
    const sums = builds.map(() => ({ parse: 0, domain: 0, stringify: 0, zstd: 0, sql: 0 }));
    payloads.forEach((payload, i) => {
      builds.forEach((b, k) => {
        let t = cpuUs();
        const raw = JSON.parse(payload);
        let now = cpuUs();
        sums[k].parse += now - t;
        t = now;
        const record = toRecord(b, raw, i);
        now = cpuUs();
        sums[k].domain += now - t;
        t = now;
        const json = JSON.stringify(record);
        now = cpuUs();
        sums[k].stringify += now - t;
        t = now;
        b.encodePayload(json);
        sums[k].zstd += cpuUs() - t;
      });
    });
    builds.forEach((b, k) => {
      const t = cpuUs();
      for (const s of statements) b.normalizeSql(s.text, { dialect: s.dialect });
      sums[k].sql = cpuUs() - t;
    });
    // Round 0 warms the JIT and zstd contexts up.
    if (round === 0) continue;
    builds.forEach((_, k) => {
      for (const stage of STAGES) perRound[k][stage].push(sums[k][stage] / payloads.length);
      perRound[k].sql.push(sums[k].sql / statements.length);
    });
  }
  return builds.map((b, k) => ({
    name: b.name,
    ...Object.fromEntries(STAGES.map((s) => [s, median(perRound[k][s])])),
    sqlPerStatement: median(perRound[k].sql),
    statementsPerTransaction: statements.length / payloads.length,
  }));
}
