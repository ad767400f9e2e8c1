// Captures real SDK request bodies into test/fixtures/: starts a tiny HTTP server that answers like
// Sentry, points the real SDKs at it (through the sender scripts beside this file), and saves the
// requests a test needs exactly as they arrived (bytes as sent, plus method, path and headers with
// the DSN key replaced by <key>).
//
//   node test/helpers/capture-fixtures.js [errors] [apm]     (both when none is named)
//
// `errors` writes the error fixtures in test/fixtures/, `apm` the transaction and span fixtures in
// test/fixtures/apm/ (from node-apm-app.js in both trace lifecycles and python-apm-sender.py).
// Bodies embed timestamps, so re-capturing changes every byte: capture only what you mean to update.
// Needs @sentry/node (a devDependency) and Debian's python3-sentry-sdk for /usr/bin/python3.
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '..', 'fixtures');
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
const dsn = `http://${KEY}@127.0.0.1:${server.address().port}/1`;
const env = {
  PATH: process.env.PATH,
  SNAG_DSN: dsn,
  SNAG_RELEASE: 'fixture@1.0.0',
  SNAG_ENVIRONMENT: 'fixture',
};

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !['errors', 'apm'].includes(name));
if (unknown.length > 0) {
  console.error(`unknown fixture set ${unknown.join(', ')}; use errors and/or apm`);
  process.exit(2);
}
const wants = (name) => selected.length === 0 || selected.includes(name);

if (wants('errors')) {
  const node = await run(process.execPath, [path.join(here, 'node-sdk-sender.js'), 'context'], { env });
  const nodeIds = JSON.parse(node.stdout).ids;
  save(
    'node-sdk-envelope',
    find((r) => r.url.startsWith('/api/1/envelope/') && r.body.includes(nodeIds.context)),
    { event_id: nodeIds.context },
  );

  const python = await run('/usr/bin/python3', [path.join(here, 'python-sdk-sender.py'), 'errors'], { env });
  const pythonIds = JSON.parse(python.stdout).ids;
  save(
    'python-sdk-store',
    find((r) => r.url.startsWith('/api/1/store/') && r.method === 'POST'),
    { event_id: pythonIds['ratio-1'] },
  );

  const withAttachment = await run(
    '/usr/bin/python3',
    [path.join(here, 'python-sdk-sender.py'), 'attachment'],
    { env },
  );
  save(
    'python-sdk-envelope',
    find((r) => r.url.startsWith('/api/1/envelope/') && r.headers['user-agent'].startsWith('sentry.python')),
    { event_id: JSON.parse(withAttachment.stdout).ids.attachment },
  );
}

if (wants('apm')) {
  const apm = path.join(fixtures, 'apm');
  fs.mkdirSync(apm, { recursive: true });
  const nodeApp = path.join(here, 'node-apm-app.js');

  // Static lifecycle: one `transaction` item per http.server span; keep the /orders one (the N+1).
  let from = requests.length;
  const nodeStatic = await runApm(process.execPath, [nodeApp, 'requests'], {
    SNAG_TRACE_LIFECYCLE: 'static',
  });
  const nodeTransaction = find((r, i) => i >= from && carriesTransaction(r, nodeStatic.trace_ids['/orders']));
  save(
    'apm/node-static-transaction',
    nodeTransaction,
    transactionIds(nodeTransaction, nodeStatic, '/orders'),
  );

  // Stream lifecycle: every span-carrying request of the run, numbered in arrival order, because one
  // trace (and one segment) can arrive over several envelopes.
  from = requests.length;
  const nodeStream = await runApm(process.execPath, [nodeApp, 'requests'], {
    SNAG_TRACE_LIFECYCLE: 'stream',
  });
  const spanRequests = requests.filter(
    (r, i) => i >= from && itemsOf(r).some((it) => it.header.type === 'span'),
  );
  if (spanRequests.length === 0) throw new Error('the stream-lifecycle run sent no span items');
  for (const old of fs.readdirSync(apm).filter((f) => f.startsWith('node-stream-spans-'))) {
    fs.rmSync(path.join(apm, old));
  }
  spanRequests.forEach((request, i) => {
    const text = decodeBody(request).toString();
    const segments = Object.entries(nodeStream.segment_ids).filter(([, id]) => text.includes(`"${id}"`));
    save(`apm/node-stream-spans-${i + 1}`, request, {
      trace_ids: [...new Set(segments.map(([route]) => nodeStream.trace_ids[route]))],
      span_count: itemsOf(request).reduce((n, it) => n + (it.header.item_count ?? 0), 0),
      segment_ids: Object.fromEntries(segments),
    });
  });

  from = requests.length;
  const python = await runApm('/usr/bin/python3', [path.join(here, 'python-apm-sender.py'), 'requests']);
  const pythonTransaction = find((r, i) => i >= from && carriesTransaction(r, python.trace_ids['/orders']));
  save('apm/python-transaction', pythonTransaction, transactionIds(pythonTransaction, python, '/orders'));
}

server.close();

async function runApm(command, args, extraEnv = {}) {
  const { stdout } = await run(command, args, { env: { ...env, ...extraEnv } });
  return JSON.parse(stdout);
}

function transactionIds(request, ids, route) {
  const bytes = decodeBody(request);
  const { event_id } = JSON.parse(bytes.subarray(0, bytes.indexOf(0x0a)).toString());
  return { event_id, trace_id: ids.trace_ids[route], segment_id: ids.segment_ids[route] };
}

function decodeBody(request) {
  return request.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(request.body) : request.body;
}

/** Items of an envelope request ({header, payload}); none for anything that is not an envelope. */
function itemsOf(request) {
  if (!request.url.includes('/envelope/')) return [];
  const bytes = decodeBody(request);
  const items = [];
  let at = bytes.indexOf(0x0a) + 1;
  while (at > 0 && at < bytes.length) {
    const headerEnd = bytes.indexOf(0x0a, at);
    const header = JSON.parse(bytes.subarray(at, headerEnd === -1 ? bytes.length : headerEnd).toString());
    if (headerEnd === -1) break;
    const payloadEnd =
      header.length !== undefined ? headerEnd + 1 + header.length : bytes.indexOf(0x0a, headerEnd + 1);
    const end = payloadEnd === -1 ? bytes.length : payloadEnd;
    items.push({ header, payload: bytes.subarray(headerEnd + 1, end) });
    at = end + 1;
  }
  return items;
}

function carriesTransaction(request, traceId) {
  return itemsOf(request).some(
    (it) => it.header.type === 'transaction' && JSON.parse(it.payload).contexts?.trace?.trace_id === traceId,
  );
}

function find(predicate) {
  const found = requests.find((r, i) => predicate(r, i));
  if (!found) throw new Error(`no matching request among ${requests.map((r) => r.url).join(', ')}`);
  return found;
}

function save(name, request, ids) {
  const redact = (v) => (typeof v === 'string' ? v.replaceAll(KEY, '<key>') : v);
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, redact(v)]));
  const sdk = /sentry\.[a-z.]+\/[0-9.]+/.exec(String(request.headers['user-agent'] ?? request.url))?.[0];
  const meta = { method: request.method, path: redact(request.url), headers, sdk, ...ids };
  fs.writeFileSync(path.join(fixtures, `${name}.bin`), request.body);
  fs.writeFileSync(path.join(fixtures, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${name}: ${request.body.length} bytes from ${sdk} → test/fixtures/${name}.bin`);
}
