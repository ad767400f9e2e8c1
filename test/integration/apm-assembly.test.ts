/**
 * Streamed spans assembled into transactions, with the bytes @sentry/node really sent
 * (test/fixtures/apm/node-stream-spans-4 holds the /slow segment with its early children,
 * node-stream-spans-5 the child that ended a second after the segment). Each order a network can
 * deliver them in must give the same transaction: root first, late child after; late child first
 * (it waits for its root); late child alone until the orphan timeout (finalized without its root,
 * then completed when the root turns up).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransactionDetail } from '../../src/api/types.js';
import { stopAndRemove } from '../helpers/cleanup.js';
import { loadFixture, replayFixture } from '../helpers/fixtures.js';
import { snagApi, type SnagApi } from '../helpers/snag-api.js';
import { startSnag, waitFor, type RunningSnag } from '../helpers/snag.js';

const SEGMENT = loadFixture('apm/node-stream-spans-4');
const LATE_CHILD = loadFixture('apm/node-stream-spans-5');
const SEGMENT_ID = (SEGMENT as unknown as { segment_ids: Record<string, string> }).segment_ids['/slow']!;
/** The shortest orphan timeout config allows: the test waits it out once. */
const ORPHAN_TIMEOUT_S = 10;

async function send(snag: RunningSnag, fixture: typeof SEGMENT) {
  const res = await replayFixture(snag, fixture);
  // Span containers carry no event id: Sentry answers {} and so does Snag.
  expect([res.status, res.json]).toEqual([200, {}]);
}

const hasLateChild = (t: TransactionDetail) => t.spans.some((s) => s.description === 'send analytics');

describe('streamed spans → transactions', () => {
  const servers: RunningSnag[] = [];
  const start = async () => {
    const snag = await startSnag({ env: { SNAG_SPAN_ORPHAN_TIMEOUT_SECONDS: String(ORPHAN_TIMEOUT_S) } });
    servers.push(snag);
    return { snag, api: snagApi(snag) };
  };
  const stored = (api: SnagApi, done: (t: TransactionDetail) => boolean, ms = 15_000) =>
    waitFor(
      async () => {
        const t = await api.getTransaction(SEGMENT_ID).catch(() => undefined);
        return t && done(t) ? t : undefined;
      },
      ms,
      `transaction ${SEGMENT_ID}`,
    );
  let reference: TransactionDetail;

  beforeAll(async () => {
    const { snag, api } = await start();
    await send(snag, SEGMENT);
    await send(snag, LATE_CHILD);
    reference = await stored(api, hasLateChild);
  });

  afterAll(async () => {
    for (const s of servers) await stopAndRemove(s);
  });

  it('root first, late child later: one transaction with the late child attached', async () => {
    expect(reference).toMatchObject({ name: 'GET /slow', op: 'http.server', incomplete: false });
    expect(reference.spans).toHaveLength(4);
    const late = reference.spans.find((s) => s.description === 'send analytics')!;
    expect(late.depth).toBe(1);
    // The late child ends after the root: the waterfall shows it past the transaction's end.
    expect(late.end).toBeGreaterThan(Date.parse(reference.end));
  });

  it('late child first: it waits for its root and gives the same transaction', async () => {
    const { snag, api } = await start();
    await send(snag, LATE_CHILD);
    await waitFor(async () => (await api.health()).pending_spans === 1, 10_000, 'the pending span');
    expect((await api.health()).transaction_count).toBe(0);
    await send(snag, SEGMENT);
    const t = await stored(api, hasLateChild);
    expect(t.spans.map((s) => [s.span_id, s.depth])).toEqual(
      reference.spans.map((s) => [s.span_id, s.depth]),
    );
    expect(t.duration_ms).toBe(reference.duration_ms);
    expect(t.breakdown).toEqual(reference.breakdown);
    expect((await api.health()).pending_spans).toBe(0);
  });

  it('a root that never comes: finalized after the orphan timeout, completed if it turns up', async () => {
    const { snag, api } = await start();
    await send(snag, LATE_CHILD);
    const orphan = await stored(api, () => true, (ORPHAN_TIMEOUT_S + 10) * 1000);
    expect(orphan.incomplete).toBe(true);
    // Named after the segment the child says it belongs to.
    expect(orphan.name).toBe('GET /slow');
    expect(orphan.spans.some((s) => s.description === 'send analytics')).toBe(true);
    const health = await api.health();
    expect([health.transaction_count, health.pending_spans]).toEqual([1, 0]);

    await send(snag, SEGMENT);
    const completed = await stored(api, (t) => t.spans.length === 4);
    expect(completed.incomplete).toBe(false);
    expect(completed.duration_ms).toBe(reference.duration_ms);
    expect((await api.health()).transaction_count).toBe(1);
  }, 60_000);

  it('the same segment sent twice is stored once', async () => {
    const { snag, api } = await start();
    await send(snag, SEGMENT);
    await stored(api, () => true);
    await send(snag, SEGMENT);
    await send(snag, LATE_CHILD);
    await send(snag, LATE_CHILD);
    const t = await stored(api, hasLateChild);
    expect(t.spans).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 500));
    const overview = await api.performance({ range: '30d' });
    expect(overview.headline.count).toBe(1);
  });
});
