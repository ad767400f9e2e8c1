/**
 * A log search ending "now" finds the newest records even when their ids have spilled past the
 * clock: a batch of records stamped within one millisecond takes the ids of the milliseconds after
 * it (64 per millisecond), so a bound at "now" hid them until the clock caught up (22.7 s median
 * from send to searchable in the mixed-load bench). An explicit end still bounds the search.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogsService } from '../../../src/domain/logs/service.js';
import { logRecord, NOW, openLogsFixture, type LogsFixture } from './storage-helpers.js';

const RECORDS = 640; // ten milliseconds of ids, all stamped NOW

let fx: LogsFixture;
beforeEach(() => {
  fx = openLogsFixture('snag-logs-open-end');
  fx.write(Array.from({ length: RECORDS }, (_, i) => logRecord({ body: `burst line ${i}` })));
});
afterEach(() => fx.close());

const service = () =>
  createLogsService({
    logs: fx.reader,
    transactions: { ofTrace: () => [] },
    issues: { listTraceEvents: () => [] },
    getProject: () => ({
      id: 1,
      slug: 'default',
      name: 'default',
      dsn: '',
      public_key: '',
      platform: null,
      created_at: new Date(NOW).toISOString(),
    }),
    now: () => NOW,
  });

it('finds every record of a burst at "now", spilled ids included, in search and tail', () => {
  const logs = service();
  let found = 0;
  let cursor: string | undefined;
  do {
    const page = logs.search('default', { q: 'burst', limit: 500, ...(cursor ? { cursor } : {}) });
    found += page.logs.length;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  expect(found).toBe(RECORDS);
  const first = logs.tail('default', { q: 'burst', afterId: '0', limit: 500 }).logs;
  const rest = logs.tail('default', { q: 'burst', afterId: first.at(-1)!.id, limit: 500 }).logs;
  expect(first.length + rest.length).toBe(RECORDS);
});

it('still stops at an explicit end', () => {
  fx.write([logRecord({ body: 'burst later', timeUs: (NOW + 5_000) * 1000 })]);
  const page = service().search('default', {
    q: 'burst',
    startMs: NOW - 60_000,
    endMs: NOW + 1_000,
    limit: 500,
  });
  expect(page.logs.map((l) => l.body)).not.toContain('burst later');
  expect(page.logs).toHaveLength(500);
});
