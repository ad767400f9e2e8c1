/**
 * logs.db read side (main thread). Every search goes through the day partitions' FTS5 indexes,
 * newest day first, with the time range as an id range applied inside the index
 * (logs-partitions.ts) and filters as index tokens (logs-fts.ts); rows are read by id only for the
 * page being returned. Searches whose words the index cannot fully decide (phrases, span ids)
 * check candidates on the record, within a time budget: when it runs out the page comes back
 * `partial`, with a cursor to continue from.
 */
import type { Statement } from 'better-sqlite3';
import type { LogFacets } from '../domain/logs/views.js';
import type { LogLevel, LogRecord } from '../domain/logs/types.js';
import { createLogDecompressors, LEVEL_NAMES, levelCode, recordFromPayload } from './logs-codec.js';
import {
  compileLogSearch,
  hotToken,
  type CompiledLogSearch,
  type HotFilters,
  type LogQuery,
} from './logs-fts.js';
import {
  DAY_MS,
  dayOfId,
  dayOfMs,
  firstIdOfMs,
  ftsTable,
  ID_SLOTS_PER_MS,
  logsTable,
  msOfId,
} from './logs-partitions.js';
import type { Db } from './sqlite.js';

export interface LogFilter extends HotFilters {
  projectId: number;
  query: LogQuery;
  /** ms, inclusive. */
  fromMs?: number;
  /** ms, exclusive. */
  toMs?: number;
}

export interface StoredLog {
  /** Time-ordered: newer records have larger ids. */
  id: number;
  projectId: number;
  record: LogRecord;
}

export interface LogPage {
  logs: StoredLog[];
  /** Pass back as `cursor` (search) for the next page; null when there is none. */
  nextCursor: number | null;
  /** The time budget ran out before the page filled: `nextCursor` continues where it stopped. */
  partial: boolean;
}

export interface LogHistogramCounts {
  /** Buckets that have records, oldest first; `startMs` is a multiple of bucketMs. */
  buckets: { startMs: number; counts: Record<LogLevel, number> }[];
  /** Phrases and span filters are not applied to counts (the index alone counts). */
  approximate: boolean;
  /** The budget ran out: days are counted newest first, so the oldest buckets are missing or low. */
  partial: boolean;
}

/**
 * What a search may spend checking candidates (phrases, span ids) before returning a partial page
 * (~10 µs a candidate: decompress, parse, match).
 */
export const SEARCH_BUDGET_MS = 150;
/**
 * Counting through the index, one query per day and level, each of which runs to its end (~30 ms
 * for a common word over a day of 714,000 records): stop starting new ones after this, so the
 * whole stays under 200 ms.
 */
export const HISTOGRAM_BUDGET_MS = 120;
/** Values per facet kind returned to filter menus, most recently seen first. */
const MAX_FACET_VALUES = 200;
const MAX_LIMIT = 1000;
const ROW_COLUMNS =
  'l.id, l.project_id, l.time_delta_us, l.level, l.trace_id, l.span_id, l.dict_id, l.payload';

interface Row {
  id: number;
  project_id: number;
  time_delta_us: number;
  level: number;
  trace_id: Buffer | null;
  span_id: Buffer | null;
  dict_id: number;
  payload: Buffer;
}

export function createLogsStore(db: Db) {
  const listDays = db.prepare('SELECT day FROM log_partitions ORDER BY day').pluck();
  const decompressors = createLogDecompressors(
    (id) =>
      db.prepare('SELECT bytes FROM log_dictionaries WHERE id = ?').pluck().get(id) as Buffer | undefined,
  );
  const newDictionaries = db.prepare('SELECT id, bytes FROM log_dictionaries WHERE id > ? ORDER BY id');
  let newestDictionary = 0;
  const statements = new Map<string, Statement>();
  let knownDays: number[] = [];

  /** Rows are decoded while a statement iterates, when no other query may run: load dictionaries first. */
  function loadNewDictionaries() {
    for (const d of newDictionaries.all(newestDictionary) as { id: number; bytes: Buffer }[]) {
      decompressors.add(d.id, d.bytes);
      newestDictionary = d.id;
    }
  }

  /** Day tables come and go (writer creates, retention drops): statements are kept per live day. */
  function days(): number[] {
    const now = listDays.all() as number[];
    if (now.length !== knownDays.length || now.some((d, i) => d !== knownDays[i])) {
      const live = new Set(now);
      for (const key of statements.keys()) if (!live.has(Number(key.split(':')[0]))) statements.delete(key);
      knownDays = now;
    }
    return now;
  }

  function statement(day: number, shape: string, sql: () => string): Statement {
    const key = `${day}:${shape}`;
    let s = statements.get(key);
    if (!s) {
      s = db.prepare(sql());
      statements.set(key, s);
    }
    return s;
  }

  function decode(row: Row): StoredLog {
    const json = decompressors.decompress(row.dict_id, row.payload).toString('utf8');
    const timeUs = msOfId(row.id) * 1000 + row.time_delta_us;
    const record = recordFromPayload(json, {
      timeUs,
      level: row.level,
      traceId: row.trace_id,
      spanId: row.span_id,
    });
    return { id: row.id, projectId: row.project_id, record };
  }

  function candidates(day: number, c: CompiledLogSearch, descending: boolean): Statement {
    const shape = `${descending ? 'desc' : 'asc'}:${c.traceId ? 't' : ''}${c.spanId ? 's' : ''}`;
    return statement(day, shape, () => {
      const fts = ftsTable(day);
      return `SELECT ${ROW_COLUMNS} FROM ${fts} f JOIN ${logsTable(day)} l ON l.id = f.rowid
        WHERE ${fts} MATCH ? AND f.rowid >= ? AND f.rowid < ?
        ${c.traceId ? 'AND l.trace_id = ?' : ''} ${c.spanId ? 'AND l.span_id = ?' : ''}
        ORDER BY f.rowid ${descending ? 'DESC' : 'ASC'}`;
    });
  }

  function params(c: CompiledLogSearch, lower: number, upper: number): unknown[] {
    const p: unknown[] = [c.match, lower, upper];
    if (c.traceId) p.push(Buffer.from(c.traceId, 'hex'));
    if (c.spanId) p.push(Buffer.from(c.spanId, 'hex'));
    return p;
  }

  function passes(c: CompiledLogSearch, log: StoredLog): boolean {
    if (c.phrases.length === 0) return true;
    const text = searchableText(log.record);
    return c.phrases.every((p) => p.pattern.test(text) !== p.negated);
  }

  type Range = { lower: number; upper: number; descending: boolean };

  /** Walks the days in order, collecting up to `limit` rows in [lower, upper). */
  /**
   * One read transaction, so the dictionaries loaded first are all that the rows read next can
   * name (a dictionary promoted in between would otherwise need a query mid-iteration).
   */
  const scan = (filter: LogFilter, range: Range, limit: number, budgetMs = SEARCH_BUDGET_MS): LogPage =>
    db.transaction(() => scanInSnapshot(filter, range, limit, budgetMs))();

  function scanInSnapshot(filter: LogFilter, range: Range, limit: number, budgetMs: number): LogPage {
    const { lower, upper, descending } = range;
    const c = compileLogSearch(filter.projectId, filter.query, filter);
    loadNewDictionaries();
    const want = Math.max(1, Math.min(limit, MAX_LIMIT));
    const deadline = performance.now() + budgetMs;
    const all = days().filter((d) => d >= dayOfId(lower) && d <= dayOfId(Math.max(lower, upper - 1)));
    const ordered = descending ? all.reverse() : all;
    const logs: StoredLog[] = [];
    let scanned = 0;
    let lastSeen: number | null = null;
    for (const day of ordered) {
      // An index walk that finds nothing cannot be stopped midway (two common words that never
      // meet: ~13 ms a day at 714,000 records/day); the budget is also checked between days.
      if (day !== ordered[0] && performance.now() > deadline) {
        const resumeAt = descending ? firstIdOfMs((day + 1) * DAY_MS) : firstIdOfMs(day * DAY_MS) - 1;
        return { logs, nextCursor: resumeAt, partial: true };
      }
      let rows: IterableIterator<unknown>;
      try {
        rows = candidates(day, c, descending).iterate(...params(c, lower, upper));
      } catch (err) {
        if (isMissingTable(err)) continue;
        throw err;
      }
      for (const raw of rows) {
        const log = decode(raw as Row);
        lastSeen = log.id;
        if (passes(c, log)) logs.push(log);
        if (logs.length > want) break;
        if (++scanned % 64 === 0 && performance.now() > deadline) {
          return { logs, nextCursor: lastSeen, partial: true };
        }
      }
      if (logs.length > want) break;
    }
    const more = logs.length > want;
    if (more) logs.length = want;
    return { logs, nextCursor: more ? logs[logs.length - 1]!.id : null, partial: false };
  }

  return {
    /** Newest first. `cursor` is a previous page's `nextCursor`: only older records follow. */
    search(
      filter: LogFilter,
      options: { limit: number; cursor?: number | null; budgetMs?: number },
    ): LogPage {
      const upper = Math.min(
        options.cursor ?? Infinity,
        filter.toMs !== undefined ? firstIdOfMs(filter.toMs) : Infinity,
      );
      const lower = filter.fromMs !== undefined ? firstIdOfMs(filter.fromMs) : 0;
      const range = {
        lower,
        upper: Number.isFinite(upper) ? upper : Number.MAX_SAFE_INTEGER,
        descending: true,
      };
      return scan(filter, range, options.limit, options.budgetMs);
    },

    /** Records newer than `afterId`, oldest first (live tail: poll with the last id seen). */
    after(filter: LogFilter, afterId: number, limit: number): LogPage {
      const lower = Math.max(afterId + 1, filter.fromMs !== undefined ? firstIdOfMs(filter.fromMs) : 0);
      const upper = filter.toMs !== undefined ? firstIdOfMs(filter.toMs) : Number.MAX_SAFE_INTEGER;
      const page = scan(filter, { lower, upper, descending: false }, limit);
      return {
        ...page,
        nextCursor: page.logs.length ? page.logs[page.logs.length - 1]!.id : page.nextCursor,
      };
    },

    /**
     * Records per bucket and level over [fromMs, toMs). Buckets start at multiples of `bucketMs`
     * since the epoch; empty ones are left out (the caller zero-fills). Without search text or
     * other filters it reads the per-minute counts kept at write time; otherwise the index counts.
     */
    histogram(filter: LogFilter & { fromMs: number; toMs: number }, bucketMs: number): LogHistogramCounts {
      const byBucket = new Map<number, Record<LogLevel, number>>();
      const add = (startMs: number, level: LogLevel, n: number) => {
        let counts = byBucket.get(startMs);
        if (!counts) {
          counts = { trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0 };
          byBucket.set(startMs, counts);
        }
        counts[level] += n;
      };
      const levels = filter.levels && filter.levels.length > 0 ? [...filter.levels] : [...LEVEL_NAMES];
      const narrowed =
        filter.query.terms.length > 0 ||
        filter.environment !== undefined ||
        filter.service !== undefined ||
        filter.release !== undefined ||
        filter.logger !== undefined;
      let approximate = false;
      let partial = false;
      if (!narrowed && bucketMs % 60_000 === 0) {
        const rows = db
          .prepare(
            `SELECT minute, level, count FROM log_counts WHERE project_id = ? AND minute >= ? AND minute < ?
             AND level IN (${levels.map(() => '?').join(',')})`,
          )
          .all(
            filter.projectId,
            Math.ceil(filter.fromMs / 60_000),
            Math.ceil(filter.toMs / 60_000),
            ...levels.map(levelCode),
          ) as { minute: number; level: number; count: number }[];
        for (const r of rows)
          add(Math.floor((r.minute * 60_000) / bucketMs) * bucketMs, LEVEL_NAMES[r.level - 1]!, r.count);
      } else {
        const base = compileLogSearch(filter.projectId, filter.query, { ...filter, levels: undefined });
        approximate = base.phrases.length > 0 || base.spanId !== null;
        const lower = firstIdOfMs(filter.fromMs);
        const upper = firstIdOfMs(filter.toMs);
        const deadline = performance.now() + HISTOGRAM_BUDGET_MS;
        const all = days().filter((d) => d >= dayOfMs(filter.fromMs) && d <= dayOfMs(filter.toMs - 1));
        outer: for (const day of all.reverse()) {
          for (const level of levels) {
            if (performance.now() > deadline) {
              partial = true;
              break outer;
            }
            const fts = ftsTable(day);
            const count = statement(
              day,
              'histogram',
              () =>
                `SELECT rowid / CAST(? AS INTEGER) AS bucket, count(*) AS n FROM ${fts} WHERE ${fts} MATCH ? AND rowid >= ? AND rowid < ? GROUP BY bucket`,
            );
            const match = `(${base.match}) AND "${hotToken('level', level)}"`;
            try {
              for (const r of count.all(bucketMs * ID_SLOTS_PER_MS, match, lower, upper) as {
                bucket: number;
                n: number;
              }[]) {
                add(r.bucket * bucketMs, level, r.n);
              }
            } catch (err) {
              if (!isMissingTable(err)) throw err;
            }
          }
        }
      }
      const buckets = [...byBucket.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([startMs, counts]) => ({ startMs, counts }));
      return { buckets, approximate, partial };
    },

    facets(projectId: number): LogFacets {
      const rows = db
        .prepare('SELECT kind, value FROM log_facets WHERE project_id = ? ORDER BY last_seen DESC, value')
        .all(projectId) as { kind: string; value: string }[];
      const pick = (kind: string) =>
        rows
          .filter((r) => r.kind === kind)
          .slice(0, MAX_FACET_VALUES)
          .map((r) => r.value);
      const seenLevels = new Set(pick('level'));
      return {
        levels: LEVEL_NAMES.filter((l) => seenLevels.has(l)),
        environments: pick('environment'),
        services: pick('service'),
        releases: pick('release'),
        loggers: pick('logger'),
      };
    },

    get(projectId: number, id: number): StoredLog | undefined {
      const day = dayOfId(id);
      if (!days().includes(day)) return undefined;
      const row = statement(
        day,
        'get',
        () => `SELECT ${ROW_COLUMNS} FROM ${logsTable(day)} l WHERE l.id = ? AND l.project_id = ?`,
      ).get(id, projectId) as Row | undefined;
      return row ? decode(row) : undefined;
    },

    /** A trace's records, oldest first. */
    ofTrace(projectId: number, traceId: string, limit: number): StoredLog[] {
      const filter: LogFilter = { projectId, query: { terms: [traceTerm(traceId)] } };
      return scan(filter, { lower: 0, upper: Number.MAX_SAFE_INTEGER, descending: false }, limit).logs;
    },

    countOfTrace(projectId: number, traceId: string): number {
      const c = compileLogSearch(projectId, { terms: [traceTerm(traceId)] }, {});
      let total = 0;
      for (const day of days()) {
        const fts = ftsTable(day);
        const count = statement(
          day,
          'trace-count',
          () =>
            `SELECT count(*) FROM ${fts} f JOIN ${logsTable(day)} l ON l.id = f.rowid WHERE ${fts} MATCH ? AND l.trace_id = ?`,
        ).pluck();
        try {
          total += count.get(c.match, Buffer.from(traceId, 'hex')) as number;
        } catch (err) {
          if (!isMissingTable(err)) throw err;
        }
      }
      return total;
    },

    /** For /_health and storage stats: records stored since the start, now kept, and dropped. */
    counters(): {
      logs: number;
      rows: number;
      invalid: number;
      rejected: number;
      pruned: number;
      dictionaries: number;
    } {
      const c = Object.fromEntries(
        (db.prepare('SELECT name, value FROM counters').all() as { name: string; value: number }[]).map(
          (r) => [r.name, r.value],
        ),
      );
      return {
        logs: c.logs ?? 0,
        rows: db.prepare('SELECT coalesce(sum(rows), 0) FROM log_partitions').pluck().get() as number,
        invalid: c.invalid_logs ?? 0,
        rejected: c.rejected_logs ?? 0,
        pruned: c.pruned_logs ?? 0,
        dictionaries: c.dictionary_promotions ?? 0,
      };
    },
  };
}

export type LogsStore = ReturnType<typeof createLogsStore>;

const traceTerm = (traceId: string) =>
  ({ kind: 'hot', key: 'trace', value: traceId.toLowerCase(), prefix: false, negated: false }) as const;

/** A day dropped by retention between listing days and reading one. */
function isMissingTable(err: unknown): boolean {
  return err instanceof Error && /no such table/.test(err.message);
}

/** Body and attribute values, the text a phrase must occur in (as the index saw it). */
function searchableText(record: LogRecord): string {
  const parts = [record.body];
  const collect = (value: unknown): void => {
    if (typeof value === 'string' || typeof value === 'number') parts.push(String(value));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect(record.attributes);
  return parts.join('\n');
}
