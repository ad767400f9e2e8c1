/**
 * Raw Sentry-protocol requests for ingest tests: envelopes assembled byte by byte (to test framing
 * the SDKs produce and some they do not), posted with node:http so every header and path is sent
 * exactly as written (fetch would drop an empty Content-Encoding and normalise `//`).
 *
 * Event payloads start from the event @sentry/node really sent (test/fixtures/node-sdk-envelope.bin)
 * rather than a hand-written one; tests only change the fields they are about.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './snag.js';

export const FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures');

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // JSON bodies are shaped per endpoint; tests cast what they read.
  json: Record<string, unknown> | undefined;
}

export interface EnvelopeItem {
  headers: Record<string, unknown>;
  payload: Buffer | string | Record<string, unknown>;
}

export const newEventId = () => randomUUID().replace(/-/g, '');

let baseEvent: Record<string, unknown> | undefined;

/** The @sentry/node fixture event with a fresh event_id and `overrides` applied (undefined deletes). */
export function sdkEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  if (!baseEvent) {
    const lines = fs.readFileSync(path.join(FIXTURES_DIR, 'node-sdk-envelope.bin'), 'utf8').split('\n');
    const itemIndex = lines.findIndex((line) => line.startsWith('{"type":"event"'));
    baseEvent = JSON.parse(lines[itemIndex + 1]!) as Record<string, unknown>;
  }
  const event: Record<string, unknown> = { ...structuredClone(baseEvent), event_id: newEventId() };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return event;
}

/**
 * `withLength`: every item header gets `length` (Python style); otherwise payloads run to the
 * newline (JavaScript style). `trailingNewline` ends the body with "\n" as the Python SDK does.
 */
export function buildEnvelope(
  headers: Record<string, unknown>,
  items: EnvelopeItem[],
  options: { withLength?: boolean; trailingNewline?: boolean } = {},
): Buffer {
  const parts: Buffer[] = [Buffer.from(JSON.stringify(headers))];
  for (const item of items) {
    const payload = Buffer.isBuffer(item.payload)
      ? item.payload
      : Buffer.from(typeof item.payload === 'string' ? item.payload : JSON.stringify(item.payload));
    const itemHeaders = options.withLength ? { ...item.headers, length: payload.length } : item.headers;
    parts.push(Buffer.from(`\n${JSON.stringify(itemHeaders)}\n`), payload);
  }
  if (options.trailingNewline) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** An envelope holding one event, its id in the envelope header as every SDK sends it. */
export function eventEnvelope(
  event: Record<string, unknown>,
  extraHeaders: Record<string, unknown> = {},
): Buffer {
  return buildEnvelope({ event_id: event['event_id'], ...extraHeaders }, [
    { headers: { type: 'event' }, payload: event },
  ]);
}

export function postRaw(
  baseUrl: string,
  pathAndQuery: string,
  body: Buffer,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        method,
        path: pathAndQuery,
        headers: { 'content-length': String(body.length), ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Relay's CORS contract: a browser SDK must be able to read these on every answer, errors included. */
export function expectCors(res: RawResponse): void {
  expect(res.headers['access-control-allow-origin']).toBe('*');
  const exposed = String(res.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/);
  expect(exposed).toEqual(expect.arrayContaining(['x-sentry-rate-limits', 'retry-after', 'x-sentry-error']));
}
