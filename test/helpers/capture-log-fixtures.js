// Captures real log request bodies into test/fixtures/logs/ (see NOTES.md there): starts a tiny
// HTTP server that answers `{}` like Sentry and OTLP collectors do, runs the real senders beside
// this file against it, and saves each request exactly as it arrived (bytes as sent, plus method,
// path and headers with the key replaced by <key>).
//
//   node test/helpers/capture-log-fixtures.js
//
// Writes node-sdk-logs (@sentry/node `log` envelope), otlp-json, otlp-protobuf and
// otlp-protobuf-gzip. The three OTLP runs share one start time, trace id and span id, so they
// carry the same records and a test can hold the encodings equal. Bodies embed timestamps and
// trace ids, so re-capturing changes them: update the expectations in test/unit/logs/ after.
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', 'fixtures', 'logs');
const KEY = '0123456789abcdef0123456789abcdef';
const run = promisify(execFile);

const requests = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
fs.mkdirSync(fixtures, { recursive: true });

const sentry = await runSender(process.execPath, [path.join(here, 'node-logs-sender.js')], {
  SNAG_DSN: `http://${KEY}@127.0.0.1:${server.address().port}/1`,
  SNAG_RELEASE: 'fixture@1.0.0',
  SNAG_ENVIRONMENT: 'fixture',
});
// The SDK also sends the span the in-span logs ran in, in an envelope of its own.
save(
  'node-sdk-logs',
  take((r) => r.url.startsWith('/api/1/envelope/') && r.body.includes('"type":"log"')),
  sentry,
);

const shared = [
  '--url',
  base,
  '--header',
  `Authorization: Bearer ${KEY}`,
  '--time',
  String(Date.now()),
  '--trace-id',
  randomBytes(16).toString('hex'),
  '--span-id',
  randomBytes(8).toString('hex'),
];
const otel = path.join(here, 'otel-logs-sender.js');
for (const [name, extra] of [
  ['otlp-json', ['--encoding', 'json']],
  ['otlp-protobuf', ['--encoding', 'protobuf']],
  ['otlp-protobuf-gzip', ['--encoding', 'protobuf', '--gzip']],
]) {
  const ids = await runSender(process.execPath, [otel, ...shared, ...extra]);
  save(
    name,
    take((r) => r.url === '/v1/logs'),
    ids,
  );
}

server.close();

async function runSender(command, args, env = {}) {
  const { stdout } = await run(command, args, { env: { PATH: process.env.PATH, ...env } });
  return JSON.parse(stdout);
}

/** Removes and returns the first matching request, so each run's request is found once. */
function take(predicate) {
  const at = requests.findIndex(predicate);
  if (at === -1) throw new Error(`no matching request among ${requests.map((r) => r.url).join(', ')}`);
  return requests.splice(at, 1)[0];
}

function save(name, request, ids) {
  const redact = (v) => (typeof v === 'string' ? v.replaceAll(KEY, '<key>') : v);
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, redact(v)]));
  const ua = String(request.headers['user-agent'] ?? '');
  const sdk = /sentry\.[a-z.]+\/[0-9.]+/.exec(ua)?.[0] ?? ua;
  const meta = { method: request.method, path: redact(request.url), headers, sdk, ...ids };
  fs.writeFileSync(path.join(fixtures, `${name}.bin`), request.body);
  fs.writeFileSync(path.join(fixtures, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${name}: ${request.body.length} bytes from ${sdk} → test/fixtures/logs/${name}.bin`);
}
