import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../../src/domain/logs/search-query.js';
import { logRecord, NOW, openLogsFixture, type LogsFixture } from './storage-helpers.js';

const MINUTE = 60_000;
const UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';

const CASES_MINUTES = 12;
/** One record per case, a minute apart, oldest first; bodies are unique so results read as bodies. */
const CASES = [
  logRecord({ body: 'status 422 in the body only', attributes: { route: '/api/orders' } }),
  logRecord({
    body: 'validation failed',
    attributes: { status: 422, method: 'POST', route: '/api/orders/:id' },
  }),
  logRecord({
    body: 'upstream timeout after 30s',
    level: 'error',
    attributes: { status: 504, method: 'GET' },
  }),
  logRecord({
    body: 'connection refused by db-1',
    level: 'warn',
    service: 'billing',
    environment: 'staging',
  }),
  logRecord({ body: 'refused: connection limit reached', level: 'warn', service: 'billing' }),
  logRecord({ body: `payment ${UUID.toUpperCase()} declined`, logger: 'app.billing', release: '2.0.0' }),
  logRecord({ body: 'charge created', attributes: { 'payment.id': UUID }, host: 'web-2' }),
  logRecord({ body: 'timeline rebuilt', level: 'debug', traceId: TRACE, spanId: '00f067aa0ba902b7' }),
  logRecord({ body: 'cache warmed', level: 'debug', traceId: TRACE, spanId: '1111111111111111' }),
  logRecord({ body: `mentions ${TRACE} in passing`, traceId: OTHER_TRACE }),
  logRecord({ body: 'Grüße aus Köln', attributes: { 'user.name': 'Zoë', tags: ['a b', 'c'] } }),
  logRecord({ body: 'NEAR OR AND NOT "quoted" (paren) col:umn ~p~1 ~l~error', level: 'fatal' }),
].map((r, i) => ({ ...r, timeUs: (NOW - (CASES_MINUTES - i) * MINUTE) * 1000 }));

describe('logs storage: search syntax over a real logs.db', () => {
  let f: LogsFixture;
  beforeAll(() => {
    f = openLogsFixture();
    f.write(CASES);
  });
  afterAll(() => f.close());

  it('returns newest first, every field intact', () => {
    const page = f.reader.search({ projectId: 1, query: parseSearchQuery('') }, { limit: 100 });
    expect(page.logs.map((l) => l.record.body)).toEqual([...CASES].reverse().map((r) => r.body));
    const stored = page.logs.find((l) => l.record.body === 'timeline rebuilt')!.record;
    expect(stored).toEqual(CASES[7]);
  });

  it('matches free words anywhere, ANDed, case-insensitively', () => {
    expect(f.bodies('refused')).toEqual(['refused: connection limit reached', 'connection refused by db-1']);
    expect(f.bodies('REFUSED db')).toEqual(['connection refused by db-1']);
    expect(f.bodies('/api/orders')).toEqual(['validation failed', 'status 422 in the body only']);
  });

  it('matches a quoted phrase only with its words in order', () => {
    expect(f.bodies('"connection refused"')).toEqual(['connection refused by db-1']);
    expect(f.bodies('-"connection refused" refused')).toEqual(['refused: connection limit reached']);
  });

  it('matches prefixes', () => {
    expect(f.bodies('time*')).toEqual(['timeline rebuilt', 'upstream timeout after 30s']);
    expect(f.bodies('"upstream time"*')).toEqual(['upstream timeout after 30s']);
  });

  it('scopes key:value to the attribute: status:422 does not match a body saying "status 422"', () => {
    expect(f.bodies('status:422')).toEqual(['validation failed']);
    // Keys are not free words: "status" is only in the first body.
    expect(f.bodies('status 422')).toEqual(['status 422 in the body only']);
    expect(f.bodies('422')).toEqual(['validation failed', 'status 422 in the body only']);
    expect(f.bodies('status:422 method:post')).toEqual(['validation failed']);
    expect(f.bodies('status:504 method:POST')).toEqual([]);
    expect(f.bodies('route:/api/orders')).toEqual(['status 422 in the body only']);
    expect(f.bodies('route:/api/orders*')).toEqual(['validation failed', 'status 422 in the body only']);
    expect(f.bodies('method:*')).toEqual(['upstream timeout after 30s', 'validation failed']);
    expect(f.bodies('-status:422 method:*')).toEqual(['upstream timeout after 30s']);
    expect(f.bodies('user.name:zoë tags:"a b" tags:c')).toEqual(['Grüße aus Köln']);
  });

  it('filters by hot fields typed in the query or passed as filters', () => {
    expect(f.bodies('level:warning')).toEqual([
      'refused: connection limit reached',
      'connection refused by db-1',
    ]);
    expect(f.bodies('service:billing env:staging')).toEqual(['connection refused by db-1']);
    expect(f.bodies('logger:app.billing release:2.0.0')).toEqual([`payment ${UUID.toUpperCase()} declined`]);
    expect(f.bodies('host:web-2')).toEqual(['charge created']);
    expect(f.bodies('-level:info -level:debug')).toEqual([
      CASES[11]!.body,
      'refused: connection limit reached',
      'connection refused by db-1',
      'upstream timeout after 30s',
    ]);
    expect(f.bodies('', { levels: ['error', 'fatal'] })).toEqual([
      CASES[11]!.body,
      'upstream timeout after 30s',
    ]);
    expect(f.bodies('refused', { service: 'billing', environment: 'production' })).toEqual([
      'refused: connection limit reached',
    ]);
  });

  it('finds a pasted UUID in a body or an attribute, with or without dashes, in any case', () => {
    const both = [`charge created`, `payment ${UUID.toUpperCase()} declined`];
    expect(f.bodies(UUID)).toEqual(both);
    expect(f.bodies(UUID.toUpperCase())).toEqual(both);
    expect(f.bodies(UUID.replaceAll('-', ''))).toEqual(both);
    expect(f.bodies(`payment.id:${UUID.toUpperCase()}`)).toEqual(['charge created']);
  });

  it('finds a trace by trace: (exactly) and by pasting its id (anywhere)', () => {
    expect(f.bodies(`trace:${TRACE.toUpperCase()}`)).toEqual(['cache warmed', 'timeline rebuilt']);
    expect(f.bodies(TRACE)).toEqual([`mentions ${TRACE} in passing`, 'cache warmed', 'timeline rebuilt']);
    expect(f.bodies('trace:4bf92f35*')).toEqual([
      `mentions ${TRACE} in passing`,
      'cache warmed',
      'timeline rebuilt',
    ]);
    expect(f.bodies('span_id:00f067aa0ba902b7')).toEqual(['timeline rebuilt']);
    expect(f.reader.ofTrace(1, TRACE, 10).map((l) => l.record.body)).toEqual([
      'timeline rebuilt',
      'cache warmed',
    ]);
    expect(f.reader.countOfTrace(1, TRACE)).toBe(2);
    expect(f.reader.countOfTrace(2, TRACE)).toBe(0);
  });

  it('treats FTS5 syntax typed by the user as plain words', () => {
    expect(f.bodies('NEAR OR AND NOT')).toEqual([CASES[11]!.body]);
    expect(f.bodies('"quoted" (paren)')).toEqual([CASES[11]!.body]);
    expect(f.bodies('col:umn')).toEqual([]);
    expect(f.bodies('~l~error')).toEqual([CASES[11]!.body]);
    expect(f.bodies('~p~1').length).toBe(1);
    expect(f.bodies('" * - ( ^ {').length).toBe(CASES.length);
    expect(f.bodies('"unclosed phrase')).toEqual([]);
  });

  it('pages newest first with a cursor, within a time range', () => {
    const first = f.reader.search({ projectId: 1, query: { terms: [] } }, { limit: 5 });
    expect(first.logs).toHaveLength(5);
    const second = f.reader.search(
      { projectId: 1, query: { terms: [] } },
      { limit: 5, cursor: first.nextCursor },
    );
    const third = f.reader.search(
      { projectId: 1, query: { terms: [] } },
      { limit: 5, cursor: second.nextCursor },
    );
    expect([...first.logs, ...second.logs, ...third.logs].map((l) => l.record.body)).toEqual(
      [...CASES].reverse().map((r) => r.body),
    );
    expect(third.nextCursor).toBeNull();
    const ranged = f.bodies('', { fromMs: NOW - 10 * MINUTE, toMs: NOW - 8 * MINUTE });
    expect(ranged).toEqual([CASES[3]!.body, CASES[2]!.body]);
  });

  it('returns a partial page with a cursor when the time budget runs out, and the cursor resumes exactly', () => {
    const g = openLogsFixture('snag-logs-budget');
    try {
      const days = [3, 2, 1].map((d) => NOW - d * 86_400_000);
      g.write(
        days.flatMap((start, d) =>
          Array.from({ length: 100 }, (_, i) =>
            logRecord({ body: `day${d} line ${i}`, timeUs: (start + i * 1000) * 1000 }),
          ),
        ),
      );
      const collected: string[] = [];
      let cursor: number | null = null;
      let partials = 0;
      for (let page = 0; page < 100; page++) {
        const result = g.reader.search(
          { projectId: 1, query: parseSearchQuery('line') },
          { limit: 1000, cursor, budgetMs: 0 },
        );
        collected.push(...result.logs.map((l) => l.record.body));
        if (result.partial) partials++;
        cursor = result.nextCursor;
        if (cursor === null) break;
      }
      expect(partials).toBeGreaterThan(1);
      expect(collected).toEqual(g.bodies('line', {}, 1000));
      expect(collected).toHaveLength(300);
    } finally {
      g.close();
    }
  });

  it('tails newer records oldest first', () => {
    const all = f.reader.search({ projectId: 1, query: { terms: [] } }, { limit: 100 }).logs;
    const tail = f.reader.after({ projectId: 1, query: parseSearchQuery('level:debug') }, all[5]!.id, 10);
    expect(tail.logs.map((l) => l.record.body)).toEqual(['timeline rebuilt', 'cache warmed']);
    expect(f.reader.after({ projectId: 1, query: { terms: [] } }, all[0]!.id, 10).logs).toEqual([]);
  });

  it('reads one record by id, only in its project', () => {
    const newest = f.reader.search({ projectId: 1, query: { terms: [] } }, { limit: 1 }).logs[0]!;
    expect(f.reader.get(1, newest.id)?.record).toEqual(CASES[11]);
    expect(f.reader.get(2, newest.id)).toBeUndefined();
    expect(f.reader.get(1, newest.id + 1)).toBeUndefined();
    expect(f.reader.get(1, 5)).toBeUndefined();
  });
});

describe('logs storage: ordering, projects, facets, counts', () => {
  let f: LogsFixture;
  beforeAll(() => (f = openLogsFixture()));
  afterAll(() => f.close());

  it('orders by the record time, not by arrival, and keeps a flood of one millisecond', () => {
    const t = (NOW - 30 * MINUTE) * 1000;
    f.write([logRecord({ body: 'late-2', timeUs: t + 2000 }), logRecord({ body: 'late-0', timeUs: t })]);
    f.write([logRecord({ body: 'late-1', timeUs: t + 1000 })]);
    f.write(Array.from({ length: 200 }, (_, i) => logRecord({ body: `flood ${i}`, timeUs: t + 1500 })));
    const bodies = f.bodies('', { fromMs: NOW - 31 * MINUTE, toMs: NOW - 29 * MINUTE }, 1000);
    expect(new Set(bodies).size).toBe(203);
    expect(bodies.slice(-2)).toEqual(['late-1', 'late-0']);
    // 64 ids per millisecond: the flood's last 136 spill into the next milliseconds, around late-2.
    expect(bodies.indexOf('late-2')).toBeLessThan(200);
  });

  it('sorts a record whose clock is far ahead by its arrival, keeping its own time', () => {
    const ahead = (NOW + 86_400_000) * 1000;
    f.write([logRecord({ body: 'from the future', timeUs: ahead })], { receivedAt: NOW - 20 * MINUTE });
    const found = f.reader.search({ projectId: 1, query: parseSearchQuery('future') }, { limit: 1 }).logs[0]!;
    expect(found.record.timeUs).toBe(ahead);
    expect(f.bodies('', { fromMs: NOW - 21 * MINUTE, toMs: NOW - 19 * MINUTE })).toEqual(['from the future']);
  });

  it('keeps projects apart', () => {
    f.write([logRecord({ body: 'project two only' })], { projectId: 2 });
    expect(f.bodies('project two')).toEqual([]);
    expect(
      f.reader
        .search({ projectId: 2, query: parseSearchQuery('') }, { limit: 10 })
        .logs.map((l) => l.record.body),
    ).toEqual(['project two only']);
  });

  it('keeps facets per project at write time', () => {
    f.write([
      logRecord({ level: 'error', environment: 'staging', service: 'api', release: '9.9', logger: 'x.y' }),
      logRecord({ level: 'warn', environment: null, service: null, release: null, logger: null }),
    ]);
    const facets = f.reader.facets(1);
    expect(facets.levels).toEqual(['info', 'warn', 'error']);
    expect(facets.environments.sort()).toEqual(['production', 'staging']);
    expect(facets.services.sort()).toEqual(['api', 'checkout']);
    expect(facets.releases.sort()).toEqual(['1.4.2', '9.9']);
    expect(facets.loggers.sort()).toEqual(['app.http', 'x.y']);
    expect(f.reader.facets(2)).toEqual({
      levels: ['info'],
      environments: ['production'],
      services: ['checkout'],
      releases: ['1.4.2'],
      loggers: ['app.http'],
    });
    expect(f.reader.facets(3)).toEqual({
      levels: [],
      environments: [],
      services: [],
      releases: [],
      loggers: [],
    });
  });

  it('counts per bucket and level, the same from the kept counts and from the index', () => {
    const range = { projectId: 1, fromMs: NOW - 60 * MINUTE, toMs: NOW + MINUTE };
    const kept = f.reader.histogram({ ...range, query: { terms: [] } }, 10 * MINUTE);
    const indexed = f.reader.histogram({ ...range, query: { terms: [] }, service: 'checkout' }, 10 * MINUTE);
    const total = (h: typeof kept) =>
      h.buckets.reduce((sum, b) => sum + Object.values(b.counts).reduce((a, c) => a + c, 0), 0);
    expect(total(kept)).toBe(206);
    expect(total(indexed)).toBe(204);
    expect(kept.buckets.every((b) => b.startMs % (10 * MINUTE) === 0)).toBe(true);
    expect(indexed.buckets.every((b) => b.startMs % (10 * MINUTE) === 0)).toBe(true);
    const errors = f.reader.histogram({ ...range, query: parseSearchQuery('level:error') }, 10 * MINUTE);
    expect(total(errors)).toBe(1);
    expect(errors.buckets[0]!.counts.error).toBe(1);
  });
});

describe('logs storage: exactly-once batches, counters, retention', () => {
  let f: LogsFixture;
  beforeAll(() => (f = openLogsFixture()));
  afterAll(() => f.close());

  it('stores a batch once: a batch at or behind the cursor is skipped whole', () => {
    const batch = {
      logs: [{ projectId: 1, receivedAt: NOW, record: logRecord({ body: 'once' }) }],
      invalid: 2,
      rejected: 3,
      parked: [],
    };
    expect(f.writer.writeBatch('logs', 10, batch)).toEqual({ stored: 1 });
    expect(f.writer.writeBatch('logs', 10, batch)).toEqual({ stored: 0 });
    expect(f.writer.writeBatch('logs', 9, batch)).toEqual({ stored: 0 });
    expect(f.writer.readCursor('logs')).toBe(10);
    expect(f.bodies('once')).toEqual(['once']);
    expect(f.reader.counters()).toMatchObject({ logs: 1, rows: 1, invalid: 2, rejected: 3 });
  });

  it('parks jobs with the batch', () => {
    const job = {
      jobId: 11,
      kind: 'log',
      projectId: 1,
      receivedAt: NOW,
      meta: '{}',
      payload: Buffer.from('x'),
      error: 'boom',
    };
    expect(f.writer.writeBatch('logs', 11, { logs: [], invalid: 0, rejected: 0, parked: [job] })).toEqual({
      stored: 0,
    });
    expect(f.writer.readCursor('logs')).toBe(11);
  });

  it('drops whole days older than the cutoff: pruned rows no longer match, counts and facets go too', () => {
    const day = 86_400_000;
    const old = (NOW - 20 * day) * 1000;
    f.write([
      logRecord({ body: 'ancient needle', timeUs: old, service: 'legacy' }),
      logRecord({ body: 'ancient needle two', timeUs: old + 1000, service: 'legacy' }),
    ]);
    f.write([logRecord({ body: 'recent needle', timeUs: (NOW - day) * 1000 })]);
    expect(f.bodies('needle')).toEqual(['recent needle', 'ancient needle two', 'ancient needle']);
    const oldId = f.reader.search({ projectId: 1, query: parseSearchQuery('ancient') }, { limit: 1 }).logs[0]!
      .id;

    const pruned = f.writer.pruneOlderThan(NOW - 14 * day, 1_000_000, NOW);
    expect(pruned).toMatchObject({ prunedRows: 2, droppedDays: 1, mergedDays: 1 });
    expect(f.bodies('needle')).toEqual(['recent needle']);
    expect(f.reader.get(1, oldId)).toBeUndefined();
    expect(f.reader.facets(1).services).toEqual(['checkout']);
    expect(f.reader.counters()).toMatchObject({ rows: 2, pruned: 2 });
    const h = f.reader.histogram(
      { projectId: 1, query: { terms: [] }, fromMs: NOW - 30 * day, toMs: NOW },
      day,
    );
    expect(h.buckets.every((b) => b.startMs >= NOW - 14 * day)).toBe(true);
    expect(f.writer.pruneOlderThan(NOW - 14 * day, 1_000_000, NOW)).toMatchObject({
      prunedRows: 0,
      mergedDays: 0,
    });
  });

  it('merges a past day into one segment once, and merges it again after a late record', () => {
    f.write(
      Array.from({ length: 50 }, (_, i) =>
        logRecord({ body: `late record ${i}`, timeUs: (NOW - 86_400_000) * 1000 }),
      ),
    );
    expect(f.writer.pruneOlderThan(NOW - 14 * 86_400_000, 1_000_000, NOW).mergedDays).toBe(1);
    expect(f.writer.pruneOlderThan(NOW - 14 * 86_400_000, 1_000_000, NOW).mergedDays).toBe(0);
    expect(f.bodies('recent')).toEqual(['recent needle']);
    expect(f.bodies('late record')).toHaveLength(50);
  });
});
