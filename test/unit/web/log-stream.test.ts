import { describe, expect, it } from 'vitest';
import type { LogList, LogSummary } from '../../../web/src/api/client';
import {
  addTailed,
  appendOlder,
  flushPending,
  startStream,
  trimRows,
  windowAround,
} from '../../../web/src/routes/log-stream';

const line = (id: number): LogSummary => ({
  id: String(id),
  timestamp: new Date(Date.parse('2026-11-22T08:00:00Z') + id).toISOString(),
  level: 'info',
  body: `line ${id}`,
  logger: null,
  service: null,
  host: null,
  environment: null,
  release: null,
  trace_id: null,
  span_id: null,
});
/** Ids newest first, as search pages are. */
const page = (ids: number[], next: string | null = null): LogList => ({
  logs: ids.map(line),
  next_cursor: next,
  total: null,
});
const ids = (rows: LogSummary[]) => rows.map((r) => Number(r.id));

describe('the first page and infinite scroll', () => {
  it('starts tailing after the newest line, or from the start of the range when empty', () => {
    const s = startStream(page([30, 20, 10], '10'));
    expect(s.after).toBe('30');
    expect(s.cursor).toBe('10');
    expect(startStream(page([])).after).toBe('0');
  });

  it('appends older pages, skipping lines already shown, and stops at the end', () => {
    let s = startStream(page([30, 20], '20'));
    s = appendOlder(s, page([20, 10, 5], '5'));
    expect(ids(s.rows)).toEqual([30, 20, 10, 5]);
    s = appendOlder(s, page([4]));
    expect(ids(s.rows)).toEqual([30, 20, 10, 5, 4]);
    expect(s.cursor).toBeNull();
  });
});

describe('live tail', () => {
  it('prepends new lines (sent oldest first) at the top and marks them fresh', () => {
    const s = addTailed(startStream(page([10])), page([11, 12], '12'), { atTop: true });
    expect(ids(s.rows)).toEqual([12, 11, 10]);
    expect([...s.fresh]).toEqual(['12', '11']);
    expect(s.after).toBe('12');
  });

  it('holds lines back while the reader is scrolled down, then shows them in order', () => {
    let s = startStream(page([10]));
    s = addTailed(s, page([11, 12], '12'), { atTop: false });
    s = addTailed(s, page([13], '13'), { atTop: false });
    expect(ids(s.rows)).toEqual([10]);
    expect(ids(s.pending)).toEqual([13, 12, 11]);
    s = flushPending(s);
    expect(ids(s.rows)).toEqual([13, 12, 11, 10]);
    expect(s.pending).toEqual([]);
  });

  it('moves on past a scan the server cut short, and ignores lines it already has', () => {
    const s0 = startStream(page([10]));
    const s1 = addTailed(s0, page([], '55'), { atTop: true });
    expect(s1.after).toBe('55');
    expect(s1.rows).toBe(s0.rows);
    expect(addTailed(s1, page([], null), { atTop: true })).toBe(s1);
    const s2 = addTailed(s1, page([10, 60], '60'), { atTop: true });
    expect(ids(s2.rows)).toEqual([60, 10]);
  });

  it('keeps at most maxRows, scrolling on from the last row kept', () => {
    const s = addTailed(startStream(page([3, 2, 1])), page([4, 5], '5'), { atTop: true, maxRows: 4 });
    expect(ids(s.rows)).toEqual([5, 4, 3, 2]);
    expect(s.cursor).toBe('2');
    expect(trimRows(s, 10)).toBe(s);
  });

  it('after more held-back lines than it keeps, restarts the list from them with a cursor into the gap', () => {
    let s = startStream(page([1]));
    s = addTailed(s, page([2, 3, 4, 5], '5'), { atTop: false, maxRows: 2 });
    expect(ids(s.pending)).toEqual([5, 4]);
    expect(s.overflowed).toBe(true);
    s = flushPending(s, 2);
    expect(ids(s.rows)).toEqual([5, 4]);
    expect(s.cursor).toBe('4');
    expect(s.overflowed).toBe(false);
  });
});

describe('windowAround', () => {
  it('centres the window on the index, clamped to the list', () => {
    expect(windowAround(100, 50, 12)).toBe(44);
    expect(windowAround(100, 2, 12)).toBe(0);
    expect(windowAround(100, 99, 12)).toBe(88);
    expect(windowAround(5, 3, 12)).toBe(0);
  });
});
