/**
 * Captured SDK requests (test/fixtures/, see its README): loading them and replaying them byte for
 * byte against a running Snag, with the headers they came with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, postRaw, type RawResponse } from './ingest.js';
import type { RunningSnag } from './snag.js';

export interface Fixture {
  body: Buffer;
  method: string;
  path: string;
  headers: Record<string, string>;
  sdk: string;
  event_id: string;
}

/** `name` relative to test/fixtures, without extension (e.g. `apm/node-stream-spans-4`). */
export function loadFixture(name: string): Fixture {
  const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8')) as Omit<
    Fixture,
    'body'
  >;
  return { ...meta, body: fs.readFileSync(path.join(FIXTURES_DIR, `${name}.bin`)) };
}

/** Hop-by-hop and length headers belong to the original connection, not to the body. */
const CONNECTION_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'accept-encoding',
]);

/** Posts a fixture to `snag`: its project id in the path, the server's key wherever `<key>` was. */
export function replayFixture(
  snag: Pick<RunningSnag, 'url' | 'publicKey' | 'projectId'>,
  fixture: Fixture,
): Promise<RawResponse> {
  const withKey = (v: string) => v.replaceAll('<key>', snag.publicKey);
  const headers = Object.fromEntries(
    Object.entries(fixture.headers)
      .filter(([name]) => !CONNECTION_HEADERS.has(name))
      .map(([name, value]) => [name, withKey(value)]),
  );
  const p = withKey(fixture.path).replace(/^\/api\/1\//, `/api/${snag.projectId}/`);
  return postRaw(snag.url, p, fixture.body, headers, fixture.method);
}
