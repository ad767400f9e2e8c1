/**
 * Request bodies captured from the real SDKs (test/fixtures/, see its README), posted byte for
 * byte with the headers they came with: the framings and encodings exactly as the SDKs produce them.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAndRemove } from '../helpers/cleanup.js';
import { loadFixture, replayFixture, type Fixture } from '../helpers/fixtures.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

describe('captured SDK requests → Snag', () => {
  let snag: RunningSnag;
  let api: SnagApi;

  /** Replays a fixture against this server and waits for its event. */
  async function replay(fixture: Fixture) {
    const res = await replayFixture(snag, fixture);
    expect([res.status, res.json]).toEqual([200, { id: fixture.event_id }]);
    return waitFor(() => api.findEvent(fixture.event_id), 10_000, `fixture event ${fixture.event_id}`);
  }

  beforeAll(async () => {
    snag = await startSnag();
    api = snagApi(snag);
  });

  afterAll(() => stopAndRemove(snag));

  it('digests the @sentry/node envelope (no item lengths, uncompressed, key in the query)', async () => {
    const fixture = loadFixture('node-sdk-envelope');
    expect(fixture.sdk).toMatch(/^sentry\.javascript\.node\//);
    expect(fixture.headers['content-encoding']).toBeUndefined();
    expect(fixture.body.includes('"length"')).toBe(false);

    const event = await replay(fixture);
    expect(event).toMatchObject({
      level: 'error',
      environment: 'fixture',
      release: 'fixture@1.0.0',
      platform: 'node',
      user: { id: 'user-42', email: 'jane@example.com' },
      sdk: fixture.sdk,
    });
    expect(event.payload['tags']).toEqual([['feature', 'checkout']]);
    expect(
      (event.payload['breadcrumbs'] as { values: { message?: string }[] }).values.map((b) => b.message),
    ).toEqual(['User logged in', 'Added 3 items']);
    expect(await api.getIssue(event.issue_id)).toMatchObject({
      title: 'RangeError: no courier available',
      type: 'RangeError',
      culprit: 'shipOrder(node-sdk-sender)',
      count: 1,
      user_count: 1,
      first_release: 'fixture@1.0.0',
    });
  });

  it('digests the python-sdk store body (gzip JSON, X-Sentry-Auth)', async () => {
    const fixture = loadFixture('python-sdk-store');
    expect(fixture.path).toBe('/api/1/store/');
    expect(fixture.headers['content-encoding']).toBe('gzip');
    expect(fixture.headers['x-sentry-auth']).toMatch(/^Sentry sentry_key=<key>, sentry_version=7/);

    const event = await replay(fixture);
    expect(event).toMatchObject({
      level: 'error',
      environment: 'fixture',
      release: 'fixture@1.0.0',
      platform: 'python',
      user: { id: 'py-user-1', email: 'ada@example.com' },
      sdk: 'sentry.python/1.9.10',
    });
    expect(event.payload['tags']).toEqual([['component', 'billing']]);
    expect(await api.getIssue(event.issue_id)).toMatchObject({
      title: 'ZeroDivisionError: division by zero',
      culprit: '__main__ in compute_ratio',
      count: 1,
    });
  });

  it('digests the python-sdk envelope (gzip, lengths, trailing newline, binary attachment)', async () => {
    const fixture = loadFixture('python-sdk-envelope');
    const envelope = zlib.gunzipSync(fixture.body);
    expect(envelope.at(-1)).toBe(0x0a);
    expect(envelope.toString('latin1')).toMatch(/"type":"attachment".*"length":\d+/);

    const event = await replay(fixture);
    expect(await api.getIssue(event.issue_id)).toMatchObject({
      title: 'RuntimeError: invalid port in config',
      culprit: '__main__ in parse_port',
    });
    const health = await api.health();
    expect(health.items_accepted['attachment']).toBe(1);
    expect(health.event_count).toBe(3);
  });
});
