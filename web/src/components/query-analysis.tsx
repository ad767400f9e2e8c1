/**
 * The SQL a transaction ran, as normalized patterns (literals → ?): how often each ran, how many
 * distinct statements hid behind it, the time it took, and where it came from. N+1 patterns come
 * first. Also the one-sentence reading of `distinct` the N+1 worklist shows beside its patterns.
 */
import type { QueryPattern } from '../api/client';
import { formatDuration } from '../format-duration';
import { CodeBlock } from './code-block';
import './query-analysis.css';

/** N+1 patterns first, then the costliest, then the most frequent; the input is not changed. */
export function orderPatterns<T extends QueryPattern>(patterns: readonly T[]): T[] {
  return [...patterns].sort(
    (a, b) =>
      Number(b.n_plus_one) - Number(a.n_plus_one) ||
      b.total_ms - a.total_ms ||
      b.count - a.count ||
      a.pattern.localeCompare(b.pattern),
  );
}

/**
 * What `distinct` says about the fix: one statement repeated is cacheable in-process; many that
 * differ only in their literals are a loop over rows that one eager load (JOIN / IN) replaces.
 */
export function distinctAdvice(p: Pick<QueryPattern, 'count' | 'distinct'>): string {
  if (p.count <= 1) return 'Ran once.';
  if (p.distinct <= 1) return `The same statement ${p.count} times: memoize it or load it once per request.`;
  if (p.distinct >= p.count)
    return `${p.count} statements differing only in their values: a loop over rows (N+1); load them together (eager load, JOIN or IN).`;
  return `${p.distinct} distinct statements over ${p.count} runs: partly a loop (N+1), partly repeats; eager-load and memoize.`;
}

export function PatternStats({ pattern }: { pattern: QueryPattern }) {
  return (
    <dl className="qa-stats">
      <div>
        <dt>Count</dt>
        <dd>{pattern.count.toLocaleString()}</dd>
      </div>
      <div>
        <dt>Distinct</dt>
        <dd>{pattern.distinct.toLocaleString()}</dd>
      </div>
      <div>
        <dt>Total</dt>
        <dd>{formatDuration(pattern.total_ms)}</dd>
      </div>
      {pattern.call_site && (
        <div className="qa-call-site">
          <dt>Call site</dt>
          <dd>
            <code>{pattern.call_site}</code>
          </dd>
        </div>
      )}
    </dl>
  );
}

export function NPlusOneBadge() {
  return (
    <span className="qa-badge" title="Ran more than 3 times in one transaction">
      N+1
    </span>
  );
}

export function QueryAnalysis({
  queries,
  onShowSpan,
}: {
  queries: readonly QueryPattern[];
  /** Reveals a pattern's example occurrence (a span id) in the waterfall. */
  onShowSpan?: (spanId: string) => void;
}) {
  const ordered = orderPatterns(queries);
  if (ordered.length === 0) return <p className="muted qa-empty">No database queries in this transaction.</p>;
  return (
    <ol className="qa-list">
      {ordered.map((p) => (
        <li key={p.pattern} className={p.n_plus_one ? 'qa-item qa-n1' : 'qa-item'}>
          <div className="qa-head">
            {p.n_plus_one && <NPlusOneBadge />}
            <PatternStats pattern={p} />
            {onShowSpan && (
              <button
                type="button"
                className="link-button qa-show"
                onClick={() => onShowSpan(p.example_span_id)}
              >
                Show in waterfall
              </button>
            )}
          </div>
          <CodeBlock code={p.pattern} language="sql" label="SQL pattern" wrap />
          {p.count > 1 && <p className="qa-advice muted">{distinctAdvice(p)}</p>}
        </li>
      ))}
    </ol>
  );
}
