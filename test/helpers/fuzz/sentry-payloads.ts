/**
 * Sentry envelopes and store bodies to fuzz, built from what the real SDKs sent (test/fixtures):
 * an SDK payload mutated field by field, items with hostile headers, broken framing (lengths
 * that lie, missing newlines, CRLF, junk lines), many items, unknown item types, and byte damage.
 */
import { gunzipSync, deflateSync } from 'node:zlib';
import { loadFixture } from '../fixtures.js';
import { newEventId } from '../ingest.js';
import { damageJsonText, mutateJson } from './json-mutate.js';
import type { Rng } from './prng.js';
import { hostileScalar, hostileValue, toJsonText } from './values.js';

interface SourceItem {
  headers: Record<string, unknown>;
  /** Parsed JSON payload, or raw bytes (attachments). */
  json?: unknown;
  raw?: Buffer;
}

interface SourceEnvelope {
  name: string;
  headers: Record<string, unknown>;
  items: SourceItem[];
}

const ENVELOPE_FIXTURES = [
  'node-sdk-envelope',
  'python-sdk-envelope',
  'apm/node-static-transaction',
  'apm/python-transaction',
  'apm/node-stream-spans-2',
  'apm/node-stream-spans-3',
  'logs/node-sdk-logs',
];

/** Splits a captured envelope into header and items (a small parser of its own: these are known good). */
function splitEnvelope(body: Buffer): { headers: Record<string, unknown>; items: SourceItem[] } {
  let pos = body.indexOf(0x0a);
  const headers = JSON.parse(body.toString('utf8', 0, pos)) as Record<string, unknown>;
  const items: SourceItem[] = [];
  pos++;
  while (pos < body.length) {
    let end = body.indexOf(0x0a, pos);
    if (end === -1) end = body.length;
    if (end === pos) {
      pos++;
      continue;
    }
    const itemHeaders = JSON.parse(body.toString('utf8', pos, end)) as Record<string, unknown>;
    const start = end + 1;
    const length = typeof itemHeaders['length'] === 'number' ? itemHeaders['length'] : undefined;
    let payloadEnd = length === undefined ? body.indexOf(0x0a, start) : start + length;
    if (payloadEnd === -1) payloadEnd = body.length;
    const raw = body.subarray(start, payloadEnd);
    delete itemHeaders['length'];
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      json = undefined;
    }
    items.push(json === undefined ? { headers: itemHeaders, raw } : { headers: itemHeaders, json });
    pos = payloadEnd + 1;
  }
  return { headers, items };
}

let sources: SourceEnvelope[] | undefined;

export function sentrySources(): SourceEnvelope[] {
  sources ??= ENVELOPE_FIXTURES.map((name) => {
    const f = loadFixture(name);
    const body = f.headers['content-encoding'] === 'gzip' ? gunzipSync(f.body) : f.body;
    return { name, ...splitEnvelope(body) };
  });
  return sources;
}

/** The event an SDK posted to /store/ (python, gzip) and the one @sentry/node put in an envelope. */
export function storeSources(): unknown[] {
  const store = loadFixture('python-sdk-store');
  return [
    JSON.parse(gunzipSync(store.body).toString('utf8')),
    sentrySources().find((s) => s.name === 'node-sdk-envelope')!.items[0]!.json,
  ];
}

function payloadBytes(rng: Rng, item: SourceItem, mutate: boolean): Buffer {
  if (item.raw) return mutate ? damageJsonText(rng, item.raw.toString('latin1')) : item.raw;
  return mutate ? mutateJson(rng, item.json, { huge: rng.chance(0.1) }) : Buffer.from(toJsonText(item.json));
}

export interface FuzzedBody {
  body: Buffer;
  label: string;
}

export function fuzzEnvelope(rng: Rng): FuzzedBody {
  const source = rng.pick(sentrySources());
  const headers: Record<string, unknown> = { ...source.headers, event_id: newEventId() };
  let withLength = rng.chance(0.4);
  let eol = '\n';
  const roll = rng.int(100);
  let label = `${source.name}: `;
  let items = source.items.map((item) => ({
    headers: { ...item.headers },
    payload: payloadBytes(rng, item, false),
  }));

  if (roll < 50) {
    const i = rng.int(items.length);
    items[i]!.payload = payloadBytes(rng, source.items[i]!, true);
    label += `payload of item ${i}`;
  } else if (roll < 60) {
    const item = rng.pick(items);
    const key = rng.pick(['type', 'item_count', 'content_type', 'length', 'filename', 'attachment_type']);
    item.headers[key] = hostileValue(rng);
    if (key === 'length') withLength = false;
    label += `item header ${key}`;
  } else if (roll < 68) {
    const key = rng.pick(['event_id', 'dsn', 'sdk', 'sent_at', 'trace']);
    headers[key] = hostileValue(rng);
    label += `envelope header ${key}`;
  } else if (roll < 76) {
    return { body: brokenFraming(rng, headers, items), label: label + 'framing' };
  } else if (roll < 82) {
    const n = rng.pick([50, 500, 2000]);
    const unknownTypes = rng.chance(0.5);
    const template = rng.pick(items);
    items = Array.from({ length: n }, (_, i) => ({
      headers: unknownTypes ? { type: `t${rng.int(1e9)}-${i}` } : { ...template.headers },
      payload: template.payload,
    }));
    label += `${n} items${unknownTypes ? ' of unknown types' : ''}`;
  } else if (roll < 88) {
    eol = rng.pick(['\r\n', '\n\n', '\n \n']);
    label += `line ends ${JSON.stringify(eol)}`;
  } else if (roll < 94) {
    const body = serialize(headers, items, withLength, eol);
    return { body: damageJsonText(rng, body.toString('latin1')), label: label + 'byte damage' };
  } else {
    label += 'as sent';
  }
  return { body: serialize(headers, items, withLength, eol), label };
}

function serialize(
  headers: Record<string, unknown>,
  items: { headers: Record<string, unknown>; payload: Buffer }[],
  withLength: boolean,
  eol: string,
): Buffer {
  const parts: Buffer[] = [Buffer.from(toJsonText(headers))];
  for (const item of items) {
    const h = withLength ? { ...item.headers, length: item.payload.length } : item.headers;
    parts.push(Buffer.from(`${eol}${toJsonText(h)}${eol}`), item.payload);
  }
  return Buffer.concat(parts);
}

function brokenFraming(
  rng: Rng,
  headers: Record<string, unknown>,
  items: { headers: Record<string, unknown>; payload: Buffer }[],
): Buffer {
  const item = rng.pick(items);
  switch (rng.int(8)) {
    case 0: // a length that lies by a little or a lot
      return serialize(
        headers,
        items.map((i) =>
          i === item
            ? {
                ...i,
                headers: { ...i.headers, length: i.payload.length + rng.pick([-5, -1, 1, 7, 1e6, 2 ** 32]) },
              }
            : i,
        ),
        false,
        '\n',
      );
    case 1: // a length of the wrong type
      return serialize(
        headers,
        items.map((i) => (i === item ? { ...i, headers: { ...i.headers, length: hostileScalar(rng) } } : i)),
        false,
        '\n',
      );
    case 2: // the header line is not an object
      return Buffer.concat([
        Buffer.from(rng.pick(['[]', 'null', '"x"', '{', '{"a":1}{', ''])),
        Buffer.from('\n'),
        serialize({}, items, true, '\n').subarray(2),
      ]);
    case 3: // an item header that is not JSON
      return Buffer.concat([Buffer.from(`${toJsonText(headers)}\n{"type":"event"\n`), item.payload]);
    case 4: // the body cut anywhere
      return serialize(headers, items, true, '\n').subarray(0, rng.int(200));
    case 5: // headers only, or an item without a payload
      return Buffer.from(
        rng.pick([
          `${toJsonText(headers)}`,
          `${toJsonText(headers)}\n{"type":"event"}`,
          `${toJsonText(headers)}\n{"type":"event","length":0}\n`,
          '\n\n\n',
        ]),
      );
    case 6: // a payload shorter than its length, then EOF
      return Buffer.concat([
        Buffer.from(`${toJsonText(headers)}\n{"type":"event","length":${item.payload.length + 100}}\n`),
        item.payload,
      ]);
    default: // a deeply nested header line
      return Buffer.from(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}\n{"type":"event"}\n{}`);
  }
}

/** A /store/ body: a mutated SDK event, as JSON or as the legacy base64(zlib(json)). */
export function fuzzStoreBody(rng: Rng): FuzzedBody {
  const event = rng.pick(storeSources());
  const json = mutateJson(rng, { ...(event as object), event_id: newEventId() }, { huge: rng.chance(0.1) });
  if (rng.chance(0.15)) {
    const legacy = Buffer.from(deflateSync(json).toString('base64'));
    return {
      body: rng.chance(0.3) ? damageJsonText(rng, legacy.toString('latin1')) : legacy,
      label: 'base64 zlib',
    };
  }
  return { body: json, label: 'json' };
}
