// Fuzzing findings 2 and 3 (docs/reliability.md): an event whose user.email was an object failed
// the whole errors batch at INSERT (retried forever: every project's errors stopped), and an event
// nesting 10,000 levels under a field scrubbing skips overflowed the stack when serialized.
import { expect, test } from 'vitest';
import { capDepth, TOO_DEEP } from '../../../src/domain/events/depth.js';
import { normalizeEvent } from '../../../src/domain/events/normalize.js';
import { digestEventJob } from '../../../src/workers/jobs/digest-event.js';
import type { Job } from '../../../src/storage/index.js';

const SCRUB = { enabled: true, ipAddresses: false, extraKeys: [], safeKeys: [] };
const EVENT_ID = '6a12ebdcdd2442a983298776d32fcef2';

function job(payload: string): Job {
  return {
    id: 1,
    kind: 'event',
    projectId: 1,
    receivedAt: Date.now(),
    meta: JSON.stringify({ event_id: EVENT_ID }),
    payload: Buffer.from(payload),
  };
}

test('user fields stored in columns are strings or absent, whatever the SDK sent', () => {
  for (const bad of [{ a: 1 }, [1], true, null]) {
    const event = normalizeEvent(
      { user: { id: bad, email: bad, username: bad } },
      { receivedAt: Date.now() },
    );
    expect(event.user).toBeUndefined();
  }
  const kept = normalizeEvent({ user: { email: ' a@b.c ', username: 42 } }, { receivedAt: Date.now() });
  expect(kept.user).toEqual({ email: 'a@b.c', username: '42' });
  const row = digestEventJob(job('{"user":{"email":{"x":{"y":1}}}}'), SCRUB);
  expect(row.userEmail).toBeNull();
});

test('an event nested 10,000 levels deep is stored, its deep part replaced', () => {
  const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
  const row = digestEventJob(
    job(`{"message":"deep","sdk":{"name":"x","extra":${deep}},"debug_meta":${deep}}`),
    SCRUB,
  );
  expect(row.eventId).toBe(EVENT_ID);
  expect(row.title).toBe('deep');
});

test('capDepth keeps shallow values and cuts deeper ones', () => {
  expect(capDepth({ a: { b: { c: 1 } } }, 2)).toEqual({ a: { b: TOO_DEEP } });
  expect(capDepth({ a: [1, { b: 2 }] }, 3)).toEqual({ a: [1, { b: 2 }] });
});
