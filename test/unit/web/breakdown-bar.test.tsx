import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BreakdownBar, breakdownSegments } from '../../../web/src/components/breakdown-bar';

const breakdown = { db: 60, view: 0, http: 20, cache: 0, queue: 0, other: 20 };

describe('breakdownSegments', () => {
  it('keeps the categories with time, in a fixed order, with their shares', () => {
    expect(breakdownSegments(breakdown)).toEqual([
      { category: 'db', label: 'Database', ms: 60, share: 0.6 },
      { category: 'http', label: 'HTTP calls', ms: 20, share: 0.2 },
      { category: 'other', label: 'Other', ms: 20, share: 0.2 },
    ]);
  });

  it('is empty when nothing was timed', () => {
    expect(breakdownSegments({ db: 0, view: 0, http: 0, cache: 0, queue: 0, other: 0 })).toEqual([]);
  });
});

describe('<BreakdownBar>', () => {
  it('draws one segment per category and a legend with ms and shares', () => {
    const html = renderToStaticMarkup(<BreakdownBar breakdown={breakdown} />);
    expect(html.match(/class="breakdown-seg /g)).toHaveLength(3);
    expect(html).toMatch(/style="width:60%;?"/);
    expect(html).toContain(
      'role="img" aria-label="Time breakdown: Database 60 ms (60%), HTTP calls 20 ms (20%), Other 20 ms (20%)"',
    );
    expect(html).toContain('<span class="breakdown-ms">60 ms</span><span class="breakdown-pct">60%</span>');
  });

  it('is the bar alone, with its description as the tooltip, when compact', () => {
    const html = renderToStaticMarkup(<BreakdownBar breakdown={breakdown} compact />);
    expect(html).not.toContain('breakdown-legend');
    expect(html).toContain('title="Database 60 ms (60%), HTTP calls 20 ms (20%), Other 20 ms (20%)"');
  });
});
