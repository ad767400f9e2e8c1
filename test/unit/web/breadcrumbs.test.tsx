import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Breadcrumb } from '../../../web/src/api/client';
import {
  BREADCRUMBS_SHOWN,
  Breadcrumbs,
  breadcrumbRows,
  formatOffset,
} from '../../../web/src/components/breadcrumbs';
import { escapedText } from './markup';

const EVENT_TS = 1_800_000_000; // seconds

describe('formatOffset', () => {
  it('is short and signed at every scale', () => {
    expect(formatOffset(0)).toBe('0ms');
    expect(formatOffset(-350)).toBe('−350ms');
    expect(formatOffset(-4_240)).toBe('−4.2s');
    expect(formatOffset(-185_000)).toBe('−3m 05s');
    expect(formatOffset(-(2 * 3600 + 10 * 60) * 1000)).toBe('−2h 10m');
    expect(formatOffset(-(3 * 86400 + 4 * 3600) * 1000)).toBe('−3d 4h');
    expect(formatOffset(1500)).toBe('+1.5s');
  });
});

describe('breadcrumbRows', () => {
  it('gives times relative to the event and absolute ISO times', () => {
    const [row] = breadcrumbRows(
      [{ timestamp: EVENT_TS - 2.5, category: 'auth', message: 'User logged in', level: 'info' }],
      EVENT_TS,
    );
    expect(row).toMatchObject({
      offset: '−2.5s',
      absolute: new Date((EVENT_TS - 2.5) * 1000).toISOString(),
      category: 'auth',
      level: 'info',
      message: 'User logged in',
      data: [],
    });
  });

  it('renders data as key/value strings, JSON for non-strings, cut when long', () => {
    const [row] = breadcrumbRows(
      [{ timestamp: EVENT_TS, data: { method: 'password', n: 3, o: { a: 1 }, long: 'x'.repeat(400) } }],
      EVENT_TS,
    );
    expect(row!.data.map((d) => [d.key, d.value.length > 40 ? `${d.value.length}` : d.value])).toEqual([
      ['method', 'password'],
      ['n', '3'],
      ['o', '{"a":1}'],
      ['long', '301'],
    ]);
    expect(row!.data[3]!.full).toHaveLength(400);
  });

  it('builds the Sentry line for HTTP crumbs and drops the keys it used', () => {
    const [row] = breadcrumbRows(
      [
        {
          type: 'http',
          category: 'http',
          timestamp: EVENT_TS - 1,
          data: { method: 'GET', url: 'https://api.example.com/u/1', status_code: 404, 'http.query': 'a=1' },
        },
      ],
      EVENT_TS,
    );
    expect(row!.message).toBe('GET https://api.example.com/u/1 [404]');
    expect(row!.data.map((d) => d.key)).toEqual(['http.query']);
  });

  it('defaults category and level, and tolerates a missing timestamp', () => {
    const [row] = breadcrumbRows([{}], EVENT_TS);
    expect(row).toMatchObject({ category: 'default', level: 'info', offset: null, absolute: null });
    expect(breadcrumbRows([{ type: 'navigation' }], EVENT_TS)[0]!.category).toBe('navigation');
  });
});

describe('<Breadcrumbs>', () => {
  const many: Breadcrumb[] = Array.from({ length: 30 }, (_, i) => ({
    timestamp: EVENT_TS - 30 + i,
    category: 'console',
    message: `line ${i}`,
  }));

  it(`shows the last ${BREADCRUMBS_SHOWN} with a button for the rest`, () => {
    const html = renderToStaticMarkup(<Breadcrumbs crumbs={many} eventTimestamp={EVENT_TS} />);
    expect(html).toContain('Show 10 earlier breadcrumbs');
    expect(html).not.toContain('>line 9<');
    expect(html).toContain('>line 10<');
    expect(html).toContain('>line 29<');
    expect(html.match(/<li /g)).toHaveLength(BREADCRUMBS_SHOWN);
  });

  it('shows every crumb of a short list, with no button', () => {
    const html = renderToStaticMarkup(<Breadcrumbs crumbs={many.slice(0, 3)} eventTimestamp={EVENT_TS} />);
    expect(html).not.toContain('earlier breadcrumbs');
    expect(html.match(/<li /g)).toHaveLength(3);
  });

  it('escapes event strings instead of rendering them as HTML', () => {
    const evil = '<script>alert(1)</script>';
    const html = renderToStaticMarkup(
      <Breadcrumbs
        crumbs={[{ timestamp: EVENT_TS, category: evil, message: evil, data: { [evil]: evil } }]}
        eventTimestamp={EVENT_TS}
      />,
    );
    expect(html).not.toContain('<script>');
    expect(html.match(escapedText(evil))).toHaveLength(4);
  });
});
