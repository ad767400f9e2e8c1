/**
 * `node bench/logs-parse.js` (after `npm run build`): what parsing one log record costs, per
 * format, on batches the real senders produce: OpenTelemetry JS's exporters (one OTLP request of
 * --count records + the 13 of the fixed set, JSON and protobuf) and @sentry/node (log envelopes,
 * 100 logs each). Decode + normalize to LogRecords in one thread; no HTTP, no database. The OTLP
 * target is ≤ 3 µs a record (the parsers may run on the HTTP thread for `partialSuccess`).
 *
 * Prints the median over --rounds of each round's µs per record, and the fastest round, which
 * leaves out most of what other processes on a shared box add. `--dist DIR` times another build.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: path.join(here, '..', 'dist') },
    count: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '200' },
  },
});
const logs = (file) =>
  import(pathToFileURL(path.join(path.resolve(args.dist), 'src', 'domain', 'logs', file)).href);
const { parseOtlpLogs } = await logs('otlp.js');
const { parseSentryLogItem } = await logs('sentry-logs.js');

const bodies = await captureBodies(Number(args.count));
const rounds = Number(args.rounds);
const rows = [
  time('OTLP protobuf', [bodies.protobuf], (b) => parseOtlpLogs(b, 'protobuf', { receivedUs: 0 })),
  time('OTLP JSON', [bodies.json], (b) => parseOtlpLogs(b, 'json', { receivedUs: 0 })),
  time('Sentry log items', bodies.sentry, (b) => parseSentryLogItem(b, { receivedUs: 0 })),
];
// The floor under both JSON formats: decoding UTF-8 and JSON.parse alone, nothing normalized.
const floor = (name, payloads, count) => time(name, payloads, (b) => JSON.parse(b.toString('utf8')), count);
rows.push(floor('JSON.parse only, OTLP body', [bodies.json], rows[1].records));
rows.push(floor('JSON.parse only, Sentry items', bodies.sentry, rows[2].records));
console.log('| format | records | bytes/record | µs/record (median) | µs/record (fastest) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.records} | ${r.bytesPerRecord} | ${r.median.toFixed(2)} | ${r.fastest.toFixed(2)} |`,
  );
}

function time(name, payloads, parse, knownRecords) {
  let records = knownRecords ?? 0;
  if (knownRecords === undefined) for (const p of payloads) records += parse(p).records.length;
  const bytes = payloads.reduce((n, p) => n + p.length, 0);
  for (let i = 0; i < 20; i++) for (const p of payloads) parse(p);
  const perRecord = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    for (const p of payloads) parse(p);
    perRecord.push(((performance.now() - start) * 1000) / records);
  }
  perRecord.sort((a, b) => a - b);
  return {
    name,
    records,
    bytesPerRecord: Math.round(bytes / records),
    median: perRecord[Math.floor(perRecord.length / 2)],
    fastest: perRecord[0],
  };
}

/** Runs the real senders against a local server and keeps what they posted. */
async function captureBodies(count) {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      // @sentry/node gzips envelopes over 32 KiB; the edge inflates before any parser runs.
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      received.push({ url: req.url, type: req.headers['content-type'], body });
      res.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const run = promisify(execFile);
  const helpers = path.join(here, '..', 'test', 'helpers');
  for (const encoding of ['json', 'protobuf']) {
    await run(process.execPath, [
      path.join(helpers, 'otel-logs-sender.js'),
      ...['--url', base, '--encoding', encoding, '--count', String(count)],
    ]);
  }
  await run(process.execPath, [path.join(helpers, 'node-logs-sender.js'), '--count', String(count)], {
    env: {
      PATH: process.env.PATH,
      SNAG_DSN: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${server.address().port}/1`,
    },
  });
  server.close();
  const otlp = (type) => received.find((r) => r.url === '/v1/logs' && r.type === type).body;
  const sentry = received
    .filter((r) => r.url.startsWith('/api/1/envelope/') && r.body.includes('"type":"log"'))
    .map((r) => {
      // A log envelope: header line, item header line, then the container (no length: SDK JS).
      const lines = r.body.toString('utf8').split('\n');
      return Buffer.from(lines[2]);
    });
  return { json: otlp('application/json'), protobuf: otlp('application/x-protobuf'), sentry };
}
