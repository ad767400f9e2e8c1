/**
 * Times the logs search API (GET /api/v1/projects/<slug>/logs, src/api/logs.ts) the way the logs
 * page calls it: newest first, 50 a page, a handful of query shapes whose terms are picked from the
 * pool, so each one has hits in what was just stored (or seeded). Each query: warm-up calls, then
 * timed calls one after another; the median is the figure, the max shows the stalls, and the first
 * warm-up call (pages no connection has cached yet) is kept as `firstMs`.
 */
import { performance } from 'node:perf_hooks';
import { SEARCH_TERMS } from './log-records.js';
import { median } from './stats.js';

const WARM_UP_CALLS = 1;
export const TIMED_CALLS = 7;
const PAGE_SIZE = 50;
/** log-records.js's long-tail words (`w<base36>…rd`), from the `tag` attribute and one template. */
const TAIL_WORD = /\bw[0-9a-z]+[aeiou]rd\b/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * Search terms with hits in `records` (oldest first): a tail word found in one record, and the
 * newest record's UUID and trace id, so a range ending now still holds them.
 */
export function pickSearchTerms(records) {
  const tailCounts = new Map();
  let uuid;
  let traceId;
  for (const r of [...records].reverse()) {
    for (const word of `${r.body} ${r.attributes.tag ?? ''}`.match(TAIL_WORD) ?? [])
      tailCounts.set(word, (tailCounts.get(word) ?? 0) + 1);
    uuid ??= UUID.exec(r.body)?.[0];
    traceId ??= r.traceId ?? undefined;
  }
  const once = [...tailCounts].filter(([, n]) => n === 1).map(([w]) => w);
  return {
    common: SEARCH_TERMS.common,
    // The middle of the sorted singletons: a stable choice across runs of the same corpus.
    rare: once.sort()[Math.floor(once.length / 2)] ?? SEARCH_TERMS.rare,
    attribute: SEARCH_TERMS.attribute,
    uuid: uuid?.toUpperCase(),
    traceId,
  };
}

/** [label, query string] pairs: what the logs page sends for each search. */
export function describeSearches(terms, extra = '') {
  return [
    ['common word: `completed` (~5 % of records)', `q=${terms.common}`],
    [`rare word: \`${terms.rare}\` (a long-tail word)`, `q=${terms.rare}`],
    ['word in no record: `zqxjnotthere`', 'q=zqxjnotthere'],
    [`key:value: \`${terms.attribute}\``, `q=${encodeURIComponent(terms.attribute)}`],
    ['pasted UUID (upper case, with dashes)', `q=${terms.uuid}`],
    ['pasted trace id (32 hex)', `q=${terms.traceId}`],
    ['level filter: error + fatal, no text', 'level=error,fatal'],
    ['level filter + word: `level=warn` and `failed`', 'level=warn&q=failed'],
  ].map(([label, query]) => [label, `${query}&limit=${PAGE_SIZE}${extra}`]);
}

async function callSearch(url) {
  const startedAt = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  const ms = performance.now() - startedAt;
  if (!res.ok) throw new Error(`GET ${url} → ${res.status}: ${text.slice(0, 300)}`);
  const page = JSON.parse(text);
  return { ms, rows: page.logs.length, partial: page.partial === true };
}

/**
 * Runs each search against `server`; `extra` is appended to every query (`&range=7d`). Returns
 * [{ label, query, firstMs, medianMs, maxMs, rows, partial }].
 */
export async function timeSearches(server, terms, { slug = 'default', extra = '' } = {}) {
  const results = [];
  for (const [label, query] of describeSearches(terms, extra)) {
    const url = `${server.url}/api/v1/projects/${slug}/logs?${query}`;
    let firstMs;
    for (let i = 0; i < WARM_UP_CALLS; i++) firstMs ??= (await callSearch(url)).ms;
    const times = [];
    let last;
    let partial = false;
    for (let i = 0; i < TIMED_CALLS; i++) {
      last = await callSearch(url);
      times.push(last.ms);
      partial ||= last.partial;
    }
    results.push({
      label,
      query,
      firstMs,
      medianMs: median(times),
      maxMs: Math.max(...times),
      rows: last.rows,
      partial,
    });
  }
  return results;
}
