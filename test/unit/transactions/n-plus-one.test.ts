import { describe, expect, it } from 'vitest';
import {
  analyzeQueries,
  DEFAULT_N_PLUS_ONE_DENYLIST,
  DEFAULT_N_PLUS_ONE_DENYLIST_SOURCE,
  MAX_PATTERNS_PER_TRANSACTION,
  queriesFromBreadcrumbs,
  type QueryInput,
} from '../../../src/domain/transactions/n-plus-one.js';

const options = { threshold: 3, denylist: DEFAULT_N_PLUS_ONE_DENYLIST };

function run(statements: string[], durationMs = 1): QueryInput[] {
  return statements.map((raw, index) => ({ spanId: `span${index}`, raw, durationMs }));
}

function times<T>(count: number, make: (i: number) => T): T[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

describe('analyzeQueries', () => {
  it('flags a pattern run more than the threshold, not at it', () => {
    const atThreshold = analyzeQueries(run(times(3, (i) => `SELECT * FROM users WHERE id = ${i}`)), options);
    expect(atThreshold.nPlusOne).toBe(false);
    expect(atThreshold.patterns[0]).toMatchObject({ count: 3, n_plus_one: false });

    const over = analyzeQueries(
      run(
        times(4, (i) => `SELECT * FROM users WHERE id = ${i}`),
        2.5,
      ),
      options,
    );
    expect(over).toEqual({
      patterns: [
        {
          pattern: 'SELECT * FROM users WHERE id = ?',
          count: 4,
          distinct: 4,
          total_ms: 10,
          example_span_id: 'span0',
          n_plus_one: true,
        },
      ],
      queryCount: 4,
      nPlusOne: true,
      nPlusOneMs: 10,
    });
    expect(analyzeQueries(run(times(4, () => 'SELECT 1')), { ...options, threshold: 10 }).nPlusOne).toBe(
      false,
    );
  });

  it('counts distinct raw statements, ignoring per-query comments', () => {
    const repeated = analyzeQueries(
      run(times(5, () => "SELECT * FROM settings WHERE key = 'theme'")),
      options,
    );
    expect(repeated.patterns[0]).toMatchObject({ count: 5, distinct: 1, n_plus_one: true });
    const tagged = analyzeQueries(
      run(times(5, (i) => `SELECT * FROM settings /*traceparent='00-${i}'*/`)),
      options,
    );
    expect(tagged.patterns[0]?.distinct).toBe(1);
  });

  it('keeps the first call site and the first span as the example', () => {
    const result = analyzeQueries(
      run(['SELECT 1', 'SELECT 2 /*controller:users,action:index*/', 'SELECT 3 /*controller:other*/']),
      options,
    );
    expect(result.patterns[0]).toMatchObject({
      example_span_id: 'span0',
      call_site: 'controller:users,action:index',
    });
  });

  it('sorts by total time and keeps at most 100 patterns, flagged time counted from all', () => {
    const queries: QueryInput[] = [
      ...times(
        150,
        (i) => `SELECT * FROM table_${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}`,
      ).map((raw, i) => ({ spanId: `a${i}`, raw, durationMs: i })),
      ...times(5, (i) => ({ spanId: `n${i}`, raw: `SELECT * FROM slow WHERE id = ${i}`, durationMs: 0.1 })),
    ];
    const result = analyzeQueries(queries, options);
    expect(result.patterns).toHaveLength(MAX_PATTERNS_PER_TRANSACTION);
    expect(result.patterns[0]?.total_ms).toBe(149);
    expect(result.patterns.map((p) => p.total_ms)).toEqual(
      [...result.patterns.map((p) => p.total_ms)].sort((a, b) => b - a),
    );
    // The flagged pattern is cut from the list (0.5 ms total) but still counts.
    expect(result.patterns.some((p) => p.pattern.includes('slow'))).toBe(false);
    expect(result).toMatchObject({ queryCount: 155, nPlusOne: true, nPlusOneMs: 0.5 });
  });
});

describe('the denylist', () => {
  const plumbing = [
    'SELECT "solid_cache_entries".* FROM "solid_cache_entries" WHERE key_hash = 1',
    'SELECT * FROM solid_queue_ready_executions LIMIT 1',
    'INSERT INTO solid_cable_messages (channel) VALUES (1)',
    'SELECT version FROM schema_migrations',
    'SELECT * FROM ar_internal_metadata WHERE key = 1',
    'SELECT * FROM good_jobs WHERE id = 1',
    'SELECT * FROM good_job_processes',
    'SELECT * FROM delayed_jobs WHERE id = 1',
    'SELECT * FROM que_jobs WHERE id = 1',
    'SELECT * FROM django_migrations',
    'SELECT * FROM "django_session" WHERE session_key = 1',
    'SELECT * FROM celery_taskmeta WHERE task_id = 1',
    'SELECT * FROM kombu_message',
    'SELECT * FROM knex_migrations',
    'SELECT * FROM _prisma_migrations',
    "SELECT name FROM sqlite_master WHERE type = 'table'",
    'SELECT * FROM sqlite_schema',
    'SELECT * FROM sqlite_sequence',
    'SELECT * FROM sqlite_stat1',
    'PRAGMA table_info(users)',
    'SELECT * FROM pg_catalog.pg_type WHERE oid = 1',
    'SELECT * FROM information_schema.columns WHERE table_name = 1',
    'SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid',
    'SELECT pg_get_indexdef(1)',
    'SELECT pg_try_advisory_lock(1)',
    'BEGIN',
    'COMMIT',
    'SAVEPOINT active_record_1',
    'RELEASE SAVEPOINT active_record_1',
  ];

  it.each(plumbing)('never flags %s', (statement) => {
    const result = analyzeQueries(run(times(10, () => statement)), options);
    expect(result.nPlusOne).toBe(false);
    expect(result.queryCount).toBe(10);
    expect(result.patterns[0]?.count).toBe(10);
  });

  it.each([
    'SELECT * FROM pg_search_documents WHERE searchable_id = 1',
    'SELECT * FROM users WHERE id = 1',
    'SELECT * FROM pg_typeahead WHERE id = 1',
    'SELECT * FROM my_schema_migrations_log WHERE id = 1',
  ])('still flags %s', (statement) => {
    expect(analyzeQueries(run(times(10, () => statement)), options).nPlusOne).toBe(true);
  });

  it('works from its source string and with a global flag', () => {
    const fromSource = new RegExp(DEFAULT_N_PLUS_ONE_DENYLIST_SOURCE, 'gi');
    const queries = run(times(10, () => 'SELECT * FROM good_jobs WHERE id = 1'));
    // A `g` RegExp keeps state between `test` calls; the analysis must not depend on it.
    expect(analyzeQueries(queries, { threshold: 3, denylist: fromSource }).nPlusOne).toBe(false);
    expect(analyzeQueries(queries, { threshold: 3, denylist: fromSource }).nPlusOne).toBe(false);
    expect(analyzeQueries(queries, { threshold: 3, denylist: /(?!)/ }).nPlusOne).toBe(true);
  });
});

describe('queriesFromBreadcrumbs', () => {
  it('reads SQL breadcrumbs and skips Rails schema and transaction statements', () => {
    const crumbs = {
      values: [
        {
          category: 'sql.active_record',
          data: { sql: 'SELECT * FROM users WHERE id = 1', name: 'User Load' },
        },
        { category: 'sql.active_record', data: { sql: 'SELECT a FROM pg_attribute', name: 'SCHEMA' } },
        { category: 'sql.active_record', data: { sql: 'BEGIN', name: 'TRANSACTION' } },
        { category: 'query', message: 'SELECT 2' },
        { category: 'db.query', message: 'SELECT 3' },
        { category: 'http', message: 'GET /x' },
        { category: 'sql.active_record', data: {} },
        'not a breadcrumb',
      ],
    };
    expect(queriesFromBreadcrumbs(crumbs)).toEqual([
      { spanId: '', raw: 'SELECT * FROM users WHERE id = 1', durationMs: 0 },
      { spanId: '', raw: 'SELECT 2', durationMs: 0 },
      { spanId: '', raw: 'SELECT 3', durationMs: 0 },
    ]);
    expect(queriesFromBreadcrumbs([{ category: 'sql.query', message: 'SELECT 4' }])).toHaveLength(1);
    expect(queriesFromBreadcrumbs(undefined)).toEqual([]);
  });
});
