/**
 * N+1 analysis: the queries of one transaction grouped by normalized SQL. A pattern run more than
 * `threshold` times (Splat's N_PLUS_ONE_THRESHOLD, 3) is flagged unless it is framework plumbing.
 *
 * `distinct` counts the raw statements: 1 means the same query repeated (memoize it), many means
 * the classic N+1 over ids (eager-load). Block comments are left out of that comparison:
 * sqlcommenter's `traceparent` differs for every query and would make each one distinct. Plumbing stays in the patterns and in the query count,
 * since the database did run it, but is never flagged: an app cannot eager-load its job queue.
 */
import { normalizeSql, type NormalizeSqlOptions, type SqlNormalizer } from './sql-normalize.js';
import type { QueryPattern } from './types.js';

export interface QueryInput {
  spanId: string;
  raw: string;
  durationMs: number;
  /** From the span's db.system, so the pattern equals the span's stored description. */
  dialect?: NormalizeSqlOptions['dialect'];
}

export interface N1Options {
  threshold: number;
  denylist: RegExp;
}

export interface QueryAnalysis {
  patterns: QueryPattern[];
  queryCount: number;
  nPlusOne: boolean;
  nPlusOneMs: number;
}

export const DEFAULT_N_PLUS_ONE_THRESHOLD = 3;
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g;
/** Patterns kept per transaction, by total time: enough for any page someone would fix by hand. */
export const MAX_PATTERNS_PER_TRANSACTION = 100;

/**
 * Tables and functions that frameworks query on their own, per request or per job. Specific
 * PostgreSQL catalog names, not a blanket `pg_\w+`, so an app table such as `pg_search_documents`
 * (the pg_search gem) still counts. Transaction control (BEGIN/COMMIT/SAVEPOINT) is here too: it
 * repeats with the statement that is the real N+1, and flagging it would count that time twice.
 * `django_session` is here: the session middleware reads it, not the view.
 */
export const DEFAULT_N_PLUS_ONE_DENYLIST_SOURCE = [
  String.raw`\b(?:solid_cache_entries|solid_queue_\w+|solid_cable_messages|schema_migrations|ar_internal_metadata)\b`,
  String.raw`\b(?:good_jobs?|good_job_\w+|delayed_jobs|que_(?:jobs|lockers|values))\b`,
  String.raw`\b(?:django_migrations|django_session|django_content_type|django_celery_\w+|celery_\w+|kombu_\w+)\b`,
  String.raw`\b(?:knex_migrations(?:_lock)?|_prisma_migrations|typeorm_metadata|SequelizeMeta|__EFMigrationsHistory)\b`,
  String.raw`\b(?:sqlite_(?:master|schema|sequence|temp_master|temp_schema|stat\d)|dbstat)\b|^\s*pragma\b`,
  String.raw`\b(?:pg_catalog|information_schema)\b`,
  String.raw`\bpg_(?:class|attribute|attrdef|type|namespace|index|indexes|constraint|proc|database|tables|views)\b`,
  String.raw`\bpg_(?:matviews|settings|locks|extension|enum|range|sequences?|description|inherits|depend)\b`,
  String.raw`\bpg_(?:roles|user|am|collation|trigger|stat_\w+|statio_\w+|get_\w+|try_advisory_\w+|advisory_\w+)\b`,
  String.raw`\bpg_(?:notify|backend_pid|is_in_recovery|table_is_visible|current_wal_lsn)\b`,
  String.raw`^\s*(?:begin|commit|rollback|savepoint|release(?:\s+savepoint)?|start\s+transaction|set\s|show\s)`,
].join('|');

export const DEFAULT_N_PLUS_ONE_DENYLIST = new RegExp(DEFAULT_N_PLUS_ONE_DENYLIST_SOURCE, 'i');

export function analyzeQueries(
  queries: QueryInput[],
  options: N1Options,
  normalize: SqlNormalizer = normalizeSql,
): QueryAnalysis {
  interface Group {
    pattern: QueryPattern;
    raws: Set<string>;
  }
  const groups = new Map<string, Group>();
  for (const query of queries) {
    const { sql, callSite } = normalize(query.raw, { dialect: query.dialect });
    if (sql === '') continue;
    let group = groups.get(sql);
    if (!group) {
      const pattern: QueryPattern = {
        pattern: sql,
        count: 0,
        distinct: 0,
        total_ms: 0,
        example_span_id: query.spanId,
        n_plus_one: false,
      };
      group = { pattern, raws: new Set() };
      groups.set(sql, group);
    }
    const { pattern } = group;
    pattern.count++;
    pattern.total_ms += Math.max(0, query.durationMs);
    if (callSite !== undefined) pattern.call_site ??= callSite;
    group.raws.add((query.raw.includes('/*') ? query.raw.replace(BLOCK_COMMENT, '') : query.raw).trim());
  }
  const patterns = [...groups.values()].map(({ pattern, raws }) => ({
    ...pattern,
    distinct: raws.size,
    total_ms: roundMs(pattern.total_ms),
  }));
  return summarize(patterns, queries.length, options);
}

/** Flags, sorts and caps patterns; used again when late spans add to stored patterns. */
export function summarize(patterns: QueryPattern[], queryCount: number, options: N1Options): QueryAnalysis {
  let nPlusOneMs = 0;
  for (const pattern of patterns) {
    // `search` ignores `lastIndex`, so a configured pattern with the `g` flag still works.
    pattern.n_plus_one = pattern.count > options.threshold && pattern.pattern.search(options.denylist) < 0;
    if (pattern.n_plus_one) nPlusOneMs += pattern.total_ms;
  }
  patterns.sort((a, b) => b.total_ms - a.total_ms || b.count - a.count || (a.pattern < b.pattern ? -1 : 1));
  return {
    patterns: patterns.slice(0, MAX_PATTERNS_PER_TRANSACTION),
    queryCount,
    nPlusOne: patterns.some((pattern) => pattern.n_plus_one),
    nPlusOneMs: roundMs(nPlusOneMs),
  };
}

/**
 * Queries from breadcrumbs, for transactions without db spans (sentry-ruby with
 * `breadcrumbs_logger = [:active_support_logger]`, SDKs that log SQL but do not trace it). Rails
 * SCHEMA and TRANSACTION statements are skipped, as sentry-rails skips them for spans.
 */
export function queriesFromBreadcrumbs(breadcrumbs: unknown): QueryInput[] {
  const list = Array.isArray(breadcrumbs)
    ? breadcrumbs
    : isObject(breadcrumbs) && Array.isArray(breadcrumbs.values)
      ? breadcrumbs.values
      : [];
  const queries: QueryInput[] = [];
  for (const crumb of list) {
    if (!isObject(crumb) || typeof crumb.category !== 'string' || !isSqlCategory(crumb.category)) continue;
    const data = isObject(crumb.data) ? crumb.data : {};
    if (data.name === 'SCHEMA' || data.name === 'TRANSACTION') continue;
    const sql = typeof data.sql === 'string' ? data.sql : crumb.message;
    if (typeof sql === 'string' && sql.trim() !== '') queries.push({ spanId: '', raw: sql, durationMs: 0 });
  }
  return queries;
}

function isSqlCategory(category: string): boolean {
  return category === 'query' || category.startsWith('sql.') || category.startsWith('db.');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}
