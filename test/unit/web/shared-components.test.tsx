import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable, type Column } from '../../../web/src/components/data-table';
import {
  parseTimeRange,
  TimeRangePicker,
  timeRangeHours,
} from '../../../web/src/components/time-range-picker';
import { escapedText, tagWith } from './markup';

interface Row {
  id: number;
  name: string;
  count: number;
}
const columns: Column<Row>[] = [
  { id: 'name', header: 'Name', render: (r) => r.name },
  {
    id: 'count',
    header: 'Events',
    render: (r) => r.count.toLocaleString('en'),
    align: 'right',
    width: '96px',
    sortable: true,
  },
];
const rows: Row[] = [
  { id: 1, name: 'TypeError <script>', count: 1200 },
  { id: 2, name: 'ValueError', count: 3 },
];

describe('<DataTable>', () => {
  it('renders a semantic table with a caption, header cells and one row per item', () => {
    const html = renderToStaticMarkup(
      <DataTable caption="Issues" columns={columns} rows={rows} rowKey={(r) => r.id} />,
    );
    expect(html).toMatch(/^<div class="data-table-wrap"><table class="data-table data-table-sticky">/);
    expect(html).toContain('<caption class="visually-hidden">Issues</caption>');
    expect(html).toContain('<th scope="col" class="align-right">Events</th>');
    expect(html.match(/<tr/g)).toHaveLength(3);
    expect(html).toContain('<td class="align-right">1,200</td>');
    // Text is text: no way for row data to become markup.
    expect(html).toMatch(escapedText('TypeError <script>'));
    expect(html).not.toContain('tabindex');
  });

  it('makes rows keyboard-reachable with one Tab stop when they are clickable', () => {
    const html = renderToStaticMarkup(
      <DataTable
        caption="Issues"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        onRowClick={() => {}}
        isRowSelected={(r) => r.id === 2}
      />,
    );
    expect(html.match(/tabindex="0"/g)).toHaveLength(1);
    expect(html.match(/tabindex="-1"/g)).toHaveLength(1);
    expect(html).toMatch(tagWith('tr', 'class="is-selected"', 'aria-selected="true"'));
  });

  it('shows the empty state across all columns', () => {
    const html = renderToStaticMarkup(
      <DataTable
        caption="Issues"
        columns={columns}
        rows={[]}
        rowKey={(r) => r.id}
        empty="No issues match."
      />,
    );
    expect(html).toMatch(/<tr class="data-table-empty"><td colspan="2">No issues match.<\/td><\/tr>/i);
  });

  it('renders sortable headers as buttons with aria-sort', () => {
    const html = renderToStaticMarkup(
      <DataTable
        caption="Issues"
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        sort={{ column: 'count', direction: 'desc' }}
        onSortChange={() => {}}
      />,
    );
    expect(html).toContain('aria-sort="descending"');
    expect(html).toContain('<button type="button" class="data-table-sort">Events');
  });
});

describe('<TimeRangePicker>', () => {
  it('renders the five presets as a radio group with the value checked', () => {
    const html = renderToStaticMarkup(<TimeRangePicker value="7d" onChange={() => {}} />);
    expect(html).toContain('role="radiogroup" aria-label="Time range"');
    expect(html.match(/role="radio"/g)).toHaveLength(5);
    expect(html).toMatch(/aria-checked="true"[^>]*data-value="7d"/);
    expect(html.match(/tabindex="0"/g)).toHaveLength(1);
  });

  it('parses query-string values, falling back on anything unknown', () => {
    expect(parseTimeRange('14d')).toBe('14d');
    expect(parseTimeRange(null)).toBe('24h');
    expect(parseTimeRange('2y', '7d')).toBe('7d');
    expect(timeRangeHours('30d')).toBe(720);
  });
});
