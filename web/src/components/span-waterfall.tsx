/**
 * A transaction's spans as a waterfall: one row per span in the order the API gives (depth-first),
 * indented by depth, each bar placed by its start and end on the transaction's timeline and
 * coloured by category. Runs of identical siblings (an ORM's loop: the same op and normalized SQL)
 * fold into one "× N" row that expands. Rows form an ARIA tree with one Tab stop: arrows or j/k
 * move, Enter or → expands, ← collapses; the focused or hovered row shows a card with the span's
 * details. The layout is in waterfall-layout.ts.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SpanRecord } from '../api/client';
import { formatDuration } from '../format-duration';
import { CATEGORY_LABELS } from './breakdown-bar';
import {
  CATEGORIES,
  axisTicks,
  barPosition,
  categoryClass,
  groupsHiding,
  isFailedStatus,
  timelineOf,
  waterfallRows,
  type Timeline,
  type WaterfallRow,
} from './waterfall-layout';
import './span-waterfall.css';

export function SpanWaterfall({
  spans,
  txStart,
  txEnd,
  focusSpanId,
}: {
  spans: readonly SpanRecord[];
  /** The transaction's own start and end, epoch ms. */
  txStart: number;
  txEnd: number;
  /** Set (with a new value each time) to reveal, scroll to and focus one span. */
  focusSpanId?: { id: string } | null;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const [hoverKey, setHoverKey] = useState<string | null>(null);
  const [hasFocus, setHasFocus] = useState(false);
  const list = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => waterfallRows(spans, expanded), [spans, expanded]);
  const timeline = useMemo(() => timelineOf({ start: txStart, end: txEnd }, spans), [txStart, txEnd, spans]);
  const ticks = axisTicks(timeline.end - timeline.start);
  const tickPct = (t: number) => (t / (timeline.end - timeline.start || 1)) * 100;
  const activeIndex = Math.max(
    0,
    rows.findIndex((r) => r.key === focusKey),
  );
  const cardKey = hoverKey ?? (hasFocus ? focusKey : null);

  const focusRow = (key: string) => {
    setFocusKey(key);
    const el = list.current?.querySelector<HTMLElement>(`[data-key="${key}"]`);
    el?.focus({ preventScroll: true });
    el?.scrollIntoView({ block: 'nearest' });
  };
  const toggle = (key: string, open?: boolean) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (open ?? !next.has(key)) next.add(key);
      else next.delete(key);
      return next;
    });

  // Reveal a span asked for from outside (the query analysis' "show in waterfall").
  useEffect(() => {
    if (!focusSpanId) return;
    const hiding = groupsHiding(spans, focusSpanId.id);
    setExpanded((s) => (hiding.every((k) => s.has(k)) ? s : new Set([...s, ...hiding])));
    setFocusKey(focusSpanId.id);
    setHasFocus(true);
  }, [focusSpanId, spans]);
  useEffect(() => {
    if (!focusSpanId) return;
    const el = list.current?.querySelector<HTMLElement>(`[data-key="${focusSpanId.id}"]`);
    el?.focus({ preventScroll: true });
    el?.scrollIntoView({ block: 'center' });
  }, [focusSpanId, rows]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = rows.findIndex((r) => r.key === (e.target as HTMLElement).dataset['key']);
    const row = rows[i];
    if (!row) return;
    const moveTo = (j: number) => {
      const target = rows[Math.max(0, Math.min(rows.length - 1, j))];
      if (target) focusRow(target.key);
    };
    const key = e.key;
    if (key === 'ArrowDown' || key === 'j') moveTo(i + 1);
    else if (key === 'ArrowUp' || key === 'k') moveTo(i - 1);
    else if (key === 'Home') moveTo(0);
    else if (key === 'End') moveTo(rows.length - 1);
    else if (row.kind === 'group' && (key === 'Enter' || key === ' ')) toggle(row.key);
    else if (row.kind === 'group' && key === 'ArrowRight' && !row.expanded) toggle(row.key, true);
    else if (row.kind === 'group' && key === 'ArrowLeft' && row.expanded) toggle(row.key, false);
    else if (key === 'ArrowLeft' && row.group) focusRow(row.group);
    else return;
    e.preventDefault();
  };

  return (
    <div className="waterfall">
      <div className="wf-axis" aria-hidden="true">
        <div className="wf-name-col">Span</div>
        <div className="wf-time-col">
          {ticks.map((t) => (
            <span
              key={t}
              className={tickPct(t) > 92 ? 'wf-tick wf-tick-end' : 'wf-tick'}
              style={{ left: `${tickPct(t)}%` }}
            >
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <div
        className="wf-rows"
        role="tree"
        aria-label="Spans"
        ref={list}
        onKeyDown={onKeyDown}
        onFocus={() => setHasFocus(true)}
        onBlur={(e) => !e.currentTarget.contains(e.relatedTarget) && setHasFocus(false)}
        onMouseLeave={() => setHoverKey(null)}
      >
        <div className="wf-guides" aria-hidden="true">
          {ticks.map((t) => (
            <span key={t} className="wf-guide" style={{ left: `${tickPct(t)}%` }} />
          ))}
          {timeline.txEndPct !== null && (
            <span className="wf-tx-end" style={{ left: `${timeline.txEndPct}%` }} title="Transaction end" />
          )}
        </div>
        {rows.map((row, i) => (
          <WaterfallRowView
            key={row.key}
            row={row}
            timeline={timeline}
            txStart={txStart}
            tabStop={i === activeIndex}
            showCard={row.key === cardKey}
            onFocus={() => setFocusKey(row.key)}
            onHover={() => setHoverKey(row.key)}
            onToggle={() => toggle(row.key)}
          />
        ))}
      </div>
      <ul className="wf-legend" aria-label="Span categories">
        {CATEGORIES.map((c) => (
          <li key={c}>
            <span className={`wf-swatch ${categoryClass(c)}`} aria-hidden="true" />
            {CATEGORY_LABELS[c]}
          </li>
        ))}
        {timeline.txEndPct !== null && (
          <li>
            <span className="wf-swatch wf-swatch-end" aria-hidden="true" />
            Transaction end (spans after it ended)
          </li>
        )}
      </ul>
    </div>
  );
}

function WaterfallRowView({
  row,
  timeline,
  txStart,
  tabStop,
  showCard,
  onFocus,
  onHover,
  onToggle,
}: {
  row: WaterfallRow;
  timeline: Timeline;
  txStart: number;
  tabStop: boolean;
  showCard: boolean;
  onFocus: () => void;
  onHover: () => void;
  onToggle: () => void;
}) {
  const isGroup = row.kind === 'group';
  const op = isGroup ? row.op : row.span.op;
  const description = isGroup ? row.description : row.span.description;
  const category = isGroup ? row.category : row.span.category;
  const start = isGroup ? row.start : row.span.start;
  const end = isGroup ? row.end : row.span.end;
  const ms = isGroup ? row.totalMs : end - start;
  const failed = isGroup ? row.spans.some((s) => isFailedStatus(s.status)) : isFailedStatus(row.span.status);
  const bar = barPosition(start, end, timeline);
  const labelLeft = bar.left + bar.width > 78;
  const label = `${op} ${description}, ${isGroup ? `${row.spans.length} times, ` : ''}${formatDuration(ms)}`;
  const classes = ['wf-row', categoryClass(category), isGroup && 'wf-group', failed && 'wf-failed'];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={isGroup ? row.expanded : undefined}
      aria-label={label}
      aria-describedby={showCard ? `${row.key}-card` : undefined}
      data-key={row.key}
      tabIndex={tabStop ? 0 : -1}
      onFocus={(e) => e.target === e.currentTarget && onFocus()}
      onMouseEnter={onHover}
      onClick={(e) => {
        e.currentTarget.focus();
        if (isGroup) onToggle();
      }}
    >
      <div className="wf-name-col">
        <span className="wf-indent" style={{ width: `${row.depth * 14}px` }} aria-hidden="true" />
        {isGroup ? (
          <span className="wf-chevron" aria-hidden="true">
            {row.expanded ? '▾' : '▸'}
          </span>
        ) : (
          <span className="wf-dot" aria-hidden="true" />
        )}
        <span className="wf-op">{op}</span>
        <span className="wf-desc" title={description}>
          {description}
        </span>
        {isGroup && <span className="wf-count">× {row.spans.length}</span>}
      </div>
      <div className="wf-time-col">
        {isGroup ? (
          row.spans.map((s) => {
            const b = barPosition(s.start, s.end, timeline);
            return (
              <span
                key={s.span_id}
                className="wf-bar wf-bar-member"
                style={{ left: `${b.left}%`, width: `${b.width}%` }}
              />
            );
          })
        ) : (
          <span className="wf-bar" style={{ left: `${bar.left}%`, width: `${bar.width}%` }} />
        )}
        <span
          className={labelLeft ? 'wf-dur wf-dur-left' : 'wf-dur'}
          style={labelLeft ? { right: `${100 - bar.left}%` } : { left: `${bar.left + bar.width}%` }}
        >
          {formatDuration(ms)}
          {isGroup && ' total'}
        </span>
        {showCard && (
          <SpanCard id={`${row.key}-card`} row={row} txStart={txStart} left={Math.min(bar.left, 55)} />
        )}
      </div>
    </div>
  );
}

function SpanCard({
  id,
  row,
  txStart,
  left,
}: {
  id: string;
  row: WaterfallRow;
  txStart: number;
  left: number;
}) {
  const items: [string, string][] = [];
  if (row.kind === 'group') {
    items.push(
      ['Count', row.spans.length.toLocaleString()],
      ['Total', formatDuration(row.totalMs)],
      ['Average', formatDuration(row.totalMs / row.spans.length)],
      ['First at', `+${formatDuration(row.start - txStart)}`],
      ['Last ends', `+${formatDuration(row.end - txStart)}`],
    );
    const failed = row.spans.filter((s) => isFailedStatus(s.status)).length;
    if (failed > 0) items.push(['Failed', failed.toLocaleString()]);
    const callSite = row.spans[0]!.call_site;
    if (callSite) items.push(['Call site', callSite]);
  } else {
    const s = row.span;
    items.push(
      ['Duration', formatDuration(s.end - s.start)],
      ['Offset', `+${formatDuration(s.start - txStart)}`],
      ['Status', s.status || 'unknown'],
    );
    if (s.call_site) items.push(['Call site', s.call_site]);
    for (const [k, v] of Object.entries(s.data ?? {})) items.push([k, v]);
  }
  const op = row.kind === 'group' ? row.op : row.span.op;
  const description = row.kind === 'group' ? row.description : row.span.description;
  return (
    <div className="wf-card" id={id} role="tooltip" style={{ left: `${left}%` }}>
      <div className="wf-card-head">
        <span
          className={`wf-swatch ${categoryClass(row.kind === 'group' ? row.category : row.span.category)}`}
        />
        <strong>{op}</strong>
        {row.kind === 'group' && <span className="wf-count">× {row.spans.length}</span>}
      </div>
      {description && <pre className="wf-card-desc">{description}</pre>}
      <dl className="wf-card-items">
        {items.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
