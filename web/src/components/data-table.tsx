/**
 * A typed, semantic <table>: columns say how to render a row, the header sticks under the app
 * header, and clickable rows are reachable by keyboard (one Tab stop, arrows/Home/End move, Enter
 * or Space opens) without stealing clicks from links, buttons or checkboxes inside a row.
 */
import { useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: ReactNode;
  render: (row: T, index: number) => ReactNode;
  align?: 'left' | 'right' | 'center';
  /** Any CSS width ("96px", "40%"); unset columns share what is left. */
  width?: string;
  className?: string;
  /** Makes the header a sort button when the table has `onSortChange`. */
  sortable?: boolean;
}

export interface SortState {
  column: string;
  direction: 'asc' | 'desc';
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Activated by click, Enter or Space; the event says whether a modifier key was held. */
  onRowClick?: (row: T, event: MouseEvent | KeyboardEvent) => void;
  isRowSelected?: (row: T) => boolean;
  rowClassName?: (row: T) => string | undefined;
  /** Shown in a full-width row when there are no rows. */
  empty?: ReactNode;
  /** Accessible name of the table; visible when `showCaption`. */
  caption: string;
  showCaption?: boolean;
  stickyHeader?: boolean;
  loading?: boolean;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  className?: string;
}

/** Clicks on these inside a row belong to them, not to the row. */
const INTERACTIVE = 'a, button, input, select, textarea, label, summary, [role="button"], [role="checkbox"]';

function fromInteractive(e: { target: EventTarget; currentTarget: EventTarget }): boolean {
  const el = e.target as Element;
  const hit = el.closest?.(INTERACTIVE);
  return !!hit && hit !== e.currentTarget && (e.currentTarget as Element).contains(hit);
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  onRowClick,
  isRowSelected,
  rowClassName,
  empty = 'Nothing to show.',
  caption,
  showCaption = false,
  stickyHeader = true,
  loading = false,
  sort,
  onSortChange,
  className,
}: DataTableProps<T>) {
  const body = useRef<HTMLTableSectionElement>(null);
  const [active, setActive] = useState(0);
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));
  const clickable = !!onRowClick;

  const focusRow = (i: number) => {
    const clamped = Math.max(0, Math.min(rows.length - 1, i));
    setActive(clamped);
    body.current?.querySelectorAll<HTMLTableRowElement>(':scope > tr')[clamped]?.focus();
  };

  const onRowKeyDown = (row: T, i: number) => (e: KeyboardEvent<HTMLTableRowElement>) => {
    if (e.target !== e.currentTarget) return;
    const moves: Record<string, number> = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1 };
    const to = moves[e.key];
    if (to !== undefined) {
      e.preventDefault();
      focusRow(to);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onRowClick?.(row, e);
    }
  };

  const classes = [
    'data-table',
    stickyHeader && 'data-table-sticky',
    clickable && 'data-table-clickable',
    className,
  ];

  return (
    <div className="data-table-wrap">
      <table className={classes.filter(Boolean).join(' ')} aria-busy={loading || undefined}>
        <caption className={showCaption ? 'data-table-caption' : 'visually-hidden'}>{caption}</caption>
        <colgroup>
          {columns.map((c) => (
            <col key={c.id} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {columns.map((c) => {
              const sorted = sort?.column === c.id ? sort.direction : undefined;
              const ariaSort =
                sorted === 'asc'
                  ? 'ascending'
                  : sorted === 'desc'
                    ? 'descending'
                    : c.sortable
                      ? 'none'
                      : undefined;
              return (
                <th
                  key={c.id}
                  scope="col"
                  className={`align-${c.align ?? 'left'}`}
                  aria-sort={onSortChange ? ariaSort : undefined}
                >
                  {c.sortable && onSortChange ? (
                    <button
                      type="button"
                      className="data-table-sort"
                      onClick={() =>
                        onSortChange({ column: c.id, direction: sorted === 'desc' ? 'asc' : 'desc' })
                      }
                    >
                      {c.header}
                      <span aria-hidden="true" className="data-table-sort-icon">
                        {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody ref={body}>
          {rows.length === 0 ? (
            <tr className="data-table-empty">
              <td colSpan={columns.length}>{loading ? 'Loading…' : empty}</td>
            </tr>
          ) : (
            rows.map((row, i) => {
              const selected = isRowSelected?.(row);
              const rowClasses = [rowClassName?.(row), selected && 'is-selected'].filter(Boolean).join(' ');
              return (
                <tr
                  key={rowKey(row)}
                  className={rowClasses || undefined}
                  aria-selected={isRowSelected ? !!selected : undefined}
                  tabIndex={clickable ? (i === activeIndex ? 0 : -1) : undefined}
                  onFocus={clickable ? () => setActive(i) : undefined}
                  onClick={clickable ? (e) => !fromInteractive(e) && onRowClick(row, e) : undefined}
                  onKeyDown={clickable ? onRowKeyDown(row, i) : undefined}
                >
                  {columns.map((c) => (
                    <td
                      key={c.id}
                      className={[`align-${c.align ?? 'left'}`, c.className].filter(Boolean).join(' ')}
                    >
                      {c.render(row, i)}
                    </td>
                  ))}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
