// Captures real SDK request bodies into test/fixtures/: starts a tiny HTTP server that answers like
// Sentry, points the real SDKs at it (through the sender scripts beside this file), and saves the
// first event-carrying request of each exactly as it arrived (bytes as sent, plus method, path and
// headers with the DSN key replaced by <key>).
//
//   node test/helpers/capture-fixtures.js
//
// Needs @sentry/node (a devDependency) and Debian's python3-sentry-sdk for /usr/bin/python3.
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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

const node = await run(process.execPath, [path.join(here, 'node-sdk-sender.js'), 'context'], { env });
const nodeIds = JSON.parse(node.stdout).ids;
save(
  'node-sdk-envelope',
  find((r) => r.url.startsWith('/api/1/envelope/') && r.body.includes(nodeIds.context)),
  nodeIds.context,
);

const python = await run('/usr/bin/python3', [path.join(here, 'python-sdk-sender.py'), 'errors'], { env });
const pythonIds = JSON.parse(python.stdout).ids;
save(
  'python-sdk-store',
  find((r) => r.url.startsWith('/api/1/store/') && r.method === 'POST'),
  pythonIds['ratio-1'],
);

const withAttachment = await run(
  '/usr/bin/python3',
  [path.join(here, 'python-sdk-sender.py'), 'attachment'],
  { env },
);
save(
  'python-sdk-envelope',
  find((r) => r.url.startsWith('/api/1/envelope/') && r.headers['user-agent'].startsWith('sentry.python')),
  JSON.parse(withAttachment.stdout).ids.attachment,
);

server.close();

function find(predicate) {
  const found = requests.find(predicate);
  if (!found) throw new Error(`no matching request among ${requests.map((r) => r.url).join(', ')}`);
  return found;
}

function save(name, request, expectedId) {
  const redact = (v) => (typeof v === 'string' ? v.replaceAll(KEY, '<key>') : v);
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, redact(v)]));
  const sdk = /sentry\.[a-z.]+\/[0-9.]+/.exec(String(request.headers['user-agent'] ?? request.url))?.[0];
  const meta = { method: request.method, path: redact(request.url), headers, sdk, event_id: expectedId };
  fs.writeFileSync(path.join(fixtures, `${name}.bin`), request.body);
  fs.writeFileSync(path.join(fixtures, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${name}: ${request.body.length} bytes from ${sdk} → test/fixtures/${name}.bin`);
}
