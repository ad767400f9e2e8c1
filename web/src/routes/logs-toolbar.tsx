/**
 * The logs page's search box (with its syntax help and the server's complaint about a query it
 * cannot read) and its filters: levels, the facets kept at write time, the time range or the
 * zoomed window. Everything it sets lives in the query string.
 */
import { useEffect, useState, type RefObject } from 'react';
import type { LogFacets } from '../api/client';
import { TimeRangePicker } from '../components/time-range-picker';
import { LogLevelTag } from '../components/log-line';
import { formatLogTime } from '../components/log-time';
import { setQuery } from '../router';
import { LOG_LEVELS, LOG_RANGES, toggleLevel, withCurrent, type LogFilters } from './log-filters';

/** Filters replace the history entry: the back button leaves the page, not each keystroke. */
const set = (changes: Record<string, string | null>) => setQuery(changes, { replace: true });

const SYNTAX: [example: string, meaning: string][] = [
  ['timeout refused', 'both words, anywhere in the body or attributes'],
  ['"connection refused"', 'the exact phrase'],
  ['time*', 'words starting with "time"'],
  ['status:422 method:POST', 'attributes with these values'],
  ['route:"/api/orders"', 'a quoted attribute value'],
  ['level:error service:api env:prod', 'level, service, environment, release:, logger:, host:'],
  ['trace:4bf92f35…  span_id:00f067aa…', "one trace's or span's lines"],
  ['-healthcheck', 'without this word (or -key:value)'],
  ['c0ffee00-1234-…', 'a pasted UUID or hex id, wherever it occurs'],
];

export function LogSearch({
  value,
  error,
  inputRef,
}: {
  value: string;
  /** The server's reason a query could not be read (400), shown under the box. */
  error: string | null;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const apply = (q: string) => set({ q: q.trim() || null });
  return (
    <form
      className="logs-search"
      role="search"
      aria-label="Search logs"
      onSubmit={(e) => {
        e.preventDefault();
        apply(draft);
      }}
    >
      <div className="logs-search-row">
        <input
          ref={inputRef}
          type="search"
          className="logs-search-input"
          aria-label="Search logs"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'logs-search-error' : undefined}
          placeholder='Search: words, "phrases", key:value, level:error, -exclude, a pasted id…  ( / )'
          spellCheck={false}
          autoComplete="off"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            if (e.target.value === '' && value) apply('');
          }}
          onKeyDown={(e) => e.key === 'Escape' && e.currentTarget.blur()}
        />
        <button type="submit" className="primary">
          Search
        </button>
        <details className="logs-syntax">
          <summary>Syntax</summary>
          <div className="logs-syntax-panel card">
            <table>
              <caption className="visually-hidden">Search syntax</caption>
              <tbody>
                {SYNTAX.map(([example, meaning]) => (
                  <tr key={example}>
                    <th scope="row">
                      <code>{example}</code>
                    </th>
                    <td>{meaning}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">Terms are combined with AND. Values match whole, case-insensitively.</p>
          </div>
        </details>
      </div>
      {error && (
        <p id="logs-search-error" className="logs-search-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

export function LogFilterBar({ f, facets }: { f: LogFilters; facets: LogFacets | undefined }) {
  const zoomed = Boolean(f.start && f.end);
  const selects: [keyof LogFilters & ('environment' | 'service' | 'release' | 'logger'), string, string[]][] =
    [
      ['environment', 'All environments', facets?.environments ?? []],
      ['service', 'All services', facets?.services ?? []],
      ['release', 'All releases', facets?.releases ?? []],
      ['logger', 'All loggers', facets?.loggers ?? []],
    ];
  return (
    <div className="logs-filters" role="group" aria-label="Filters">
      <div
        className={f.levels.length ? 'logs-levels is-filtered' : 'logs-levels'}
        role="group"
        aria-label="Levels"
      >
        {LOG_LEVELS.map((level) => (
          <button
            key={level}
            type="button"
            className="logs-level-toggle"
            aria-pressed={f.levels.includes(level)}
            aria-label={`Level ${level}`}
            onClick={() => set({ level: toggleLevel(f.levels, level).join(',') || null })}
          >
            <LogLevelTag level={level} />
          </button>
        ))}
      </div>
      {selects.map(([key, all, options]) => (
        <select
          key={key}
          aria-label={key[0]!.toUpperCase() + key.slice(1)}
          value={f[key]}
          onChange={(e) => set({ [key]: e.target.value || null })}
        >
          <option value="">{all}</option>
          {withCurrent(options, f[key]).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      ))}
      <div className="logs-range">
        {zoomed && (
          <span className="logs-zoom chip">
            {formatLogTime(f.start).replace(/\.\d+$/, '')} – {formatLogTime(f.end).replace(/\.\d+$/, '')}
            <button
              type="button"
              className="logs-zoom-reset"
              aria-label="Reset zoom"
              title="Back to the time range"
              onClick={() => set({ start: null, end: null })}
            >
              ✕
            </button>
          </span>
        )}
        <TimeRangePicker
          value={f.range}
          options={LOG_RANGES}
          onChange={(r) => set({ range: r === '24h' ? null : r, start: null, end: null })}
        />
      </div>
    </div>
  );
}
