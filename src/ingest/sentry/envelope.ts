/**
 * Sentry envelope parser, on bytes. Grammar (develop-docs envelopes.mdx; Relay
 * `relay-server/src/envelope/item.rs`):
 *
 *   Envelope = Headers { "\n" Item } [ "\n" ] ;   Item = Headers "\n" Payload ;
 *
 * Headers are one line of JSON. An item with `length` has exactly that many payload bytes, then
 * "\n" or EOF; without it the payload runs to the next "\n" or EOF (safe because compact JSON
 * never holds a raw newline). Only "\n" ends a line: a "\r" stays in the line it is on.
 *
 * This runs on the HTTP thread for every request, so it never turns the body into a string:
 * only header lines are decoded, and payloads are `subarray`s of the body (views, not copies).
 */
import { badRequest } from '../../errors.js';

export interface EnvelopeItem {
  headers: Record<string, unknown>;
  type: string;
  payload: Buffer;
}

export interface Envelope {
  headers: Record<string, unknown>;
  items: EnvelopeItem[];
}

const NEWLINE = 0x0a;
const EVENT_ID_HEX = /^[0-9a-f]{32}$/i;
const EVENT_ID_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseEnvelope(body: Buffer): Envelope {
  if (body.length === 0) {
    throw badRequest('envelope is empty: the body must start with a JSON header line such as {}');
  }
  const headersEnd = findLineEnd(body, 0);
  const headers = parseHeaderLine(body, 0, headersEnd, 'envelope header');
  normalizeEventId(headers);

  const items: EnvelopeItem[] = [];
  let pos = headersEnd + 1;
  while (pos < body.length) {
    const lineEnd = findLineEnd(body, pos);
    // A blank line between or after items carries nothing; refusing it would only lose events.
    if (isBlank(body, pos, lineEnd)) {
      pos = lineEnd + 1;
      continue;
    }
    const label = `envelope item ${items.length + 1}`;
    const itemHeaders = parseHeaderLine(body, pos, lineEnd, `${label} header`);
    const type = itemHeaders.type;
    if (typeof type !== 'string' || type === '') {
      throw badRequest(
        `${label}: the header has no "type": every item header needs one, e.g. {"type":"event"}`,
      );
    }
    const payloadStart = Math.min(lineEnd + 1, body.length);
    const payloadEnd = findPayloadEnd(body, payloadStart, itemHeaders.length, label);
    items.push({ headers: itemHeaders, type, payload: body.subarray(payloadStart, payloadEnd) });
    pos = payloadEnd + 1;
  }
  return { headers, items };
}

function findPayloadEnd(body: Buffer, start: number, length: unknown, label: string): number {
  // Relay reads `length` as Option<u32>, so an explicit null means "no length".
  if (length === undefined || length === null) return findLineEnd(body, start);
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw badRequest(
      `${label}: "length" must be a non-negative whole number of bytes, got ${JSON.stringify(length)}`,
    );
  }
  const left = body.length - start;
  if (length > left) {
    throw badRequest(
      `${label}: length ${length} runs past the end of the body (${left} bytes left): ` +
        'the body was truncated or "length" does not count the payload bytes',
    );
  }
  const end = start + length;
  if (end < body.length && body[end] !== NEWLINE) {
    throw badRequest(
      `${label}: the ${length}-byte payload is followed by more data instead of a newline: ` +
        '"length" must count the payload bytes exactly',
    );
  }
  return end;
}

function findLineEnd(body: Buffer, from: number): number {
  const end = body.indexOf(NEWLINE, from);
  return end === -1 ? body.length : end;
}

function isBlank(body: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = body[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

function parseHeaderLine(body: Buffer, start: number, end: number, label: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8', start, end));
  } catch (err) {
    throw badRequest(
      `${label} is not valid JSON (${(err as Error).message}): it must be one line of JSON object`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${label} must be a JSON object, e.g. {}`);
  }
  return value as Record<string, unknown>;
}

/** The envelope `event_id` wins over the payload's (protocol §2.2), so it is checked and normalized here. */
function normalizeEventId(headers: Record<string, unknown>): void {
  const id = headers.event_id;
  if (id === undefined || id === null) return;
  if (typeof id === 'string' && (EVENT_ID_HEX.test(id) || EVENT_ID_UUID.test(id))) {
    headers.event_id = id.replace(/-/g, '').toLowerCase();
    return;
  }
  throw badRequest(
    `envelope header event_id ${JSON.stringify(id)} is not a UUID: send 32 hex characters, with or without dashes`,
  );
}
